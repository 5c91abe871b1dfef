"""Prometheus metrics (MetricsSettings): ``GET /metrics`` on their own listener
(``MetricsSettings.ListenAddress``, default ``:8067``) while ``MetricsSettings.Enable``, as Mattermost.

Counted per server process: HTTP requests (method, status) and their latency, open WebSocket
connections, posts saved, pushes (sent/failed/removed, retries, proxy latency) and notification
mails (sent/failed); and what the apps report through ``POST /client_perf`` (``chinwag.app.client_perf``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any

import structlog
import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chinwag.push.proxy import BUCKETS_MS

if TYPE_CHECKING:
    from chinwag.app.app import App
    from chinwag.platform.hub import Hub

log = structlog.get_logger("chinwag.metrics")

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class AppCollector(Collector):
    """Reads the app's own counters at scrape time."""

    def __init__(self, app: App, hub: Hub) -> None:
        self.app = app
        self.hub = hub

    def collect(self) -> Iterable[Metric]:
        yield GaugeMetricFamily("chinwag_websocket_connections", "Open WebSocket connections.",
                                value=self.hub.connection_count())
        yield CounterMetricFamily("chinwag_posts", "Posts saved.", value=self.app.posts.created)
        email = self.app.email_notifications
        yield CounterMetricFamily("chinwag_email_notifications_sent", "Notification mails the SMTP server took.",
                                  value=email.sent)
        yield CounterMetricFamily("chinwag_email_notifications_failed",
                                  "Notification mail sends that failed (each is retried).", value=email.failed)
        m = self.app.push_notifications.client.metrics
        pushes = CounterMetricFamily("chinwag_push_notifications", "Pushes by the proxy's answer.",
                                     labels=["result"])
        pushes.add_metric(["sent"], m.sent)
        pushes.add_metric(["failed"], m.failed)
        pushes.add_metric(["removed"], m.removed)
        yield pushes
        yield CounterMetricFamily("chinwag_push_notification_retries", "Immediate resends to the push proxy.",
                                  value=m.retries)
        buckets: list[tuple[str, float]] = []
        total = 0
        for bound, count in zip(BUCKETS_MS, m.latency_buckets, strict=False):
            total += count
            buckets.append((repr(bound / 1000), total))
        total += m.latency_buckets[-1]
        buckets.append(("+Inf", total))
        yield HistogramMetricFamily("chinwag_push_notification_latency_seconds",
                                    "Push proxy request latency (answered requests).",
                                    buckets=buckets, sum_value=m.latency_ms_sum / 1000)


class _ListenerServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the main one (same process, same loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class Metrics:
    """One server process's registry and its HTTP counters."""

    def __init__(self, app: App, hub: Hub) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter("chinwag_http_requests", "HTTP requests served.", ["method", "status"],
                                     registry=self.registry)
        self.http_latency = Histogram("chinwag_http_request_duration_seconds", "HTTP request latency.",
                                      ["method"], buckets=HTTP_BUCKETS, registry=self.registry)
        self.registry.register(AppCollector(app, hub))
        self.registry.register(app.client_perf.registry)  # the apps' reports (POST /client_perf)
        self._counts: dict[tuple[str, int], Any] = {}
        self._latencies: dict[str, Any] = {}
        self._server: _ListenerServer | None = None
        self._task: asyncio.Task[None] | None = None

    def observe(self, method: str, status: int, seconds: float) -> None:
        """One HTTP request (``HttpPipeline`` calls this for every one). The labelled children are
        kept: ``labels()`` takes a lock and builds its key on every call."""
        key = (method, status)
        count = self._counts.get(key)
        if count is None:
            count = self._counts[key] = self.http_requests.labels(method, str(status))
        latency = self._latencies.get(method)
        if latency is None:
            latency = self._latencies[method] = self.http_latency.labels(method)
        count.inc()
        latency.observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def asgi(self) -> Starlette:
        async def metrics(request: Request) -> Response:
            return Response(self.exposition(), media_type=CONTENT_TYPE_LATEST)

        return Starlette(routes=[Route("/metrics", metrics)])

    async def start(self, listen_address: str) -> None:
        """Serve /metrics on ``listen_address`` (``host:port``; an empty host is every interface).
        A port already taken (another worker process of this server) is logged, not fatal."""
        host, _, port = listen_address.rpartition(":")
        config = uvicorn.Config(self.asgi(), host=host.strip("[]") or "0.0.0.0", port=int(port or 8067),
                                log_level="warning", log_config=None, lifespan="off", access_log=False)
        server = _ListenerServer(config)
        self._server = server
        self._task = asyncio.get_running_loop().create_task(self._serve(server, listen_address))

    async def _serve(self, server: _ListenerServer, where: str) -> None:
        try:
            await server.serve()
        except (OSError, SystemExit) as e:
            log.warning("metrics listener not started", listen_address=where, error=repr(e))

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self._server = None
