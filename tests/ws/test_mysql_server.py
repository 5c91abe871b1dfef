"""A real server process on MySQL/MariaDB, end to end: ``chinwag db migrate`` from an empty database
(DataSource in Mattermost's MySQL form), sign-up (usernames unique regardless of case, emoji and CJK in
names), posting, search (substrings and CJK), a WebSocket ``posted`` event live and, after a restart,
resumed from the event history in MySQL."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import MYSQL_OK
from tests.procs import CHINWAG, ServerProcess, mysql_env, workdir
from tests.ws.conftest import WS

pytestmark = pytest.mark.skipif(not MYSQL_OK, reason="needs MySQL/MariaDB (CHINWAG_TEST_MYSQL)")


@pytest.fixture
def node() -> Iterator[ServerProcess]:
    wd = workdir()
    env, drop = mysql_env(wd)
    env["MM_PASSWORDSETTINGS_MINIMUMLENGTH"] = "5"
    proc = ServerProcess(env, wd)
    try:
        assert "tcp(" in env["MM_SQLSETTINGS_DATASOURCE"]  # Mattermost's DSN form
        r = subprocess.run([CHINWAG, "db", "migrate"], env=proc.env, capture_output=True, text=True, timeout=120,
                           cwd=wd)
        assert r.returncode == 0, r.stderr
        yield proc
    finally:
        proc.stop()
        drop()


async def test_sign_up_post_search_and_events_on_mysql(node: ServerProcess) -> None:
    node.start()
    async with httpx.AsyncClient(base_url=node.api) as c:
        assert (await c.post("/users", json={"username": "alice", "email": "alice@example.com",
                                             "password": "password"})).status_code == 201
        alice = (await c.post("/users/login", json={"login_id": "alice", "password": "password"})).headers["Token"]
        c.headers["Authorization"] = f"Bearer {alice}"
        bob = (await c.post("/users", json={"username": "Bob", "email": "Bob@Example.com", "password": "password",
                                            "nickname": "Бо😀б 鲍勃"})).json()
        assert bob["username"] == "bob" and bob["nickname"] == "Бо😀б 鲍勃"
        again = await c.post("/users", json={"username": "BOB", "email": "bob2@example.com", "password": "password"})
        assert again.status_code == 400 and again.json()["id"] == "app.user.save.username_exists.app_error"
        r = await c.post("/users/login", json={"login_id": "BOB", "password": "password"})
        assert r.status_code == 200
        bob_token = r.headers["Token"]
        team = (await c.post("/teams", json={"name": "t1", "display_name": "チーム 🚀", "type": "O"})).json()
        await c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": bob["id"]})
        town = (await c.get(f"/teams/{team['id']}/channels/name/town-square")).json()

        ws = await WS.connect(node.ws_url, bob_token)
        await ws.wait(lambda: ws.connection_id)
        message = "会議は明日です 🎉 searchable-unicorns"
        r = await c.post("/posts", json={"channel_id": town["id"], "message": message})
        assert r.status_code == 201 and r.json()["message"] == message
        await ws.wait(lambda: message in ws.posted())
        resume = f"connection_id={ws.connection_id}&sequence_number={ws.next_seq}"
        await ws.conn.close()

        for terms in ("明日", "unicorn", "searchable*", "🎉"):
            found = (await c.post(f"/teams/{team['id']}/posts/search", json={"terms": terms})).json()
            assert [p["message"] for p in found["posts"].values()] == [message], terms
        found = (await c.post(f"/teams/{team['id']}/posts/search", json={"terms": "明後日"})).json()
        assert found["order"] == []
        users = (await c.post("/users/search", json={"term": "鲍勃"})).json()
        assert [u["id"] for u in users] == [bob["id"]]

        # a post bob missed while offline, and a restart: the resume replays it from MySQL's history
        missed = "while you were away 👋"
        assert (await c.post("/posts", json={"channel_id": town["id"], "message": missed})).status_code == 201
    node.stop()
    node.start()
    back = await WS.connect(node.ws_url, bob_token, resume)
    await back.wait(lambda: missed in back.posted())
    assert back.posted().count(missed) == 1 and message not in back.posted()  # resumed after the last seen
    await back.conn.close()
