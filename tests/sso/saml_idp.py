"""A SAML 2.0 identity provider built with pysaml2 for the tests: keys and certificates made on the
spot, metadata exchanged with chinwag, and responses signed (or not, or tampered with) on demand."""

from __future__ import annotations

import base64
import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORDPROTECTEDTRANSPORT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

IDP_ENTITY = "https://idp.test/metadata"
IDP_SSO = "https://idp.test/sso"


def key_and_cert(directory: Path, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


class SamlIdp:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.key, self.cert = key_and_cert(directory, "idp")
        self.server: Server | None = None

    def _config(self, sp_metadata: str | None) -> IdPConfig:
        conf: dict[str, Any] = {
            "entityid": IDP_ENTITY,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": self.key,
            "cert_file": self.cert,
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [(IDP_SSO, BINDING_HTTP_REDIRECT)]},
                "policy": {"default": {"lifetime": {"minutes": 15}, "attribute_restrictions": None,
                                       "name_form": NAME_FORMAT_URI}},
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            }},
        }
        if sp_metadata:
            conf["metadata"] = {"inline": [sp_metadata]}
        config = IdPConfig()
        config.load(conf)
        return config

    def metadata_file(self) -> str:
        raw = create_metadata_string(None, self._config(None), 4, None, None, None, None, None)
        path = self.dir / "idp-metadata.xml"
        path.write_bytes(raw if isinstance(raw, bytes) else str(raw).encode())
        return str(path)

    def trust_sp(self, sp_metadata: str) -> None:
        self.server = Server(config=self._config(sp_metadata))

    def respond(self, redirect_url: str, identity: dict[str, list[str]], name_id: str, *,
                sign_assertion: bool = True, sign_response: bool = False, tamper: tuple[str, str] | None = None,
                encrypt: bool = False) -> dict[str, str]:
        """The form the IdP would auto-post back to the service provider (``encrypt``: the assertion
        encrypted to the SP's encryption certificate from its metadata)."""
        assert self.server is not None and redirect_url.startswith(IDP_SSO + "?")
        q = {k: v[0] for k, v in parse_qs(urlparse(redirect_url).query).items()}
        req = self.server.parse_authn_request(q["SAMLRequest"], BINDING_HTTP_REDIRECT)
        msg = req.message
        acs = msg.assertion_consumer_service_url
        response = self.server.create_authn_response(
            identity, in_response_to=msg.id, destination=acs, sp_entity_id=msg.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
            authn={"class_ref": PASSWORDPROTECTEDTRANSPORT, "authn_auth": IDP_ENTITY},
            sign_assertion=sign_assertion, sign_response=sign_response, encrypt_assertion=encrypt)
        xml = str(response)
        if tamper:
            assert tamper[0] in xml
            xml = xml.replace(tamper[0], tamper[1])
        return {"SAMLResponse": base64.b64encode(xml.encode()).decode(), "RelayState": q["RelayState"],
                "acs": acs}
