"""The System Console's certificate uploads for SAML, AD/LDAP and the audit log (Mattermost's app/saml.go,
app/ldap.go, app/audit.go), and the SAML helpers around them.

An upload is stored beside config.json under Mattermost's file name (``saml-public.crt``,
``saml-private.key``, ``saml-idp.crt``, ``ldap-public.crt``, ``ldap-private.key``,
``audit_certificate.pem``), shared with the other
nodes through the database, and the setting naming it is set; removing one deletes the file and clears
the setting (for SAML also ``Encrypt``, or ``Enable`` for the IdP certificate, as Mattermost does).
Unlike Mattermost, an upload that is not a PEM certificate (or private key) is refused with a 400 instead
of breaking sign-in later."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import defusedxml.ElementTree as SafeET
import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from chinwag.app.config import ConfigService
from chinwag.app.context import Ctx
from chinwag.app.outbound import OutboundHttp, OutboundRefused
from chinwag.app.permissions import PermissionService
from chinwag.model.errors import AppError, invalid_param

#: a certificate or key file; far above any real one (a chain of a few certificates is a few KiB)
MAX_CERTIFICATE_BYTES = 48 * 1024
#: an IdP metadata document fetched for the System Console
MAX_METADATA_BYTES = 1024 * 1024

_MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
_DS = "{http://www.w3.org/2000/09/xmldsig#}"


@dataclass(frozen=True)
class CertificateKind:
    section: str
    setting: str
    file_name: str
    #: "certificate" or "key": what the upload must be
    content: str
    add_permission: str
    remove_permission: str
    #: settings Mattermost turns off when the file goes
    off_on_remove: tuple[str, ...] = ()


SAML_PUBLIC = CertificateKind("SamlSettings", "PublicCertificateFile", "saml-public.crt", "certificate",
                              "add_saml_public_cert", "remove_saml_public_cert", ("Encrypt",))
SAML_PRIVATE = CertificateKind("SamlSettings", "PrivateKeyFile", "saml-private.key", "key",
                               "add_saml_private_cert", "remove_saml_private_cert", ("Encrypt",))
SAML_IDP = CertificateKind("SamlSettings", "IdpCertificateFile", "saml-idp.crt", "certificate",
                           "add_saml_idp_cert", "remove_saml_idp_cert", ("Enable",))
LDAP_PUBLIC = CertificateKind("LdapSettings", "PublicCertificateFile", "ldap-public.crt", "certificate",
                              "add_ldap_public_cert", "remove_ldap_public_cert")
LDAP_PRIVATE = CertificateKind("LdapSettings", "PrivateKeyFile", "ldap-private.key", "key",
                               "add_ldap_private_cert", "remove_ldap_private_cert")
#: the certificate Mattermost's audit log targets present over TLS (``POST/DELETE /audit_logs/certificate``)
AUDIT = CertificateKind("ExperimentalAuditSettings", "Certificate", "audit_certificate.pem", "certificate",
                        "sysconsole_write_experimental_features", "sysconsole_write_experimental_features")
KINDS = {"saml": {"public": SAML_PUBLIC, "private": SAML_PRIVATE, "idp": SAML_IDP},
         "ldap": {"public": LDAP_PUBLIC, "private": LDAP_PRIVATE}}


def _bad_certificate(detail: str) -> AppError:
    return AppError("AddCertificate", "api.admin.add_certificate.app_error", "Failed to add certificate.", 400,
                    detail)


def check_pem(data: bytes, content: str) -> None:
    """``data`` is a PEM certificate (or a PEM private key without a passphrase)."""
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise _bad_certificate(f"the file is larger than {MAX_CERTIFICATE_BYTES} bytes")
    if not data.isascii():
        raise _bad_certificate("a PEM file is ASCII text")
    try:
        if content == "certificate":
            x509.load_pem_x509_certificates(data)
        else:
            serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as e:
        raise _bad_certificate(f"not a PEM {'certificate' if content == 'certificate' else 'private key'}: {e}") \
            from None


class CertificateService:
    def __init__(self, perms: PermissionService, config: ConfigService) -> None:
        self.perms = perms
        self.config = config
        self.outbound = OutboundHttp(config.core)

    async def close(self) -> None:
        await self.outbound.close()

    def require_add(self, ctx: Ctx, kind: CertificateKind) -> None:
        """Checked before the upload is read, as Mattermost does."""
        self.perms.require_system(ctx, kind.add_permission, "AddCertificate")

    async def add(self, ctx: Ctx, kind: CertificateKind, data: bytes) -> None:
        """Store an uploaded certificate (or key) and point the setting at it."""
        self.require_add(ctx, kind)
        check_pem(data, kind.content)
        await self.config.set_file(kind.file_name, data)
        await self.config.apply("AddCertificate", {kind.section: {kind.setting: kind.file_name}})

    async def add_idp_from_metadata(self, ctx: Ctx, text: bytes) -> None:
        """``POST /saml/certificate/idp`` with ``application/x-pem-file``: the base64 body of the IdP's
        certificate, as ``/saml/metadatafromidp`` returned it."""
        try:
            der = base64.b64decode(b"".join(text.split()), validate=True)
            cert = x509.load_der_x509_certificate(der)
        except (binascii.Error, ValueError) as e:
            raise AppError("SetSamlIdpCertificateFromMetadata", "api.admin.saml.failure_parse_idp_certificate.app_error",
                           "Failure encountered while parsing the metadata information received from the Identity "
                           "Provider to a certificate.", 400, str(e)) from None
        await self.add(ctx, SAML_IDP, cert.public_bytes(serialization.Encoding.PEM))

    async def remove(self, ctx: Ctx, kind: CertificateKind) -> None:
        self.perms.require_system(ctx, kind.remove_permission, "RemoveCertificate")
        section = getattr(self.config.core.cfg, kind.section)
        await self.config.remove_file(getattr(section, kind.setting))
        changes: dict[str, Any] = {kind.setting: ""}
        changes.update({name: False for name in kind.off_on_remove})
        await self.config.apply("RemoveCertificate", {kind.section: changes})

    def saml_status(self, ctx: Ctx) -> dict[str, bool]:
        """``GET /saml/certificate/status``: which of the three files are there."""
        self.perms.require_system(ctx, "get_saml_cert_status", "getSamlCertificateStatus")
        s = self.config.core.cfg.SamlSettings
        return {"idp_certificate_file": self.config.has_file(s.IdpCertificateFile),
                "private_key_file": self.config.has_file(s.PrivateKeyFile),
                "public_certificate_file": self.config.has_file(s.PublicCertificateFile)}

    async def metadata_from_idp(self, ctx: Ctx, url: Any) -> dict[str, str]:
        """``POST /saml/metadatafromidp``: the IdP's SSO URL, entity id and signing certificate, read from
        its metadata, for the System Console to fill in. Fetched as an integration would be (internal
        addresses only when AllowedUntrustedInternalConnections lists them)."""
        where = "getSamlMetadataFromIdp"
        self.perms.require_system(ctx, "get_saml_metadata_from_idp", where)
        if not isinstance(url, str) or not url:
            raise invalid_param(where, "saml_metadata_url")
        if not url.startswith(("http://", "https://")):
            url = "https://" + url
        try:
            status, _headers, body = await self.outbound.request("GET", url, limit=MAX_METADATA_BYTES)
        except (OutboundRefused, httpx.HTTPError) as e:
            raise _metadata_error(f"{url}: {e}") from None
        if status != 200:
            raise _metadata_error(f"status_code={status}")
        return parse_idp_metadata(body)


def _metadata_error(detail: str) -> AppError:
    return AppError("getSamlMetadataFromIdp", "api.admin.saml.failure_get_metadata_from_idp.app_error",
                    "Failed to obtain metadata from Identity Provider URL.", 400, detail)


def parse_idp_metadata(body: bytes) -> dict[str, str]:
    """Mattermost's BuildSamlMetadataObject: the entity id, the first SSO service's location and the
    first key descriptor's certificate (base64, as in the document)."""
    try:
        root = SafeET.fromstring(body)
    except Exception as e:  # defusedxml raises ParseError and its own refusals (entities, DTDs)
        raise _metadata_error(f"not an XML metadata document: {e}") from None
    if root.tag != f"{_MD}EntityDescriptor":
        raise _metadata_error(f"the document is a {root.tag}, not an EntityDescriptor")
    idp = root.find(f"{_MD}IDPSSODescriptor")
    if idp is None:
        raise _metadata_error("Missing Identity Provider SSO Descriptors node in the XML.")
    sso = idp.find(f"{_MD}SingleSignOnService")
    if sso is None:
        raise _metadata_error("Missing Identity Provider SSO Services node in the XML.")
    cert = idp.find(f"{_MD}KeyDescriptor/{_DS}KeyInfo/{_DS}X509Data/{_DS}X509Certificate")
    if cert is None:
        raise _metadata_error("Missing Identity Provider Key Descriptors node in the XML.")
    return {"idp_url": sso.get("Location", ""), "idp_descriptor_url": root.get("entityID", ""),
            "idp_public_certificate": (cert.text or "").strip()}
