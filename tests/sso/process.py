"""Start and stop the test identity provider process (tests/sso/idp.py) on a free loopback port."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.procs import free_port

ROOT = Path(__file__).resolve().parents[2]


class IdpProcess:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> IdpProcess:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.sso.idp", str(self.port)], cwd=ROOT)
        deadline = time.monotonic() + 90  # as the servers: a busy CI machine starts processes slowly
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the test IdP exited")
            try:
                if httpx.get(self.url + "/jwks", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the test IdP did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def control(self, **body: Any) -> dict[str, Any]:
        r = httpx.post(self.url + "/_control", json=body, timeout=5)
        r.raise_for_status()
        return dict(r.json())

    def register(self, client_id: str, secret: str, site_url: str) -> None:
        uris = [f"{site_url}/signup/{s}/complete" for s in ("gitlab", "openid")]
        self.control(clients={client_id: {"secret": secret, "redirect_uris": uris}})

    def gitlab_env(self, client_id: str, secret: str) -> dict[str, str]:
        return {"MM_GITLABSETTINGS_ENABLE": "true", "MM_GITLABSETTINGS_ID": client_id,
                "MM_GITLABSETTINGS_SECRET": secret, "MM_GITLABSETTINGS_SCOPE": "read_user",
                "MM_GITLABSETTINGS_AUTHENDPOINT": self.url + "/oauth/authorize",
                "MM_GITLABSETTINGS_TOKENENDPOINT": self.url + "/oauth/token",
                "MM_GITLABSETTINGS_USERAPIENDPOINT": self.url + "/api/v4/user"}

    def openid_env(self, client_id: str, secret: str) -> dict[str, str]:
        return {"MM_OPENIDSETTINGS_ENABLE": "true", "MM_OPENIDSETTINGS_ID": client_id,
                "MM_OPENIDSETTINGS_SECRET": secret,
                "MM_OPENIDSETTINGS_DISCOVERYENDPOINT": self.url + "/.well-known/openid-configuration",
                "MM_OPENIDSETTINGS_BUTTONTEXT": "Sign in with Test IdP"}
