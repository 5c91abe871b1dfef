"""Finding: a database outage answered 500 with a traceback per request in the log. Now every request
that needs the database answers 503 with Mattermost's error JSON and a Retry-After, the log says so once,
/system/ping?get_server_status=true reports the database down, and all is well again once it is back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from chinwag.app import failures
from chinwag.web import handler
from tests.conftest import Client, World, assert_error


class Recorder:
    def __init__(self) -> None:
        self.errors: list[tuple[str, dict[str, Any]]] = []

    def error(self, event: str, **kw: Any) -> None:
        self.errors.append((event, kw))

    def warning(self, event: str, **kw: Any) -> None:
        pass


async def test_outage_is_503_with_one_log_line(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = await world.user("admin")
    ann = await world.user("ann")
    team = await world.team(admin)
    await world.join(admin, team, ann)
    db = world.srv.db
    monkeypatch.setattr(handler, "_outage_log", failures.OutageLog(every=3600))
    # the database host goes away: connections are refused (PostgreSQL) / the file cannot be opened (SQLite)
    down = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:1/gone" if not db.is_sqlite
                               else "sqlite+aiosqlite:////nonexistent-dir/x/chinwag.db")
    monkeypatch.setattr(db, "engine", down)
    monkeypatch.setattr(db, "read_engine", down)
    world.srv.app.sessions._cache.clear()  # type: ignore[attr-defined]  # nothing served from memory
    logs = Recorder()
    monkeypatch.setattr(handler, "log", logs)
    await _during_outage(ann, admin, team)
    assert [event for event, _ in logs.errors] == ["database unavailable"], logs.errors
    assert "traceback" not in logs.errors[0][1]
    await down.dispose()
    monkeypatch.undo()
    assert (await ann.get("/users/me/teams")).status_code == 200
    r = await ann.get("/system/ping", params={"get_server_status": "true"})
    assert r.json()["database_status"] == "OK"


async def _during_outage(ann: Client, admin: Client, team: dict[str, Any]) -> None:
    for c, path in ((ann, "/users/me/teams"), (ann, f"/teams/{team['id']}/channels"), (admin, "/users"),
                    (ann, "/users/me")):
        r = await c.get(path)
        body = assert_error(r, 503, "api.context.database_unavailable.app_error")
        assert r.headers["retry-after"] == "5", body
    r = await ann.post("/users/login", {"login_id": "ann", "password": "password"})
    assert_error(r, 503, "api.context.database_unavailable.app_error")
    r = await ann.get("/system/ping", params={"get_server_status": "true"})
    assert r.json()["database_status"] == "UNHEALTHY" and r.json()["status"] == "UNHEALTHY"
