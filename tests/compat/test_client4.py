"""The official JavaScript client, @mattermost/client's Client4 (pinned in js/package.json), run with
node against a real `chinwag serve`. Each script exits non-zero with a message on any mismatch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compat.conftest import LiveServer, run_node

pytestmark = pytest.mark.compat


def test_client4_scenario(live_server: LiveServer, js_client: Path) -> None:
    assert run_node(js_client, "scenario.js", live_server).strip() == "ok"


def test_client4_paging(live_server: LiveServer, js_client: Path) -> None:
    assert run_node(js_client, "paging.js", live_server).strip() == "ok"


def test_websocket_client_resumes_without_hello(live_server: LiveServer, js_client: Path) -> None:
    out = run_node(js_client, "websocket.js", live_server)  # the client logs its own progress too
    assert out.strip().splitlines()[-1] == "ok"
