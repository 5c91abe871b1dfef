"""Saving new posts: a group commit of units of work.

Posts that arrive while a transaction is being written are saved together in the next one — one
multi-row insert, one counter update per channel (``total_msg_count``, ``last_post_at``), one read
position update per poster, one outbox insert for all their events and notification work — so a busy
channel's row is not a lock every post queues on, and many posts share one commit. Each post is still its own unit of
work: its events are registered on its own :class:`UnitOfWork` (sharing the batch's connection) and
published after the commit, in order. With the embedded event stream the events are written to the
event history in the batch's transaction itself (no outbox row for them, no second transaction) and
delivered right after the commit.

The rules of what a post changes besides its row are decided here, not in the store: which
messages count, who gets a mention, who follows the thread, whose read position moves.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.app.core import AppCore
from chinwag.app.outbox import UnitOfWork
from chinwag.model.post import Post
from chinwag.platform.events import RequestEvents, mark_published, request_events
from chinwag.store.sql.post_store import ChannelCounts

log = structlog.get_logger("chinwag.app.post_write")

BATCH_MAX = 500
#: a post mentioning more people than this (@channel in a big channel) does not raise their
#: mention counts inside its own transaction (a thousand row updates, tens of milliseconds): it
#: commits one ``pendingmentions`` row, and the counts are raised right after the commit, in a
#: transaction that also deletes the row — so a crash in between leaves the row for the next
#: start, and each post is counted exactly once
DEFER_MENTIONS = 64
PENDING_BATCH = 50


@dataclass(eq=False)
class NewPost:
    """A post to save and what it changes besides its row."""

    post: Post
    #: members whose mention counts go up
    mentioned: Sequence[str] = ()
    urgent: bool = False
    #: counts towards the channel's message totals (join/leave messages do not)
    counted: bool = True
    #: the poster's channel membership is marked read (Mattermost's MarkChannelsAsViewed)
    mark_viewed: bool = True
    #: a reply: users who follow the thread from now on (besides the poster) and the team of the thread
    follow: Sequence[str] = ()
    poster_follows: bool = False
    thread_team_id: str = ""
    #: uploads to attach (the author's own unattached ones in the channel); ``post.file_ids``
    #: becomes the ones actually attached
    attach_file_ids: Sequence[str] = ()
    #: registers the post's events on its unit of work, inside the transaction (after the files are
    #: attached, so the events carry them)
    finish: Callable[[UnitOfWork], Awaitable[None]] | None = None
    done: asyncio.Future[None] | None = field(default=None, repr=False)
    #: the request this post is written for: its answer waits for the post's events in the history
    request: RequestEvents | None = field(default_factory=request_events.get, repr=False)


class PostWriter:
    def __init__(self, core: AppCore) -> None:
        self.core = core
        self._queue: list[NewPost] = []
        self._writer: asyncio.Task[None] | None = None
        self._applier: asyncio.Task[None] | None = None
        #: set when the process stops: the applier finishes its batch and leaves the rest to the next start
        self._stopping = False

    async def save(self, item: NewPost) -> None:
        item.done = asyncio.get_running_loop().create_future()
        self._queue.append(item)
        if self._writer is None:
            # without the request's mark: the batch publishes for many requests, each marked by its item
            # (the first request's mark would be marked by every later batch)
            context = contextvars.copy_context()
            context.run(request_events.set, None)
            self._writer = asyncio.create_task(self._drain(), context=context)
        await item.done

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[:BATCH_MAX], self._queue[BATCH_MAX:]
                try:
                    await self._write(batch)
                except Exception:
                    # isolate the failure: write them one by one so only a bad post fails
                    for item in batch:
                        try:
                            await self._write([item])
                        except Exception as e:
                            if item.done is not None and not item.done.done():
                                item.done.set_exception(e)
                for item in batch:
                    if item.done is not None and not item.done.done():
                        item.done.set_result(None)
        finally:
            self._writer = None

    async def save_in(self, uow: UnitOfWork, item: NewPost) -> None:
        """Save a post inside a unit of work the caller opened (a membership change and its system
        post commit together); its events go out when that unit of work commits."""
        if await self._rows(uow.conn, [item], [uow]):
            uow.after_commit(self.apply_pending_mentions)

    async def _write(self, batch: list[NewPost]) -> None:
        relay = self.core.outbox
        history_in = getattr(self.core.pub, "history_in", None)
        history = history_in() if history_in is not None else None
        if history is None:  # the events go through the outbox and are published after the commit
            async with self.core.transaction() as conn:
                uows = [UnitOfWork(conn) for _ in batch]
                deferred = await self._rows(conn, batch, uows)
                rows = await relay.write(conn, uows)
            for item, uow, r in zip(batch, uows, rows, strict=True):
                relay.committed(uow, r)
                if uow.events:  # the request's answer waits for these in the history
                    mark_published(item.request)
        else:
            # the event history is in this database (the embedded stream): the batch's events are
            # written to it in the batch's own transaction — committed with the posts, delivered right
            # after the commit — instead of an outbox row now and a history write (which deletes that
            # row) in a second transaction
            async with history as h:
                async with self.core.transaction() as conn:
                    uows = [UnitOfWork(conn) for _ in batch]
                    deferred = await self._rows(conn, batch, uows)
                    events = [ev for uow in uows for ev in uow.events]
                    for uow in uows:
                        uow.events = []
                    rows = await relay.write(conn, uows)  # the notification work, if any
                    await h.write(conn, events)
            for ev in events:
                self.core.observe_local(ev)
            for uow, r in zip(uows, rows, strict=True):
                relay.committed(uow, r)
        if deferred:
            self.apply_pending_mentions()

    async def _rows(self, conn: AsyncConnection, batch: list[NewPost], uows: list[UnitOfWork]) -> bool:
        """Write the batch's rows and register each post's events on its unit of work; True when
        some mention counts were deferred."""
        store = self.core.store.posts
        counts: dict[str, ChannelCounts] = {}
        viewed: dict[tuple[str, str], int] = {}
        for it in batch:
            post = it.post
            # every post moves last_post_at; join/leave messages are not counted as messages
            c = counts.setdefault(post.channel_id, ChannelCounts())
            c.last_post_at = max(c.last_post_at, post.create_at)
            if not post.root_id:
                c.last_root_post_at = max(c.last_root_post_at, post.create_at)
            if it.counted:
                c.messages += 1
                c.roots += 0 if post.root_id else 1
            if it.mark_viewed:
                key = (post.channel_id, post.user_id)
                viewed[key] = max(viewed.get(key, 0), post.create_at)
        deferred = False
        for it in batch:
            if it.attach_file_ids:
                it.post.file_ids = await store.attach_files(conn, it.post, it.attach_file_ids)
        await store.insert(conn, [it.post for it in batch])
        await store.add_to_channels(conn, counts)
        for it in batch:
            post = it.post
            if post.root_id:
                await store.add_reply(conn, post, it.thread_team_id)
                mentioned = set(it.mentioned)
                followers = [u for u in dict.fromkeys(it.follow) if u != post.user_id]
                await store.follow_thread(
                    conn, post.root_id, post.create_at, post.user_id if it.poster_follows else "",
                    [u for u in followers if u in mentioned], [u for u in followers if u not in mentioned])
            if len(it.mentioned) > DEFER_MENTIONS:
                deferred = True
                await store.defer_mentions(conn, post, it.mentioned, it.urgent)
            elif it.mentioned:
                await store.raise_mentions(conn, post.channel_id, it.mentioned, not post.root_id, it.urgent)
        await store.mark_viewed(conn, viewed)
        for it, uow in zip(batch, uows, strict=True):
            if it.finish is not None:
                await it.finish(uow)
        return deferred

    # mention counts applied after the commit ----------------------------------------------------

    def apply_pending_mentions(self) -> None:
        """Apply the pending mention counts in the background (after a commit that left some, and
        at server start for any a stopped process left behind)."""
        if self._applier is None and not self._stopping:
            self._applier = asyncio.get_running_loop().create_task(self._apply_all())

    async def stop(self) -> None:
        """On shutdown: finish the batch being applied, leave the rest (other nodes may keep adding rows
        while this one drains) to the next process's start-up."""
        self._stopping = True
        await self.settle()

    async def settle(self) -> None:
        """Wait until the pending mention counts this process started applying are applied."""
        while self._applier is not None:
            await asyncio.shield(self._applier)

    async def _apply_all(self) -> None:
        try:
            while not self._stopping and await self.apply_pending_batch():
                pass
        except Exception as e:
            log.warning("pending mention counts not applied yet", error=repr(e))
        finally:
            self._applier = None

    async def apply_pending_batch(self, limit: int = PENDING_BATCH) -> int:
        """Raise the counts of up to ``limit`` pending posts and delete their rows, in one transaction."""
        async with self.core.transaction() as conn:
            return await self.core.store.posts.apply_pending_mentions(conn, limit)
