"""SAML 2.0 single sign-on (service provider side, with pysaml2 and xmlsec1).

The IdP is described by a metadata document (``IdpMetadataFile``, or fetched from ``IdpMetadataURL``)
or, as in Mattermost, by ``IdpURL`` + ``IdpDescriptorURL`` + ``IdpCertificateFile``. An AuthnRequest
goes out by HTTP-Redirect with a one-time RelayState; the Response comes back by HTTP-POST and must
answer that request (InResponseTo) and carry a signed assertion (a signed response alone, an unsigned
or a tampered one is refused). Accounts are found by ``auth_service`` "saml" + ``auth_data`` (the
``IdAttribute``, else the NameID).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import httpx
import structlog

from chinwag.app.config import config_file_path
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.oauth import STATE_TTL_MS, safe_redirect
from chinwag.app.oauth_providers import clean_username, split_name
from chinwag.app.session import SessionService
from chinwag.app.user import UserService
from chinwag.config.schema import SamlSettings
from chinwag.model.errors import AppError
from chinwag.model.user import Session, User, UserCreate
from chinwag.store.errors import NotFound

log = structlog.get_logger("chinwag.saml")

SERVICE_SAML = "saml"
TOKEN_TYPE_SAML = "saml"
XMLSEC1 = "/usr/bin/xmlsec1"
METADATA_TTL_S = 3600


@dataclass
class SamlResult:
    user: User
    session: Session
    redirect_to: str


def saml_error(detail: str, status: int = 401) -> AppError:
    return AppError("SamlLogin", "ent.saml.do_login.validate_token.app_error",
                    "The SAML response was refused.", status, detail)


def _idp_metadata_from_settings(s: SamlSettings, cert_path: Path) -> str:
    """Mattermost's three IdP settings as a minimal metadata document."""
    pem = cert_path.read_text()
    der = "".join(line for line in pem.splitlines() if line and not line.startswith("-----"))
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID={quoteattr(s.IdpDescriptorURL)}>'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f"Location={quoteattr(s.IdpURL)}/></md:IDPSSODescriptor></md:EntityDescriptor>"
    )


