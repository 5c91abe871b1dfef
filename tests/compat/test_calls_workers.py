"""Calls spread over SFU worker processes (``SFUWorkers``, workers.py): two calls at once on one node land
in two different worker processes (the UDP sockets each call's peers reach belong to different processes,
both children of the calls plugin's process), and both carry media; a third call goes to the worker with
fewer sessions; a call that ends frees its worker. aiortc peers against a real ``chinwag serve``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

from tests.compat.conftest import LiveServer
from tests.compat.test_calls import PLUGIN, PORTS, Participant, growing

pytestmark = pytest.mark.compat


def udp_owner(port: int) -> int:
    """The process holding the UDP socket bound to ``port`` (0: none)."""
    inodes = set()
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    for pid in (d for d in os.listdir("/proc") if d.isdigit()):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return int(pid)
        except OSError:
            continue
    return 0


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def sfu_process(p: Participant) -> int:
    """The process of the SFU ``p`` is connected to (its host candidates' sockets)."""
    ports = {int(m) for m in re.findall(r"a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host",
                                        p.pc.remoteDescription.sdp)}
    owners = {udp_owner(port) for port in ports}
    assert len(owners) == 1 and 0 not in owners, owners
    return owners.pop()


def _setup(server: LiveServer, channels: int, per_channel: int) -> tuple[httpx.Client, list[str], list[list[tuple[str, str]]]]:
    admin = httpx.Client(base_url=server.api, timeout=15)
    token = admin.post("/users/login", json={"login_id": server.admin_username,
                                             "password": server.admin_password}).headers["Token"]
    admin.headers["Authorization"] = f"Bearer {token}"
    team = admin.post("/teams", json={"name": server.unique("wk"), "display_name": "Workers", "type": "O"}).json()
    ids, users = [], []
    for c in range(channels):
        channel = admin.post("/channels", json={"team_id": team["id"], "name": server.unique(f"room{c}"),
                                                "display_name": f"Room {c}", "type": "O"}).json()
        ids.append(channel["id"])
        members = []
        for i in range(per_channel):
            name = server.unique(f"w{c}x{i}")
            u = admin.post("/users", json={"username": name, "email": f"{name}@example.com",
                                           "password": "calls-pass"}).json()
            admin.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": u["id"]})
            admin.post(f"/channels/{channel['id']}/members", json={"user_id": u["id"]})
            t = httpx.post(server.api + "/users/login", json={"login_id": name, "password": "calls-pass"}).headers["Token"]
            members.append((u["id"], t))
        users.append(members)
    r = admin.put("/config/patch", json={"PluginSettings": {"Plugins": {PLUGIN: {
        "udpserveraddress": "127.0.0.1", "udpportmin": PORTS[0], "udpportmax": PORTS[1], "sfuworkers": 2}}}})
    assert r.status_code == 200, r.text
    r = admin.post(f"/plugins/{PLUGIN}/enable")
    assert r.status_code == 200, r.text
    return admin, ids, users


async def test_two_calls_run_in_two_worker_processes(live_server: LiveServer) -> None:
    admin, channels, users = _setup(live_server, 3, 2)
    calls = [[Participant(live_server, t, u) for u, t in members] for members in users]
    try:
        for c in (0, 1):
            for p in calls[c]:
                await p.connect()
                await p.join(channels[c])
        # both calls carry their voices
        for c in (0, 1):
            for p in calls[c]:
                await growing(p, 1)
        # each call is in one process, the two calls in two, both the calls plugin's children
        a = {sfu_process(p) for p in calls[0]}
        b = {sfu_process(p) for p in calls[1]}
        assert len(a) == 1 and len(b) == 1 and a != b
        (wa,), (wb,) = a, b
        assert parent(wa) == parent(wb) and "chinwag.plugin.runner" in cmdline(parent(wa))

        # the first call ends; a new call goes to the worker with fewer sessions: the one that freed up
        for p in calls[0]:
            await p.send("leave")
        await calls[0][0].event("call_end", channelID=channels[0])
        third = calls[2]
        for p in third:
            await p.connect()
            await p.join(channels[2])
        for p in third:
            await growing(p, 1)
            assert sfu_process(p) == wa
        await growing(calls[1][0], 1)  # the other call went on meanwhile
    finally:
        for group in calls:
            for p in group:
                await p.close()
        admin.post(f"/plugins/{PLUGIN}/disable")
        admin.close()
