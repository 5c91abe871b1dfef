"""SAML 2.0 sign-in against a pysaml2 identity provider (tests/sso/saml_idp.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from chinwag.server import Server
from tests.conftest import Client, World

if not shutil.which("xmlsec1") and os.geteuid() == 0 and shutil.which("apt-get"):
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "xmlsec1"], capture_output=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, check=False)
if not shutil.which("xmlsec1"):
    pytest.skip("xmlsec1 is missing (Debian package xmlsec1)", allow_module_level=True)

from tests.sso.saml_idp import SamlIdp

SITE = "http://localhost:8065"
ALICE = {"uid": ["alice"], "mail": ["alice@corp.example"], "givenName": ["Alice"], "sn": ["Liddell"],
         "title": ["Engineer"]}


@pytest.fixture
async def saml(server: Server, tmp_path: Path) -> SamlIdp:
    idp = SamlIdp(tmp_path)
    s = server.config.effective.SamlSettings
    s.Enable = True
    s.IdpMetadataFile = idp.metadata_file()
    s.IdAttribute, s.EmailAttribute, s.UsernameAttribute = "uid", "mail", "uid"
    s.FirstNameAttribute, s.LastNameAttribute, s.PositionAttribute = "givenName", "sn", "title"
    s.EnableAdminAttribute, s.AdminAttribute = True, "title=Admin"
    c = Client(server)
    meta = await c.http.get(f"{SITE}/login/sso/saml/metadata")
    await c.aclose()
    assert meta.status_code == 200 and "AssertionConsumerService" in meta.text
    assert f'Location="{SITE}/login/sso/saml"' in meta.text
    idp.trust_sp(meta.text)
    return idp


async def flow(c: Client, idp: SamlIdp, identity: dict[str, list[str]], name_id: str = "alice-nameid",
               **kw: Any) -> Any:
    r = await c.http.get(f"{SITE}/login/sso/saml", params={"redirect_to": "/acme/channels/town-square"})
    assert r.status_code == 302, r.text
    form = idp.respond(r.headers["location"], identity, name_id, **kw)
    acs = form.pop("acs")
    assert acs == f"{SITE}/login/sso/saml"
    return await c.http.post(acs, data=form)


def error_id(r: Any) -> str:
    return str(r.text.split('data-error-id="', 1)[1].split('"', 1)[0])


async def test_signed_assertion_signs_in_and_creates_the_account(world: World, saml: SamlIdp) -> None:
    await world.user("admin")
    c = Client(world.srv)
    r = await flow(c, saml, ALICE)
    assert r.status_code == 302, r.text
    assert r.headers["location"] == "/acme/channels/town-square"
    me = (await c.http.get("/users/me", headers={"Authorization": f"Bearer {r.cookies['MMAUTHTOKEN']}"})).json()
    assert (me["username"], me["email"], me["auth_service"]) == ("alice", "alice@corp.example", "saml")
    assert (me["first_name"], me["last_name"], me["position"]) == ("Alice", "Liddell", "Engineer")
    assert "system_admin" not in me["roles"]
    again = await flow(Client(world.srv), saml, ALICE)
    assert again.status_code == 302
    other = Client(world.srv)
    other.token = again.cookies["MMAUTHTOKEN"]
    assert (await other.get("/users/me")).json()["id"] == me["id"]


async def test_admin_attribute(world: World, saml: SamlIdp) -> None:
    await world.user("admin")
    c = Client(world.srv)
    r = await flow(c, saml, {**ALICE, "title": ["Admin"]})
    c.token = r.cookies["MMAUTHTOKEN"]
    assert "system_admin" in (await c.get("/users/me")).json()["roles"].split()


@pytest.mark.parametrize("how", ["unsigned", "response_only_signed", "tampered"])
async def test_unsigned_or_tampered_assertions_are_refused(world: World, saml: SamlIdp, how: str) -> None:
    await world.user("admin")
    kw: dict[str, Any] = {
        "unsigned": {"sign_assertion": False},
        "response_only_signed": {"sign_assertion": False, "sign_response": True},
        "tampered": {"tamper": ("alice@corp.example", "mallory@corp.example")},
    }[how]
    r = await flow(Client(world.srv), saml, ALICE, **kw)
    assert r.status_code == 401, r.text
    assert error_id(r) == "ent.saml.do_login.validate_token.app_error"
    assert "MMAUTHTOKEN" not in r.headers.get("set-cookie", "")
    admin = world.admin
    assert admin is not None
    assert (await admin.get("/users/username/alice")).status_code == 404


async def test_replayed_response_is_refused(world: World, saml: SamlIdp) -> None:
    await world.user("admin")
    c = Client(world.srv)
    r = await c.http.get(f"{SITE}/login/sso/saml")
    form = saml.respond(r.headers["location"], ALICE, "alice-nameid")
    acs = form.pop("acs")
    assert (await c.http.post(acs, data=form)).status_code == 302
    replay = await Client(world.srv).http.post(acs, data=form)
    assert replay.status_code == 400 and error_id(replay) == "ent.saml.do_login.validate_token.app_error"


async def test_email_conflict_with_local_account(world: World, saml: SamlIdp) -> None:
    await world.user("admin")
    await world.user("alice", email="alice@corp.example")
    r = await flow(Client(world.srv), saml, ALICE)
    assert r.status_code == 400 and error_id(r) == "api.user.create_oauth_user.already_attached.app_error"


async def test_saml_disabled(world: World, saml: SamlIdp) -> None:
    world.srv.config.effective.SamlSettings.Enable = False
    r = await Client(world.srv).http.get(f"{SITE}/login/sso/saml")
    assert r.status_code == 501


async def test_guest_attribute_makes_a_guest_and_is_re_evaluated_on_each_sign_in(
    world: World, saml: SamlIdp, server: Server
) -> None:
    admin = await world.user("admin")
    server.config.effective.GuestAccountsSettings.Enable = True
    server.config.effective.SamlSettings.GuestAttribute = "title=Guest"
    team = await world.team(admin, "acme")
    lobby = await world.channel(admin, team, "lobby")
    c = world.client()
    r = await flow(world.client(), saml, {**ALICE, "title": ["Guest"]})
    assert r.status_code == 302, r.text
    c.token = r.cookies["MMAUTHTOKEN"]
    me = (await c.get("/users/me")).json()
    assert me["roles"] == "system_guest"
    # a guest cannot create or join teams, nor discover, join or create channels
    assert (await c.post("/teams", {"name": "mine", "display_name": "Mine", "type": "O"})).status_code == 403
    assert (await c.post(f"/teams/{team['id']}/members",
                         {"team_id": team["id"], "user_id": me["id"]})).status_code == 403
    assert (await admin.post(f"/teams/{team['id']}/members",
                             {"team_id": team["id"], "user_id": me["id"]})).status_code == 201
    tm = (await c.get(f"/teams/{team['id']}/members/{me['id']}")).json()
    assert (tm["scheme_guest"], tm["scheme_user"]) == (True, False)
    assert (await c.get(f"/users/me/teams/{team['id']}/channels")).json() == []  # not put in town-square
    assert (await c.get(f"/teams/{team['id']}/channels")).status_code == 403
    assert (await c.get(f"/channels/{lobby['id']}/posts")).status_code == 403
    assert (await c.post(f"/channels/{lobby['id']}/members", {"user_id": me["id"]})).status_code == 403
    assert (await c.post("/channels", {"team_id": team["id"], "name": "side", "display_name": "Side",
                                       "type": "P"})).status_code == 403
    # added by someone who may: reads and writes there as a channel guest
    assert (await admin.post(f"/channels/{lobby['id']}/members", {"user_id": me["id"]})).status_code == 201
    cm = (await c.get(f"/channels/{lobby['id']}/members/{me['id']}")).json()
    assert (cm["scheme_guest"], cm["scheme_user"]) == (True, False)
    assert (await c.post("/posts", {"channel_id": lobby["id"], "message": "hi"})).status_code == 201

    # the IdP no longer says guest: a member again, memberships too, and allowed to create a channel
    r = await flow(world.client(), saml, ALICE)
    assert r.status_code == 302
    c.token = r.cookies["MMAUTHTOKEN"]
    assert (await c.get("/users/me")).json()["roles"] == "system_user"
    tm = (await c.get(f"/teams/{team['id']}/members/{me['id']}")).json()
    cm = (await c.get(f"/channels/{lobby['id']}/members/{me['id']}")).json()
    assert (tm["scheme_guest"], tm["scheme_user"], cm["scheme_guest"], cm["scheme_user"]) == (False, True, False, True)
    assert (await c.post("/channels", {"team_id": team["id"], "name": "side", "display_name": "Side",
                                       "type": "P"})).status_code == 201

    # an admin demoted to guest loses the admin role (a guest is never an admin)
    r = await flow(world.client(), saml, {**ALICE, "title": ["Admin"]})
    c.token = r.cookies["MMAUTHTOKEN"]
    assert "system_admin" in (await c.get("/users/me")).json()["roles"].split()
    r = await flow(world.client(), saml, {**ALICE, "title": ["Guest"]})
    c.token = r.cookies["MMAUTHTOKEN"]
    assert (await c.get("/users/me")).json()["roles"] == "system_guest"
    assert (await c.get(f"/channels/{lobby['id']}/members/{me['id']}")).json()["scheme_guest"] is True

    # guest access turned off: guests cannot sign in, and the attribute no longer makes guests
    server.config.effective.GuestAccountsSettings.Enable = False
    r = await flow(world.client(), saml, {**ALICE, "title": ["Guest"]})
    assert r.status_code == 401 and error_id(r) == "api.user.login.guest_accounts.disabled.error"
    r = await flow(world.client(), saml, {**ALICE, "uid": ["bob"], "mail": ["bob@corp.example"], "title": ["Guest"]},
                   name_id="bob-nameid")
    assert r.status_code == 302


async def test_encrypted_assertion(world: World, server: Server, tmp_path: Path) -> None:
    from tests.sso.saml_idp import key_and_cert

    await world.user("admin")
    idp = SamlIdp(tmp_path)
    s = server.config.effective.SamlSettings
    s.Enable, s.Encrypt, s.IdpMetadataFile = True, True, idp.metadata_file()
    s.IdAttribute, s.EmailAttribute, s.UsernameAttribute = "uid", "mail", "uid"
    c = Client(server)
    r = await c.http.get(f"{SITE}/login/sso/saml")  # Encrypt without the SP's key pair: a clear error
    assert r.status_code == 500 and error_id(r) == "ent.saml.configure.encryption_not_enabled.app_error"
    s.PrivateKeyFile, s.PublicCertificateFile = key_and_cert(tmp_path, "sp")
    meta = (await c.http.get(f"{SITE}/login/sso/saml/metadata")).text
    await c.aclose()
    assert 'use="encryption"' in meta
    idp.trust_sp(meta)
    r = await flow(world.client(), idp, ALICE, encrypt=True)
    assert r.status_code == 302, r.text
    c = world.client()
    c.token = r.cookies["MMAUTHTOKEN"]
    assert (await c.get("/users/me")).json()["username"] == "alice"
    # encryption hides the assertion from the browser but does not replace its signature
    r = await flow(world.client(), idp, ALICE, encrypt=True, sign_assertion=False, sign_response=True)
    assert r.status_code == 401 and error_id(r) == "ent.saml.do_login.validate_token.app_error"
    # with Encrypt on, a plain (unencrypted) assertion is refused
    r = await flow(world.client(), idp, ALICE)
    assert r.status_code == 401 and error_id(r) == "ent.saml.do_login.validate_token.app_error"
    # encrypted to us but signed by a key that is not the IdP's: refused
    (tmp_path / "rogue").mkdir()
    rogue = SamlIdp(tmp_path / "rogue")
    rogue.trust_sp(meta)
    r = await flow(world.client(), rogue, {**ALICE, "title": ["Admin"]}, encrypt=True)
    assert r.status_code == 401 and error_id(r) == "ent.saml.do_login.validate_token.app_error"
