"""Mattermost's RateLimitSettings over every HTTP request: a GCRA budget of ``PerSec`` requests a second
with bursts of ``MaxBurst``, per key — the session token (``VaryByUser``; the address when there is no
token), else the client address (``VaryByRemoteAddr``), plus the value of the ``VaryByHeader`` header.
Every answer carries ``X-RateLimit-Limit/Remaining/Reset``; a refused request gets 429 ``limit exceeded``
(plain text, as Mattermost's throttled handler writes it) with ``Retry-After`` (``HttpPipeline`` in
``chinwag.web.asgi`` applies it). The budgets live in the
process (``MemoryStoreSize`` keys) or, clustered, in Redis so that all nodes share them."""

from __future__ import annotations

import hashlib

from starlette.requests import HTTPConnection

from chinwag.config.schema import RateLimitSettings
from chinwag.web.auth import TokenLocation, client_ip, token_from_request


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
