"""The push proxy client: ``POST {PushNotificationServer}/api/v1/send_push`` with Mattermost's
payload, retried at once (a couple of quick attempts) on connection errors and 5xx answers, with
in-process counters of latency and failures (exported by the metrics endpoint). Longer outages are
the caller's: app/push_notification.py keeps the push in its durable queue and retries later."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import msgspec

from chinwag.config.schema import EmailSettings
from chinwag.model.push import PUSH_STATUS_FAIL, PUSH_STATUS_OK, PushNotification, PushResponse

#: latency histogram bucket bounds, in milliseconds
BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)


@dataclass
class PushMetrics:
    sent: int = 0
    failed: int = 0
    removed: int = 0
    retries: int = 0
    latency_ms_sum: float = 0.0
    latency_ms_max: float = 0.0
    #: counts per bucket of BUCKETS_MS (the last one: above the largest bound)
    latency_buckets: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS_MS) + 1))

    def observe(self, ms: float) -> None:
        self.latency_ms_sum += ms
        self.latency_ms_max = max(self.latency_ms_max, ms)
        for i, bound in enumerate(BUCKETS_MS):
            if ms <= bound:
                self.latency_buckets[i] += 1
                return
        self.latency_buckets[-1] += 1


class PushProxyClient:
    def __init__(self, settings: Callable[[], EmailSettings], attempts: int = 3, backoff: float = 0.5) -> None:
        self._settings = settings
        self.attempts = attempts
        self.backoff = backoff
        self.metrics = PushMetrics()
        self._client: httpx.AsyncClient | None = None

    def enabled(self) -> bool:
        s = self._settings()
        return bool(s.SendPushNotifications and s.PushNotificationServer)

    async def send(self, msg: PushNotification) -> PushResponse:
        """Send one notification; the proxy's answer ("OK", "REMOVE": the device is gone, or
        "FAIL" once every attempt failed)."""
        answer, _ = await self.send_body(msgspec.json.encode(msg.to_dict()))
        return answer

    async def send_body(self, body: bytes) -> tuple[PushResponse, bool]:
        """Send one encoded notification: the proxy's answer, and whether a failure is worth
        retrying later (the proxy was unreachable or answered 5xx every time)."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=10.0, trust_env=False)
        url = self._settings().PushNotificationServer.rstrip("/") + "/api/v1/send_push"
        error = ""
        for attempt in range(self.attempts):
            if attempt:
                self.metrics.retries += 1
                await asyncio.sleep(self.backoff * (2 ** (attempt - 1)))
            started = time.perf_counter()
            try:
                resp = await self._client.post(url, content=body, headers={"Content-Type": "application/json"})
            except httpx.HTTPError as e:
                error = f"{type(e).__name__}: {e}"
                continue
            if resp.status_code >= 500:
                error = f"push proxy answered {resp.status_code}"
                continue
            self.metrics.observe((time.perf_counter() - started) * 1000)
            try:
                answer = msgspec.json.decode(resp.content, type=PushResponse)
            except msgspec.DecodeError:
                answer = PushResponse(status=PUSH_STATUS_OK if resp.status_code < 300 else PUSH_STATUS_FAIL)
            if resp.status_code >= 400 and answer.status == PUSH_STATUS_OK:
                answer.status = PUSH_STATUS_FAIL
            if answer.status == PUSH_STATUS_FAIL:
                self.metrics.failed += 1
            elif answer.status == PUSH_STATUS_OK:
                self.metrics.sent += 1
            else:
                self.metrics.removed += 1
            return answer, False
        self.metrics.failed += 1
        return PushResponse(status=PUSH_STATUS_FAIL, error=error), True

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
