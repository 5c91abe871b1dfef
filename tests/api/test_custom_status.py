"""Custom statuses over HTTP: set (kept in the user's props as Mattermost does), clear, the recent
list (a preference), expiry cleared when due, permissions, the config switch, user_updated events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from chinwag.server import Server
from tests.conftest import Client, World
from tests.waiting import until


class Clock:
    """The app clock moved forward by hand."""

    def __init__(self, srv: Server) -> None:
        self.base = srv.app.core.now
        self.offset = 0
        srv.app.core.now = self  # type: ignore[method-assign]

    def __call__(self) -> int:
        return self.base() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += int(seconds * 1000)


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat().replace("+00:00", "Z")


async def status_of(c: Client, user_id: str) -> dict[str, Any] | None:
    props = (await c.get(f"/users/{user_id}")).json().get("props") or {}
    raw = props.get("customStatus")
    return json.loads(raw) if raw else None



async def test_set_and_clear_a_status(world: World) -> None:
    await world.user("admin")
    ann = await world.user("ann")
    bob = await world.user("bob")
    uid = ann.user["id"]
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    r = await ann.put(f"/users/{uid}/status/custom", {"emoji": "palm_tree", "text": "На море 🌊"})
    assert r.status_code == 200 and r.json() == {"status": "OK"}, r.text
    st = await status_of(bob, uid)
    assert st == {"emoji": "palm_tree", "text": "На море 🌊", "duration": "", "expires_at": "0001-01-01T00:00:00Z"}
    await until(lambda: any(e.get("event") == "user_updated" and e["data"]["user"]["id"] == uid and
                            "customStatus" in e["data"]["user"].get("props", {}) for e in events))
    assert any(e.get("event") == "user_updated" and e["data"]["user"]["id"] == uid and
               "customStatus" in e["data"]["user"].get("props", {}) for e in events)
    # text only: the default emoji; long text is cut to 100 characters
    r = await ann.put(f"/users/{uid}/status/custom", {"text": "x" * 150})
    assert r.status_code == 200
    st = await status_of(ann, uid)
    assert st is not None and st["emoji"] == "speech_balloon" and len(st["text"]) == 100
    # an expiry without a duration becomes date_and_time, written in UTC
    at = iso(timedelta(hours=3))
    assert (await ann.put(f"/users/{uid}/status/custom", {"emoji": "calendar", "text": "Meeting",
                                                          "expires_at": at})).status_code == 200
    st = await status_of(ann, uid)
    assert st is not None and st["duration"] == "date_and_time" and st["expires_at"].endswith("Z")
    assert datetime.fromisoformat(st["expires_at"]) == datetime.fromisoformat(at)
    # other props are kept
    await ann.put("/users/me/patch", {"props": {"customStatus": json.dumps(st), "other": "kept"}})
    r = await ann.delete(f"/users/{uid}/status/custom")
    assert r.status_code == 200
    props = (await bob.get(f"/users/{uid}")).json()["props"]
    assert props["customStatus"] == "" and props["other"] == "kept"
    assert (await ann.delete(f"/users/{uid}/status/custom")).status_code == 200


async def test_recent_statuses(world: World) -> None:
    await world.user("admin")
    ann = await world.user("ann")
    uid = ann.user["id"]
    for i in range(7):
        assert (await ann.put(f"/users/{uid}/status/custom", {"emoji": "coffee", "text": f"s{i}"})).status_code == 200
    # the same text again moves to the front instead of adding a copy
    await ann.put(f"/users/{uid}/status/custom", {"emoji": "tea", "text": "s4"})
    recent = (await ann.get(f"/users/{uid}/status/custom/recent")).json()
    assert [(r["emoji"], r["text"]) for r in recent] == [("tea", "s4"), ("coffee", "s6"), ("coffee", "s5"),
                                                         ("coffee", "s3"), ("coffee", "s2")]
    # the apps read it as a preference
    prefs = (await ann.get(f"/users/{uid}/preferences/custom_status/name/recent_custom_statuses")).json()
    assert json.loads(prefs["value"]) == recent
    r = await ann.post(f"/users/{uid}/status/custom/recent/delete", recent[1])
    assert r.status_code == 200
    assert [x["text"] for x in (await ann.get(f"/users/{uid}/status/custom/recent")).json()] == ["s4", "s5", "s3", "s2"]
    r = await ann.request("DELETE", f"/users/{uid}/status/custom/recent", recent[2])
    assert r.status_code == 200
    r = await ann.post(f"/users/{uid}/status/custom/recent/delete", {"emoji": "nope", "text": "never set"})
    assert r.status_code == 400 and r.json()["id"] == "api.custom_status.recent_custom_statuses.delete.app_error"


async def test_expired_statuses_are_cleared_when_due(world: World) -> None:
    await world.user("admin")
    ann = await world.user("ann")
    bob = await world.user("bob")
    clock = Clock(world.srv)
    assert (await ann.put(f"/users/{ann.user['id']}/status/custom",
                          {"emoji": "hourglass", "text": "Back in 30", "duration": "thirty_minutes",
                           "expires_at": iso(timedelta(minutes=30))})).status_code == 200
    assert (await bob.put(f"/users/{bob.user['id']}/status/custom",
                          {"emoji": "house", "text": "Remote", "duration": ""})).status_code == 200
    assert await world.srv.app.custom_statuses.expire_due() == 0
    assert (await status_of(bob, ann.user["id"]) or {}).get("text") == "Back in 30"
    events: list[dict[str, Any]] = []
    world.srv.hub.observers.append(events.append)
    clock.advance(31 * 60)
    await world.srv.app.custom_statuses.expire_due()
    assert await status_of(bob, ann.user["id"]) is None
    assert (await status_of(ann, bob.user["id"]) or {}).get("text") == "Remote"  # no expiry: kept
    await until(lambda: any(e.get("event") == "user_updated" and e["data"]["user"]["id"] == ann.user["id"]
                            for e in events))
    assert any(e.get("event") == "user_updated" and e["data"]["user"]["id"] == ann.user["id"] for e in events)
    # the recent list keeps it for reuse
    assert (await ann.get(f"/users/{ann.user['id']}/status/custom/recent")).json()[0]["text"] == "Back in 30"


async def test_bad_requests_and_permissions(world: World) -> None:
    admin = await world.user("admin")
    ann = await world.user("ann")
    bob = await world.user("bob")
    uid = ann.user["id"]
    for body in ({}, {"emoji": "", "text": ""}, {"text": "x", "duration": "forever", "expires_at": iso(timedelta(hours=1))},
                 {"text": "x", "duration": "one_hour"}, {"text": "x", "expires_at": iso(-timedelta(hours=1))},
                 {"text": "x", "expires_at": "tomorrow"}, {"text": 5}):
        r = await ann.put(f"/users/{uid}/status/custom", body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["id"] == "api.context.invalid_param.app_error"
    r = await ann.request("PUT", f"/users/{uid}/status/custom", content=b"not json")
    assert r.status_code == 400
    assert await status_of(ann, uid) is None
    assert (await bob.put(f"/users/{uid}/status/custom", {"text": "hacked"})).status_code == 403
    assert (await bob.delete(f"/users/{uid}/status/custom")).status_code == 403
    assert (await bob.get(f"/users/{uid}/status/custom/recent")).status_code == 403
    assert (await admin.put(f"/users/{uid}/status/custom", {"text": "set by admin"})).status_code == 200
    assert (await status_of(bob, uid) or {}).get("text") == "set by admin"
    world.srv.config.effective.TeamSettings.EnableCustomUserStatuses = False
    r = await ann.put(f"/users/{uid}/status/custom", {"text": "off"})
    assert r.status_code == 501 and r.json()["id"] == "api.custom_status.disabled"
    assert (await ann.delete(f"/users/{uid}/status/custom")).status_code == 501
    assert (await ann.post(f"/users/{uid}/status/custom/recent/delete", {"text": "x"})).status_code == 501
