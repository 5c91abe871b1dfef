"""The hub: live WebSocket connections on this node, per-connection sequence numbers, fan-out,
and lossless resume from the shared event stream.

The web layer makes a ``Conn`` around its socket and hands it to ``Hub.connect``, which decides
between a resume (the missed events are replayed from the history, page by page, and no hello) and
a fresh start (a new connection id and the hello frame), and holds the live events that arrive
meanwhile until the replay or the hello has gone out. Who receives an event is decided by one rule
(``broadcast.recipients``) for live delivery and for replay."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import socket
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import msgspec

from chinwag.bus.base import EventStream, LocalPresence, Presence
from chinwag.model.ids import new_id
from chinwag.platform.batch import GroupCommit
from chinwag.platform.broadcast import (
    ReplayMembership,
    changes_membership_of,
    is_internal,
    membership_change,
    recipients,
)
from chinwag.platform.events import Event, event_dict, mark_published
from chinwag.platform.stream import InTransaction, LocalStream

log = logging.getLogger("chinwag.platform.hub")
_encoder = msgspec.json.Encoder()

RING = 256  # (seq, pos) pairs a connection remembers for resume
#: the periodic checkpoint writes at most this many connections a second (2,500 busy sockets: each is
#: rewritten every ~6 s instead of every second — a row of up to RING pairs each; bench/README.md, #27)
CHECKPOINTS_PER_ROUND = 400
#: (seq, pos) pairs a periodic checkpoint keeps (the newest): what a resume after a crash needs from the ring is
#: the frames the client had not read yet when that checkpoint was written — a healthy reader is a few frames
#: behind, and what was sent after the checkpoint is covered by the resume's skip (it reads from the checkpoint's
#: position on). The final checkpoint of a closed connection keeps all RING pairs: a client whose network went
#: away can be far behind what was written to its socket. A periodic row of RING pairs (≈ 4 KB of JSON,
#: compressed and written out of line by PostgreSQL) cost the server ≈ 10 µs to encode and the database far more
#: to store, up to 400 of them a second (bench/README.md, #27)
CHECKPOINT_RING = 64
#: events read from the history at a time during a replay: a resume after hours of history holds
#: one page per connection, never the whole gap
REPLAY_PAGE = 100
#: a big fan-out writes to sockets for this long (seconds), then lets the loop run; 0.5 ms stretched the
#: delivery to the last of 1,500 members to seconds on a loaded machine (bench/README.md, #27)
FANOUT_SLICE = 0.002


class Membership(Protocol):
    def invalidate(self, kind: str, key: str) -> None: ...

    async def channel_members(self, channel_id: str) -> frozenset[str]: ...

    async def team_members(self, team_id: str) -> frozenset[str]: ...

    async def user_channels(self, user_id: str) -> set[str]: ...

    async def user_teams(self, user_id: str) -> set[str]: ...


def frame_prefix(event: dict[str, Any]) -> str:
    """The JSON frame of an event up to its seq: frame = prefix + str(seq) + "}"."""
    b = dict(event.get("broadcast") or {})
    b.pop("user_ids", None)
    body = _encoder.encode({"event": event["event"], "data": event.get("data") or {}, "broadcast": b})
    return body[:-1].decode() + ',"seq":'


async def _iterate(items: list[tuple[int, dict[str, Any]]]) -> AsyncIterator[tuple[int, dict[str, Any]]]:
    for item in items:
        yield item


class Conn:
    """One WebSocket connection as the hub sees it."""

    __slots__ = ("_held", "_writer", "checkpointed_at", "checkpointed_seq", "closed", "hub", "id", "last_pos", "on_overflow",
                 "queue", "ring", "send", "send_frame", "send_now", "seq", "token", "user_id")

    def __init__(self, hub: Hub, user_id: str, send: Callable[[str], Awaitable[None]],
                 on_overflow: Callable[[], None], token: str = "",
                 send_now: Callable[[str], bool] | None = None,
                 send_frame: Callable[[bytes, bytes], bool] | None = None) -> None:
        self.hub = hub
        self.user_id = user_id
        self.token = token
        self.id = ""
        self.send = send
        #: writes a frame at once when the socket can take it (False: it could not, nothing written)
        self.send_now = send_now
        #: ``send_now`` for an event's frame encoded once for every recipient: (the frame up to its
        #: seq as UTF-8, this connection's seq + "}")
        self.send_frame = send_frame
        self.on_overflow = on_overflow
        self.seq = 1  # next seq to assign (hello is 0)
        self.last_pos = 0
        self.checkpointed_seq = -1
        self.checkpointed_at = 0  # the hub's checkpoint round that last wrote it
        self.queue: deque[tuple[int, str]] | None = None  # created on first use: idle sockets stay small
        self.ring: list[tuple[int, int]] | None = None  # a list, not a deque: an idle one stays tiny
        #: while the hub sets the connection up (hello or replay), live events and replies wait here
        #: (pos, frame prefix) or (-1, reply text); None once it is live
        self._held: list[tuple[int, str]] | None = []
        self.closed = False
        self._writer: asyncio.Task[None] | None = None

    def offer(self, pos: int, prefix: str, encoded: bytes | None = None) -> None:
        """Send the event at stream position ``pos`` (its frame up to the seq: ``prefix``, and the same
        as UTF-8 in ``encoded``, made once per event for all its recipients)."""
        if self.closed or pos <= self.last_pos:  # already replayed to it on resume
            return
        if self._held is not None:
            self._held.append((pos, prefix))
            return
        if self._writer is None:  # nothing queued: write it now
            sent = None
            try:
                if encoded is not None and self.send_frame is not None:
                    sent = self.send_frame(encoded, b"%d}" % self.seq)
                elif self.send_now is not None:
                    sent = self.send_now(prefix + str(self.seq) + "}")
            except Exception:
                self.closed = True
                self.on_overflow()
                return
            if sent:
                self._sent(pos)
                return
        if self.queue is None:
            self.queue = deque()
        if len(self.queue) >= self.hub.queue_size:
            self.closed = True
            self.queue.clear()
            self.on_overflow()
            return
        self.queue.append((pos, prefix))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())

    def reply(self, text: str) -> None:
        """A reply to an action: no seq, sent in order with the events by the same writer."""
        self.offer_raw(text)

    def offer_raw(self, text: str) -> None:
        if self.closed:
            return
        if self._held is not None:
            self._held.append((-1, text))
            return
        if self._writer is None and self.send_now is not None and self._send_now(text):
            return
        if self.closed:
            return
        if self.queue is None:
            self.queue = deque()
        self.queue.append((-1, text))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())

    def _send_now(self, text: str) -> bool:
        assert self.send_now is not None
        try:
            return self.send_now(text)
        except Exception:
            self.closed = True
            self.on_overflow()
            return False

    async def _write(self) -> None:
        try:
            while self.queue and not self.closed:
                pos, payload = self.queue.popleft()
                if pos < 0:
                    await self.send(payload)
                else:
                    await self.send_event(pos, payload)
        except Exception:
            self.closed = True
            self.on_overflow()
        finally:
            self._writer = None
            if not self.queue:
                self.queue = None  # drained: an idle connection keeps no empty deque

    def remember(self, seq: int, pos: int) -> None:
        if self.ring is None:
            self.ring = []
        self.ring.append((seq, pos))
        if len(self.ring) >= 2 * RING:
            del self.ring[:-RING]

    async def send_event(self, pos: int, prefix: str) -> None:
        frame = prefix + str(self.seq) + "}"
        self._sent(pos)
        await self.send(frame)

    def _sent(self, pos: int) -> None:
        """The frame with the current seq for stream position ``pos`` went (or is going) out."""
        self.remember(self.seq, pos)
        self.seq += 1
        self.last_pos = pos

    @property
    def held(self) -> bool:
        """Still being set up: not live yet."""
        return self._held is not None

    def hold(self) -> None:
        self._held = []

    async def release(self) -> None:
        """Go live: what was held goes out, in order, after what the set-up sent. It is sent the
        way a replay is (each send awaited), so a long replay's backlog never overflows the send
        queue; what arrives meanwhile is held too, until nothing is left."""
        while self._held:
            held, self._held = self._held, []
            for pos, payload in held:
                if self.closed:
                    return
                if pos < 0:
                    await self.send(payload)
                elif pos > self.last_pos:  # not already replayed
                    await self.send_event(pos, payload)
        self._held = None

    def forget(self) -> None:
        """Closed and checkpointed: let go of what it remembers (up to 2 × RING (seq, pos) pairs, a
        backlog). A connection is often still referenced for a while after it ends (the web layer's
        socket and the connection refer to each other, and such a cycle waits for a full garbage
        collection); what it holds then must be small, or a reconnect-heavy load piles up megabytes
        of dead rings between collections (#18)."""
        self.ring = None
        self.queue = None
        self._held = None

    def state(self, ring: int = RING) -> dict[str, Any]:
        """What a resume needs: the last seq sent, the stream position it had reached and the newest
        ``ring`` (seq, pos) pairs sent (for a client that had not read them all)."""
        return {"seq": self.seq - 1, "pos": self.last_pos, "ring": (self.ring or [])[-ring:]}


class Hub:
    def __init__(self, stream: EventStream, membership: Membership, *, version: str,
                 queue_size: int = 256, hostname: str = "", presence: Presence | None = None) -> None:
        self.stream = stream
        self.presence: Presence = presence or LocalPresence()
        self.membership = membership
        self.version = version
        self.queue_size = queue_size
        self.hostname = hostname or socket.gethostname()
        self.by_user: dict[str, set[Conn]] = {}
        self.by_id: dict[str, Conn] = {}
        self.inbox: asyncio.Queue[tuple[int, dict[str, Any]]] = asyncio.Queue()
        self.tasks: list[asyncio.Task[None]] = []
        self.internal_handlers: list[Callable[[dict[str, Any]], None]] = []
        #: called with every event of the stream, in order (cache invalidation)
        self.observers: list[Callable[[dict[str, Any]], None]] = []
        self.on_first_connect: Callable[[str], Awaitable[None]] | None = None
        self.on_last_disconnect: Callable[[str], Awaitable[None]] | None = None
        self.disconnect_grace = 5.0
        self.dispatched_pos = 0
        self.published = 0  # events this node published (a count)
        self._background: set[asyncio.Task[Any]] = set()
        # registering a connection and delivering an event never interleave, so a connection's
        # starting position is exactly the last event it was not offered
        self._dispatch_lock = asyncio.Lock()
        # checkpoint writes never overtake each other (a periodic write must not land after the
        # final one of a closed connection)
        self._checkpoint_lock = asyncio.Lock()
        self._checkpoint_round = 0
        #: connections checkpointed per second at most (the oldest checkpoints first)
        self.checkpoints_per_round = CHECKPOINTS_PER_ROUND
        #: seconds a fan-out writes to sockets before it lets the event loop run
        self.fanout_slice = FANOUT_SLICE
        self._first_checkpoints: GroupCommit[tuple[str, str, dict[str, Any]]] = GroupCommit(
            self._write_first_checkpoints)

    def spawn(self, coro: Any) -> None:
        """Run a coroutine in the background, keeping a reference until it ends."""
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and (e := task.exception()) is not None:
            # presence and first-connect work: a failure (the database unavailable a moment) is said in
            # one line; the next connect or heartbeat sets things right
            log.warning("background task %s failed: %r", task.get_coro().__qualname__, e)  # type: ignore[union-attr]

    # life cycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        self.stream.subscribe(self._receive)
        self.tasks = [asyncio.create_task(self._dispatcher()), asyncio.create_task(self._checkpointer()),
                      asyncio.create_task(self._presence_heartbeat())]

    async def close(self) -> None:
        await self.checkpoint_all()
        for t in self.tasks:
            t.cancel()
        for t in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t

    def publish(self, ev: Event, done: str = "") -> None:
        """The Publisher the app uses: events go to the shared stream, then back to every hub.
        ``done``: the outbox row the event comes from (see ``bus/base.py``)."""
        self.published += 1
        mark_published()
        self.stream.publish(event_dict(ev), done)

    def history_in(self) -> AbstractAsyncContextManager[InTransaction] | None:
        """Writing events in the caller's own transaction, when the stream's history is in the app's
        database (the embedded stream); None otherwise (Redis): publish them after the commit."""
        return self.stream.writing_in() if isinstance(self.stream, LocalStream) else None

    @property
    def settles_outbox(self) -> bool:
        return self.stream.settles_outbox

    async def flushed(self) -> bool:
        """Every event published so far is in the stream's history (False: a write failed first)."""
        return await self.stream.flushed()

    async def forget(self, row_ids: list[str]) -> None:
        """These outbox rows are deleted: a stream that guards against adding a row twice drops its guards."""
        forget = getattr(self.stream, "forget", None)
        if forget is not None:
            await forget(row_ids)

    def _receive(self, pos: int, event: dict[str, Any]) -> None:
        self.inbox.put_nowait((pos, event))

    async def _dispatcher(self) -> None:
        while True:
            pos, event = await self.inbox.get()
            try:
                await self._dispatch(pos, event)
            except Exception:
                log.exception("dispatch failed for %s", event.get("event"))

    async def _dispatch(self, pos: int, event: dict[str, Any]) -> None:
        async with self._dispatch_lock:
            try:
                await self._deliver(pos, event)
            finally:
                self.dispatched_pos = pos

    async def _deliver(self, pos: int, event: dict[str, Any]) -> None:
        for observer in self.observers:
            observer(event)
        if is_internal(event):
            for handler in self.internal_handlers:
                handler(event)
            if event.get("event") == "_sessions_revoked":
                self._close_revoked(event.get("data") or {})
            return
        inval = changes_membership_of(event)
        if inval:
            self.membership.invalidate(*inval)
        if not self.by_user:
            return
        targets = await recipients(event, self.by_user, self.membership)
        if not targets:
            return
        prefix = frame_prefix(event)
        encoded = prefix.encode()
        if len(targets) <= 16:
            for conn in targets:
                conn.offer(pos, prefix, encoded)
            return
        # a big fan-out (a town-square post: one frame per online member of the team, one socket
        # write each) writes for at most ``fanout_slice`` seconds at a time and lets the loop run
        # between slices: the requests in flight (the POST that caused it among them) take a step
        # per slice instead of waiting for thousands of writes. The dispatch lock is held
        # throughout, so no connection registers and no later event is delivered before this one has
        # reached every recipient: each connection's seq order is unchanged.
        clock = time.perf_counter
        deadline = clock() + self.fanout_slice
        for i, conn in enumerate(targets):
            conn.offer(pos, prefix, encoded)
            if i & 15 == 15 and clock() >= deadline:
                await asyncio.sleep(0)
                deadline = clock() + self.fanout_slice

    # connections ---------------------------------------------------------------------------

    async def connect(self, conn: Conn, want_id: str = "", want_seq: int = 0) -> bool:
        """Register a new connection (made by the web layer around its socket, held).

        With ``want_id``/``want_seq`` (Mattermost's ``connection_id``/``sequence_number``) it resumes
        that connection when the history allows: the missed events are replayed, no hello, True.
        Otherwise it starts afresh: a new ``conn.id`` and the hello frame (seq 0), False. Either way
        live events and replies that arrive meanwhile are held and follow, in order."""
        if not conn.held:
            conn.hold()
        if want_id:
            old = self.by_id.get(want_id)
            if old is not None:
                await self._drop(old, checkpoint=True)
            found = await self.stream.load_checkpoint(want_id)
            if found is not None and found[0] == conn.user_id:
                if await self._resume(conn, want_id, want_seq, found[1]):
                    try:
                        await conn.release()
                    except Exception:
                        await self._cut_short(conn)
                        raise
                    return True
        conn.id = new_id()
        async with self._dispatch_lock:
            conn.last_pos = self.dispatched_pos
            self._add(conn)
        # the first checkpoint is written before hello, so a resume finds it even if this node dies
        # at once; connections that arrive together share one write (a reconnect storm after a
        # restart is thousands of them)
        await self._first_checkpoints.submit((conn.id, conn.user_id, conn.state()))
        conn.checkpointed_seq = 0
        await conn.send(self.hello_frame(conn))
        await conn.release()
        return False

    async def _write_first_checkpoints(self, items: list[tuple[str, str, dict[str, Any]]]) -> None:
        async with self._checkpoint_lock:
            await self.stream.save_checkpoints(items)

    def _add(self, conn: Conn) -> None:
        self.by_user.setdefault(conn.user_id, set()).add(conn)
        self.by_id[conn.id] = conn
        self.spawn(self._connected(conn.user_id))

    async def _connected(self, user_id: str) -> None:
        await self.presence.connected(user_id)
        if self.on_first_connect:
            await self.on_first_connect(user_id)

    async def _resume(self, conn: Conn, conn_id: str, want_seq: int, state: dict[str, Any]) -> bool:
        last_recv = want_seq - 1
        last_seq, last_pos = int(state.get("seq", 0)), int(state.get("pos", 0))
        ring = {int(s): int(p) for s, p in state.get("ring", [])}
        if last_recv < 0:
            return False
        if last_recv >= last_seq:
            start, skip = last_pos, last_recv - last_seq
        elif last_recv in ring:
            start, skip = ring[last_recv], 0
        else:
            # it read so far behind what was sent to it that its last frame has left the ring (a
            # slow reader whose socket buffer held the rest): a fresh hello tells it to reload
            log.info("resume of %s refused: seq %d is behind its ring (last sent %d)", conn_id, last_recv, last_seq)
            return False
        oldest, newest = await self.stream.bounds()
        if oldest and start + 1 < oldest:
            log.info("resume of %s refused: the history it missed has been trimmed", conn_id)
            return False
        if start > newest:
            # it holds a position the history does not know: never resume past a gap
            log.info("resume of %s refused: position %d is past the history's end %d", conn_id, start, newest)
            return False
        conn.id = conn_id
        conn.seq = want_seq
        conn.last_pos = start
        async with self._dispatch_lock:
            self._add(conn)
        try:
            ok = await self._replay(conn, start, skip)
        except Exception as e:  # mostly the client going away mid-replay
            log.info("replay for connection %s ended: %r", conn_id, e)
            await self._cut_short(conn)
            raise
        if not ok:  # it claims events that never were: start afresh
            self._remove(conn)
            conn.seq, conn.ring = 1, None
            conn.hold()
        return ok

    async def _cut_short(self, conn: Conn) -> None:
        """A resume that failed while sending (the node stopping, the client leaving): no checkpoint
        of this attempt, not even at the endpoint's clean-up. It knows less than the checkpoint it
        started from (a frame counted as sent may never have arrived), which stays the one the next
        resume uses; that resume skips what the client did receive by its sequence number."""
        await self._drop(conn, checkpoint=False)
        conn.id = ""

    async def _pages(self, after: int, until: int | None = None) -> AsyncIterator[tuple[int, dict[str, Any]]]:
        """The history after ``after`` (up to ``until``), a page at a time."""
        pos = after
        while True:
            page = await self.stream.read_after(pos, REPLAY_PAGE)
            for item in page:
                if until is not None and item[0] > until:
                    return
                yield item
            if len(page) < REPLAY_PAGE:
                return
            pos = page[-1][0]

    async def _replay(self, conn: Conn, start: int, skip: int) -> bool:
        """Send ``conn`` what it missed after ``start``, reading the history in pages (twice: once
        for the user's membership changes, which take today's memberships back to ``start``, then
        to send). Live events for it are held meanwhile; those after the replayed stretch follow."""
        changes: list[tuple[str, str, bool]] = []
        end = start
        kept: list[tuple[int, dict[str, Any]]] | None = []  # a short gap (one page) is read once
        async for pos, event in self._pages(start):
            change = membership_change(event, conn.user_id)
            if change:
                changes.append(change)
            end = pos
            if kept is not None:
                kept.append((pos, event))
                if len(kept) > REPLAY_PAGE:
                    kept = None
        members = ReplayMembership(conn.user_id, await self.membership.user_channels(conn.user_id),
                                   await self.membership.user_teams(conn.user_id))
        for change in reversed(changes):
            members.undo(change)
        me = {conn.user_id: (conn,)}
        async for pos, event in _iterate(kept) if kept is not None else self._pages(start, end):
            members.advance(event)
            if not await recipients(event, me, members):
                continue
            if skip > 0:  # the client received this one before the old node's last checkpoint
                conn.remember(conn.seq - skip, pos)
                skip -= 1
                continue
            await conn.send_event(pos, frame_prefix(event))
        if skip > 0:
            return False
        conn.last_pos = max(conn.last_pos, end)
        return True

    def _remove(self, conn: Conn) -> None:
        if self.by_id.get(conn.id) is conn:
            del self.by_id[conn.id]
        users = self.by_user.get(conn.user_id)
        if users is not None and conn in users:
            users.discard(conn)
            if not users:
                del self.by_user[conn.user_id]
            self.spawn(self.presence.disconnected(conn.user_id))

    async def disconnect(self, conn: Conn) -> None:
        await self._drop(conn, checkpoint=True)

    async def _drop(self, conn: Conn, checkpoint: bool) -> None:
        conn.closed = True
        if self.by_id.get(conn.id) is conn:
            del self.by_id[conn.id]
        users = self.by_user.get(conn.user_id)
        if users is not None and conn in users:
            users.discard(conn)
            if not users:
                del self.by_user[conn.user_id]
            self.spawn(self._maybe_offline(conn.user_id))
        if checkpoint and conn.id:
            with contextlib.suppress(Exception):
                async with self._checkpoint_lock:
                    await self.stream.save_checkpoints([(conn.id, conn.user_id, conn.state())])
        conn.forget()

    async def _maybe_offline(self, user_id: str) -> None:
        gone = await self.presence.disconnected(user_id)
        if not gone:
            return
        await asyncio.sleep(self.disconnect_grace)
        if not (await self.presence.online_anywhere([user_id])) and self.on_last_disconnect:
            await self.on_last_disconnect(user_id)

    async def _presence_heartbeat(self) -> None:
        while True:
            await asyncio.sleep(10)
            try:
                await self.presence.heartbeat(set(self.by_user))
            except Exception as e:
                log.warning("presence heartbeat failed: %s", e)

    async def checkpoint_all(self, limit: int | None = None, ring: int = RING) -> None:
        """Write the checkpoint of every connection that received something since its last one — at
        most ``limit`` of them, those written longest ago first (the periodic round: a node with many
        busy sockets would otherwise rewrite every one of them each second, one row of up to ``RING``
        (seq, pos) pairs each). A checkpoint that is a few seconds old costs a resume after a crash
        nothing but a longer replay: the resume reads from the checkpoint's position and skips what the
        client's sequence number says it received. The periodic round keeps only the newest ``ring`` =
        ``CHECKPOINT_RING`` pairs of each ring (a client that had not read more than that when it was
        written, and read nothing since, gets a fresh hello after a crash); the node's last round at
        ``close`` and the final checkpoint at a disconnect keep them all."""
        async with self._checkpoint_lock:
            self._checkpoint_round += 1
            due = [conn for conn in list(self.by_id.values())
                   if conn.seq - 1 != conn.checkpointed_seq and not conn.held and not conn.closed]
            if limit is not None and len(due) > limit:
                due = heapq.nsmallest(limit, due, key=lambda c: c.checkpointed_at)
            items = []
            for conn in due:
                items.append((conn.id, conn.user_id, conn.state(ring)))
                conn.checkpointed_seq = conn.seq - 1
                conn.checkpointed_at = self._checkpoint_round
            if items:
                await self.stream.save_checkpoints(items)

    async def _checkpointer(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            try:
                await self.checkpoint_all(limit=self.checkpoints_per_round, ring=CHECKPOINT_RING)
            except Exception as e:
                log.warning("checkpoint failed: %s", e)

    def _close_revoked(self, data: dict[str, Any]) -> None:
        """Sessions were revoked (logout, deactivation): their sockets close."""
        tokens = set(data.get("tokens") or [])
        for conn in list(self.by_id.values()):
            if conn.token in tokens and not conn.closed:
                conn.closed = True
                conn.on_overflow()

    def hello_frame(self, conn: Conn) -> str:
        event = {
            "event": "hello",
            "data": {"server_version": self.version, "connection_id": conn.id,
                     "server_hostname": self.hostname},
            "broadcast": {"omit_users": None, "user_id": conn.user_id, "channel_id": "", "team_id": "",
                          "connection_id": "", "omit_connection_id": ""},
        }
        return frame_prefix(event) + "0}"

    def connected_user_ids(self) -> list[str]:
        """Users with a live connection on this node."""
        return list(self.by_user)

    def is_online(self, user_id: str) -> bool:
        return user_id in self.by_user

    def connection_count(self) -> int:
        return len(self.by_id)
