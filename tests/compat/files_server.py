"""A real chinwag server process for the file compat tests (`chinwag serve` on a free port, a temp
SQLite database and files directory or a moto S3 bucket), and mattermostdriver clients for it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.files_support import free_port, s3_env

ROOT = Path(__file__).resolve().parents[2]
CHINWAG = Path(sys.executable).parent / "chinwag"


@dataclass
class ServerProcess:
    port: int
    workdir: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes]
    backend: str
    bucket: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def files_dir(self) -> Path:
        return self.workdir / "files"

    @property
    def db_path(self) -> Path:
        return self.workdir / "chinwag.db"

    def driver(self, login_id: str = "", password: str = "password") -> Any:
        from mattermostdriver import Driver

        d = Driver({"url": "127.0.0.1", "port": self.port, "scheme": "http", "login_id": login_id,
                    "password": password, "basepath": "/api/v4", "timeout": 60})
        if login_id:
            d.login()
        return d


def start_server(backend: str, env_extra: dict[str, str] | None = None) -> ServerProcess:
    """Start `chinwag serve`; ``env_extra`` holds MM_* overrides (e.g. the S3 settings)."""
    workdir = Path(tempfile.mkdtemp(prefix="chinwag-files-compat-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MM_")}
    env.update({
        "MM_CONFIG": str(workdir / "config.json"),
        "MM_SQLSETTINGS_DRIVERNAME": "sqlite",
        "MM_SQLSETTINGS_DATASOURCE": str(workdir / "chinwag.db"),
        "MM_FILESETTINGS_DIRECTORY": str(workdir / "files"),
        "MM_SERVICESETTINGS_LISTENADDRESS": f"127.0.0.1:{port}",
        "MM_SERVICESETTINGS_SITEURL": f"http://127.0.0.1:{port}",
        "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5",
        "MM_LOGSETTINGS_CONSOLELEVEL": "WARNING",
    })
    env.update(env_extra or {})
    bucket = env.get("MM_FILESETTINGS_AMAZONS3BUCKET", "")
    log = open(workdir / "server.log", "wb")
    proc = subprocess.Popen([str(CHINWAG), "serve"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    sp = ServerProcess(port, workdir, env, proc, backend, bucket)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"chinwag serve exited: {(workdir / 'server.log').read_text()}")
        try:
            if httpx.get(f"{sp.url}/api/v4/system/ping", timeout=1).status_code == 200:
                return sp
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("chinwag serve did not start in 60 s")
        time.sleep(0.2)


def stop_server(sp: ServerProcess) -> None:
    sp.proc.terminate()
    try:
        sp.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        sp.proc.kill()
        sp.proc.wait()


def make_bucket(moto: str, bucket: str) -> None:
    import asyncio

    from chinwag.filestore.s3 import S3Backend
    from tests.files_support import s3_settings

    async def run() -> None:
        b = S3Backend(s3_settings(moto, bucket))
        await b.create_bucket()
        await b.close()

    asyncio.run(run())


@pytest.fixture(params=["local", "s3"])
def chinwag_process(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """A running `chinwag serve` with 1 MB MaxFileSize, files on local disk or in S3 (moto)."""
    moto = request.getfixturevalue("moto_endpoint") if request.param == "s3" else ""
    extra = {"MM_FILESETTINGS_MAXFILESIZE": str(1024 * 1024)}
    if request.param == "s3":
        from tests.files_support import new_bucket

        bucket = new_bucket()
        make_bucket(moto, bucket)
        extra.update(s3_env(moto, bucket, prefix="chinwag"))
    sp = start_server(request.param, extra)
    sp.extra["moto"] = moto
    yield sp
    stop_server(sp)
