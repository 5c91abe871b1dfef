"""A real `chinwag serve` process on a free port with a throw-away SQLite database."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
#: seconds a server is given to answer /system/ping after it was started
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    def __init__(self, data_dir: str | None = None, **env: str) -> None:
        """Data (database, files, config, log) go to `data_dir` if given (kept), else to a temp dir (removed)."""
        self.keep = data_dir is not None
        if data_dir:
            os.makedirs(data_dir, exist_ok=True)
        self.tmp = data_dir or tempfile.mkdtemp(prefix="chinwag-e2e-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "MM_CONFIG": os.path.join(self.tmp, "config.json"),
            "MM_SQLSETTINGS_DRIVERNAME": "sqlite",
            "MM_SQLSETTINGS_DATASOURCE": os.path.join(self.tmp, "chinwag.db"),
            "MM_FILESETTINGS_DIRECTORY": os.path.join(self.tmp, "files"),
            "MM_SERVICESETTINGS_LISTENADDRESS": f"127.0.0.1:{self.port}",
            "MM_SERVICESETTINGS_SITEURL": self.url,
            "MM_TEAMSETTINGS_ENABLEOPENSERVER": "true",
            "MM_LOGSETTINGS_CONSOLELEVEL": "WARN",
            **env,
        }
        #: a command prefix the server runs under (tests/e2e/netns.py: in a network namespace)
        self.prefix: list[str] = []
        #: where the test reaches the API (``url`` is where the browsers open the UI; the same but there)
        self.api_url = self.url
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = os.path.join(self.tmp, "server.log")

    def start(self) -> ServerProcess:
        exe = Path(sys.executable).parent / "chinwag"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([*self.prefix, str(exe), "serve"], cwd=self.tmp, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        # As tests/procs.py: a start takes a few seconds alone, but CI runs the browser tests beside two
        # other pytest workers on 2 cores, where importing the server alone took 30 s and more.
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{Path(self.log_path).read_text()}")
            try:
                if httpx.get(self.api_url + "/api/v4/system/ping", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()  # never leave a server behind a failed start
        raise RuntimeError(f"server did not start in {START_TIMEOUT} s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if getattr(self, "log", None):
            self.log.close()
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # --- API helpers for test set-up (Bearer token, like any bot or script would use)

    def api(self, token: str = "") -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.api_url + "/api/v4", headers=headers, timeout=10)

    def create_user(self, username: str, password: str = "password1", admin_token: str = "") -> dict[str, Any]:
        with self.api(admin_token) as c:
            r = c.post("/users", json={"username": username, "email": f"{username}@example.com",
                                       "password": password})
            assert r.status_code == 201, r.text
            return dict(r.json())

    def ensure_user(self, username: str, password: str = "password1", admin_token: str = "") -> dict[str, Any]:
        """``create_user``, or the existing account when a first attempt of the test made it (a rerun
        of a failed test finds its module-scoped server as that attempt left it)."""
        with self.api(admin_token) as c:
            r = c.post("/users", json={"username": username, "email": f"{username}@example.com",
                                       "password": password})
            if r.status_code == 201:
                return dict(r.json())
            assert r.json().get("id") == "app.user.save.username_exists.app_error", r.text
        with self.api(self.login(username, password)) as c:
            r = c.get("/users/me")
            assert r.status_code == 200, r.text
            return dict(r.json())

    def login(self, username: str, password: str = "password1") -> str:
        with self.api() as c:
            r = c.post("/users/login", json={"login_id": username, "password": password})
            assert r.status_code == 200, r.text
            return str(r.headers["Token"])
