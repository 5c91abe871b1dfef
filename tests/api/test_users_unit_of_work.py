"""Converting a bot to a user and deleting a user permanently are each one unit of work: when a step fails
midway, nothing of the change is written and no event goes out (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest

from chinwag.app.context import Ctx
from chinwag.model.user import UserPatch
from tests.api.helpers import Unchanged, team_with
from tests.conftest import World


class Refused(Exception):
    pass


async def _refuse(*_: Any, **__: Any) -> Any:
    raise Refused


def _observe(world: World) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    return events


async def _bot(world: World, admin: Any, username: str) -> str:
    world.srv.config.effective.ServiceSettings.EnableBotAccountCreation = True
    r = await admin.post("/bots", {"username": username, "display_name": "Helper"})
    assert r.status_code == 201, r.text
    return str(r.json()["user_id"])


def _about(events: list[dict[str, Any]], user_id: str) -> list[dict[str, Any]]:
    return [e for e in events if e.get("event") == "user_updated" and e["data"]["user"]["id"] == user_id]


@pytest.mark.parametrize("failing", ["convert", "roles"])
async def test_a_failed_bot_to_user_conversion_changes_nothing(world: World, monkeypatch: pytest.MonkeyPatch,
                                                                failing: str) -> None:
    """The step after the patch (the conversion) or after the conversion (the roles) fails: the bot keeps its
    name, stays a bot without a password, and no ``user_updated`` is published."""
    t = await team_with(world, f"owner{failing}")
    bot_id = await _bot(world, t.admin, f"helper{failing}")
    store = world.srv.app.core.store
    if failing == "convert":
        monkeypatch.setattr(store.bots, "convert_to_user", _refuse)
    else:
        monkeypatch.setattr(store.sessions, "update_roles", _refuse)
    events = _observe(world)
    patch = UserPatch(password="password2", username=f"human{failing}", email=f"human{failing}@example.com")
    async with Unchanged(world):
        with pytest.raises(Refused):
            await world.srv.app.bot_convert.bot_to_user(Ctx(local=True), bot_id, patch, system_admin=True)
    user = (await t.admin.get(f"/users/{bot_id}")).json()
    assert (user["username"], user["is_bot"], user["roles"]) == (f"helper{failing}", True, "system_user")
    assert (await t.admin.get(f"/bots/{bot_id}")).status_code == 200
    assert not _about(events, bot_id)
    monkeypatch.undo()
    # the same conversion, nothing failing: all of it, with one user_updated
    await world.srv.app.bot_convert.bot_to_user(Ctx(local=True), bot_id, patch, system_admin=True)
    user = (await t.admin.get(f"/users/{bot_id}")).json()
    assert (user["username"], user.get("is_bot", False), user["roles"]) == (
        f"human{failing}", False, "system_user system_admin")
    await world.client().login(f"human{failing}", "password2")


async def test_bot_to_user_refuses_a_taken_username_before_writing(world: World) -> None:
    t = await team_with(world, "ownerx", "takenx")
    bot_id = await _bot(world, t.admin, "helperx")
    async with Unchanged(world):
        r = await t.admin.post(f"/bots/{bot_id}/convert_to_user", {"password": "password2", "username": "takenx"})
        assert r.status_code == 400 and r.json()["id"] == "app.user.save.username_exists.app_error", r.text
    assert (await t.admin.get(f"/users/{bot_id}")).json()["is_bot"] is True


async def test_a_failed_permanent_deletion_changes_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sessions are ended first, then the rows go: when the rows cannot go, the sessions stay too."""
    world.srv.config.effective.ServiceSettings.EnableAPIUserDeletion = True
    t = await team_with(world, "gone")
    gone = t.members[0]
    town = (await gone.get(f"/teams/{t.id}/channels/name/town-square")).json()
    await world.post(gone, town, "still here")
    monkeypatch.setattr(world.srv.app.core.store.purge, "purge_user", _refuse)
    async with Unchanged(world):
        with pytest.raises(Refused):
            await world.srv.app.purge.delete_user(Ctx(local=True), gone.user["id"])
    assert (await gone.get("/users/me")).status_code == 200  # still signed in: the session removal rolled back
    monkeypatch.undo()
    r = await t.admin.delete(f"/users/{gone.user['id']}", params={"permanent": "true"})
    assert r.status_code == 200, r.text
    assert (await gone.get("/users/me")).status_code == 401
    assert (await t.admin.get(f"/users/{gone.user['id']}")).status_code == 404
