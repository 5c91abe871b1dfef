"""GET /system/ping?get_server_status=true reports database and file-store health."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import World


@pytest.fixture
def blocker(tmp_path: Path) -> str:
    """A plain file where the file store would need a directory."""
    path = tmp_path / "not-a-directory"
    path.touch()
    return str(path)


async def test_ping_reports_database_and_filestore(world: World, blocker: str) -> None:
    c = world.client()
    r = await c.get("/system/ping", params={"get_server_status": "true"})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "OK" and body["database_status"] == "OK" and body["filestore_status"] == "OK"
    assert "database_status" not in (await c.get("/system/ping")).json()
    world.srv.config.effective.FileSettings.Directory = os.path.join(blocker, "files")
    r = await c.get("/system/ping", params={"get_server_status": "true"})
    assert r.status_code == 500
    body = r.json()
    assert body["status"] == "UNHEALTHY" and body["filestore_status"] == "UNHEALTHY"
    assert body["database_status"] == "OK"


async def test_readiness_fails_promptly_while_the_database_does_not_answer(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chart's readiness probe (get_server_status=true, 5 s timeout) must get a 500 in time when
    the database host is unreachable (connections hang rather than fail), and 200 again after."""
    from chinwag.app import system

    monkeypatch.setattr(system, "HEALTH_TIMEOUT", 0.3)
    db = world.srv.app.store.db
    ping = db.ping

    async def unreachable() -> bool:
        await asyncio.sleep(3600)
        return True

    monkeypatch.setattr(db, "ping", unreachable)
    c = world.client()
    r = await c.get("/system/ping", params={"get_server_status": "true"})
    assert r.status_code == 500
    assert r.json()["database_status"] == "UNHEALTHY" and r.json()["filestore_status"] == "OK"
    assert r.headers["database_status"] == "UNHEALTHY" and r.headers["status"] == "UNHEALTHY"
    # Mattermost's use_rest_semantics: the same answer with 200
    r = await c.get("/system/ping", params={"get_server_status": "true", "use_rest_semantics": "true"})
    assert r.status_code == 200 and r.json()["status"] == "UNHEALTHY"
    # liveness (no get_server_status) does not touch the database
    assert (await c.get("/system/ping")).status_code == 200
    monkeypatch.setattr(db, "ping", ping)
    r = await c.get("/system/ping", params={"get_server_status": "true"})
    assert r.status_code == 200 and r.headers["database_status"] == "OK"


async def test_database_ping_gives_up_on_a_host_that_never_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real PostgreSQL connection to a port that accepts and then says nothing (a dropped route)."""
    from chinwag.app import system
    from chinwag.app.system import SystemService
    from chinwag.store.sql.engine import Database

    monkeypatch.setattr(system, "HEALTH_TIMEOUT", 0.5)
    held: list[asyncio.StreamWriter] = []

    async def silent(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        held.append(w)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    db = Database("postgres", f"postgres://nobody@127.0.0.1:{port}/nothing")

    svc = SystemService(SimpleNamespace(store=SimpleNamespace(db=db)), SimpleNamespace())  # type: ignore[arg-type]
    # answers (False) instead of waiting out asyncpg's 60 s connect timeout
    assert await asyncio.wait_for(svc.database_ok(), 30) is False
    server.close()
    for w in held:
        w.close()
    await db.close()
