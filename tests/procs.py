"""Real server processes for compat and cluster tests: started as the README says (`chinwag serve`
with MM_* environment variables), on a free port, stopped (or killed) at the end."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
CHINWAG = str(Path(sys.executable).parent / "chinwag")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    def __init__(self, env: dict[str, str], workdir: str) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.env = {**os.environ, **env, "MM_SERVICESETTINGS_LISTENADDRESS": f"127.0.0.1:{self.port}",
                    "MM_SERVICESETTINGS_SITEURL": f"http://127.0.0.1:{self.port}",
                    "MM_CONFIG": os.path.join(workdir, f"config-{self.port}.json")}
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = self.url + "/api/v4"
        self.ws_url = f"ws://127.0.0.1:{self.port}/api/v4/websocket"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = os.path.join(workdir, f"server-{self.port}.log")

    def start(self, timeout: float = 90) -> ServerProcess:
        self.proc = subprocess.Popen([CHINWAG, "serve"], env=self.env, cwd=self.workdir,
                                     stdout=open(self.log, "wb"), stderr=subprocess.STDOUT)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log).read_text()[-3000:]}")
            try:
                if httpx.get(self.api + "/system/ping", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()  # never leave a server running behind a failed start
        raise RuntimeError(f"server did not start: {Path(self.log).read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


async def alice_and_bob(api: str) -> dict[str, str]:
    """On a fresh server: alice (the first account, so the system admin) makes a team and adds bob; returns
    their tokens and the team's town square (``alice``, ``bob``, ``channel``)."""
    async with httpx.AsyncClient(base_url=api) as c:
        await c.post("/users", json={"username": "alice", "email": "alice@example.com", "password": "password"})
        r = await c.post("/users/login", json={"login_id": "alice", "password": "password"})
        alice = r.headers["Token"]
        h = {"Authorization": f"Bearer {alice}"}
        await c.post("/users", json={"username": "bob", "email": "bob@example.com", "password": "password"},
                     headers=h)
        r = await c.post("/users/login", json={"login_id": "bob", "password": "password"})
        bob, bob_id = r.headers["Token"], r.json()["id"]
        team = (await c.post("/teams", json={"name": "t1", "display_name": "T1", "type": "O"}, headers=h)).json()
        await c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": bob_id}, headers=h)
        town = (await c.get(f"/teams/{team['id']}/channels/name/town-square", headers=h)).json()
        return {"alice": alice, "bob": bob, "channel": town["id"]}


def sqlite_env(workdir: str) -> dict[str, str]:
    return {"MM_SQLSETTINGS_DRIVERNAME": "sqlite",
            "MM_SQLSETTINGS_DATASOURCE": os.path.join(workdir, "chinwag.db"),
            "MM_FILESETTINGS_DIRECTORY": os.path.join(workdir, "files")}


def create_pg_database(base_url: str, prefix: str = "chinwag_proc") -> tuple[str, Any]:
    """A fresh PostgreSQL database named ``<prefix>_<random>``; returns (url, drop function)."""
    import asyncpg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin_url = base_url.replace("postgres://", "postgresql://", 1)

    async def create() -> None:
        conn = await asyncpg.connect(admin_url)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(admin_url)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    asyncio.run(create())
    u = urlparse(base_url)
    return urlunparse((u.scheme, u.netloc, "/" + name, "", "", "")), lambda: asyncio.run(drop())


def mysql_env(workdir: str) -> tuple[dict[str, str], Any]:
    """A fresh MySQL/MariaDB database (tests.conftest.MYSQL_URL's server) as a server's environment,
    the DataSource in Mattermost's form; returns (env, drop function)."""
    from tests.conftest import create_mysql_database

    made = asyncio.run(create_mysql_database("chinwag_proc"))
    env = {"MM_SQLSETTINGS_DRIVERNAME": "mysql", "MM_SQLSETTINGS_DATASOURCE": made.datasource,
           "MM_FILESETTINGS_DIRECTORY": os.path.join(workdir, "files")}
    return env, lambda: asyncio.run(made.drop())


def workdir() -> str:
    return tempfile.mkdtemp(prefix="chinwag-proc-")
