"""/ldap/test, /ldap/sync and /ldap/migrateid: the System Console's AD/LDAP "Test", "Synchronize Now" and
ID attribute migration; /ldap/test_connection and /ldap/test_diagnostics: its checks of settings as typed; /ldap/certificate/{public,private}: the client certificate chinwag presents to the
directory; /saml/…: SAML's certificates, status and metadata; /audit_logs/certificate: the certificate for
the audit log's TLS targets (Mattermost's api4/ldap.go, api4/saml.go, api4/audit_logging.go)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.datastructures import UploadFile
from starlette.responses import Response

from chinwag.app.sso_certificates import AUDIT, KINDS, MAX_CERTIFICATE_BYTES, CertificateKind
from chinwag.model.errors import AppError
from chinwag.web.api4 import api
from chinwag.web.handler import JSON_ERRORS, HandlerContext
from chinwag.web.oauth import site_url
from chinwag.web.responses import ok


@api.route("POST", "/ldap/test")
async def test_ldap(w: HandlerContext) -> Any:
    await w.app.ldap_admin.test(w.ctx)
    return ok()


@api.route("POST", "/ldap/sync")
async def sync_ldap(w: HandlerContext) -> Any:
    await w.app.ldap_admin.sync(w.ctx)
    return ok()


@api.route("POST", "/ldap/test_connection")
async def test_ldap_connection(w: HandlerContext) -> Any:
    """The AD/LDAP page's "Test Connection" with the settings as typed (Mattermost 10+)."""
    try:
        settings = msgspec.json.decode(await w.body() or b"null")
    except JSON_ERRORS:
        settings = None
    await w.app.ldap_admin.test_connection(w.ctx, settings)
    return ok()


@api.route("POST", "/ldap/test_diagnostics")
async def test_ldap_diagnostics(w: HandlerContext) -> Any:
    """The AD/LDAP page's filter and attribute checks with the settings as typed (Mattermost 10.9+)."""
    test = w.query("test")
    try:
        settings = msgspec.json.decode(await w.body() or b"null")
    except JSON_ERRORS:
        settings = None
    return await w.app.ldap_admin.test_diagnostics(w.ctx, test, settings)


@api.route("POST", "/ldap/migrateid")
async def migrate_id_ldap(w: HandlerContext) -> Any:
    body = await _lenient_json(w)
    await w.app.ldap_admin.migrate_id(w.ctx, body.get("toAttribute"))
    return ok()


async def _certificate_upload(w: HandlerContext, service: str) -> bytes:
    """The multipart ``certificate`` file (Mattermost's parse{Saml,Ldap,AuditLog}CertificateRequest)."""
    parse_id = "api.admin.add_certificate.parseform.app_error" if service == "ldap" \
        else "api.admin.add_certificate.no_file.app_error"
    if not w.request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise AppError("addCertificate", parse_id, "No file under 'certificate' in request.", 400,
                       "not a multipart/form-data request")
    try:
        form = await w.request.form(max_files=4, max_fields=20)
    except Exception as e:  # starlette's MultiPartException and malformed bodies
        raise AppError("addCertificate", parse_id, "No file under 'certificate' in request.", 400, str(e)) from None
    try:
        upload = form.get("certificate")
        if service == "audit_logs" and len(form.getlist("certificate")) > 1:
            raise AppError("addAuditLogCertificate", "api.admin.add_certificate.multiple_files.app_error",
                           "Too many files under 'certificate' in request.", 400)
        if not isinstance(upload, UploadFile):
            raise AppError("addCertificate", "api.admin.add_certificate.no_file.app_error",
                           "No file under 'certificate' in request.", 400)
        return await upload.read(MAX_CERTIFICATE_BYTES + 1)
    finally:
        await form.close()


def _kind(service: str, which: str) -> CertificateKind:
    return KINDS[service][which]


def _certificate_routes(service: str, which: str) -> None:
    kind = _kind(service, which)

    async def add(w: HandlerContext) -> Any:
        w.app.certificates.require_add(w.ctx, kind)
        if service == "saml" and which == "idp":
            content_type = w.request.headers.get("content-type", "")
            media = content_type.split(";", 1)[0].strip().lower()
            if not content_type:
                raise AppError("addSamlIdpCertificate",
                               "api.admin.saml.set_certificate_from_metadata.missing_content_type.app_error",
                               "Missing content type.", 400)
            if media == "application/x-pem-file":
                await w.app.certificates.add_idp_from_metadata(w.ctx, await w.body())
                return ok()
            if media != "multipart/form-data":
                raise AppError("addSamlIdpCertificate",
                               "api.admin.saml.set_certificate_from_metadata.invalid_content_type.app_error",
                               "Invalid content type.", 400)
        await w.app.certificates.add(w.ctx, kind, await _certificate_upload(w, service))
        return ok()

    async def remove(w: HandlerContext) -> Any:
        await w.app.certificates.remove(w.ctx, kind)
        return ok()

    add.__name__ = f"add_{service}_{which}_certificate"
    remove.__name__ = f"remove_{service}_{which}_certificate"
    api.route("POST", f"/{service}/certificate/{which}")(add)
    api.route("DELETE", f"/{service}/certificate/{which}")(remove)


for _service, _kinds in KINDS.items():
    for _which in _kinds:
        _certificate_routes(_service, _which)


@api.route("POST", "/audit_logs/certificate")
async def add_audit_log_certificate(w: HandlerContext) -> Any:
    w.app.certificates.require_add(w.ctx, AUDIT)
    await w.app.certificates.add(w.ctx, AUDIT, await _certificate_upload(w, "audit_logs"))
    return ok()


@api.route("DELETE", "/audit_logs/certificate")
async def remove_audit_log_certificate(w: HandlerContext) -> Any:
    await w.app.certificates.remove(w.ctx, AUDIT)
    return ok()


@api.route("GET", "/saml/certificate/status")
async def saml_certificate_status(w: HandlerContext) -> Any:
    return w.app.certificates.saml_status(w.ctx)


@api.route("GET", "/saml/metadata", auth=False)
async def saml_metadata(w: HandlerContext) -> Response:
    """This service provider's metadata, as a download (no session needed, as in Mattermost)."""
    try:
        xml = await w.app.saml.metadata(site_url(w))
    except AppError as e:
        if e.id == "api.saml.disabled.app_error":
            raise AppError("GetSamlMetadata", "api.admin.saml.not_available.app_error",
                           "SAML 2.0 is not configured or supported on this server.", 501) from None
        raise AppError("GetSamlMetadata", "api.admin.saml.metadata.app_error",
                       "An error occurred while building Service Provider Metadata.", e.status_code,
                       f"err={e.message}") from None
    return Response(xml, media_type="application/xml",
                    headers={"Content-Disposition": 'attachment; filename="metadata.xml"'})


@api.route("POST", "/saml/metadatafromidp", auth=False)
async def saml_metadata_from_idp(w: HandlerContext) -> Any:
    """The IdP's settings read from its metadata URL (the System Console's "Get SAML Metadata from IdP")."""
    body = await _lenient_json(w)
    return await w.app.certificates.metadata_from_idp(w.ctx, body.get("saml_metadata_url"))


async def _lenient_json(w: HandlerContext) -> dict[str, Any]:
    """Mattermost's MapFromJSON / StringInterfaceFromJSON: a body that is not a JSON object reads as empty."""
    try:
        body = msgspec.json.decode(await w.body() or b"{}")
    except JSON_ERRORS:
        return {}
    return body if isinstance(body, dict) else {}
