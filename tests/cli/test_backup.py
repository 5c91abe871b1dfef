"""`chinwag backup create` while the server takes 20 posts/s, then `chinwag backup restore` into an
empty instance: users, channels, posts, files and config identical (compared through the API)."""

from __future__ import annotations

import os
import subprocess
import tarfile
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import MYSQL_OK, PG_OK, PG_URL
from tests.procs import CHINWAG, ServerProcess, create_pg_database, mysql_env, sqlite_env, workdir

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


def full_snapshot(api: str, token: str) -> dict[str, Any]:
    """Everything a restore across database kinds must keep, by id, as the API shows it."""
    h = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=api, headers=h) as c:
        drop = {"last_activity_at", "last_picture_update"}
        users = sorted(({k: v for k, v in u.items() if k not in drop}
                        for u in c.get("/users", params={"per_page": 200}).json()), key=lambda u: u["id"])
        me = c.get("/users/me").json()
        channels = sorted(c.get(f"/users/{me['id']}/channels").json(), key=lambda ch: ch["id"])
        posts: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        for ch in channels:
            pl = c.get(f"/channels/{ch['id']}/posts", params={"per_page": 200}).json()
            for pid, p in pl["posts"].items():
                posts[pid] = {k: p.get(k) for k in ("message", "root_id", "user_id", "create_at", "edit_at",
                                                    "file_ids", "is_pinned", "props")}
                posts[pid]["reactions"] = sorted((r["user_id"], r["emoji_name"])
                                                 for r in c.get(f"/posts/{pid}/reactions").json() or [])
                for fid in p.get("file_ids") or []:
                    files[fid] = c.get(f"/files/{fid}").content
        prefs = c.get("/users/me/preferences").json()
        cfg = c.get("/config").json()
        return {"users": users, "channels": channels, "posts": posts, "files": files,
                "prefs": sorted((p["category"], p["name"], p["value"]) for p in prefs),
                "site_name": cfg["TeamSettings"]["SiteName"]}


