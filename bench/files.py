"""File upload/download throughput and server memory, on local disk and on S3 (moto).

Starts `chinwag serve` (SQLite, temp files directory) and, for S3, `moto_server`, both on loopback;
uploads with a streamed multipart body (as clients send it) and downloads with a streamed GET,
so the benchmark client never holds a file in memory either. Measures:

- upload and download throughput for 1 MB files (20 of them) and 200 MB files (2 of them);
- the server's peak RSS above its idle RSS during a 1 GB upload (sampled every 20 ms from /proc).

Usage: .venv/bin/python bench/files.py [--backend local|s3|both] [--skip-1gb]
Every run is bounded: fixed file counts and sizes, a timeout on every request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chinwag.config.schema import FileSettings  # noqa: E402
from chinwag.filestore.s3 import S3Backend  # noqa: E402

BIN = Path(sys.executable).parent
MB = 1024 * 1024
CHUNK = 1 * MB
BOUNDARY = "chinwagbenchboundary0123456789"
KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wait_http(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start")


async def create_bucket(settings: FileSettings) -> None:
    b = S3Backend(settings)
    await b.create_bucket()
    await b.close()


class Servers:
    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.workdir = Path(tempfile.mkdtemp(prefix="chinwag-bench-files-"))
        self.procs: list[subprocess.Popen[bytes]] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Blocking (run it in a thread): starts the processes and waits until they answer."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MM_")}
        env.update({
            "MM_CONFIG": str(self.workdir / "config.json"),
            "MM_SQLSETTINGS_DRIVERNAME": "sqlite",
            "MM_SQLSETTINGS_DATASOURCE": str(self.workdir / "chinwag.db"),
            "MM_FILESETTINGS_DIRECTORY": str(self.workdir / "files"),
            "MM_FILESETTINGS_MAXFILESIZE": str(2 * 1024 * MB),
            "MM_SERVICESETTINGS_LISTENADDRESS": f"127.0.0.1:{self.port}",
            "MM_LOGSETTINGS_CONSOLELEVEL": "WARNING",
        })
        if self.backend == "s3":
            moto_port = free_port()
            moto = subprocess.Popen([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)],
                                    cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.procs.append(moto)
            wait_http(f"http://127.0.0.1:{moto_port}/", moto, "moto_server")
            bucket = "chinwag-bench"
            settings = FileSettings(DriverName="amazons3", AmazonS3Endpoint=f"127.0.0.1:{moto_port}",
                                    AmazonS3Bucket=bucket, AmazonS3AccessKeyId=KEY,
                                    AmazonS3SecretAccessKey=SECRET, AmazonS3Region="us-east-1",
                                    AmazonS3SSL=False)

            asyncio.run(create_bucket(settings))
            env.update({
                "MM_FILESETTINGS_DRIVERNAME": "amazons3",
                "MM_FILESETTINGS_AMAZONS3ENDPOINT": f"127.0.0.1:{moto_port}",
                "MM_FILESETTINGS_AMAZONS3BUCKET": bucket,
                "MM_FILESETTINGS_AMAZONS3ACCESSKEYID": KEY,
                "MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY": SECRET,
                "MM_FILESETTINGS_AMAZONS3REGION": "us-east-1",
                "MM_FILESETTINGS_AMAZONS3SSL": "false",
            })
        log = open(self.workdir / "server.log", "wb")
        self.server = subprocess.Popen([str(BIN / "chinwag"), "serve"], cwd=self.workdir, env=env, stdout=log,
                                       stderr=subprocess.STDOUT)
        self.procs.append(self.server)
        wait_http(f"{self.url}/api/v4/system/ping", self.server, "chinwag serve")

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


async def setup_world(client: httpx.AsyncClient) -> str:
    await client.post("/api/v4/users", json={"username": "bench", "email": "bench@example.com",
                                             "password": "benchpass"})
    r = await client.post("/api/v4/users/login", json={"login_id": "bench", "password": "benchpass"})
    r.raise_for_status()
    client.headers["Authorization"] = f"Bearer {r.headers['Token']}"
    team = (await client.post("/api/v4/teams", json={"name": "bench", "display_name": "Bench", "type": "O"})).json()
    channel = (await client.post("/api/v4/channels", json={"team_id": team["id"], "name": "bench",
                                                           "display_name": "Bench", "type": "O"})).json()
    return str(channel["id"])


def multipart_body(channel_id: str, name: str, size: int) -> tuple[AsyncIterator[bytes], int]:
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="channel_id"\r\n\r\n{channel_id}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    block = os.urandom(CHUNK)

    async def gen() -> AsyncIterator[bytes]:
        yield head
        left = size
        while left > 0:
            n = min(CHUNK, left)
            yield block if n == CHUNK else block[:n]
            left -= n
        yield tail

    return gen(), len(head) + size + len(tail)


async def upload(client: httpx.AsyncClient, channel_id: str, name: str, size: int) -> str:
    body, length = multipart_body(channel_id, name, size)
    r = await client.post("/api/v4/files", content=body, headers={
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Content-Length": str(length)})
    if r.status_code != 201:
        raise RuntimeError(f"upload failed: {r.status_code} {r.text}")
    info = r.json()["file_infos"][0]
    assert info["size"] == size
    return str(info["id"])


async def download(client: httpx.AsyncClient, file_id: str) -> int:
    n = 0
    async with client.stream("GET", f"/api/v4/files/{file_id}") as r:
        r.raise_for_status()
        async for chunk in r.aiter_raw(CHUNK):
            n += len(chunk)
    return n


async def throughput(client: httpx.AsyncClient, channel_id: str, size: int, count: int) -> dict[str, float]:
    ids: list[str] = []
    t0 = time.perf_counter()
    for i in range(count):
        ids.append(await upload(client, channel_id, f"f{i}.bin", size))
    t_up = time.perf_counter() - t0
    t0 = time.perf_counter()
    total = 0
    for fid in ids:
        total += await download(client, fid)
    t_down = time.perf_counter() - t0
    assert total == size * count
    return {"up_MBps": size * count / MB / t_up, "down_MBps": size * count / MB / t_down,
            "up_s": t_up, "down_s": t_down}


async def peak_memory(client: httpx.AsyncClient, channel_id: str, pid: int, size: int) -> dict[str, float]:
    await upload(client, channel_id, "warmup.bin", 4 * MB)  # imports and buffers warmed up
    await asyncio.sleep(1)
    idle = rss_kb(pid)
    peak = idle
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, rss_kb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    fid = await upload(client, channel_id, "huge.bin", size)
    elapsed = time.perf_counter() - t0
    stop.set()
    sampler.join()
    t1 = time.perf_counter()
    down = await download(client, fid)
    down_s = time.perf_counter() - t1
    assert down == size
    return {"idle_MB": idle / 1024, "peak_MB": peak / 1024, "above_idle_MB": (peak - idle) / 1024,
            "up_MBps": size / MB / elapsed, "down_MBps": size / MB / down_s}


async def run_backend(backend: str, skip_1gb: bool) -> dict[str, Any]:
    """Throughput on one server; the 1 GB memory test on a fresh one (idle = just started + warmed up)."""
    results: dict[str, Any] = {}
    for phase in ["throughput"] + ([] if skip_1gb else ["memory"]):
        servers = Servers(backend)
        try:
            await asyncio.to_thread(servers.start)
            async with httpx.AsyncClient(base_url=servers.url, timeout=httpx.Timeout(600)) as client:
                channel_id = await setup_world(client)
                if phase == "throughput":
                    results["1MB x20"] = await throughput(client, channel_id, 1 * MB, 20)
                    results["200MB x2"] = await throughput(client, channel_id, 200 * MB, 2)
                else:
                    results["1GB memory"] = await peak_memory(client, channel_id, servers.server.pid, 1024 * MB)
        finally:
            servers.stop()
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", choices=["local", "s3", "both"], default="both")
    ap.add_argument("--skip-1gb", action="store_true")
    args = ap.parse_args()
    backends = ["local", "s3"] if args.backend == "both" else [args.backend]
    for backend in backends:
        results = asyncio.run(run_backend(backend, args.skip_1gb))
        for name, r in results.items():
            print(f"{backend:6} {name:11} " + "  ".join(f"{k}={v:.1f}" for k, v in r.items()), flush=True)


if __name__ == "__main__":
    main()
