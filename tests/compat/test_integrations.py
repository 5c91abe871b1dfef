"""Integrations with real third-party clients against a real server process: slack_sdk's
WebhookClient and a curl-style form post to an incoming webhook, an mmpy_bot bot logged in with a
bot's personal access token, and an outgoing webhook and a custom slash command calling a small HTTP
receiver."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from slack_sdk.webhook import WebhookClient

from tests.compat import mmpy_env
from tests.procs import ServerProcess, sqlite_env, workdir

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def proc() -> Iterator[ServerProcess]:
    wd = workdir()
    env = {**sqlite_env(wd), "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5",
           "MM_SERVICESETTINGS_ENABLEPOSTUSERNAMEOVERRIDE": "true",
           "MM_SERVICESETTINGS_ENABLEPOSTICONOVERRIDE": "true",
           "MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION": "true",
           "MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS": "127.0.0.1"}
    p = ServerProcess(env, wd).start()
    yield p
    p.stop()


def _api(p: ServerProcess, token: str = "") -> httpx.Client:
    return httpx.Client(base_url=p.api, headers={"Authorization": f"Bearer {token}"} if token else {}, timeout=20)


@pytest.fixture(scope="module")
def world(proc: ServerProcess) -> dict[str, Any]:
    with _api(proc) as c:
        c.post("/users", json={"username": "admin", "email": "admin@example.com", "password": "password"})
        admin = c.post("/users/login", json={"login_id": "admin", "password": "password"}).headers["Token"]
    with _api(proc, admin) as c:
        c.post("/users", json={"username": "alice", "email": "alice@example.com", "password": "password"})
        r = c.post("/users/login", json={"login_id": "alice", "password": "password"})
        alice = {"token": r.headers["Token"], "id": r.json()["id"]}
        team = c.post("/teams", json={"name": "integrations", "display_name": "I", "type": "O"}).json()
        c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": alice["id"]})
        town = c.get(f"/teams/{team['id']}/channels/name/town-square").json()
    return {"admin": admin, "alice": alice, "team": team, "town": town}


def _newest(proc: ServerProcess, token: str, channel_id: str) -> dict[str, Any]:
    with _api(proc, token) as c:
        body = c.get(f"/channels/{channel_id}/posts").json()
    return dict(body["posts"][body["order"][0]])


def _incoming(proc: ServerProcess, world: dict[str, Any]) -> str:
    with _api(proc, world["admin"]) as c:
        hook = c.post("/hooks/incoming", json={"channel_id": world["town"]["id"], "display_name": "CI"}).json()
    return f"{proc.url}/hooks/{hook['id']}"


def test_slack_sdk_webhook_client(proc: ServerProcess, world: dict[str, Any]) -> None:
    url = _incoming(proc, world)
    client = WebhookClient(url)
    resp = client.send_dict({
        "text": "Build <https://ci.example.com/42|#42> passed",
        "username": "ci-bot",
        "icon_emoji": ":white_check_mark:",
        "attachments": [{"fallback": "details", "color": "good", "title": "Build 42",
                         "fields": [{"title": "Branch", "value": "main", "short": True}]}],
    })
    assert resp.status_code == 200 and resp.body == "ok"
    post = _newest(proc, world["admin"], world["town"]["id"])
    assert post["message"] == "Build [#42](https://ci.example.com/42) passed"
    assert post["type"] == "slack_attachment"
    assert post["props"]["override_username"] == "ci-bot"
    assert post["props"]["override_icon_emoji"] == ":white_check_mark:"
    attachment = post["props"]["attachments"][0]
    assert attachment["title"] == "Build 42" and attachment["color"] == "good"
    assert attachment["fields"] == [{"title": "Branch", "value": "main", "short": True}]
    # plain text through the client's send()
    assert client.send(text="second").status_code == 200
    assert _newest(proc, world["admin"], world["town"]["id"])["message"] == "second"


def test_form_encoded_payload_like_curl(proc: ServerProcess, world: dict[str, Any]) -> None:
    url = _incoming(proc, world)
    r = httpx.post(url, data={"payload": json.dumps({"text": "from curl", "username": "cron"})})
    assert r.status_code == 200 and r.text == "ok"
    post = _newest(proc, world["admin"], world["town"]["id"])
    assert post["message"] == "from curl" and post["props"]["override_username"] == "cron"
    bad = httpx.post(url, data={"payload": "{nope"})
    assert bad.status_code == 400 and bad.json()["id"] == "model.incoming_hook.parse_data.app_error"


def test_mmpy_bot_with_bot_access_token(proc: ServerProcess, world: dict[str, Any]) -> None:
    py = mmpy_env.ensure()
    with _api(proc, world["admin"]) as c:
        bot = c.post("/bots", json={"username": "pingbot", "display_name": "Ping Bot"}).json()
        team = world["team"]
        assert c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"],
                                                              "user_id": bot["user_id"]}).status_code == 201
        tok = c.post(f"/users/{bot['user_id']}/tokens", json={"description": "mmpy"}).json()["token"]
    env = {**os.environ, "BOT_URL": "http://127.0.0.1", "BOT_PORT": str(proc.port), "BOT_TOKEN": tok,
           "BOT_TEAM": world["team"]["name"]}
    log = open(Path(proc.workdir) / "pingbot.log", "wb")
    p = subprocess.Popen([str(py), str(HERE / "bots" / "ping_bot.py")], env=env, stdout=log,
                         stderr=subprocess.STDOUT)
    try:
        reply = None
        with _api(proc, world["alice"]["token"]) as c:
            deadline = time.monotonic() + 40
            root: tuple[str, float] | None = None
            while time.monotonic() < deadline and reply is None:
                if root is None or time.monotonic() - root[1] > 5:
                    r = c.post("/posts", json={"channel_id": world["town"]["id"], "message": "ping"})
                    root = (r.json()["id"], time.monotonic())
                time.sleep(0.3)
                for post in c.get(f"/posts/{root[0]}/thread").json()["posts"].values():
                    if post["user_id"] == bot["user_id"] and post["message"] == "pong":
                        reply = post
        assert reply is not None, (Path(proc.workdir) / "pingbot.log").read_text()[-3000:]
    finally:
        p.terminate()
        p.wait(10)


class _Receiver:
    """http.server on 127.0.0.1 answering every request with the queued JSON."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append((self.command, self.path, dict(self.headers), body))
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = _handle
            do_GET = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_outgoing_webhook_answer_is_posted(proc: ServerProcess, world: dict[str, Any]) -> None:
    rec = _Receiver({"text": "hook says hi", "response_type": "comment"})
    try:
        with _api(proc, world["admin"]) as c:
            hook = c.post("/hooks/outgoing", json={
                "team_id": world["team"]["id"], "trigger_words": ["hookme"], "callback_urls": [rec.url + "/out"],
                "content_type": "application/json", "display_name": "Echo"}).json()
        with _api(proc, world["alice"]["token"]) as c:
            root = c.post("/posts", json={"channel_id": world["town"]["id"], "message": "hookme please"}).json()
            reply = None
            deadline = time.monotonic() + 20
            while reply is None and time.monotonic() < deadline:
                time.sleep(0.2)
                for post in c.get(f"/posts/{root['id']}/thread").json()["posts"].values():
                    if post["message"] == "hook says hi":
                        reply = post
        assert reply is not None and reply["root_id"] == root["id"]
        assert reply["props"]["from_webhook"] == "true" and reply["props"]["webhook_display_name"] == "Echo"
        method, path, _headers, body = rec.requests[0]
        payload = json.loads(body)
        assert method == "POST" and path == "/out" and payload["token"] == hook["token"]
        assert payload["trigger_word"] == "hookme" and payload["post_id"] == root["id"]
    finally:
        rec.close()


