"""The official web app's own actions — the published ``mattermost-redux`` (pinned in js/package.json) —
against a real ``chinwag serve``: log-in and start-up (me, teams, members, unreads, channels, categories,
roles, preferences, client config and licence), then everyday actions (post, react, reply, mark
unread, search, DM, theme, custom status, profile image, categories) and the System Console's first
calls. Every step must succeed, and no request may meet a route chinwag lacks (404
``api.context.404.app_error``) or a method it lacks (405) — except the steps below, which belong to
work under way elsewhere and are listed with a reason until it lands."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from chinwag.web.client_config import LICENSED_ONLY
from tests.compat.conftest import LiveServer, run_node

pytestmark = pytest.mark.compat

#: step → why it may fail for now. Remove an entry when its feature lands (the test says so).
EXPECTED_FAILURES: dict[str, str] = {}


def _steps(out: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert lines and lines[-1].get("done"), out[-2000:]
    return lines[:-1]


def test_web_app_actions(live_server: LiveServer, js_client: Path) -> None:
    steps = _steps(run_node(js_client, "redux.js", live_server, timeout=180))
    assert len(steps) >= 30
    problems, landed = [], []
    for s in steps:
        print(("ok  " if s["ok"] else "FAIL"), s["step"], s["error"][:120],
              [f"{r['method']} {r['path']} {r['status']}" for r in s["requests"] if r["status"] >= 400])
        dead_ends = [f"{r['method']} {r['path']} → {r['status']} {r.get('id', '')}" for r in s["requests"]
                     if (r["status"] == 404 and r.get("id") == "api.context.404.app_error") or r["status"] == 405]
        if s["step"] in EXPECTED_FAILURES:
            if s["ok"] and not dead_ends:
                landed.append(s["step"])
            continue
        if not s["ok"] or dead_ends:
            problems.append(f"{s['step']}: {s['error']} {dead_ends}")
    assert not problems, "\n".join(problems)
    assert not landed, f"these work now, remove them from EXPECTED_FAILURES: {landed}"


def _typed_keys(js_client: Path) -> set[str]:
    text = (js_client / "node_modules/@mattermost/types/lib/config.d.ts").read_text()
    body = text.split("export type ClientConfig = {", 1)[1].split("\n};", 1)[0]
    return set(re.findall(r"^    (\w+)\??:", body, re.M))


def test_client_config_has_every_typed_key(live_server: LiveServer, js_client: Path) -> None:
    """Every key of ``ClientConfig`` in the published @mattermost/types is in the logged-in client
    config, except the few only a licensed server sends."""
    typed = _typed_keys(js_client)
    assert len(typed) > 200
    with httpx.Client(base_url=live_server.api, timeout=15) as c:
        r = c.post("/users/login", json={"login_id": live_server.admin_username,
                                         "password": live_server.admin_password})
        token = r.headers["Token"]
        cfg = c.get("/config/client", params={"format": "old"}, headers={"Authorization": f"Bearer {token}"}).json()
        lic = c.get("/license/client", params={"format": "old"}).json()
    missing = sorted(typed - set(cfg) - LICENSED_ONLY)
    assert not missing, f"client config lacks {missing}"
    assert not (LICENSED_ONLY & set(cfg)), "an unlicensed server does not send these"
    assert all(isinstance(v, str) for v in cfg.values())
    assert lic == {"IsLicensed": "false"}
