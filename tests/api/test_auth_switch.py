"""Changing how an account signs in is one unit of work: the users row, the end of the account's sessions
and the ``user_updated`` event commit together, or none of them does (issue 17)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from chinwag.app.context import Ctx
from chinwag.app.passwords import hash_password
from tests.api.helpers import Unchanged, team_with
from tests.conftest import World, assert_error


async def _until(pred: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll ``pred`` until it is true (the events come after the commit, through the outbox relay)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not (found := pred()):
        if loop.time() > end:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)
    return found


def _observe(world: World) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    return events


def _updates(events: list[dict[str, Any]], user_id: str) -> list[dict[str, Any]]:
    return [e["data"]["user"] for e in events if e.get("event") == "user_updated"
            and e["data"]["user"]["id"] == user_id]


class Refused(Exception):
    pass


def _fail_session_removal(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(*_: Any, **__: Any) -> list[str]:
        raise Refused

    monkeypatch.setattr(world.srv.app.core.store.sessions, "remove_for_user", refuse)


async def test_admin_sets_the_sign_in_method_with_its_event(world: World) -> None:
    t = await team_with(world, "bob")
    admin, bob = t.admin, t.members[0]
    uid = bob.user["id"]
    events = _observe(world)
    r = await admin.put(f"/users/{uid}/auth", {"auth_data": "uid=bob", "auth_service": "saml"})
    assert r.status_code == 200, r.text
    updated = await _until(lambda: _updates(events, uid))
    assert updated[-1]["auth_service"] == "saml"
    assert "password" not in updated[-1]
    # the admin's read after the change sees it (the node's cached user went with the commit)
    assert (await admin.get(f"/users/{uid}")).json()["auth_service"] == "saml"


async def test_sso_to_email_ends_sessions_and_announces_in_one_commit(world: World) -> None:
    t = await team_with(world, "carol")
    carol = t.members[0]
    uid = carol.user["id"]
    app = world.srv.app
    events = _observe(world)
    user = await app.users.get(uid)
    linked = await app.oauth.switch_auth(user, "gitlab", "gl-carol", "")
    assert (linked.auth_service, linked.auth_data) == ("gitlab", "gl-carol")
    assert_error(await carol.get("/users/me"), 401)  # signed out everywhere
    await _until(lambda: [u for u in _updates(events, uid) if u["auth_service"] == "gitlab"])
    back = await app.oauth.switch_auth(linked, "", None, hash_password("newpass1"))
    assert back.auth_service == "" and back.auth_data is None
    await _until(lambda: _updates(events, uid)[-1]["auth_service"] == "")
    await world.client().login("carol", "newpass1")


async def test_a_failed_switch_changes_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sessions cannot be ended: the sign-in method stays, and no event is published."""
    t = await team_with(world, "dan")
    dan = t.members[0]
    uid = dan.user["id"]
    app = world.srv.app
    user = await app.users.get(uid)
    _fail_session_removal(world, monkeypatch)
    events = _observe(world)
    async with Unchanged(world):
        with pytest.raises(Refused):
            await app.oauth.switch_auth(user, "gitlab", "gl-dan", "")
    assert (await dan.get("/users/me")).json()["auth_service"] == ""
    assert not _updates(events, uid)


async def test_a_failed_password_reset_changes_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mattermost ends the other sessions on a password change; when that fails the password stays."""
    world.srv.config.effective.ServiceSettings.TerminateSessionsOnPasswordChange = True
    t = await team_with(world, "erin")
    erin = t.members[0]
    _fail_session_removal(world, monkeypatch)
    async with Unchanged(world):
        with pytest.raises(Refused):
            await world.srv.app.users.update_password(Ctx(local=True), erin.user["id"], "", "newpass1")
    await world.client().login("erin", "password")


async def test_migrate_auth_announces_each_account(world: World) -> None:
    t = await team_with(world, "fay")
    uid = t.members[0].user["id"]
    events = _observe(world)
    r = await world.srv.app.auth_migration.run("email", "gitlab", mapping={"fay@example.com": "gl-fay"})
    assert r.migrated == ["fay"]
    updated = await _until(lambda: _updates(events, uid))
    assert updated[-1]["auth_service"] == "gitlab"