def test_custom_slash_command(proc: ServerProcess, world: dict[str, Any]) -> None:
    rec = _Receiver({"response_type": "in_channel", "text": "It is sunny", "username": "weatherbot"})
    try:
        with _api(proc, world["admin"]) as c:
            cmd = c.post("/commands", json={"team_id": world["team"]["id"], "trigger": "weather",
                                            "url": rec.url + "/cmd", "method": "P"}).json()
        with _api(proc, world["alice"]["token"]) as c:
            r = c.post("/commands/execute", json={"channel_id": world["town"]["id"],
                                                  "team_id": world["team"]["id"], "command": "/weather Oslo"})
        assert r.status_code == 200, r.text
        assert r.json()["text"] == "It is sunny"
        post = _newest(proc, world["alice"]["token"], world["town"]["id"])
        assert post["message"] == "It is sunny" and post["props"]["override_username"] == "weatherbot"
        method, path, headers, body = rec.requests[0]
        form = parse_qs(body.decode())
        assert method == "POST" and path == "/cmd"
        assert headers["Authorization"] == f"Token {cmd['token']}"
        assert form["command"] == ["/weather"] and form["text"] == ["Oslo"]
        assert form["response_url"][0].startswith(f"{proc.url}/hooks/commands/")
        # the integration answers later through response_url
        follow = httpx.post(form["response_url"][0], json={"response_type": "in_channel", "text": "Now rainy"})
        assert follow.status_code == 200 and follow.text == "ok"
        assert _newest(proc, world["alice"]["token"], world["town"]["id"])["message"] == "Now rainy"
    finally:
        rec.close()
