"""Mattermost's RateLimitSettings over every HTTP request: a GCRA budget of ``PerSec`` requests a second
with bursts of ``MaxBurst``, per key — the session token (``VaryByUser``; the address when there is no
token), else the client address (``VaryByRemoteAddr``), plus the value of the ``VaryByHeader`` header.
Every answer carries ``X-RateLimit-Limit/Remaining/Reset``; a refused request gets 429 ``limit exceeded``
(plain text, as Mattermost's throttled handler writes it) with ``Retry-After``. The budgets live in the
process (``MemoryStoreSize`` keys) or, clustered, in Redis so that all nodes share them."""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from typing import Any

from starlette.requests import HTTPConnection

from chinwag.app.app import App
from chinwag.bus.ratelimit import Quota, RateStore
from chinwag.config.schema import RateLimitSettings
from chinwag.web.auth import TokenLocation, client_ip, token_from_request

Scope = MutableMapping[str, Any]


def rate_key(conn: HTTPConnection, settings: RateLimitSettings, trusted: list[str]) -> str:
    key = ""
    if settings.VaryByUser:
        token, location = token_from_request(conn)
        if location != TokenLocation.NONE:
            key = "t:" + hashlib.sha256(token.encode()).hexdigest()[:32]
        elif settings.VaryByRemoteAddr:
            key = "a:" + client_ip(conn, trusted)
    elif settings.VaryByRemoteAddr:
        key = "a:" + client_ip(conn, trusted)
    if settings.VaryByHeader:
        key += "|h:" + conn.headers.get(settings.VaryByHeader, "").lower()
    return "http:" + key


class RateLimitMiddleware:
    def __init__(self, inner: Any, app: App, store: RateStore) -> None:
        self.inner = inner
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        cfg = self.app.config.config
        settings = cfg.RateLimitSettings
        if scope["type"] != "http" or not settings.Enable or scope.get("chinwag.local"):
            await self.inner(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        decision = await self.store.take(rate_key(conn, settings, cfg.ServiceSettings.TrustedProxyIPHeader),
                                         Quota(settings.PerSec, settings.MaxBurst))
        extra = decision.headers()
        if not decision.allowed:
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), *extra]})
            await send({"type": "http.response.body", "body": b"limit exceeded\n"})
            return

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.inner(scope, receive, send_with_headers)
