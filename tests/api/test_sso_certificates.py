"""The System Console's SAML and AD/LDAP certificates over HTTP: uploads stored beside config.json (and in
the database for the other nodes) with the settings pointing at them, removal, status, the SAML metadata
routes, and a SAML sign-in that uses only uploaded certificates."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from chinwag.app.config import FILE_KEY_PREFIX
from tests.conftest import Client, World, assert_error
from tests.receiver import receiver
from tests.sso.saml_idp import key_and_cert

SITE = "http://localhost:8065"


def pem_pair(tmp: Path, name: str) -> tuple[bytes, bytes]:
    key, cert = key_and_cert(tmp, name)
    return Path(key).read_bytes(), Path(cert).read_bytes()


def file_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


async def upload(c: Client, path: str, data: bytes, field: str = "certificate") -> Any:
    return await c.http.post(path, files={field: ("cert.pem", data, "application/octet-stream")},
                             headers=c._headers(None))


def config_dir(world: World) -> Path:
    return world.srv.config.path.parent


async def test_saml_certificates_upload_status_remove(world: World, tmp_path: Path) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    key, cert = pem_pair(tmp_path, "sp")
    assert (await admin.get("/saml/certificate/status")).json() == {
        "idp_certificate_file": False, "private_key_file": False, "public_certificate_file": False}
    assert_error(await bob.get("/saml/certificate/status"), 403, "api.context.permissions.app_error")
    assert_error(await upload(bob, "/saml/certificate/public", cert), 403, "api.context.permissions.app_error")
    assert_error(await bob.delete("/saml/certificate/public"), 403, "api.context.permissions.app_error")

    r = await upload(admin, "/saml/certificate/public", cert)
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    assert (config_dir(world) / "saml-public.crt").read_bytes() == cert
    assert os.stat(config_dir(world) / "saml-public.crt").st_mode & 0o777 == 0o600
    assert await world.srv.app.store.system.get(FILE_KEY_PREFIX + "saml-public.crt") == cert.decode()
    assert (await upload(admin, "/saml/certificate/private", key)).status_code == 200
    s = world.srv.config.effective.SamlSettings
    assert (s.PublicCertificateFile, s.PrivateKeyFile) == ("saml-public.crt", "saml-private.key")
    cfg = (await admin.get("/config")).json()["SamlSettings"]
    assert cfg["PublicCertificateFile"] == "saml-public.crt"
    assert (await admin.get("/saml/certificate/status")).json() == {
        "idp_certificate_file": False, "private_key_file": True, "public_certificate_file": True}

    # removing the key pair turns encryption off, as Mattermost does
    s.Encrypt = True
    assert (await admin.delete("/saml/certificate/private")).status_code == 200
    s = world.srv.config.effective.SamlSettings
    assert (s.PrivateKeyFile, s.Encrypt) == ("", False)
    assert not (config_dir(world) / "saml-private.key").exists()
    assert await world.srv.app.store.system.get(FILE_KEY_PREFIX + "saml-private.key") == ""
    assert (await admin.get("/saml/certificate/status")).json()["private_key_file"] is False
    # removing what is not there succeeds
    assert (await admin.delete("/saml/certificate/private")).status_code == 200

    # the IdP certificate, from the base64 body /saml/metadatafromidp returns: removing it turns SAML off
    _idp_key, idp_cert = pem_pair(tmp_path, "idp")
    der = x509.load_pem_x509_certificate(idp_cert).public_bytes(Encoding.DER)
    r = await admin.post("/saml/certificate/idp", content=base64.b64encode(der),
                         headers={"Content-Type": "application/x-pem-file"})
    assert r.status_code == 200, r.text
    assert (config_dir(world) / "saml-idp.crt").read_bytes() == idp_cert
    world.srv.config.effective.SamlSettings.Enable = True
    assert (await admin.delete("/saml/certificate/idp")).status_code == 200
    s = world.srv.config.effective.SamlSettings
    assert (s.IdpCertificateFile, s.Enable) == ("", False)


async def test_bad_certificate_uploads_change_nothing(world: World, tmp_path: Path) -> None:
    admin = await world.user("admin")
    key, cert = pem_pair(tmp_path, "sp")
    assert_error(await admin.post("/saml/certificate/public", {"certificate": "x"}), 400,
                 "api.admin.add_certificate.no_file.app_error")
    assert_error(await upload(admin, "/saml/certificate/public", cert, field="file"), 400,
                 "api.admin.add_certificate.no_file.app_error")
    assert_error(await upload(admin, "/ldap/certificate/public", b"not a certificate"), 400,
                 "api.admin.add_certificate.app_error")
    # a key where a certificate belongs, and the other way round
    assert_error(await upload(admin, "/saml/certificate/public", key), 400, "api.admin.add_certificate.app_error")
    assert_error(await upload(admin, "/saml/certificate/private", cert), 400, "api.admin.add_certificate.app_error")
    assert_error(await upload(admin, "/saml/certificate/public", b"A" * 60_000), 400,
                 "api.admin.add_certificate.app_error")
    assert_error(await upload(admin, "/saml/certificate/public", "Zertifikat für uns\n".encode() + cert), 400,
                 "api.admin.add_certificate.app_error")
    assert_error(await admin.post("/saml/certificate/idp", content=b"!!!", headers={"Content-Type": "text/plain"}),
                 400, "api.admin.saml.set_certificate_from_metadata.invalid_content_type.app_error")
    assert_error(await admin.post("/saml/certificate/idp", content=b"!!!",
                                  headers={"Content-Type": "application/x-pem-file"}),
                 400, "api.admin.saml.failure_parse_idp_certificate.app_error")
    s, ldap = world.srv.config.effective.SamlSettings, world.srv.config.effective.LdapSettings
    assert (s.PublicCertificateFile, s.PrivateKeyFile, s.IdpCertificateFile, ldap.PublicCertificateFile) == ("",) * 4
    assert not any((config_dir(world) / n).exists() for n in ("saml-public.crt", "saml-private.key", "saml-idp.crt",
                                                              "ldap-public.crt"))


async def test_ldap_client_certificate(world: World, tmp_path: Path) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    key, cert = pem_pair(tmp_path, "client")
    assert_error(await upload(bob, "/ldap/certificate/private", key), 403, "api.context.permissions.app_error")
    assert (await upload(admin, "/ldap/certificate/public", cert)).status_code == 200
    assert (await upload(admin, "/ldap/certificate/private", key)).status_code == 200
    ldap = world.srv.config.effective.LdapSettings
    assert (ldap.PublicCertificateFile, ldap.PrivateKeyFile) == ("ldap-public.crt", "ldap-private.key")
    assert (config_dir(world) / "ldap-private.key").read_bytes() == key
    assert (await admin.delete("/ldap/certificate/public")).status_code == 200
    assert world.srv.config.effective.LdapSettings.PublicCertificateFile == ""
    assert not (config_dir(world) / "ldap-public.crt").exists()
    assert (config_dir(world) / "ldap-private.key").exists()


async def test_audit_log_certificate(world: World, tmp_path: Path) -> None:
    """``POST/DELETE /audit_logs/certificate`` (Mattermost's api4/audit_logging.go): stored as
    ``audit_certificate.pem`` and named by ``ExperimentalAuditSettings.Certificate``."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    _key, cert = pem_pair(tmp_path, "audit")
    assert_error(await upload(bob, "/audit_logs/certificate", cert), 403, "api.context.permissions.app_error")
    assert_error(await bob.delete("/audit_logs/certificate"), 403, "api.context.permissions.app_error")
    assert_error(await world.client().delete("/audit_logs/certificate"), 401)
    assert_error(await admin.post("/audit_logs/certificate", {"certificate": "x"}), 400,
                 "api.admin.add_certificate.no_file.app_error")
    assert_error(await upload(admin, "/audit_logs/certificate", cert, field="file"), 400,
                 "api.admin.add_certificate.no_file.app_error")
    two = await admin.http.post("/audit_logs/certificate", headers=admin._headers(None), files=[
        ("certificate", ("a.pem", cert, "application/octet-stream")),
        ("certificate", ("b.pem", cert, "application/octet-stream"))])
    assert_error(two, 400, "api.admin.add_certificate.multiple_files.app_error")
    assert_error(await upload(admin, "/audit_logs/certificate", b"not a certificate"), 400,
                 "api.admin.add_certificate.app_error")
    assert world.srv.config.effective.ExperimentalAuditSettings.Certificate == ""
    assert not (config_dir(world) / "audit_certificate.pem").exists()

    r = await upload(admin, "/audit_logs/certificate", cert)
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    assert (config_dir(world) / "audit_certificate.pem").read_bytes() == cert
    assert await world.srv.app.store.system.get(FILE_KEY_PREFIX + "audit_certificate.pem") == cert.decode()
    assert world.srv.config.effective.ExperimentalAuditSettings.Certificate == "audit_certificate.pem"
    assert (await admin.get("/config")).json()["ExperimentalAuditSettings"] == {"Certificate": "audit_certificate.pem"}

    r = await admin.delete("/audit_logs/certificate")
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    assert world.srv.config.effective.ExperimentalAuditSettings.Certificate == ""
    assert not (config_dir(world) / "audit_certificate.pem").exists()
    assert await world.srv.app.store.system.get(FILE_KEY_PREFIX + "audit_certificate.pem") == ""
    assert (await admin.delete("/audit_logs/certificate")).status_code == 200  # nothing there: still OK


async def test_another_node_takes_the_certificates(world: World, tmp_path: Path) -> None:
    """A node applying a config change from another node first writes the files that node stored."""
    admin = await world.user("admin")
    _key, cert = pem_pair(tmp_path, "sp")
    assert (await upload(admin, "/saml/certificate/public", cert)).status_code == 200
    stored = config_dir(world) / "saml-public.crt"
    stored.unlink()  # as on a node that was not there when the upload happened
    world.srv.config.read_only = False
    try:
        await world.srv.app.config_api.sync_files()
    finally:
        world.srv.config.read_only = True
    assert stored.read_bytes() == cert
    assert (await admin.delete("/saml/certificate/public")).status_code == 200
    stored.write_bytes(cert)  # a node that still has it removes it
    world.srv.config.read_only = False
    try:
        await world.srv.app.config_api.sync_files()
    finally:
        world.srv.config.read_only = True
    assert not stored.exists()


IDP_METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    entityID="https://idp.example/metadata">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>
      <ds:X509Certificate>MIIBbase64cert</ds:X509Certificate>
    </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""


async def test_saml_metadata_from_idp(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    anonymous = world.client()
    async with receiver() as rec:
        url = f"{rec.url}/idp/metadata"
        assert_error(await anonymous.post("/saml/metadatafromidp", {"saml_metadata_url": url}), 403)
        assert_error(await bob.post("/saml/metadatafromidp", {"saml_metadata_url": url}), 403)
        assert_error(await admin.post("/saml/metadatafromidp", {}), 400, "api.context.invalid_param.app_error")
        # a loopback address is fetched only when AllowedUntrustedInternalConnections lists it
        assert_error(await admin.post("/saml/metadatafromidp", {"saml_metadata_url": url}), 400,
                     "api.admin.saml.failure_get_metadata_from_idp.app_error")
        assert rec.requests == []
        world.srv.config.effective.ServiceSettings.AllowedUntrustedInternalConnections = "127.0.0.1"
        rec.answer(IDP_METADATA, content_type="application/xml")
        r = await admin.post("/saml/metadatafromidp", {"saml_metadata_url": url})
        assert r.status_code == 200, r.text
        assert r.json() == {"idp_url": "https://idp.example/sso", "idp_descriptor_url": "https://idp.example/metadata",
                            "idp_public_certificate": "MIIBbase64cert"}
        rec.answer("<html/>", content_type="text/html")
        assert_error(await admin.post("/saml/metadatafromidp", {"saml_metadata_url": url}), 400,
                     "api.admin.saml.failure_get_metadata_from_idp.app_error")
        rec.answer('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', content_type="application/xml")
        assert_error(await admin.post("/saml/metadatafromidp", {"saml_metadata_url": url}), 400,
                     "api.admin.saml.failure_get_metadata_from_idp.app_error")
        rec.answer("gone", status=404, content_type="text/plain")
        assert_error(await admin.post("/saml/metadatafromidp", {"saml_metadata_url": url}), 400,
                     "api.admin.saml.failure_get_metadata_from_idp.app_error")


def _xmlsec1() -> None:
    if not shutil.which("xmlsec1") and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "xmlsec1"], capture_output=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, check=False)
    if not shutil.which("xmlsec1"):
        pytest.skip("xmlsec1 is missing (Debian package xmlsec1)")


