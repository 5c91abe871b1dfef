"""The official JavaScript client, @mattermost/client's Client4 (pinned in js/package.json), run with
node against a real `chinwag serve`. Each script exits non-zero with a message on any mismatch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compat.conftest import LiveServer, run_node

pytestmark = pytest.mark.compat


def test_client4_scenario(live_server: LiveServer, js_client: Path) -> None:
    assert run_node(js_client, "scenario.js", live_server).strip() == "ok"


def test_client4_profile_settings(live_server: LiveServer, js_client: Path) -> None:
    """Language, profile picture and custom status with the web app's own Client4 calls."""
    assert run_node(js_client, "profile.js", live_server).strip() == "ok"


def test_client4_paging(live_server: LiveServer, js_client: Path) -> None:
    assert run_node(js_client, "paging.js", live_server).strip() == "ok"


def test_websocket_client_resumes_without_hello(live_server: LiveServer, js_client: Path) -> None:
    out = run_node(js_client, "websocket.js", live_server)  # the client logs its own progress too
    assert out.strip().splitlines()[-1] == "ok"


def test_client4_account_and_system_calls(live_server: LiveServer, js_client: Path) -> None:
    """Password reset and verification requests, invitations, team icons, scheme roles, the sign-in switch
    and the System Console's maintenance calls, through the official client."""
    assert run_node(js_client, "account.js", live_server).strip() == "ok"


def test_client4_oauth_apps_and_reminders(live_server: LiveServer, js_client: Path) -> None:
    """The web app's OAuth 2.0 application, consent and Security calls; post reminders."""
    assert run_node(js_client, "oauth.js", live_server).strip() == "ok"