class SamlService:
    def __init__(self, core: AppCore, users: UserService, sessions: SessionService) -> None:
        self.core = core
        self.users = users
        self.sessions = sessions
        self._fetched: dict[str, tuple[str, float]] = {}

    def _settings(self, where: str) -> SamlSettings:
        s = self.core.cfg.SamlSettings
        if not s.Enable:
            raise AppError(where, "api.saml.disabled.app_error", "SAML 2.0 is not enabled on this server.", 501)
        if (s.Encrypt or s.SignRequest) and not (s.PrivateKeyFile and s.PublicCertificateFile):
            raise AppError(where, "ent.saml.configure.encryption_not_enabled.app_error",
                           "SAML encryption and signed requests need the service provider's key pair.", 500,
                           "SamlSettings.Encrypt / SignRequest need PrivateKeyFile and PublicCertificateFile")
        return s

    def _file(self, name: str) -> Path:
        """A certificate or key file named by a setting (beside config.json unless absolute)."""
        return config_file_path(self.core.config_store, name)

    @staticmethod
    def acs_url(s: SamlSettings, site_url: str) -> str:
        return s.AssertionConsumerServiceURL or f"{site_url.rstrip('/')}/login/sso/saml"

    @staticmethod
    def entity_id(s: SamlSettings, site_url: str) -> str:
        return s.ServiceProviderIdentifier or f"{site_url.rstrip('/')}/login/sso/saml"

    async def _idp_metadata(self, s: SamlSettings) -> str:
        if s.IdpMetadataFile:
            return await asyncio.to_thread(Path(s.IdpMetadataFile).read_text)
        if s.IdpMetadataURL:
            cached = self._fetched.get(s.IdpMetadataURL)
            if cached and time.monotonic() - cached[1] < METADATA_TTL_S:
                return cached[0]
            try:
                async with httpx.AsyncClient(timeout=15) as client:
                    resp = await client.get(s.IdpMetadataURL)
                resp.raise_for_status()
            except httpx.HTTPError as e:
                raise saml_error(f"IdP metadata {s.IdpMetadataURL}: {e!r}", 500) from None
            self._fetched[s.IdpMetadataURL] = (resp.text, time.monotonic())
            return resp.text
        if s.IdpURL and s.IdpDescriptorURL and s.IdpCertificateFile:
            return await asyncio.to_thread(_idp_metadata_from_settings, s, self._file(s.IdpCertificateFile))
        raise saml_error("SamlSettings needs IdpMetadataFile, IdpMetadataURL, or IdpURL + IdpDescriptorURL + "
                         "IdpCertificateFile", 500)

    def _config(self, s: SamlSettings, site_url: str, idp_metadata: str | None) -> Any:
        from saml2 import BINDING_HTTP_POST
        from saml2.config import SPConfig

        conf: dict[str, Any] = {
            "entityid": self.entity_id(s, site_url),
            "xmlsec_binary": XMLSEC1,
            "allow_unknown_attributes": True,
            "accepted_time_diff": 60,
            "service": {"sp": {
                "endpoints": {"assertion_consumer_service": [(self.acs_url(s, site_url), BINDING_HTTP_POST)]},
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": s.SignRequest,
                "allow_unsolicited": False,
            }},
        }
        if idp_metadata is not None:
            conf["metadata"] = {"inline": [idp_metadata]}
        if s.PrivateKeyFile and s.PublicCertificateFile:
            key, cert = str(self._file(s.PrivateKeyFile)), str(self._file(s.PublicCertificateFile))
            conf["key_file"], conf["cert_file"] = key, cert
            if s.Encrypt:
                conf["encryption_keypairs"] = [{"key_file": key, "cert_file": cert}]
        config = SPConfig()
        config.load(conf)
        return config

    async def _client(self, s: SamlSettings, site_url: str) -> Any:
        from saml2.client import Saml2Client

        metadata = await self._idp_metadata(s)
        try:
            return await asyncio.to_thread(lambda: Saml2Client(config=self._config(s, site_url, metadata)))
        except Exception as e:
            raise saml_error(f"bad SAML configuration: {e!r}", 500) from None

    async def metadata(self, site_url: str) -> str:
        """This service provider's metadata, for the IdP administrator."""
        from saml2.metadata import create_metadata_string

        s = self._settings("GetSamlMetadata")
        try:
            config = await asyncio.to_thread(self._config, s, site_url, None)
            raw = await asyncio.to_thread(create_metadata_string, None, config, 4, None, None, None, None, None)
        except OSError as e:  # xmlsec1 missing, a key file unreadable
            raise saml_error(f"cannot build the metadata: {e}", 500) from None
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    async def start(self, site_url: str, redirect_to: str = "") -> str:
        """The IdP URL (HTTP-Redirect binding) carrying a new AuthnRequest."""
        from saml2 import BINDING_HTTP_REDIRECT

        s = self._settings("loginWithSaml")
        client = await self._client(s, site_url)
        idps = list(client.metadata.identity_providers())
        if len(idps) != 1:
            raise saml_error(f"the IdP metadata describes {len(idps)} identity providers", 500)
        relay = secrets.token_urlsafe(32)

        def prepare() -> tuple[str, dict[str, Any]]:
            req_id, info = client.prepare_for_authenticate(entityid=idps[0], relay_state=relay,
                                                           binding=BINDING_HTTP_REDIRECT)
            return str(req_id), info

        req_id, info = await asyncio.to_thread(prepare)
        extra = {"req_id": req_id, "redirect_to": safe_redirect(redirect_to, "login", [])}
        now = self.core.now()
        await self.core.store.one_time_tokens.remove_older_than(TOKEN_TYPE_SAML, now - STATE_TTL_MS)
        await self.core.store.one_time_tokens.save(relay, TOKEN_TYPE_SAML, json.dumps(extra), now)
        return str(dict(info["headers"])["Location"])

    async def complete(self, site_url: str, saml_response: str, relay_state: str) -> SamlResult:
        """The assertion consumer service: verify, map attributes, sign in or create the user."""
        from saml2 import BINDING_HTTP_POST

        s = self._settings("completeSaml")
        if not relay_state or len(relay_state) > 64 or not saml_response:
            raise saml_error("missing SAMLResponse or RelayState", 400)
        try:
            raw, created = await self.core.store.one_time_tokens.consume(relay_state, TOKEN_TYPE_SAML)
        except NotFound:
            raise saml_error("unknown or already used RelayState", 400) from None
        if self.core.now() - created > STATE_TTL_MS:
            raise saml_error("the sign-in request expired", 400)
        extra = json.loads(raw)
        client = await self._client(s, site_url)

        def parse() -> Any:
            return client.parse_authn_request_response(saml_response, BINDING_HTTP_POST,
                                                       outstanding={extra["req_id"]: "/"})

        try:
            authn = await asyncio.to_thread(parse)
        except Exception as e:  # pysaml2 raises many types: signature, status, time, audience …
            raise saml_error(f"{type(e).__name__}: {e}") from None
        if authn is None or authn.assertion is None:
            raise saml_error("no assertion")
        if not self._assertion_signed(authn):
            raise saml_error("the assertion is not signed")
        if s.Encrypt and not self._assertion_encrypted(authn):
            raise saml_error("the assertion is not encrypted (SamlSettings.Encrypt is on)")
        attrs: dict[str, list[str]] = {k: [str(v) for v in vs] for k, vs in (authn.ava or {}).items()}
        name_id = authn.name_id.text if authn.name_id is not None else ""
        user = await self._login_or_create(s, attrs, str(name_id or ""))
        session = await self.sessions.create(user, is_oauth=True, props={"sso": SERVICE_SAML})
        await self.core.store.users.update_last_login(user.id, self.core.now())
        return SamlResult(user=user, session=session, redirect_to=extra.get("redirect_to", ""))

    @staticmethod
    def _assertion_signed(authn: Any) -> bool:
        """Every assertion carries its own signature (pysaml2 has checked it against the IdP's key; an
        encrypted assertion's after decryption)."""
        assertions = list(authn.assertions or [])
        return bool(assertions) and all(a is not None and a.signature is not None for a in assertions)

    @staticmethod
    def _assertion_encrypted(authn: Any) -> bool:
        """The assertions came as EncryptedAssertion: pysaml2 leaves plain ones in ``response.assertion``
        and puts decrypted ones only in ``assertions``."""
        return bool(authn.assertions) and not authn.response.assertion

    async def _login_or_create(self, s: SamlSettings, attrs: dict[str, list[str]], name_id: str) -> User:
        def first(name: str) -> str:
            return (attrs.get(name) or [""])[0].strip() if name else ""

        auth_data = first(s.IdAttribute) or name_id
        email = first(s.EmailAttribute).lower()
        if not auth_data or "@" not in email:
            raise saml_error(f"the assertion has no id or email attribute (got {sorted(attrs)})", 400)
        first_name, last_name = first(s.FirstNameAttribute), first(s.LastNameAttribute)
        if not first_name and not last_name and attrs.get("displayName"):
            first_name, last_name = split_name(first("displayName"))
        is_admin = self._matches(s.AdminAttribute, attrs) if s.EnableAdminAttribute else None
        is_guest = None
        if s.GuestAttribute.strip() and self.core.cfg.GuestAccountsSettings.Enable:
            is_guest = self._matches(s.GuestAttribute, attrs)
        try:
            user = await self.core.store.users.get_by_auth(SERVICE_SAML, auth_data)
        except NotFound:
            user = await self._create(UserCreate(
                username=clean_username(first(s.UsernameAttribute) or email.split("@")[0]), email=email,
                first_name=first_name[:64], last_name=last_name[:64], nickname=first(s.NicknameAttribute)[:64],
                position=first(s.PositionAttribute)[:128], auth_service=SERVICE_SAML, auth_data=auth_data,
                email_verified=True))
        if user.delete_at:
            raise AppError("SamlLogin", "api.user.login.inactive.app_error", "Login failed because your account "
                           "has been deactivated. Please contact an administrator.", 401)
        if is_admin is not None or is_guest is not None:
            user = await self.users.set_directory_roles(user, admin=is_admin, guest=is_guest)
        return user

    @staticmethod
    def _matches(rule: str, attrs: dict[str, list[str]]) -> bool:
        """Mattermost's ``attribute=value`` rule (e.g. ``role=admin``) against the assertion."""
        name, _, value = rule.partition("=")
        return bool(name.strip()) and value.strip() in attrs.get(name.strip(), [])

    async def _create(self, data: UserCreate) -> User:
        try:
            await self.core.store.users.get_by_email(data.email)
            raise AppError("CreateSamlUser", "api.user.create_oauth_user.already_attached.app_error",
                           "There is already an account associated with that email address using a sign in "
                           "method other than SAML. Please sign in using email and password, then switch.", 400)
        except NotFound:
            pass
        base = data.username
        for attempt in range(10):
            data.username = base if attempt == 0 else f"{base[:60]}{attempt}"
            try:
                return await self.users.create(Ctx(request_id=""), data, from_sso=True)
            except AppError as e:
                if e.id != "app.user.save.username_exists.app_error" or attempt == 9:
                    raise
        raise AssertionError("unreachable")

