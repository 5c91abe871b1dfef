"""Email notifications with two real server processes sharing one PostgreSQL queue: while the SMTP
server is down both nodes keep the mails and probe it with one of them; when it is back every mail goes out exactly
once, whichever node claims it; a node killed while SMTP is down loses nothing (the other sends)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis

from tests.conftest import PG_OK, PG_URL
from tests.procs import ServerProcess, create_pg_database, workdir
from tests.smtp import SmtpServer


def _redis_ok() -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping())
    except Exception:
        return False


pytestmark = pytest.mark.skipif(not (PG_OK and _redis_ok()), reason="needs PostgreSQL and Redis")

USERS = [f"user{i}" for i in range(8)]


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess, SmtpServer, str]]:
    url, drop = create_pg_database(PG_URL)
    wd = workdir()
    smtp = SmtpServer(tmp_path)  # its port is fixed; it starts later, in the test
    cluster = f"test-{uuid.uuid4().hex[:8]}"
    env = {"MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
           "MM_FILESETTINGS_DIRECTORY": os.path.join(wd, "files"), "MM_REDISSETTINGS_ENABLE": "true",
           "MM_REDISSETTINGS_URL": "redis://127.0.0.1:6379/0", "MM_CLUSTERSETTINGS_CLUSTERNAME": cluster,
           "MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS": "true", "MM_EMAILSETTINGS_SMTPSERVER": "127.0.0.1",
           "MM_EMAILSETTINGS_SMTPPORT": str(smtp.port), "MM_EMAILSETTINGS_SMTPSERVERTIMEOUT": "5",
           "MM_EMAILSETTINGS_FEEDBACKEMAIL": "noreply@example.com"}
    a = ServerProcess(env, wd).start()
    b = ServerProcess(env, wd).start()
    try:
        yield a, b, smtp, url
    finally:
        a.stop()
        b.stop()
        smtp.stop()
        drop()
        r = redis.Redis()
        for key in r.scan_iter(f"chinwag:{cluster}:*"):
            r.delete(key)


async def _queue(url: str) -> list[tuple[str, int]]:
    """(user id, attempts) of every queued mail."""
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return [(r[0], r[1]) for r in await conn.fetch("SELECT userid, attempts FROM emailnotifications")]
    finally:
        await conn.close()


async def _until(check: object, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not await check():  # type: ignore[operator]
        if loop.time() > end:
            raise AssertionError("timed out")
        await asyncio.sleep(0.2)


async def test_two_server_processes_share_the_mail_queue(
        nodes: tuple[ServerProcess, ServerProcess, SmtpServer, str]) -> None:
    a, b, smtp, url = nodes
    async with httpx.AsyncClient(base_url=a.api, timeout=20) as c:
        r = await c.post("/users", json={"username": "boss", "email": "boss@example.com", "password": "password1"})
        assert r.status_code == 201, r.text
        r = await c.post("/users/login", json={"login_id": "boss", "password": "password1"})
        h = {"Authorization": f"Bearer {r.headers['Token']}"}
        team = (await c.post("/teams", json={"name": "crowd", "display_name": "Crowd", "type": "O"}, headers=h)).json()
        ids = []
        for name in USERS:
            r = await c.post("/users", json={"username": name, "email": f"{name}@example.com",
                                             "password": "password1"}, headers=h)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        r = await c.post(f"/teams/{team['id']}/members/batch",
                         json=[{"team_id": team["id"], "user_id": u} for u in ids], headers=h)
        assert r.status_code == 201, r.text
        town = (await c.get(f"/teams/{team['id']}/channels/name/town-square", headers=h)).json()

    async def post(node: ServerProcess, message: str) -> None:
        async with httpx.AsyncClient(base_url=node.api, headers=h, timeout=20) as c:
            r = await c.post("/posts", json={"channel_id": town["id"], "message": message})
            assert r.status_code == 201, r.text

    # SMTP is down: posts on both nodes queue mails; a node that finds the server unreachable tries one
    # and puts the rest of its claim back untried, then waits out its back-off before probing again
    await post(a, "@channel all hands (from node A)")
    await post(b, "@user0 @user1 a word (from node B)")

    async def kept_and_tried() -> bool:
        q = await _queue(url)
        return len(q) == len(USERS) + 2 and any(att >= 1 for _, att in q)

    await _until(kept_and_tried)
    # SMTP is back: both nodes poll the queue; every mail goes out once
    smtp.start()
    await smtp.inbox.wait(len(USERS) + 2, timeout=60)

    async def queue_empty() -> bool:
        return await _queue(url) == []

    await _until(queue_empty)
    await asyncio.sleep(1.5)  # more than a poll interval of both nodes: nothing more comes
    mails = [(m["To"], "all hands" in m.get_body(("plain",)).get_content()) for m in smtp.inbox.messages]
    expected = [(f"{n}@example.com", True) for n in USERS] + [("user0@example.com", False),
                                                              ("user1@example.com", False)]
    assert sorted(mails) == sorted(expected)

    # node A dies while SMTP is down again; its queued mail is sent by node B
    smtp.stop()
    await post(a, "@user2 are you there? (from node A)")

    async def one_failed() -> bool:
        q = await _queue(url)
        return len(q) == 1 and q[0][1] >= 1

    await _until(one_failed)
    a.kill()
    smtp.start()
    msgs = await smtp.inbox.wait(len(USERS) + 3, timeout=60)
    await _until(queue_empty)
    await asyncio.sleep(1.5)
    assert len(smtp.inbox.messages) == len(USERS) + 3
    assert msgs[-1]["To"] == "user2@example.com" and "are you there?" in msgs[-1].get_body(("plain",)).get_content()
