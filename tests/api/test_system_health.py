"""GET /system/ping?get_server_status=true reports database and file-store health."""

from __future__ import annotations

import os
from pathlib import Path

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
    world.srv.config.config.FileSettings.Directory = os.path.join(blocker, "files")
    r = await c.get("/system/ping", params={"get_server_status": "true"})
    assert r.status_code == 500
    body = r.json()
    assert body["status"] == "UNHEALTHY" and body["filestore_status"] == "UNHEALTHY"
    assert body["database_status"] == "OK"
