"""Real WebSocket clients against a real server process: mattermostdriver and mmpy_bot."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mattermostdriver import Driver

from tests.compat import mmpy_env
from tests.procs import ServerProcess, sqlite_env, workdir

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def proc() -> Iterator[ServerProcess]:
    wd = workdir()
    p = ServerProcess({**sqlite_env(wd), "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, wd).start()
    yield p
    p.stop()


def _api(p: ServerProcess, token: str = "") -> httpx.Client:
    return httpx.Client(base_url=p.api, headers={"Authorization": f"Bearer {token}"} if token else {})


def _setup(p: ServerProcess, suffix: str) -> dict[str, Any]:
    with _api(p) as c:
        c.post("/users", json={"username": "admin", "email": "admin@example.com", "password": "password"})
        admin = c.post("/users/login", json={"login_id": "admin", "password": "password"}).headers["Token"]
    with _api(p, admin) as c:
        names = {}
        for n in ("alice", "bob"):
            name = f"{n}{suffix}"
            c.post("/users", json={"username": name, "email": f"{name}@example.com", "password": "password"})
            r = c.post("/users/login", json={"login_id": name, "password": "password"})
            names[n] = {"token": r.headers["Token"], "id": r.json()["id"], "username": name}
        team = c.post("/teams", json={"name": f"team{suffix}", "display_name": "T", "type": "O"}).json()
        for u in names.values():
            c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": u["id"]})
        town = c.get(f"/teams/{team['id']}/channels/name/town-square").json()
    return {"users": names, "team": team, "channel": town}


def test_mattermostdriver_websocket_receives_posted(proc: ServerProcess) -> None:
    world = _setup(proc, "md")
    bob = world["users"]["bob"]
    driver = Driver({"url": "127.0.0.1", "port": proc.port, "scheme": "http", "token": bob["token"],
                     "basepath": "/api/v4", "verify": False, "timeout": 5, "keepalive": False})
    driver.login()
    received: list[dict[str, Any]] = []
    done = threading.Event()

    async def handler(message: str) -> None:
        msg = json.loads(message)
        received.append(msg)
        if msg.get("event") == "posted":
            done.set()
            driver.websocket.disconnect()

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        driver.init_websocket(handler)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    # the post must come after the socket is up (a busy machine takes its time starting the thread)
    deadline = time.monotonic() + 30
    while not any(m.get("event") == "hello" for m in received):
        assert time.monotonic() < deadline and t.is_alive(), f"no hello: {received}"
        time.sleep(0.05)
    with _api(proc, world["users"]["alice"]["token"]) as c:
        assert c.post("/posts", json={"channel_id": world["channel"]["id"], "message": "to bob"}).status_code == 201
    assert done.wait(10), received
    hello = next(m for m in received if m.get("event") == "hello")
    assert hello["seq"] == 0
    posted = next(m for m in received if m.get("event") == "posted")
    assert json.loads(posted["data"]["post"])["message"] == "to bob"
    assert posted["data"]["sender_name"] == f"@{world['users']['alice']['username']}"


def test_mmpy_bot_answers_in_channel(proc: ServerProcess) -> None:
    py = mmpy_env.ensure()
    world = _setup(proc, "bot")
    bot = world["users"]["bob"]
    env = {**os.environ, "BOT_URL": "http://127.0.0.1", "BOT_PORT": str(proc.port), "BOT_TOKEN": bot["token"],
           "BOT_TEAM": world["team"]["name"]}
    log = open(Path(proc.workdir) / "bot.log", "wb")
    p = subprocess.Popen([str(py), str(HERE / "bots" / "ping_bot.py")], env=env, stdout=log,
                         stderr=subprocess.STDOUT)
    try:
        alice = world["users"]["alice"]
        channel = world["channel"]["id"]
        with _api(proc, alice["token"]) as c:
            reply = None
            deadline = time.monotonic() + 30
            root = None
            while time.monotonic() < deadline and reply is None:
                if root is None or time.monotonic() - root[1] > 5:
                    r = c.post("/posts", json={"channel_id": channel, "message": "ping"})
                    root = (r.json()["id"], time.monotonic())
                time.sleep(0.3)
                thread = c.get(f"/posts/{root[0]}/thread").json()
                for post in thread["posts"].values():
                    if post["user_id"] == bot["id"] and post["message"] == "pong":
                        reply = post
            assert reply is not None, (Path(proc.workdir) / "bot.log").read_text()[-3000:]
            assert reply["root_id"] == root[0]
    finally:
        p.terminate()
        p.wait(10)