async def test_saml_metadata_download(world: World) -> None:
    _xmlsec1()
    anonymous = world.client()
    assert_error(await anonymous.get("/saml/metadata"), 501, "api.admin.saml.not_available.app_error")
    world.srv.config.effective.SamlSettings.Enable = True
    r = await anonymous.get("/saml/metadata")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    assert r.headers["content-disposition"] == 'attachment; filename="metadata.xml"'
    assert f'Location="{SITE}/login/sso/saml"' in r.text




async def test_saml_sign_in_with_uploaded_certificates(world: World, tmp_path: Path) -> None:
    """The System Console's way: IdP certificate, SP key pair uploaded, IdP URLs typed in; an encrypted
    assertion signed by the IdP then signs the user in."""
    _xmlsec1()
    from tests.api.test_saml import ALICE, flow
    from tests.sso.saml_idp import IDP_ENTITY, IDP_SSO, SamlIdp

    admin = await world.user("admin")
    idp = SamlIdp(tmp_path)
    sp_key, sp_cert = pem_pair(tmp_path, "sp")
    assert (await upload(admin, "/saml/certificate/idp", file_bytes(idp.cert))).status_code == 200
    assert (await upload(admin, "/saml/certificate/public", sp_cert)).status_code == 200
    assert (await upload(admin, "/saml/certificate/private", sp_key)).status_code == 200
    r = await admin.put("/config/patch", {"SamlSettings": {
        "Enable": True, "Encrypt": True, "IdpURL": IDP_SSO, "IdpDescriptorURL": IDP_ENTITY, "IdAttribute": "uid",
        "EmailAttribute": "mail", "UsernameAttribute": "uid", "FirstNameAttribute": "givenName",
        "LastNameAttribute": "sn"}})
    assert r.status_code == 200, r.text
    s = world.srv.config.effective.SamlSettings
    assert (s.IdpCertificateFile, s.PublicCertificateFile, s.PrivateKeyFile) == (
        "saml-idp.crt", "saml-public.crt", "saml-private.key")
    meta = await world.client().get("/saml/metadata")
    assert meta.status_code == 200 and "KeyDescriptor" in meta.text
    idp.trust_sp(meta.text)
    c = Client(world.srv)
    r = await flow(c, idp, ALICE, encrypt=True)
    assert r.status_code == 302, r.text
    c.token = r.cookies["MMAUTHTOKEN"]
    me = (await c.get("/users/me")).json()
    assert (me["username"], me["auth_service"]) == ("alice", "saml")
