"""Account mail over HTTP with a real SMTP server: password reset, email verification, invitations by email —
and the system admin's account switches (every session revoked, sign-in method changed)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from chinwag.server import Server
from tests.api.helpers import Unchanged, team_with
from tests.conftest import World, assert_error
from tests.smtp import SmtpServer


@pytest.fixture
async def smtp(tmp_path: Path, server: Server) -> AsyncIterator[SmtpServer]:
    s = SmtpServer(tmp_path).start()
    s.configure(server.config.effective.EmailSettings)
    yield s
    s.stop()


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def link_in(msg: EmailMessage, prefix: str) -> str:
    found = re.search(re.escape(prefix) + r"\S+", text_of(msg))
    assert found, text_of(msg)
    html = msg.get_body(("html",))
    assert html is not None and prefix in str(html.get_content())  # type: ignore[attr-defined]
    return found.group(0)


def query(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


async def test_password_reset_by_email(world: World, smtp: SmtpServer) -> None:
    await world.user("admin")
    bob = await world.user("bob")
    anon = world.client()
    # an unknown address answers the same, and nothing is mailed
    r = await anon.post("/users/password/reset/send", {"email": "nobody@example.com"})
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert_error(await anon.post("/users/password/reset/send", {}), 400, "api.context.invalid_param.app_error")
    r = await anon.post("/users/password/reset/send", {"email": "BOB@example.com"})
    assert r.status_code == 200, r.text
    (msg,) = await smtp.inbox.wait(1)
    assert msg["To"] == "bob@example.com" and msg["Subject"] == "[chinwag] Reset your password"
    token = query(link_in(msg, "http://localhost:8065/reset_password_complete?token="))["token"]
    assert len(token) == 64

    assert_error(await anon.post("/users/password/reset", {"token": "short", "new_password": "newpass1"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await anon.post("/users/password/reset", {"token": "x" * 64, "new_password": "newpass1"}), 400,
                 "api.user.reset_password.invalid_link.app_error")
    # a password the rules refuse leaves the link usable and the account untouched
    async with Unchanged(world):
        assert_error(await anon.post("/users/password/reset", {"token": token, "new_password": "ab"}), 400,
                     "model.user.is_valid.pwd.app_error")
    r = await anon.post("/users/password/reset", {"token": token, "new_password": "brand-new-1"})
    assert r.status_code == 200, r.text
    # the old sessions are over, the new password works, the old one does not, the link is used up
    assert_error(await bob.get("/users/me"), 401)
    assert_error(await world.client().post("/users/login", {"login_id": "bob", "password": "password"}), 401,
                 "api.user.login.invalid_credentials_email_username")
    await world.client().login("bob", "brand-new-1")
    assert_error(await anon.post("/users/password/reset", {"token": token, "new_password": "another-1"}), 400,
                 "api.user.reset_password.invalid_link.app_error")
    _, changed = await smtp.inbox.wait(2)
    assert changed["To"] == "bob@example.com"
    assert changed["Subject"] == "[chinwag] Your password has been updated"


async def test_password_reset_link_expires_and_sso_accounts(world: World, server: Server, smtp: SmtpServer) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    anon = world.client()
    assert (await anon.post("/users/password/reset/send", {"email": "bob@example.com"})).status_code == 200
    (msg,) = await smtp.inbox.wait(1)
    token = query(link_in(msg, "http://localhost:8065/reset_password_complete?token="))["token"]
    base = server.app.core.now
    server.app.core.now = lambda: base() + 24 * 3600_000 + 1  # type: ignore[method-assign]
    try:
        assert_error(await anon.post("/users/password/reset", {"token": token, "new_password": "brand-new-1"}), 400,
                     "api.user.reset_password.link_expired.app_error")
    finally:
        server.app.core.now = base  # type: ignore[method-assign]
    # an account that signs in elsewhere has no password to reset (unless hardened mode hides it)
    r = await admin.put(f"/users/{bob.user['id']}/auth", {"auth_data": "bob-dn", "auth_service": "ldap"})
    assert r.status_code == 200, r.text
    assert_error(await anon.post("/users/password/reset/send", {"email": "bob@example.com"}), 400,
                 "api.user.send_password_reset.sso.app_error")
    server.config.effective.ServiceSettings.ExperimentalEnableHardenedMode = True
    assert (await anon.post("/users/password/reset/send", {"email": "bob@example.com"})).status_code == 200
    assert len(smtp.inbox.messages) == 1


async def test_email_verification(world: World, server: Server, smtp: SmtpServer) -> None:
    admin = await world.user("admin")
    server.config.effective.EmailSettings.RequireEmailVerification = True
    r = await admin.post("/users", {"username": "carol", "email": "carol@example.com", "password": "password"})
    assert r.status_code == 201, r.text
    assert not r.json().get("email_verified")
    carol_id = r.json()["id"]

    # the sign-up mail carries the verification link; until it is followed, sign-in is refused
    (welcome,) = await smtp.inbox.wait(1)
    assert welcome["To"] == "carol@example.com"
    link = link_in(welcome, "http://localhost:8065/do_verify_email?token=")
    assert query(link)["email"] == "carol@example.com"
    assert_error(await world.client().post("/users/login", {"login_id": "carol", "password": "password"}), 401,
                 "api.user.login.not_verified.app_error")
    anon = world.client()
    # asking again for an unknown address answers the same and mails nothing
    assert (await anon.post("/users/email/verify/send", {"email": "ghost@example.com"})).status_code == 200
    assert_error(await anon.post("/users/email/verify/send", {"email": ""}), 400,
                 "api.context.invalid_param.app_error")
    assert (await anon.post("/users/email/verify/send", {"email": "carol@example.com"})).status_code == 200
    _, again = await smtp.inbox.wait(2)
    assert again["Subject"] == "[chinwag] Email Verification"
    second = query(link_in(again, "http://localhost:8065/do_verify_email?token="))["token"]

    assert_error(await anon.post("/users/email/verify", {"token": "nope"}), 400, "api.context.invalid_param.app_error")
    assert_error(await anon.post("/users/email/verify", {"token": "y" * 64}), 400,
                 "api.user.verify_email.bad_link.app_error")
    assert (await anon.post("/users/email/verify", {"token": query(link)["token"]})).status_code == 200
    assert (await admin.get(f"/users/{carol_id}")).json()["email_verified"] is True
    await world.client().login("carol", "password")
    assert_error(await anon.post("/users/email/verify", {"token": query(link)["token"]}), 400,
                 "api.user.verify_email.bad_link.app_error")
    assert (await anon.post("/users/email/verify", {"token": second})).status_code == 200
    # nobody signs up pre-verified (Mattermost's SanitizeInput)
    server.config.effective.TeamSettings.EnableOpenServer = True
    r = await world.client().post("/users", {"username": "dan", "email": "dan@example.com", "password": "password",
                                             "email_verified": True})
    assert r.status_code == 201, r.text
    assert not (await admin.get(f"/users/{r.json()['id']}")).json().get("email_verified")
    assert_error(await world.client().post("/users/login", {"login_id": "dan", "password": "password"}), 401,
                 "api.user.login.not_verified.app_error")


async def test_revoke_every_session(world: World) -> None:
    t = await team_with(world, "bob")
    admin, owner, bob = t.admin, t.owner, t.members[0]
    assert_error(await bob.post("/users/sessions/revoke/all"), 403, "api.context.permissions.app_error")
    assert (await bob.get("/users/me")).status_code == 200
    r = await admin.post("/users/sessions/revoke/all")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    for c in (admin, owner, bob):
        assert_error(await c.get("/users/me"), 401)
    await world.client().login("bob")


async def test_update_user_auth(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    admin, bob, carol = t.admin, t.members[0], t.members[1]
    url = f"/users/{bob.user['id']}/auth"
    assert_error(await bob.put(url, {"auth_data": "x", "auth_service": "ldap"}), 403,
                 "api.context.permissions.app_error")
    for bad in ({"auth_service": "ldap"}, {"auth_data": "x", "auth_service": ""},
                {"auth_data": "x", "auth_service": "carrier-pigeon"}):
        assert_error(await admin.put(url, bad), 400, "api.user.update_user_auth.invalid_request")
    r = await admin.put(url, {"auth_data": "uid=bob", "auth_service": "saml"})
    assert r.status_code == 200, r.text
    assert r.json() == {"auth_data": "uid=bob", "auth_service": "saml"}
    me = (await admin.get(f"/users/{bob.user['id']}")).json()
    assert me["auth_service"] == "saml"
    assert_error(await world.client().post("/users/login", {"login_id": "bob", "password": "password"}), 400,
                 "api.user.login.use_auth_service.app_error")
    # one id, one account
    assert_error(await admin.put(f"/users/{carol.user['id']}/auth", {"auth_data": "uid=bob", "auth_service": "saml"}),
                 400, "app.user.update_auth_data.app_error")


async def test_terms_of_service_and_ldap_migration(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    url = f"/users/{bob.user['id']}/terms_of_service"
    assert_error(await bob.post(url, {"termsOfServiceId": "abc"}), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.post(url, {"accepted": True}), 400, "api.context.invalid_param.app_error")
    assert_error(await bob.post(url, {"termsOfServiceId": "abc", "accepted": True}), 404,
                 "app.terms_of_service.get.no_rows.app_error")
    body = {"from": "email", "force": False, "match_field": "email"}
    assert_error(await admin.post("/users/migrate_auth/ldap", {**body, "from": "ldap"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await admin.post("/users/migrate_auth/ldap", {"from": "email", "match_field": "email"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await bob.post("/users/migrate_auth/ldap", body), 403, "api.context.permissions.app_error")
    assert_error(await admin.post("/users/migrate_auth/ldap", body), 501, "api.admin.ldap.not_available.app_error")


async def test_invite_by_email(world: World, server: Server, smtp: SmtpServer) -> None:
    t = await team_with(world, "bob")
    admin, owner, bob = t.admin, t.owner, t.members[0]
    url = f"/teams/{t.id}/invite/email"
    assert_error(await owner.post(url, ["new@example.com"]), 501, "api.team.invite_members.disabled.app_error")
    server.config.effective.ServiceSettings.EnableEmailInvitations = True
    assert_error(await owner.post(url, []), 400, "api.context.invalid_param.app_error")
    outsider = await world.user("zed")
    assert_error(await outsider.post(url, ["new@example.com"]), 403, "api.context.permissions.app_error")
    r = await owner.post(url, ["New@Example.com"])
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    (msg,) = await smtp.inbox.wait(1)
    assert msg["To"] == "new@example.com"
    assert msg["Subject"] == "[chinwag] owner invited you to join Team1 Team"
    params = query(link_in(msg, "http://localhost:8065/signup_user_complete/?"))
    assert json.loads(params["d"]) == {"display_name": "Team1", "email": "new@example.com", "name": t.team["name"]}
    token = params["t"]

    # the link signs the invited address up (verified) straight into the team, once
    anon = world.client()
    r = await anon.post(f"/users?t={token}", {"username": "newbie", "email": "other@example.com",
                                               "password": "password"})
    assert r.status_code == 201, r.text
    assert r.json()["email"] == "new@example.com"
    assert (await admin.get(f"/users/{r.json()['id']}")).json()["email_verified"] is True
    await world.client().login("newbie")
    members = (await admin.get(f"/teams/{t.id}/members")).json()
    assert r.json()["id"] in {m["user_id"] for m in members}
    assert_error(await anon.post(f"/users?t={token}", {"username": "again", "email": "a@example.com",
                                                        "password": "password"}), 400,
                 "api.user.create_user.signup_link_invalid.app_error")

    # allowed domains: refused as a whole, or address by address with ?graceful=true
    r = await owner.put(f"/teams/{t.id}/patch", {"allowed_domains": "corp.example"})
    assert r.status_code == 200, r.text
    async with Unchanged(world):
        assert_error(await owner.post(url, ["a@corp.example", "b@elsewhere.example"]), 400,
                     "api.team.invite_members.invalid_email.app_error")
    r = await owner.post(f"{url}?graceful=true", {"emails": ["a@corp.example", "b@elsewhere.example",
                                                              "x@corp.example\r\nBcc: y@corp.example"],
                                                   "channelIds": [], "message": ""})
    assert r.status_code == 200, r.text
    ok_, bad, broken = r.json()
    assert ok_ == {"email": "a@corp.example", "error": None}
    assert bad["email"] == "b@elsewhere.example"
    assert bad["error"]["id"] == "api.team.invite_members.invalid_email.app_error"
    assert broken["error"]["id"] == "model.user.is_valid.email.app_error"
    assert_error(await owner.post(url, ["not-an-address"]), 400, "model.user.is_valid.email.app_error")
    _, second = await smtp.inbox.wait(2)
    assert second["To"] == "a@corp.example"
    pending = query(link_in(second, "http://localhost:8065/signup_user_complete/?"))["t"]

    # withdrawing every pending invitation kills the links
    assert_error(await bob.delete("/teams/invites/email"), 403, "api.context.permissions.app_error")
    assert (await admin.delete("/teams/invites/email")).json() == {"status": "OK"}
    assert_error(await anon.post(f"/users?t={pending}", {"username": "late", "email": "x@corp.example",
                                                          "password": "password"}), 400,
                 "api.user.create_user.signup_link_invalid.app_error")
    # guests need a licence
    assert_error(await owner.post(f"/teams/{t.id}/invite-guests/email", {"emails": ["g@example.com"],
                                                                          "channels": []}), 501,
                 "api.team.invate_guests_to_channels.license.error")


async def test_email_change_waits_for_verification(world: World, server: Server, smtp: SmtpServer) -> None:
    await world.user("admin")
    bob = await world.user("bob")
    carol = await world.user("carol")
    server.config.effective.EmailSettings.RequireEmailVerification = True
    r = await bob.put("/users/me/patch", {"email": "bob.new@example.com", "nickname": "B"})
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "bob@example.com" and r.json()["nickname"] == "B"
    (msg,) = await smtp.inbox.wait(1)
    assert msg["To"] == "bob.new@example.com"
    params = query(link_in(msg, "http://localhost:8065/do_verify_email?token="))
    assert params["email"] == "bob.new@example.com"
    assert (await world.client().post("/users/email/verify", {"token": params["token"]})).status_code == 200
    me = (await bob.get("/users/me")).json()
    assert me["email"] == "bob.new@example.com" and me["email_verified"] is True
    # a link to an address someone else took meanwhile is refused and changes nothing
    assert (await bob.put("/users/me/patch", {"email": "late@example.com"})).status_code == 200
    _, late = await smtp.inbox.wait(2)
    token = query(link_in(late, "http://localhost:8065/do_verify_email?token="))["token"]
    server.config.effective.EmailSettings.RequireEmailVerification = False
    assert (await carol.put("/users/me/patch", {"email": "late@example.com"})).status_code == 200
    async with Unchanged(world):
        assert_error(await world.client().post("/users/email/verify", {"token": token}), 400,
                     "api.user.verify_email.bad_link.app_error")


async def test_account_mail_speaks_the_readers_language(world: World, server: Server, smtp: SmtpServer) -> None:
    """A password reset mail in its owner's language; an invitation in its sender's (the invited person has
    no account, so no language yet)."""
    t = await team_with(world, "ivan")
    ivan = t.members[0]
    assert (await ivan.put("/users/me/patch", {"locale": "ru"})).status_code == 200
    assert (await t.owner.put("/users/me/patch", {"locale": "zh-CN"})).status_code == 200
    anon = world.client()
    assert (await anon.post("/users/password/reset/send", {"email": "ivan@example.com"})).status_code == 200
    (msg,) = await smtp.inbox.wait(1)
    assert msg["Subject"] == "[chinwag] Сброс пароля"
    text = text_of(msg)
    assert "Нажмите кнопку ниже, чтобы сбросить пароль." in text and "Сбросить пароль: http://localhost:8065/" in text
    assert "Это письмо отправил chinwag." in text
    html = msg.get_body(("html",))
    assert html is not None and '<html lang="ru">' in str(html.get_content())  # type: ignore[attr-defined]
    server.config.effective.ServiceSettings.EnableEmailInvitations = True
    r = await t.owner.post(f"/teams/{t.id}/invite/email", ["new@example.com"])
    assert r.status_code == 200, r.text
    msgs = await smtp.inbox.wait(2)
    assert msgs[1]["Subject"] == "[chinwag] owner 邀请您加入 Team1 团队"
    assert "立即加入: http://localhost:8065/signup_user_complete/" in text_of(msgs[1])
    # an error about the invitation comes back in the sender's language too
    r = await t.owner.post(f"/teams/{t.id}/invite/email", ["not-an-address"])
    assert assert_error(r, 400)["message"] in ("电子邮件地址无效。", "请求 URL 或正文中的 emails 参数无效或缺失。"), r.text
