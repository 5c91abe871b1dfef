"""An import into an embedded server (SQLite, no Redis) that runs with local mode: the import process
hands its events to the server over the local socket, so connected clients see new users, teams and
channels at once instead of after a reload."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx
from websockets.sync.client import connect

from tests.cli.conftest import start_local_server
from tests.importers import slack_fixture


def test_import_reaches_a_running_embedded_server_through_local_mode(tmp_path: Any) -> None:
    proc, sock, _home = start_local_server()
    try:
        with httpx.Client(transport=httpx.HTTPTransport(uds=sock), base_url="http://_/api/v4") as local:
            r = local.post("/users", json={"username": "watcher", "email": "watcher@example.com",
                                           "password": "password"})
            assert r.status_code == 201, r.text
        login = httpx.post(proc.api + "/users/login", json={"login_id": "watcher", "password": "password"})
        token = login.headers["Token"]
        with connect(proc.ws_url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
            assert json.loads(ws.recv(timeout=10))["event"] == "hello"
            path = slack_fixture.write_zip(os.path.join(str(tmp_path), "export.zip"), slack_fixture.files())
            env = {**os.environ, **proc.env, "MM_CONFIG": os.path.join(str(tmp_path), "config.json")}
            done = subprocess.run([sys.executable, "-m", "chinwag.cli.main", "import", "slack", path, "--team",
                                   "acme", "--report", os.path.join(str(tmp_path), "r.json")],
                                  env=env, capture_output=True, text=True, timeout=180)
            assert done.returncode == 0, done.stderr
            assert "after reloading" not in done.stdout  # no "clients must reload" warning
            seen: list[str] = []
            deadline = time.monotonic() + 20
            while "new_user" not in seen and time.monotonic() < deadline:
                seen.append(json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))["event"])
            assert "new_user" in seen, seen
        # over TCP, the endpoint that takes those events is refused
        r = httpx.post(proc.api + "/system/local_events", json={"events": []},
                       headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 403
    finally:
        proc.stop()
