"""EventStream on Redis Streams: XADD to publish, XREAD on every node to deliver, XRANGE to replay.

Events relayed from the outbox are added at most once per outbox row: the events of one row are added
by one script that first sets the row's guard key (``<prefix>:outbox:<row id>``, SET NX). A row
published again — taken over from a node that died between its XADD and deleting the row, or a retry
of a pipeline whose answer was lost — finds the guard and adds nothing, so the history (and every
client, live or replaying) has each event once. The relay drops the guards of the rows it deleted
(``forget``); a guard left behind by a crash expires with the history's retention."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any

import msgspec
import redis.asyncio as aioredis

from chinwag.bus.base import Subscriber, WriteProgress

log = logging.getLogger("chinwag.bus.redis")

_SEQ = 1_000_000  # Redis ids are "<ms>-<seq>"; pos = ms * _SEQ + seq
#: a batch of the writer: at most this many events (a row's events are never split)
BATCH = 500

#: KEYS: the stream, the row's guard. ARGV: maxlen, guard ttl (s), then the events.
_ADD_ONCE = """
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then
  for i = 3, #ARGV do
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'd', ARGV[i])
  end
  return 1
end
return 0
"""

#: KEYS: the connections' checkpoint keys. ARGV: ttl (s), then each key's value. One command for a
#: round of checkpoints: a pipeline of one SET per connection cost the node ≈ 60 µs of CPU per
#: checkpoint in redis-py (commands built, packed and answered one by one), this ≈ 10 µs (#27)
_SET_CHECKPOINTS = """
for i, k in ipairs(KEYS) do
  redis.call('SET', k, ARGV[i + 1], 'EX', ARGV[1])
