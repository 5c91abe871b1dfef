"""Fixtures of the unit tests that talk to a real Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis_ns() -> AsyncIterator[tuple[Any, str]]:
    """A client of the local Redis and a key prefix of the test's own (skipped without Redis); every key
    under the prefix is deleted afterwards."""
    import redis.asyncio as aioredis

    probe = aioredis.from_url(REDIS_URL)
    try:
        await probe.ping()
    except Exception:
        await probe.aclose()
        pytest.skip("needs Redis")
    prefix = f"chinwag:test-{uuid.uuid4().hex[:8]}"
    try:
        yield probe, prefix
    finally:
        keys = [k async for k in probe.scan_iter(f"{prefix}:*")]
        if keys:
            await probe.delete(*keys)
        await probe.aclose()
