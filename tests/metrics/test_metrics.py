"""The Prometheus endpoint (MetricsSettings) of a real server process: scraped before and after some
traffic (HTTP requests, a WebSocket, a post with a push and a notification mail), the exposition
parses and the numbers move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families

from tests.procs import ServerProcess, free_port, sqlite_env, workdir
from tests.receiver import Receiver, receiver
from tests.smtp import SmtpServer


@pytest.fixture
async def proxy() -> AsyncIterator[Receiver]:
    async with receiver() as rec:
        rec.default.body = b'{"status":"OK"}'
        yield rec


def scrape(url: str) -> dict[str, float]:
    """Every sample of the exposition, by name and labels."""
    r = httpx.get(url, timeout=5)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            out[f"{s.name}{{{labels}}}" if labels else s.name] = s.value
    return out


def total(samples: dict[str, float], prefix: str) -> float:
    return sum(v for k, v in samples.items() if k.startswith(prefix))


async def test_metrics_endpoint_counts(proxy: Receiver, tmp_path: Path) -> None:
    smtp = SmtpServer(tmp_path).start()
    wd = workdir()
    port = free_port()
    env = {**sqlite_env(wd), "MM_METRICSSETTINGS_ENABLE": "true",
           "MM_METRICSSETTINGS_LISTENADDRESS": f"127.0.0.1:{port}",
           "MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS": "true", "MM_EMAILSETTINGS_PUSHNOTIFICATIONSERVER": proxy.url,
           "MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS": "true", "MM_EMAILSETTINGS_SMTPSERVER": "127.0.0.1",
           "MM_EMAILSETTINGS_SMTPPORT": str(smtp.port), "MM_EMAILSETTINGS_FEEDBACKEMAIL": "noreply@example.com"}
    srv = ServerProcess(env, wd).start()
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        before = scrape(url)
        assert before["chinwag_websocket_connections"] == 0
        assert before["chinwag_posts_total"] == 0
        assert before["chinwag_email_notifications_sent_total"] == 0
        assert before["chinwag_push_notifications_total{result=sent}"] == 0
        async with httpx.AsyncClient(base_url=srv.api, timeout=10) as c:
            r = await c.post("/users", json={"username": "alice", "email": "alice@example.com", "password": "password1"})
            assert r.status_code == 201, r.text
            r = await c.post("/users/login", json={"login_id": "alice", "password": "password1"})
            alice = {"Authorization": f"Bearer {r.headers['Token']}"}
            r = await c.post("/users", json={"username": "bob", "email": "bob@example.com", "password": "password1"},
                             headers=alice)
            bob_id = r.json()["id"]
            team = (await c.post("/teams", json={"name": "acme", "display_name": "Acme", "type": "O"},
                                 headers=alice)).json()
            r = await c.post(f"/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": bob_id},
                             headers=alice)
            assert r.status_code == 201, r.text
            r = await c.post("/users/login", json={"login_id": "bob", "password": "password1"})
            bob = {"Authorization": f"Bearer {r.headers['Token']}"}
            r = await c.put("/users/sessions/device", json={"device_id": "android_rn:BOB"}, headers=bob)
            assert r.status_code == 200, r.text
            town = (await c.get(f"/teams/{team['id']}/channels/name/town-square", headers=alice)).json()
            async with websockets.connect(srv.ws_url, additional_headers=alice) as ws:
                await ws.recv()  # hello
                during = scrape(url)
                r = await c.post("/posts", json={"channel_id": town["id"], "message": "@bob metrics please"},
                                 headers=alice)
                assert r.status_code == 201, r.text
                await proxy.wait(1)
                (mail,) = await smtp.inbox.wait(1)
                assert mail["To"] == "bob@example.com"
            assert during["chinwag_websocket_connections"] == 1
        after = scrape(url)
        assert after["chinwag_posts_total"] >= 1
        assert after["chinwag_push_notifications_total{result=sent}"] == 1
        assert after["chinwag_push_notification_latency_seconds_count"] == 1
        assert after["chinwag_email_notifications_sent_total"] == 1
        assert after["chinwag_email_notifications_failed_total"] == 0
        assert after["chinwag_http_requests_total{method=POST,status=201}"] >= 5
        assert total(after, "chinwag_http_requests_total") > total(before, "chinwag_http_requests_total")
        assert after["chinwag_http_request_duration_seconds_count{method=POST}"] >= 5
    finally:
        srv.stop()
        smtp.stop()
