"""The requests the Mattermost mobile app makes when a user adds a server, logs in, enters the app and
reconnects (its public source: app/actions/remote/entry/*, app/client/rest/*), replayed as plain HTTP
and WebSocket against a real ``chinwag serve``. Every request must succeed; requests for features
under way elsewhere are listed with a reason until they land."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
import websockets

from tests.compat.conftest import LiveServer

pytestmark = pytest.mark.compat

#: (method, path template) → why it may fail for now; remove the entry when the feature lands
EXPECTED_FAILURES: dict[tuple[str, str], str] = {}


class Replay:
    def __init__(self, server: LiveServer) -> None:
        self.http = httpx.Client(base_url=server.api, timeout=15,
                                 headers={"X-Requested-With": "XMLHttpRequest", "User-Agent": "rnbeta/2.26.0"})
        self.failures: list[str] = []
        self.landed: list[str] = []
        self.count = 0

    def call(self, method: str, template: str, path: str | None = None, **kw: Any) -> httpx.Response:
        r = self.http.request(method, path or template, **kw)
        self.count += 1
        expected = EXPECTED_FAILURES.get((method, template))
        if r.status_code >= 400:
            if expected is None:
                self.failures.append(f"{method} {path or template} → {r.status_code} {r.text[:200]}")
        elif expected is not None:
            self.landed.append(f"{method} {template}")
        return r


def _setup(server: LiveServer) -> tuple[str, str, str]:
    """A user in a team with a channel, a DM and a followed thread, made by the admin."""
    with httpx.Client(base_url=server.api, timeout=15) as c:
        token = c.post("/users/login", json={"login_id": server.admin_username,
                                              "password": server.admin_password}).headers["Token"]
        c.headers["Authorization"] = f"Bearer {token}"
        name = server.unique("mob")
        user = c.post("/users", json={"username": name, "email": f"{name}@example.com",
                                      "password": "mobile-password"}).json()
        team = c.post("/teams", json={"name": server.unique("mteam"), "display_name": "Mobile",
                                      "type": "O"}).json()
        c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": user["id"]})
        town = c.get(f"/teams/{team['id']}/channels/name/town-square").json()
        root = c.post("/posts", json={"channel_id": town["id"], "message": f"@{name} welcome"}).json()
        c.post("/posts", json={"channel_id": town["id"], "message": f"@{name} in a thread", "root_id": root["id"]})
        me = c.get("/users/me").json()
        c.post("/channels/direct", json=[me["id"], user["id"]])
    return name, team["id"], town["id"]


def test_mobile_login_entry_and_reconnect(live_server: LiveServer) -> None:
    name, team_id, town_id = _setup(live_server)
    m = Replay(live_server)
    # adding the server: ping, then the logged-out config and licence
    m.call("GET", "/system/ping", params={"get_server_status": "true"})
    m.call("GET", "/config/client", params={"format": "old"})
    m.call("GET", "/license/client", params={"format": "old"})
    # log in with the device id (no push token yet: empty)
    r = m.call("POST", "/users/login", json={"login_id": name, "password": "mobile-password", "token": "",
                                              "device_id": "", "ldap_only": "false"})
    token = r.headers["Token"]
    m.http.headers["Authorization"] = f"Bearer {token}"
    m.call("PUT", "/users/sessions/device", json={"device_id": "", "deviceNotificationDisabled": "false",
                                                  "mobileVersion": "2.26.0"})
    # entry (fetchAppEntryData + entryRest)
    since = 0
    m.call("GET", "/config/client", params={"format": "old"})
    m.call("GET", "/license/client", params={"format": "old"})
    m.call("GET", "/users/me/preferences")
    teams = m.call("GET", "/users/me/teams").json()
    members = m.call("GET", "/users/me/teams/members").json()
    me = m.call("GET", "/users/me").json()
    assert [t["id"] for t in teams] == [team_id] and members[0]["team_id"] == team_id
    channels = m.call("GET", "/users/me/teams/{team_id}/channels", f"/users/me/teams/{team_id}/channels",
                      params={"include_deleted": "true", "last_delete_at": since}).json()
    ch_members = m.call("GET", "/users/me/teams/{team_id}/channels/members",
                        f"/users/me/teams/{team_id}/channels/members").json()
    cats = m.call("GET", "/users/me/teams/{team_id}/channels/categories",
                  f"/users/me/teams/{team_id}/channels/categories").json()
    assert town_id in {c["id"] for c in channels}
    # the sidebar the app draws: the default categories, town square in Channels, the DM in Direct Messages
    by_type = {c["type"]: c for c in cats["categories"]}
    assert cats["order"] == [c["id"] for c in cats["categories"]]
    assert set(by_type) == {"favorites", "channels", "direct_messages"}
    assert town_id in by_type["channels"]["channel_ids"]
    assert {c["id"] for c in channels if c["type"] in ("D", "G")} <= set(by_type["direct_messages"]["channel_ids"])
    role_names = set(me["roles"].split()) | {r for x in members + ch_members for r in x["roles"].split()}
    roles = m.call("POST", "/roles/names", json=sorted(role_names)).json()
    assert {r["name"] for r in roles} == role_names
    # deferred entry actions
    dms = [c for c in channels if c["type"] in ("D", "G")]
    assert dms, "the DM is among the team's channels, as Mattermost returns them"
    m.call("GET", "/channels/{channel_id}/posts", f"/channels/{town_id}/posts",
           params={"page": 0, "per_page": 60, "skipFetchThreads": "false", "collapsedThreads": "true",
                   "collapsedThreadsExtended": "false"})
    threads = m.call("GET", "/users/{user_id}/teams/{team_id}/threads", f"/users/{me['id']}/teams/{team_id}/threads",
                     params={"per_page": 60, "deleted": "true", "unread": "false", "since": 0,
                             "extended": "false", "totalsOnly": "false", "threadsOnly": "false"}).json()
    assert threads["total_unread_mentions"] >= 1
    m.call("GET", "/teams", params={"page": 0, "per_page": 100, "include_total_count": "false"})
    m.call("POST", "/users/ids", params={"since": since}, json=[me["id"]])
    m.call("POST", "/users/status/ids", json=[me["id"]])
    m.call("GET", "/users/me/teams/unread", params={"exclude_team": "", "include_collapsed_threads": "true"})
    m.call("GET", "/users/{user_id}/teams/{team_id}/threads/mention_counts",
           f"/users/{me['id']}/teams/{team_id}/threads/mention_counts")
    m.call("GET", "/emoji", params={"page": 0, "per_page": 200, "sort": "name"})
    m.call("GET", "/users/stats")
    m.call("GET", "/plugins/webapp")
    m.call("GET", "/system/notices/{team_id}", f"/system/notices/{team_id}",
           params={"clientVersion": "2.26.0", "locale": "en", "client": "mobile-android"})
    m.call("POST", "/channels/members/{user_id}/view", f"/channels/members/{me['id']}/view",
           json={"channel_id": town_id, "prev_channel_id": "", "collapsed_threads_supported": True})
    # the WebSocket, then a reconnect that resumes from the last sequence number
    asyncio.run(_websocket(live_server, token, m))
    # on reconnect the app syncs what changed since it went away
    since = int(time.time() * 1000) - 60_000
    m.call("GET", "/users/me/teams/{team_id}/channels", f"/users/me/teams/{team_id}/channels",
           params={"include_deleted": "true", "last_delete_at": since})
    m.call("GET", "/users/me/teams/{team_id}/channels/members", f"/users/me/teams/{team_id}/channels/members")
    m.call("GET", "/users/me/teams/{team_id}/channels/categories", f"/users/me/teams/{team_id}/channels/categories")
    m.call("GET", "/channels/{channel_id}/posts", f"/channels/{town_id}/posts", params={"since": since})
    m.call("POST", "/users/ids", params={"since": since}, json=[me["id"]])
    m.http.close()
    assert m.count >= 30
    assert not m.failures, "\n".join(m.failures)
    assert not m.landed, f"these work now, remove them from EXPECTED_FAILURES: {m.landed}"


async def _websocket(server: LiveServer, token: str, m: Replay) -> None:
    url = server.url.replace("http", "ws", 1) + "/api/v4/websocket"
    async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert hello["event"] == "hello"
        conn_id, seq = hello["data"]["connection_id"], hello["seq"]
        await ws.send(json.dumps({"seq": 1, "action": "user_typing", "data": {"channel_id": "", "parent_id": ""}}))
    m.count += 1
    resume = f"{url}?connection_id={conn_id}&sequence_number={seq + 1}"
    async with websockets.connect(resume, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        await ws.send(json.dumps({"seq": 1, "action": "ping", "data": {}}))
        # the missed events (or, when the history is gone, a new hello), then the ping's reply
        for _ in range(50):
            frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if frame.get("seq_reply") == 1:
                assert frame["status"] == "OK", frame
                break
        else:
            raise AssertionError("no reply to ping after reconnecting")
    m.count += 1
