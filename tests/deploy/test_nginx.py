"""deploy/nginx-chinwag.conf in front of a real server: HTTPS, the HTTP→HTTPS redirect, uploads and
the WebSocket upgrade (Debian's nginx, apt-installed when missing; skipped only where it cannot be)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.procs import ROOT, ServerProcess, free_port, sqlite_env, workdir


def _find_nginx() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def _ensure_nginx() -> str | None:
    """Debian's nginx, installed with apt when missing (the test machine runs as root)."""
    if _find_nginx() is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=False)
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "nginx-light"], env=env,
                       capture_output=True, check=False)
    return _find_nginx()


NGINX = _ensure_nginx()
pytestmark = pytest.mark.skipif(NGINX is None, reason="needs nginx (apt-get install nginx-light; needs root)")


def site_config(upstream: int, http_port: int, https_port: int, cert: str, key: str) -> str:
    """The shipped site, pointed at test ports and a self-signed certificate."""
    text = (ROOT / "deploy" / "nginx-chinwag.conf").read_text()
    text = text.replace("127.0.0.1:8065", f"127.0.0.1:{upstream}")
    text = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", text)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    text = text.replace("return 301 https://$host$request_uri;", f"return 301 https://$host:{https_port}$request_uri;")
    text = text.replace("/etc/letsencrypt/live/chat.example.com/fullchain.pem", cert)
    return text.replace("/etc/letsencrypt/live/chat.example.com/privkey.pem", key)


@pytest.fixture(scope="module")
def proxied() -> Iterator[tuple[ServerProcess, str, int]]:
    wd = workdir()
    http_port, https_port = free_port(), free_port()
    proc = ServerProcess({**sqlite_env(wd), "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5"}, wd)
    proc.env["MM_SERVICESETTINGS_SITEURL"] = f"https://localhost:{https_port}"
    proc.start()
    cert, key = os.path.join(wd, "cert.pem"), os.path.join(wd, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    prefix = Path(wd, "nginx")
    (prefix / "logs").mkdir(parents=True)
    (prefix / "site.conf").write_text(site_config(proc.port, http_port, https_port, cert, key))
    (prefix / "nginx.conf").write_text(f"""
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {prefix}/logs/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    include {prefix}/site.conf;
}}
""")
    assert NGINX is not None
    nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                             stderr=subprocess.PIPE)
    url = f"https://localhost:{https_port}"
    try:
        end = time.monotonic() + 20
        while True:
            try:
                if httpx.get(url + "/api/v4/system/ping", verify=False, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if nginx.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"nginx did not start: {nginx.stderr.read().decode() if nginx.stderr else ''}")
            time.sleep(0.1)
        yield proc, url, http_port
    finally:
        nginx.send_signal(signal.SIGQUIT)
        try:
            nginx.wait(10)
        except subprocess.TimeoutExpired:
            nginx.kill()
        proc.stop()


@pytest.fixture(scope="module")
def admin(proxied: tuple[ServerProcess, str, int]) -> None:
    with httpx.Client(base_url=proxied[1] + "/api/v4", verify=False) as c:
        assert c.post("/users", json={"username": "ann", "email": "ann@example.com",
                                      "password": "password"}).status_code == 201


def test_https_redirect_and_uploads(proxied: tuple[ServerProcess, str, int], admin: None) -> None:
    _, url, http_port = proxied
    r = httpx.get(f"http://127.0.0.1:{http_port}/login", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"].startswith("https://")
    with httpx.Client(base_url=url + "/api/v4", verify=False) as c:
        r = c.post("/users/login", json={"login_id": "ann", "password": "password"},
                   headers={"X-Requested-With": "XMLHttpRequest"})
        assert r.status_code == 200
        assert "Secure" in r.headers.get("set-cookie", "")  # X-Forwarded-Proto: https reached the server
        c.cookies.clear()  # from here on the bearer token (cookie requests would need the CSRF header)
        c.headers["Authorization"] = f"Bearer {r.headers['Token']}"
        team = c.post("/teams", json={"name": "proxied", "display_name": "Proxied", "type": "O"}).json()
        ch = c.get(f"/teams/{team['id']}/channels/name/town-square").json()
        data = os.urandom(3 * 1024 * 1024)
        up = c.post("/files", params={"channel_id": ch["id"], "filename": "big.bin"}, content=data)
        assert up.status_code == 201, up.text
        assert c.get(f"/files/{up.json()['file_infos'][0]['id']}").content == data


def test_websocket_upgrade_through_nginx(proxied: tuple[ServerProcess, str, int], admin: None) -> None:
    url = proxied[1]
    with httpx.Client(base_url=url + "/api/v4", verify=False) as c:
        token = c.post("/users/login", json={"login_id": "ann", "password": "password"}).headers["Token"]

    async def run() -> dict[str, object]:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        wss = url.replace("https://", "wss://") + "/api/v4/websocket"
        async with websockets.connect(wss, ssl=ctx, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
            await ws.send(json.dumps({"seq": 1, "action": "ping"}))
            while True:  # events (a status change) may come before the reply
                reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if reply.get("seq_reply") == 1:
                    return {"hello": hello, "reply": reply}

    got = asyncio.run(run())
    assert got["hello"]["event"] == "hello"  # type: ignore[index]
    assert got["reply"]["data"]["text"] == "pong"  # type: ignore[index]