@pytest.mark.skipif(not PG_OK, reason="needs PostgreSQL")
def test_restore_across_database_kinds() -> None:
    """A SQLite backup restored into a PostgreSQL instance, and that one's backup into SQLite: the same
    users (passwords included), channels, posts, reactions, files, preferences and config."""
    wd = workdir()
    source = ServerProcess({**sqlite_env(wd), "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, wd).start()
    try:
        with httpx.Client(base_url=source.api) as c:
            c.post("/users", json={"username": "admin", "email": "admin@example.com", "password": "password"})
            token = c.post("/users/login", json={"login_id": "admin", "password": "password"}).headers["Token"]
            c.headers["Authorization"] = f"Bearer {token}"
            me = c.get("/users/me").json()
            bob = c.post("/users", json={"username": "bob", "email": "bob@example.com", "password": "bobpass",
                                         "first_name": "Bob", "nickname": "Ü bob"}).json()
            team = c.post("/teams", json={"name": "eng", "display_name": "Eng", "type": "O"}).json()
            c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": bob["id"]})
            pub = c.post("/channels", json={"team_id": team["id"], "name": "dev", "display_name": "Dev",
                                            "type": "O", "header": "the header"}).json()
            c.post("/channels", json={"team_id": team["id"], "name": "secret", "display_name": "Secret",
                                      "type": "P"})
            dm = c.post("/channels/direct", json=[me["id"], bob["id"]]).json()
            up = c.post("/files", params={"channel_id": pub["id"], "filename": "notes.txt"},
                        content=b"across kinds " * 50).json()["file_infos"][0]
            root = c.post("/posts", json={"channel_id": pub["id"], "message": "root 日本語",
                                          "file_ids": [up["id"]], "props": {"k": [1, "two"]}}).json()
            c.post("/posts", json={"channel_id": pub["id"], "message": "a reply", "root_id": root["id"]})
            c.post("/reactions", json={"user_id": me["id"], "post_id": root["id"], "emoji_name": "tada"})
            c.post(f"/posts/{root['id']}/pin")
            c.post("/posts", json={"channel_id": dm["id"], "message": "hi bob"})
            c.put(f"/users/{me['id']}/preferences", json=[{"user_id": me["id"], "category": "display_settings",
                                                           "name": "use_military_time", "value": "true"}])
            assert c.put("/config/patch", json={"TeamSettings": {"SiteName": "Across"}}).status_code == 200
        before = full_snapshot(source.api, token)
        assert len(before["posts"]) >= 4 and before["files"]
        assert before["posts"][root["id"]]["reactions"] == [(me["id"], "tada")]
        assert before["posts"][root["id"]]["is_pinned"] and before["posts"][root["id"]]["props"] == {"k": [1, "two"]}
        assert {ch["type"] for ch in before["channels"]} == {"O", "P", "D"}
        assert ("display_settings", "use_military_time", "true") in before["prefs"]
        archive = os.path.join(wd, "sqlite-backup.tar.gz")
        assert cli(source, "backup", "create", archive).returncode == 0
    finally:
        source.stop()

    pg_wd = workdir()
    env, drop = _env("postgres", pg_wd)
    pg = ServerProcess({**env, "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, pg_wd)
    try:
        r = cli(pg, "backup", "restore", archive)
        assert r.returncode == 0, r.stderr
        assert "Copied the sqlite backup into postgres" in r.stdout
        pg.start()
        assert full_snapshot(pg.api, token) == before
        with httpx.Client(base_url=pg.api) as c:  # password hashes came along
            assert c.post("/users/login", json={"login_id": "bob", "password": "bobpass"}).status_code == 200
            # the restored database takes new writes (no id or key clashes)
            c.headers["Authorization"] = f"Bearer {token}"
            assert c.post("/posts", json={"channel_id": pub["id"], "message": "after"}).status_code == 201
        before = full_snapshot(pg.api, token)
        pg_archive = os.path.join(pg_wd, "pg-backup.tar.gz")
        r = cli(pg, "backup", "create", pg_archive)
        assert r.returncode == 0, r.stderr
        pg.stop()

        back_wd = workdir()
        back = ServerProcess({**sqlite_env(back_wd), "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, back_wd)
        r = cli(back, "backup", "restore", pg_archive)
        assert r.returncode == 0, r.stderr
        back.start()
        try:
            assert full_snapshot(back.api, token) == before
            with httpx.Client(base_url=back.api, headers={"Authorization": f"Bearer {token}"}) as c:
                found = c.post(f"/teams/{team['id']}/posts/search", json={"terms": "reply"}).json()
                assert list(found["posts"]) and all(p["message"] == "a reply" for p in found["posts"].values())
        finally:
            back.stop()
        # the copy replaces everything only with --force
        r = cli(back, "backup", "restore", archive)
        assert r.returncode != 0 and "--force" in r.stderr
    finally:
        pg.stop()
        drop()


@pytest.mark.skipif(not MYSQL_OK, reason="needs MySQL/MariaDB (CHINWAG_TEST_MYSQL)")
def test_backup_and_restore_on_mysql() -> None:
    """A SQLite backup restored into MySQL (across kinds), that instance's backup (mysqldump) restored
    into another MySQL database, and into SQLite: the same users, channels, posts (emoji and CJK),
    reactions, files, preferences and config each time."""
    wd = workdir()
    source = ServerProcess({**sqlite_env(wd), "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, wd).start()
    try:
        with httpx.Client(base_url=source.api) as c:
            c.post("/users", json={"username": "admin", "email": "admin@example.com", "password": "password"})
            token = c.post("/users/login", json={"login_id": "admin", "password": "password"}).headers["Token"]
            c.headers["Authorization"] = f"Bearer {token}"
            me = c.get("/users/me").json()
            bob = c.post("/users", json={"username": "bob", "email": "bob@example.com", "password": "bobpass",
                                         "nickname": "Бо😀б 鲍勃"}).json()
            team = c.post("/teams", json={"name": "eng", "display_name": "Eng 工程", "type": "O"}).json()
            c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": bob["id"]})
            pub = c.post("/channels", json={"team_id": team["id"], "name": "dev", "display_name": "Dev 🚀",
                                            "type": "O"}).json()
            up = c.post("/files", params={"channel_id": pub["id"], "filename": "notes.txt"},
                        content=b"to mysql " * 50).json()["file_infos"][0]
            root = c.post("/posts", json={"channel_id": pub["id"], "message": "root 日本語のテキスト 🎉",
                                          "file_ids": [up["id"]], "props": {"k": [1, "two"]}}).json()
            c.post("/posts", json={"channel_id": pub["id"], "message": "a reply", "root_id": root["id"]})
            c.post("/reactions", json={"user_id": me["id"], "post_id": root["id"], "emoji_name": "tada"})
            c.put(f"/users/{me['id']}/preferences", json=[{"user_id": me["id"], "category": "display_settings",
                                                           "name": "use_military_time", "value": "true"}])
            assert c.put("/config/patch", json={"TeamSettings": {"SiteName": "ToMySQL"}}).status_code == 200
        before = full_snapshot(source.api, token)
        archive = os.path.join(wd, "sqlite-backup.tar.gz")
        assert cli(source, "backup", "create", archive).returncode == 0
    finally:
        source.stop()

    drops = []
    try:
        my_wd = workdir()
        env, drop = mysql_env(my_wd)
        drops.append(drop)
        my = ServerProcess({**env, "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, my_wd)
        r = cli(my, "backup", "restore", archive)
        assert r.returncode == 0, r.stderr
        assert "Copied the sqlite backup into mysql" in r.stdout
        my.start()
        try:
            assert full_snapshot(my.api, token) == before
            with httpx.Client(base_url=my.api, headers={"Authorization": f"Bearer {token}"}) as c:
                assert c.post("/posts", json={"channel_id": pub["id"], "message": "after 🙂"}).status_code == 201
            before = full_snapshot(my.api, token)
            my_archive = os.path.join(my_wd, "mysql-backup.tar.gz")
            r = cli(my, "backup", "create", my_archive)
            assert r.returncode == 0, r.stderr
        finally:
            my.stop()
        with tarfile.open(my_archive) as tar:
            names = set(tar.getnames())
        assert {"database/mysql.sql", "database/portable.sqlite"} <= names

        # the same kind: mysqldump's file loaded into another MySQL database
        again_wd = workdir()
        env, drop = mysql_env(again_wd)
        drops.append(drop)
        again = ServerProcess({**env, "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, again_wd)
        r = cli(again, "backup", "restore", my_archive)
        assert r.returncode == 0, r.stderr
        again.start()
        try:
            assert full_snapshot(again.api, token) == before
            with httpx.Client(base_url=again.api) as c:
                assert c.post("/users/login", json={"login_id": "bob", "password": "bobpass"}).status_code == 200
        finally:
            again.stop()

        # and back to SQLite from the portable copy
        back_wd = workdir()
        back = ServerProcess({**sqlite_env(back_wd), "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, back_wd)
        r = cli(back, "backup", "restore", my_archive)
        assert r.returncode == 0, r.stderr
        assert "Copied the mysql backup into sqlite" in r.stdout
        back.start()
        try:
            assert full_snapshot(back.api, token) == before
        finally:
            back.stop()
    finally:
        for d in drops:
            d()


def _leftovers(tmpdir: str, outdir: str) -> list[str]:
    found = [os.path.join(tmpdir, n) for n in os.listdir(tmpdir)]
    found += [os.path.join(outdir, n) for n in os.listdir(outdir) if "partial" in n or n.startswith(".")]
    return found


def test_killed_backup_leaves_nothing_readable(source: ServerProcess) -> None:
    """`backup create` killed with SIGKILL while it dumps and while it writes the archive: no archive
    under the finished name, no partial archive, no temporary directory with the dump left behind."""
    with httpx.Client(base_url=source.api) as c:
        c.post("/users", json={"username": "admin", "email": "admin@example.com", "password": "password"})
        token = c.post("/users/login", json={"login_id": "admin", "password": "password"}).headers["Token"]
        c.headers["Authorization"] = f"Bearer {token}"
        team = c.post("/teams", json={"name": "eng", "display_name": "Eng", "type": "O"}).json()
        ch = c.post("/channels", json={"team_id": team["id"], "name": "dev", "display_name": "Dev",
                                       "type": "O"}).json()
        for i in range(20):  # files make the archive take a while to write
            c.post("/files", params={"channel_id": ch["id"], "filename": f"f{i}.bin"}, content=os.urandom(400_000))
    env = {k: v for k, v in source.env.items() if k != "MM_SERVICESETTINGS_LISTENADDRESS"}
    for stage in ("workspace", "archive"):
        tmpdir, outdir = workdir(), workdir()
        out = os.path.join(outdir, "backup.tar.gz")
        p = subprocess.Popen([CHINWAG, "backup", "create", out], env={**env, "TMPDIR": tmpdir},
                             cwd=source.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and p.poll() is None:
            if stage == "workspace" and any(n.startswith("chinwag-backup-") for n in os.listdir(tmpdir)):
                break
            if stage == "archive" and any(n.endswith(".partial") for n in os.listdir(outdir)):
                break
            time.sleep(0.005)
        assert p.poll() is None, f"the backup ended before reaching the {stage} stage"
        if stage == "archive":  # the unfinished archive is private from its first byte
            partial = next(n for n in os.listdir(outdir) if n.endswith(".partial"))
            assert os.stat(os.path.join(outdir, partial)).st_mode & 0o777 == 0o600
            assert partial.startswith(".")
        p.kill()
        p.wait()
        for _ in range(100):  # the watchdog notices at once; give it a moment to remove things
            if not _leftovers(tmpdir, outdir):
                break
            time.sleep(0.05)
        assert _leftovers(tmpdir, outdir) == []
        assert not os.path.exists(out)


def test_restore_refuses_a_truncated_archive(source: ServerProcess) -> None:
    with httpx.Client(base_url=source.api) as c:
        c.post("/users", json={"username": "admin", "email": "admin@example.com", "password": "password"})
    archive = os.path.join(source.workdir, "whole.tar.gz")
    r = cli(source, "backup", "create", archive)
    assert r.returncode == 0, r.stderr
    data = open(archive, "rb").read()
    with tarfile.open(archive) as tar:
        assert tar.getnames()[-1] == "checksums.json"
    wd = workdir()
    env, drop = _env("sqlite", wd)
    target = ServerProcess({**env, "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, wd)
    try:
        for cut in (len(data) // 3, len(data) - 200):
            bad = os.path.join(wd, f"cut-{cut}.tar.gz")
            with open(bad, "wb") as f:
                f.write(data[:cut])
            r = cli(target, "backup", "restore", bad)
            assert r.returncode == 1
            assert "truncated" in r.stderr and "nothing was restored" in r.stderr, r.stderr
            assert not os.path.exists(env["MM_SQLSETTINGS_DATASOURCE"])
        # an archive whose gzip stream is whole but whose last member (the checksums) is missing
        short = os.path.join(wd, "short.tar.gz")
        with tarfile.open(archive) as src, tarfile.open(short, "w:gz") as dst:
            for m in src.getmembers()[:-1]:
                dst.addfile(m, src.extractfile(m))
        r = cli(target, "backup", "restore", short)
        assert r.returncode == 1 and "incomplete" in r.stderr, r.stderr
        assert cli(target, "backup", "restore", archive).returncode == 0
    finally:
        drop()
