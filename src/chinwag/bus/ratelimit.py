"""Rate limits as a generic cell rate algorithm (GCRA, the one Mattermost's ``throttled`` limiter uses):
each key keeps one number, its theoretical arrival time; a quota of ``per_sec`` with ``burst`` lets
``burst + 1`` requests through at once, then one every ``1/per_sec`` seconds.

Two stores keep those numbers: in process memory (least recently used keys dropped beyond a size), or in
Redis (one Lua script per decision, so every node of a cluster shares the same budget)."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

_US = 1_000_000


@dataclass(frozen=True)
class Quota:
    per_sec: float
    burst: int

    @property
    def interval_us(self) -> int:
        return max(1, round(_US / self.per_sec)) if self.per_sec > 0 else _US

    @property
    def tolerance_us(self) -> int:
        return self.interval_us * (self.burst + 1)


@dataclass(frozen=True)
class RateResult:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int  # seconds until the key is back to its full budget
    retry_after_s: int  # seconds until the next request would pass (0 when allowed)

    def headers(self) -> list[tuple[bytes, bytes]]:
        out = [(b"x-ratelimit-limit", str(self.limit).encode()),
               (b"x-ratelimit-remaining", str(self.remaining).encode()),
               (b"x-ratelimit-reset", str(self.reset_s).encode())]
        if not self.allowed:
            out.append((b"retry-after", str(self.retry_after_s).encode()))
        return out


def decide(tat_us: int | None, now_us: int, quota: Quota) -> tuple[bool, int]:
    """One GCRA step: (allowed, the key's new theoretical arrival time)."""
    tat = max(tat_us if tat_us is not None else now_us, now_us)
    new_tat = tat + quota.interval_us
    if now_us < new_tat - quota.tolerance_us:
        return False, tat
    return True, new_tat


def result(allowed: bool, tat_us: int, now_us: int, quota: Quota) -> RateResult:
    ttl = max(0, tat_us - now_us)
    spare = quota.tolerance_us - ttl
    remaining = max(0, spare // quota.interval_us) if spare > -quota.interval_us else 0
    retry = 0
    if not allowed:
        retry = max(1, math.ceil((tat_us + quota.interval_us - quota.tolerance_us - now_us) / _US))
    return RateResult(allowed, quota.burst + 1, int(remaining), math.ceil(ttl / _US), retry)


class RateStore(Protocol):
    async def take(self, key: str, quota: Quota, peek: bool = False) -> RateResult:
        """Spend one request of the key's budget (``peek``: only say whether one would pass)."""
        ...

    async def close(self) -> None: ...


def _now_us() -> int:
    return time.monotonic_ns() // 1000


class MemoryRateStore:
    """One process's limits: the newest ``size`` keys (least recently used dropped first)."""

    def __init__(self, size: int = 10_000, clock: Any = _now_us) -> None:
        self.size = max(1, size)
        self.clock = clock
        self.cells: OrderedDict[str, int] = OrderedDict()

    async def take(self, key: str, quota: Quota, peek: bool = False) -> RateResult:
        now = self.clock()
        allowed, tat = decide(self.cells.get(key), now, quota)
        if peek:
            return result(allowed, self.cells.get(key, now), now, quota)
        self.cells[key] = tat
        self.cells.move_to_end(key)
        while len(self.cells) > self.size:
            self.cells.popitem(last=False)
        return result(allowed, tat, now, quota)

    async def close(self) -> None:
        return None


_GCRA = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
if now < new_tat - tolerance then
  return {0, string.format('%.0f', tat)}
end
if ARGV[4] == '1' then
  return {1, string.format('%.0f', tat)}
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.max(1, math.ceil((new_tat - now) / 1000)))
return {1, string.format('%.0f', new_tat)}
"""


class RedisRateStore:
    """The limits of a cluster: every node decides on the same Redis key, atomically. Times are the
    nodes' wall clocks (kept in step by NTP), in microseconds."""

    def __init__(self, url: str, prefix: str, clock: Any = None) -> None:
        import redis.asyncio as aioredis

        self.redis: Any = aioredis.from_url(url)
        self.prefix = f"{prefix}:ratelimit:"
        self.clock = clock or (lambda: time.time_ns() // 1000)
        self.script: Any = self.redis.register_script(_GCRA)

    async def take(self, key: str, quota: Quota, peek: bool = False) -> RateResult:
        now = self.clock()
        allowed, tat = await self.script(keys=[self.prefix + key],
                                         args=[now, quota.interval_us, quota.tolerance_us, int(peek)])
        return result(bool(int(allowed)), int(tat), now, quota)

    async def close(self) -> None:
        await self.redis.aclose()
