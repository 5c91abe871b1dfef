"""A real chinwag process for third-party clients: `chinwag serve` started as the README says
(MM_* environment overrides, MM_CONFIG pointing at a temporary config file), once per database
backend: a temporary SQLite file, and a fresh PostgreSQL database when one is reachable."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import BACKENDS, TestDatabase, create_pg_database

CHINWAG = Path(sys.executable).parent / "chinwag"
JS_DIR = Path(__file__).parent / "js"
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """A running `chinwag serve` and the system admin account created on it."""

    backend: str
    host: str
    port: int
    admin_username: str = "sysadmin"
    admin_password: str = "sysadmin-password"
    admin_id: str = ""
    log_path: Path = field(default_factory=Path)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api(self) -> str:
        return self.url + "/api/v4"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def unique(self, prefix: str) -> str:
        """A name no other test on this server uses (tests share one server per backend)."""
        return f"{prefix}{uuid.uuid4().hex[:10]}"

    def driver_options(self, login_id: str, password: str) -> dict[str, Any]:
        return {"url": self.host, "port": self.port, "scheme": "http", "basepath": "/api/v4",
                "login_id": login_id, "password": password, "timeout": 15, "request_timeout": 15}


def _wait_until_up(proc: subprocess.Popen[bytes], server: LiveServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chinwag serve exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            r = httpx.get(server.api + "/system/ping", timeout=2)
            if r.status_code == 200 and r.json().get("status") == "OK":
                return
            last = f"{r.status_code} {r.text[:200]}"
        except httpx.HTTPError as e:
            last = repr(e)
        time.sleep(0.2)
    raise RuntimeError(f"chinwag serve did not answer /system/ping in time ({last}):\n{server.log_tail()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@contextlib.contextmanager
def serve(db: TestDatabase, backend: str, tmp: str) -> Iterator[LiveServer]:
    """Run `chinwag serve` on a free port with MM_* overrides; stop it (by its pid) at the end."""
    server = LiveServer(backend=backend, host="127.0.0.1", port=_free_port(), log_path=Path(tmp) / "server.log")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MM_")}
    env.update({
        "MM_CONFIG": os.path.join(tmp, "config.json"),
        "MM_SQLSETTINGS_DRIVERNAME": db.driver,
        "MM_SQLSETTINGS_DATASOURCE": db.datasource,
        "MM_SERVICESETTINGS_LISTENADDRESS": f"{server.host}:{server.port}",
        "MM_SERVICESETTINGS_SITEURL": server.url,
        "MM_FILESETTINGS_DIRECTORY": os.path.join(tmp, "files"),
        "MM_LOGSETTINGS_ENABLECOLOR": "false",
    })
    with open(server.log_path, "wb") as log:
        proc = subprocess.Popen([str(CHINWAG), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
        try:
            _wait_until_up(proc, server)
            # The first account becomes the system administrator.
            r = httpx.post(server.api + "/users", json={"username": server.admin_username,
                                                        "email": "sysadmin@example.com",
                                                        "password": server.admin_password}, timeout=10)
            assert r.status_code == 201, r.text
            server.admin_id = r.json()["id"]
            yield server
        finally:
            _stop(proc)


@pytest.fixture(scope="session", params=BACKENDS)
async def live_server(request: pytest.FixtureRequest) -> AsyncIterator[LiveServer]:
    tmp = tempfile.mkdtemp(prefix="chinwag-compat-")
    if request.param == "postgres":
        db = await create_pg_database()
    else:
        db = TestDatabase("sqlite", os.path.join(tmp, "chinwag.db"))
    try:
        with serve(db, request.param, tmp) as server:
            yield server
    finally:
        if db.drop:
            await db.drop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def js_client() -> Iterator[Path]:
    """tests/compat/js with its pinned npm packages installed (`npm ci` on first use)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are required for the @mattermost/client compat tests")
    lock = JS_DIR / "package-lock.json"
    stamp = JS_DIR / "node_modules" / ".installed-lock"
    if not stamp.exists() or stamp.read_bytes() != lock.read_bytes():
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS_DIR,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, f"npm ci failed:\n{r.stdout}\n{r.stderr}"
        stamp.write_bytes(lock.read_bytes())
    yield JS_DIR


def run_node(js_dir: Path, script: str, server: LiveServer, timeout: float = 120) -> str:
    """Run a node script against the server; it exits non-zero with a message on any mismatch."""
    env = {**os.environ, "CHINWAG_URL": server.url, "CHINWAG_ADMIN_USERNAME": server.admin_username,
           "CHINWAG_ADMIN_PASSWORD": server.admin_password}
    r = subprocess.run(["node", str(js_dir / script)], cwd=js_dir, env=env, capture_output=True, text=True,
                       timeout=timeout)
    assert r.returncode == 0, (f"{script} failed (exit {r.returncode}):\n{r.stdout}\n{r.stderr}\n"
                               f"--- server log ---\n{server.log_tail()}")
    return r.stdout