end
return #KEYS
"""


def pos_of(stream_id: bytes | str) -> int:
    s = stream_id.decode() if isinstance(stream_id, bytes) else stream_id
    ms, _, seq = s.partition("-")
    return int(ms) * _SEQ + int(seq or 0)


def id_of(pos: int) -> str:
    return f"{pos // _SEQ}-{pos % _SEQ}"


class RedisStream:
    def __init__(self, url: str, prefix: str = "chinwag", retention_ms: int = 86_400_000,
                 max_events: int = 1_000_000) -> None:
        self.url = url
        self.key = f"{prefix}:events"
        self.prefix = prefix
        self.retention_ms = retention_ms
        self.max_events = max_events
        self.redis: Any = aioredis.from_url(url)
        self.reader_conn: Any = aioredis.from_url(url)
        self.subscribers: list[Subscriber] = []
        #: (event, outbox row id or "") in publish order, not yet added; a row's events are queued together
        self.queue: deque[tuple[bytes, str]] = deque()
        self._wake = asyncio.Event()
        self._add_once: Any = self.redis.register_script(_ADD_ONCE)
        self._set_checkpoints: Any = self.redis.register_script(_SET_CHECKPOINTS)
        self._lease: Any = None
        self._writing = False
        self.tasks: list[asyncio.Task[None]] = []
        self.last_id = "$"
        self.progress = WriteProgress()

    def subscribe(self, callback: Subscriber) -> None:
        self.subscribers.append(callback)

    #: Redis and the database are two stores: the relay deletes outbox rows after ``flushed``
    settles_outbox = False

    def publish(self, event: dict[str, Any], done: str = "") -> None:
        self.queue.append((msgspec.json.encode(event), done))
        self.progress.published += 1
        self._wake.set()

    def guard_key(self, row_id: str) -> str:
        return f"{self.prefix}:outbox:{row_id}"

    async def forget(self, row_ids: list[str]) -> None:
        """The relay deleted these outbox rows: nobody publishes them again, their guards can go."""
        if row_ids:
            await self.redis.delete(*[self.guard_key(r) for r in row_ids])

    #: KEYS: the lease. ARGV: this node's id, ttl (ms). Taken when free, renewed when ours: 1; else 0
    _LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""

    async def hold_lease(self, name: str, holder: str, ttl_ms: int) -> bool:
        """Take the cluster's lease ``name`` for ``holder`` when nobody holds it, or renew it when
        ``holder`` does (for ``ttl_ms``); whether ``holder`` holds it now. A holder that dies (or stops
        renewing) loses it when the ttl runs out, and the next node to ask takes it."""
        if self._lease is None:
            self._lease = self.redis.register_script(self._LEASE)
        return bool(await self._lease(keys=[f"{self.prefix}:lease:{name}"], args=[holder, ttl_ms]))

    async def flushed(self) -> bool:
        return await self.progress.caught_up()

    async def start(self) -> None:
        await self.redis.ping()
        info = await self.redis.xinfo_stream(self.key) if await self.redis.exists(self.key) else None
        self.last_id = info["last-generated-id"].decode() if info else "0-0"
        self.tasks = [asyncio.create_task(self._writer()), asyncio.create_task(self._reader()),
                      asyncio.create_task(self._trimmer())]

    async def close(self) -> None:
        for _ in range(300):  # let the writer drain what was published (3 s at most)
            if not self.queue and not self._writing:
                break
            await asyncio.sleep(0.01)
        for t in self.tasks:
            t.cancel()
        for t in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await self.redis.aclose()
        await self.reader_conn.aclose()

    async def _writer(self) -> None:
        ttl = max(60, self.retention_ms // 1000)
        while True:
            if not self.queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = [self.queue.popleft()]
            # a row's events are queued together: never end a batch inside one
            while self.queue and (len(batch) < BATCH or (batch[-1][1] and self.queue[0][1] == batch[-1][1])):
                batch.append(self.queue.popleft())
            self._writing = True
            while True:
                try:
                    pipe = self.redis.pipeline(transaction=False)
                    i = 0
                    while i < len(batch):
                        data, done = batch[i]
                        if not done:
                            pipe.xadd(self.key, {"d": data}, maxlen=self.max_events, approximate=True)
                            i += 1
                            continue
                        j = i
                        while j < len(batch) and batch[j][1] == done:
                            j += 1
                        await self._add_once(keys=[self.key, self.guard_key(done)],
                                             args=[self.max_events, ttl, *(d for d, _ in batch[i:j])], client=pipe)
                        i = j
                    await pipe.execute()
                    self.progress.wrote(len(batch))
                    self._writing = False
                    break
                except Exception as e:  # Redis down: keep the events and retry
                    self.progress.failed()
                    log.warning("redis XADD failed, retrying: %s", e)
                    await asyncio.sleep(0.5)

    async def _reader(self) -> None:
        while True:
            try:
                resp = await self.reader_conn.xread({self.key: self.last_id}, count=1000, block=1000)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.warning("redis XREAD failed, retrying: %s", e)
                await asyncio.sleep(0.5)
                continue
            for _key, entries in resp or []:
                for entry_id, fields in entries:
                    self.last_id = entry_id.decode()
                    event = msgspec.json.decode(fields[b"d"])
                    pos = pos_of(entry_id)
                    for cb in self.subscribers:
                        cb(pos, event)

    async def _trimmer(self) -> None:
        while True:
            await asyncio.sleep(60)
            with contextlib.suppress(Exception):
                min_id = f"{int(time.time() * 1000) - self.retention_ms}-0"
                await self.redis.xtrim(self.key, minid=min_id, approximate=True)

    async def read_after(self, pos: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
        entries = await self.redis.xrange(self.key, min="(" + id_of(pos), max="+", count=limit)
        return [(pos_of(eid), msgspec.json.decode(f[b"d"])) for eid, f in entries]

    async def bounds(self) -> tuple[int, int]:
        first = await self.redis.xrange(self.key, count=1)
        last = await self.redis.xrevrange(self.key, count=1)
        if not first:
            return 0, 0
        return pos_of(first[0][0]), pos_of(last[0][0])

    async def save_checkpoints(self, items: list[tuple[str, str, dict[str, Any]]]) -> None:
        if not items:
            return
        ttl = max(60, self.retention_ms // 1000)
        await self._set_checkpoints(keys=[f"{self.prefix}:conn:{cid}" for cid, _, _ in items],
                                    args=[ttl, *(msgspec.json.encode({"u": uid, "s": state}) for _, uid, state in items)])

    async def load_checkpoint(self, connection_id: str) -> tuple[str, dict[str, Any]] | None:
        raw = await self.redis.get(f"{self.prefix}:conn:{connection_id}")
        if raw is None:
            return None
        d = msgspec.json.decode(raw)
        return str(d["u"]), dict(d["s"])


class RedisPresence:
    """Per-node sets of connected users with a TTL refreshed by heartbeats, so a node that dies
    stops counting within ``ttl`` seconds."""

    def __init__(self, url: str, prefix: str, node_id: str, ttl: int = 30) -> None:
        self.redis: Any = aioredis.from_url(url)
        self.prefix = prefix
        self.key = f"{prefix}:presence:{node_id}"
        #: the nodes' presence keys, scored by when they are due to expire (ms): a lookup reads the live
        #: ones from here instead of a SCAN of the whole keyspace (thousands of resume checkpoints and
        #: guards: at 3,000 users two workers made ≈ 0.12 SCAN round trips per request, #27)
        self.nodes_key = f"{prefix}:presence-nodes"
        self.ttl = ttl
        self.local: dict[str, int] = {}

    def _register(self, pipe: Any) -> None:
        # an index only: each node's set keeps its own TTL, so a generous score (twice the ttl) costs
        # nothing but an empty lookup, and nodes' clocks a few seconds apart cannot hide a live node
        pipe.zadd(self.nodes_key, {self.key: int(time.time() * 1000) + 2000 * self.ttl})

    async def connected(self, user_id: str) -> None:
        self.local[user_id] = self.local.get(user_id, 0) + 1
        if self.local[user_id] == 1:
            pipe = self.redis.pipeline(transaction=False)
            pipe.sadd(self.key, user_id)
            pipe.expire(self.key, self.ttl)
            self._register(pipe)
            await pipe.execute()

    async def disconnected(self, user_id: str) -> bool:
        n = self.local.get(user_id, 0) - 1
        if n > 0:
            self.local[user_id] = n
            return False
        self.local.pop(user_id, None)
        await self.redis.srem(self.key, user_id)
        return not await self.online_anywhere([user_id])

    async def online_anywhere(self, user_ids: list[str]) -> set[str]:
        found: set[str] = {u for u in user_ids if u in self.local}
        rest = [u for u in user_ids if u not in found]
        if not rest:
            return found
        keys = await self.redis.zrangebyscore(self.nodes_key, int(time.time() * 1000), "+inf")
        if not keys:
            return found
        pipe = self.redis.pipeline(transaction=False)
        for key in keys:
            pipe.smismember(key, rest)
        for flags in await pipe.execute():
            found |= {u for u, f in zip(rest, flags, strict=True) if f}
        return found

    async def heartbeat(self, local_users: set[str]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(self.key)
        if local_users:
            pipe.sadd(self.key, *local_users)
            pipe.expire(self.key, self.ttl)
        self._register(pipe)
        pipe.zremrangebyscore(self.nodes_key, "-inf", int(time.time() * 1000))  # nodes gone for good
        await pipe.execute()

    async def close(self) -> None:
        await self.redis.delete(self.key)
        await self.redis.zrem(self.nodes_key, self.key)
        await self.redis.aclose()
