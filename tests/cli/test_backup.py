"""`chinwag backup create` while the server takes 20 posts/s, then `chinwag backup restore` into an
empty instance: users, channels, posts, files and config identical (compared through the API)."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import PG_OK, PG_URL
from tests.procs import CHINWAG, ServerProcess, create_pg_database, sqlite_env, workdir

BACKENDS = ["sqlite", *(["postgres"] if PG_OK else [])]


def _env(kind: str, wd: str) -> tuple[dict[str, str], Any]:
    if kind == "sqlite":
        return sqlite_env(wd), lambda: None
    url, drop = create_pg_database(PG_URL)
    return {"MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
            "MM_FILESETTINGS_DIRECTORY": os.path.join(wd, "files")}, drop


def cli(proc: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in proc.env.items() if k != "MM_SERVICESETTINGS_LISTENADDRESS"}
    return subprocess.run([CHINWAG, *args], env=env, capture_output=True, text=True, timeout=300,
                          cwd=proc.workdir)


def snapshot(api: str, token: str) -> dict[str, Any]:
    h = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=api, headers=h) as c:
        users = sorted((u["id"], u["username"], u["email"]) for u in c.get("/users", params={"per_page": 200}).json())
        teams = c.get("/teams").json()
        channels: list[tuple[str, str]] = []
        posts: dict[str, str] = {}
        for t in teams:
            for ch in c.get(f"/teams/{t['id']}/channels", params={"per_page": 200}).json():
                channels.append((ch["id"], ch["name"]))
                page = 0
                while True:
                    pl = c.get(f"/channels/{ch['id']}/posts", params={"page": page, "per_page": 200}).json()
                    posts.update({pid: p["message"] for pid, p in pl["posts"].items()})
                    if len(pl["order"]) < 200:
                        break
                    page += 1
        cfg = c.get("/config").json()
        return {"users": users, "teams": sorted(t["name"] for t in teams), "channels": sorted(channels),
                "posts": posts, "site_name": cfg["TeamSettings"]["SiteName"]}


@pytest.fixture(params=BACKENDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def source(kind: str) -> Iterator[ServerProcess]:
    wd = workdir()
    env, drop = _env(kind, wd)
    proc = ServerProcess({**env, "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, wd).start()
    try:
        yield proc
    finally:
        proc.stop()
        drop()


def test_backup_while_posting_and_restore_into_an_empty_instance(source: ServerProcess, kind: str) -> None:
    with httpx.Client(base_url=source.api) as c:
        c.post("/users", json={"username": "admin", "email": "admin@example.com", "password": "password"})
        token = c.post("/users/login", json={"login_id": "admin", "password": "password"}).headers["Token"]
        c.headers["Authorization"] = f"Bearer {token}"
        team = c.post("/teams", json={"name": "eng", "display_name": "Eng", "type": "O"}).json()
        ch = c.post("/channels", json={"team_id": team["id"], "name": "dev", "display_name": "Dev",
                                       "type": "O"}).json()
        up = c.post("/files", params={"channel_id": ch["id"], "filename": "notes.txt"},
                    content=b"backup me " * 100).json()["file_infos"][0]
        c.post("/posts", json={"channel_id": ch["id"], "message": "with a file", "file_ids": [up["id"]]})
        for i in range(30):
            c.post("/posts", json={"channel_id": ch["id"], "message": f"before {i}"})
        assert c.put("/config/patch", json={"TeamSettings": {"SiteName": "Backed Up"}}).status_code == 200

    stop = threading.Event()
    during: list[str] = []

    def post_at_20_per_second() -> None:
        with httpx.Client(base_url=source.api, headers={"Authorization": f"Bearer {token}"}) as c:
            i = 0
            while not stop.is_set():
                r = c.post("/posts", json={"channel_id": ch["id"], "message": f"during {i}"})
                assert r.status_code == 201
                during.append(r.json()["id"])
                i += 1
                stop.wait(0.05)

    poster = threading.Thread(target=post_at_20_per_second)
    poster.start()
    try:
        stop.wait(0.5)
        archive = os.path.join(source.workdir, "backup.tar.gz")
        r = cli(source, "backup", "create", archive)
        assert r.returncode == 0, r.stderr
        assert "Backup written" in r.stdout and os.stat(archive).st_mode & 0o777 == 0o600
    finally:
        stop.set()
        poster.join()
    assert during, "the server kept taking posts during the backup"
    before = snapshot(source.api, token)

    wd = workdir()
    env, drop = _env(kind, wd)
    target = ServerProcess({**env, "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, wd)
    try:
        r = cli(target, "backup", "restore", archive)
        assert r.returncode == 0, r.stderr
        target.start()
        after = snapshot(target.api, token)  # the admin's session came along with the database
        assert after["users"] == before["users"] and after["teams"] == before["teams"]
        assert after["channels"] == before["channels"] and after["site_name"] == "Backed Up"
        # every post from before the backup is there; those made during it are a consistent prefix
        restored_during = set(after["posts"]) & set(during)
        assert {k: v for k, v in after["posts"].items() if k not in during} == \
            {k: v for k, v in before["posts"].items() if k not in during}
        assert restored_during == set(during[:len(restored_during)])
        with httpx.Client(base_url=target.api, headers={"Authorization": f"Bearer {token}"}) as c:
            assert c.get(f"/files/{up['id']}").content == b"backup me " * 100
        # restoring over data needs --force
        target.stop()
        r = cli(target, "backup", "restore", archive)
        assert r.returncode != 0 and "--force" in r.stderr
        assert cli(target, "backup", "restore", archive, "--force").returncode == 0
    finally:
        target.stop()
        drop()
    r = cli(source, "backup", "restore", os.path.join(source.workdir, "nope.tar.gz"))
    assert r.returncode != 0 and "not a chinwag backup archive" in r.stderr
