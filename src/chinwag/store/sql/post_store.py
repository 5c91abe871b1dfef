"""Posts: saving with counters and threads in one transaction, and the channel feeds."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from chinwag.model.post import JOIN_LEAVE_POST_TYPES, Post
from chinwag.model.search_text import index_text
from chinwag.store.errors import NotFound
from chinwag.store.sql.common import greatest, upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.file_info_store import attach_to_post, delete_for_post, delete_ids
from chinwag.store.sql.params import id_in
from chinwag.store.sql.tables import (
    channelmembers,
    channels,
    pendingmentions,
    posts,
    threadmemberships,
    threads,
)

_thread = threads.alias("t")
_thread_key = sa.case((posts.c.rootid == "", posts.c.id), else_=posts.c.rootid)
_POST_SELECT = sa.select(
    posts, _thread.c.replycount, _thread.c.lastreplyat, _thread.c.participants
).select_from(posts.outerjoin(_thread, _thread.c.postid == _thread_key))


def row_to_post(r: Any) -> Post:
    m = r._mapping
    is_root = m["rootid"] == ""
    return Post(
        id=m["id"],
        create_at=m["createat"],
        update_at=m["updateat"],
        edit_at=m["editat"],
        delete_at=m["deleteat"],
        is_pinned=bool(m["ispinned"]),
        user_id=m["userid"],
        channel_id=m["channelid"],
        root_id=m["rootid"],
        original_id=m["originalid"],
        message=m["message"],
        type=m["type"],
        props=m["props"] or {},
        hashtags=m["hashtags"],
        file_ids=m["fileids"] or [],
        has_reactions=bool(m["hasreactions"]),
        remote_id=m["remoteid"],
        reply_count=int(m.get("replycount") or 0),
        last_reply_at=int(m.get("lastreplyat") or 0) if is_root else 0,
        participants=[{"id": uid} for uid in (m.get("participants") or [])] if is_root else None,
    )


def post_values(p: Post) -> dict[str, Any]:
    return {
        "id": p.id,
        "createat": p.create_at,
        "updateat": p.update_at,
        "editat": p.edit_at,
        "deleteat": p.delete_at,
        "ispinned": p.is_pinned,
        "userid": p.user_id,
        "channelid": p.channel_id,
        "rootid": p.root_id,
        "originalid": p.original_id,
        "message": p.message,
        "type": p.type,
        "props": p.props,
        "hashtags": p.hashtags,
        "fileids": p.file_ids,
        "hasreactions": p.has_reactions,
        "remoteid": p.remote_id,
        # the search index follows the row: SQLite's FTS5 table by trigger, PostgreSQL's GIN index
        "searchtext": index_text(p.message, p.hashtags),
    }


@dataclass
class PostEffects:
    """What saving a post changes besides the post row."""

    mentioned: Sequence[str] = ()
    urgent: bool = False
    #: users who follow the thread after this reply (poster, root author, mentioned)
    thread_followers: Sequence[str] = ()
    #: the poster's channel membership is marked read (Mattermost's MarkChannelsAsViewed)
    mark_viewed: bool = True
    thread_team_id: str = ""
    #: counts towards the channel's message totals (join/leave messages do not)
    counted: bool = True
    #: files to attach (the author's own unattached uploads in the channel); post.file_ids
    #: becomes the ones actually attached
    attach_file_ids: Sequence[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)


_INSERT_POST = posts.insert()
_BATCH_MAX = 500
#: a post mentioning more people than this (@channel in a big channel) does not raise their
#: mention counts inside its own transaction (a thousand row updates, tens of milliseconds): it
#: commits one ``pendingmentions`` row, and the counts are raised right after the commit, in a
#: transaction that also deletes the row — so a crash in between leaves the row for the next
#: ``apply_pending_mentions`` (server start), and each post is counted exactly once
DEFER_MENTIONS = 64
_PENDING_BATCH = 50

log = logging.getLogger("chinwag.store.posts")


def _raise_mentions(channel_id: str, user_ids: Sequence[str], root: bool, urgent: bool, driver: str,
                    viewed_before: int = 0) -> Any:
    """UPDATE channelmembers: +1 mention (root, urgent) for these members of the channel; with
    ``viewed_before``, only those who have not viewed the channel since the post was made."""
    q = channelmembers.update().where(channelmembers.c.channelid == channel_id,
                                      id_in(channelmembers.c.userid, sorted(user_ids), driver))
    if viewed_before:
        q = q.where(channelmembers.c.lastviewedat < viewed_before)
    return q.values(
        mentioncount=channelmembers.c.mentioncount + 1,
        mentioncountroot=channelmembers.c.mentioncountroot + (1 if root else 0),
        urgentmentioncount=channelmembers.c.urgentmentioncount + (1 if urgent else 0),
    )


def _channel_update(conn: Any, roots: bool) -> Any:
    """UPDATE channels by bound parameters: +n messages (+r roots), last post times raised."""
    values: dict[str, Any] = {
        "lastpostat": greatest(conn, channels.c.lastpostat, sa.bindparam("t")),
        "totalmsgcount": channels.c.totalmsgcount + sa.bindparam("n"),
    }
    if roots:
        values["totalmsgcountroot"] = channels.c.totalmsgcountroot + sa.bindparam("r")
        values["lastrootpostat"] = greatest(conn, channels.c.lastrootpostat, sa.bindparam("rt"))
    return channels.update().where(channels.c.id == sa.bindparam("cid")).values(**values)


class SqlPostStore:
    """Posts. Saving goes through a group commit: posts arriving while a transaction is being
    written are saved together in the next one, so a busy channel's row is updated once per batch
    instead of once per post, and many posts share one commit."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: list[tuple[Post, PostEffects, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._applier: asyncio.Task[None] | None = None

    async def save(self, post: Post, fx: PostEffects) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((post, fx, fut))
        if self._writer is None:
            self._writer = asyncio.create_task(self._drain())
        await fut

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[:_BATCH_MAX], self._queue[_BATCH_MAX:]
                try:
                    await self._write(batch)
                except Exception:
                    # isolate the failure: write them one by one so only a bad post fails
                    for item in batch:
                        try:
                            await self._write([item])
                        except Exception as e:
                            if not item[2].done():
                                item[2].set_exception(e)
                for _, _, fut in batch:
                    if not fut.done():
                        fut.set_result(None)
        finally:
            self._writer = None

    async def _write(self, batch: list[tuple[Post, PostEffects, asyncio.Future[None]]]) -> None:
        counts: dict[str, list[int]] = {}  # channel → [n, roots, last, last root]
        viewed: dict[tuple[str, str], int] = {}
        for post, fx, _ in batch:
            # every post moves last_post_at; join/leave messages are not counted as messages
            c = counts.setdefault(post.channel_id, [0, 0, 0, 0])
            c[2] = max(c[2], post.create_at)
            if post.root_id == "":
                c[3] = max(c[3], post.create_at)
            if fx.counted:
                c[0] += 1
                if post.root_id == "":
                    c[1] += 1
            if fx.mark_viewed:
                key = (post.channel_id, post.user_id)
                viewed[key] = max(viewed.get(key, 0), post.create_at)
        deferred = False
        async with self.db.write() as conn:
            for post, fx, _ in batch:
                if fx.attach_file_ids:
                    post.file_ids = await attach_to_post(
                        conn, post.id, post.channel_id, post.user_id, fx.attach_file_ids, post.create_at
                    )
            await conn.execute(_INSERT_POST, [post_values(p) for p, _, _ in batch])
            with_roots = [{"cid": cid, "n": c[0], "t": c[2], "r": c[1], "rt": c[3]}
                          for cid, c in sorted(counts.items()) if c[3]]
            only_replies = [{"cid": cid, "n": c[0], "t": c[2]} for cid, c in sorted(counts.items()) if not c[3]]
            if with_roots:
                await conn.execute(_channel_update(conn, True), with_roots)
            if only_replies:
                await conn.execute(_channel_update(conn, False), only_replies)
            for post, fx, _ in batch:
                if post.root_id:
                    await self._on_reply(conn, post, fx)
                if len(fx.mentioned) > DEFER_MENTIONS:
                    deferred = True
                    await conn.execute(pendingmentions.insert().values(
                        postid=post.id, channelid=post.channel_id, createat=post.create_at,
                        userids=json.dumps(sorted(fx.mentioned)), isroot=0 if post.root_id else 1,
                        urgent=1 if fx.urgent else 0))
                elif fx.mentioned:
                    await conn.execute(_raise_mentions(post.channel_id, fx.mentioned, not post.root_id,
                                                       fx.urgent, self.db.driver))
            if viewed:
                ch = channels.alias("ch")

                def col(name: str) -> Any:
                    return sa.select(ch.c[name]).where(ch.c.id == channelmembers.c.channelid).scalar_subquery()

                stmt = (
                    channelmembers.update()
                    .where(channelmembers.c.channelid == sa.bindparam("cid"),
                           channelmembers.c.userid == sa.bindparam("uid"))
                    .values(
                        mentioncount=0, mentioncountroot=0, urgentmentioncount=0,
                        msgcount=col("totalmsgcount"), msgcountroot=col("totalmsgcountroot"),
                        lastviewedat=greatest(conn, channelmembers.c.lastviewedat, sa.bindparam("t")),
                        lastupdateat=sa.bindparam("t"),
                    )
                )
                await conn.execute(stmt, [{"cid": c, "uid": u, "t": t} for (c, u), t in sorted(viewed.items())])
        if deferred:
            self.schedule_pending_mentions()

    def schedule_pending_mentions(self) -> None:
        """Apply the pending mention counts in the background (after a commit that left some, and
        at server start for any a stopped process left behind)."""
        if self._applier is None:
            self._applier = asyncio.get_running_loop().create_task(self._apply_all())

    async def settle(self) -> None:
        """Wait until the pending mention counts this process started applying are applied."""
        while self._applier is not None:
            await asyncio.shield(self._applier)

    async def _apply_all(self) -> None:
        try:
            while await self.apply_pending_mentions():
                pass
        except Exception as e:
            log.warning("pending mention counts not applied yet: %s", e)
        finally:
            self._applier = None

    async def apply_pending_mentions(self, limit: int = _PENDING_BATCH) -> int:
        """Raise the mention counts of up to ``limit`` pending posts and delete their rows, in one
        transaction (another node doing the same skips the rows this one holds)."""
        q = sa.select(pendingmentions).order_by(pendingmentions.c.createat).limit(limit)
        if self.db.driver != "sqlite":
            q = q.with_for_update(skip_locked=True)
        async with self.db.write() as conn:
            rows = (await conn.execute(q)).all()
            for r in rows:
                await conn.execute(_raise_mentions(r.channelid, json.loads(r.userids or "[]"), bool(r.isroot),
                                                   bool(r.urgent), self.db.driver, viewed_before=r.createat))
            if rows:
                await conn.execute(pendingmentions.delete().where(
                    pendingmentions.c.postid.in_([r.postid for r in rows])))
        return len(rows)

    async def _on_reply(self, conn: Any, post: Post, fx: PostEffects) -> None:
        t = post.create_at
        await conn.execute(
            posts.update()
            .where(posts.c.id == post.root_id)
            .values(updateat=greatest(conn, posts.c.updateat, t))
        )
        q = sa.select(threads.c.participants).where(threads.c.postid == post.root_id)
        if conn.dialect.name == "postgresql":
            q = q.with_for_update()
        row = (await conn.execute(q)).first()
        if row is None:
            participants = [post.user_id]
            await conn.execute(
                upsert(conn, threads, ["postid"], ["replycount", "lastreplyat", "participants"]).values(
                    postid=post.root_id,
                    channelid=post.channel_id,
                    replycount=1,
                    lastreplyat=t,
                    participants=participants,
                    threadteamid=fx.thread_team_id,
                )
            )
        else:
            participants = [u for u in (row.participants or []) if u != post.user_id] + [post.user_id]
            await conn.execute(
                threads.update()
                .where(threads.c.postid == post.root_id)
                .values(
                    replycount=threads.c.replycount + 1,
                    lastreplyat=greatest(conn, threads.c.lastreplyat, t),
                    participants=participants,
                )
            )
        mentioned = set(fx.mentioned)
        for uid in dict.fromkeys(fx.thread_followers):
            is_poster = uid == post.user_id
            ins = upsert(conn, threadmemberships, ["postid", "userid"])
            await conn.execute(
                ins.values(
                    postid=post.root_id,
                    userid=uid,
                    following=True,
                    lastviewed=t if is_poster else 0,
                    lastupdated=t,
                    unreadmentions=1 if (uid in mentioned and not is_poster) else 0,
                )
            )
            upd: dict[str, Any] = {"following": True, "lastupdated": t}
            if is_poster:
                upd["lastviewed"] = greatest(conn, threadmemberships.c.lastviewed, t)
                upd["unreadmentions"] = 0
            elif uid in mentioned:
                upd["unreadmentions"] = threadmemberships.c.unreadmentions + 1
            await conn.execute(
                threadmemberships.update()
                .where(threadmemberships.c.postid == post.root_id, threadmemberships.c.userid == uid)
                .values(**upd)
            )

    async def get(self, post_id: str, include_deleted: bool = False) -> Post:
        q = _POST_SELECT.where(posts.c.id == post_id)
        if not include_deleted:
            q = q.where(posts.c.deleteat == 0)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("post", post_id)
        return row_to_post(row)

    async def get_many(self, post_ids: Sequence[str], include_deleted: bool = False) -> list[Post]:
        if not post_ids:
            return []
        q = _POST_SELECT.where(posts.c.id.in_(list(post_ids)))
        if not include_deleted:
            q = q.where(posts.c.deleteat == 0)
        async with self.db.read() as conn:
            return [row_to_post(r) for r in (await conn.execute(q)).all()]

    async def update(
        self, post: Post, attach_file_ids: Sequence[str] = (), remove_file_ids: Sequence[str] = ()
    ) -> Post:
        async with self.db.write() as conn:
            if attach_file_ids or remove_file_ids:
                attached = await attach_to_post(
                    conn, post.id, post.channel_id, post.user_id, attach_file_ids, post.update_at
                )
                await delete_ids(conn, post.id, remove_file_ids, post.update_at)
                refused = set(attach_file_ids) - set(attached)
                post.file_ids = [i for i in post.file_ids if i not in refused]
            res = await conn.execute(
                posts.update()
                .where(posts.c.id == post.id)
                .values(
                    message=post.message,
                    props=post.props,
                    editat=post.edit_at,
                    updateat=post.update_at,
                    ispinned=post.is_pinned,
                    fileids=post.file_ids,
                    hasreactions=post.has_reactions,
                    hashtags=post.hashtags,
                    searchtext=index_text(post.message, post.hashtags),
                )
            )
        if res.rowcount == 0:
            raise NotFound("post", post.id)
        return post

    async def delete(self, post: Post, now: int, deleted_by: str) -> None:
        """Soft-delete a post (and a root's replies); a reply leaves its thread's counters."""
        async with self.db.write() as conn:
            props = dict(post.props)
            props["deleteBy"] = deleted_by
            await conn.execute(
                posts.update().where(posts.c.id == post.id).values(deleteat=now, updateat=now, props=props)
            )
            await delete_for_post(conn, post.id, now, with_replies=post.root_id == "")
            if post.root_id == "":
                await conn.execute(
                    posts.update()
                    .where(posts.c.rootid == post.id, posts.c.deleteat == 0)
                    .values(deleteat=now, updateat=now)
                )
                await conn.execute(
                    threads.update().where(threads.c.postid == post.id).values(threaddeleteat=now)
                )
            else:
                last = (
                    sa.select(sa.func.coalesce(sa.func.max(posts.c.createat), 0))
                    .where(posts.c.rootid == post.root_id, posts.c.deleteat == 0)
                    .scalar_subquery()
                )
                await conn.execute(
                    threads.update()
                    .where(threads.c.postid == post.root_id)
                    .values(
                        replycount=sa.case((threads.c.replycount > 0, threads.c.replycount - 1), else_=0),
                        lastreplyat=last,
                    )
                )
                await conn.execute(posts.update().where(posts.c.id == post.root_id).values(updateat=now))

    # feeds ---------------------------------------------------------------------------------

    def _feed(self, channel_id: str, collapsed: bool, include_deleted: bool = False) -> sa.Select[Any]:
        q = _POST_SELECT.where(posts.c.channelid == channel_id)
        if not include_deleted:
            q = q.where(posts.c.deleteat == 0)
        if collapsed:
            q = q.where(posts.c.rootid == "")
        return q

    async def _all(self, q: sa.Select[Any]) -> list[Post]:
        async with self.db.read() as conn:
            return [row_to_post(r) for r in (await conn.execute(q)).all()]

    async def page(
        self, channel_id: str, page: int, per_page: int, collapsed: bool, include_deleted: bool = False
    ) -> list[Post]:
        q = (
            self._feed(channel_id, collapsed, include_deleted)
            .order_by(posts.c.createat.desc(), posts.c.id.desc())
            .limit(per_page)
            .offset(page * per_page)
        )
        return await self._all(q)

    async def page_window(
        self, channel_id: str, page: int, per_page: int, collapsed: bool
    ) -> tuple[list[Post], str, str]:
        """A page of the feed and its neighbours in one query: (posts, id of the post just newer
        than the page or "", id of the post just older or "")."""
        offset = page * per_page
        lead = 1 if offset > 0 else 0
        q = (
            self._feed(channel_id, collapsed)
            .order_by(posts.c.createat.desc(), posts.c.id.desc())
            .limit(per_page + lead + 1)
            .offset(offset - lead)
        )
        rows = await self._all(q)
        newer = rows[0].id if lead and rows else ""
        rows = rows[lead:]
        older = rows[per_page].id if len(rows) > per_page else ""
        return rows[:per_page], newer, older

    async def since(self, channel_id: str, since: int, collapsed: bool, limit: int = 1000) -> list[Post]:
        q = (
            self._feed(channel_id, collapsed, include_deleted=True)
            .where(posts.c.updateat > since)
            .order_by(posts.c.createat.desc(), posts.c.id.desc())
            .limit(limit + 1)
        )
        return await self._all(q)

    async def before(
        self, channel_id: str, create_at: int, post_id: str, page: int, per_page: int, collapsed: bool
    ) -> list[Post]:
        q = (
            self._feed(channel_id, collapsed)
            .where(
                sa.tuple_(posts.c.createat, posts.c.id) < sa.tuple_(create_at, post_id)
            )
            .order_by(posts.c.createat.desc(), posts.c.id.desc())
            .limit(per_page)
            .offset(page * per_page)
        )
        return await self._all(q)

    async def after(
        self, channel_id: str, create_at: int, post_id: str, page: int, per_page: int, collapsed: bool
    ) -> list[Post]:
        q = (
            self._feed(channel_id, collapsed)
            .where(
                sa.tuple_(posts.c.createat, posts.c.id) > sa.tuple_(create_at, post_id)
            )
            .order_by(posts.c.createat.asc(), posts.c.id.asc())
            .limit(per_page)
            .offset(page * per_page)
        )
        result = await self._all(q)
        result.reverse()
        return result

    async def neighbour_id(
        self, channel_id: str, create_at: int, post_id: str, newer: bool, collapsed: bool
    ) -> str:
        """Id of the post just newer (or older) than (create_at, post_id), or ''."""
        q = sa.select(posts.c.id).where(posts.c.channelid == channel_id, posts.c.deleteat == 0)
        if collapsed:
            q = q.where(posts.c.rootid == "")
        if newer:
            q = q.where(
                sa.tuple_(posts.c.createat, posts.c.id) > sa.tuple_(create_at, post_id)
            )
            q = q.order_by(posts.c.createat.asc(), posts.c.id.asc())
        else:
            q = q.where(
                sa.tuple_(posts.c.createat, posts.c.id) < sa.tuple_(create_at, post_id)
            )
            q = q.order_by(posts.c.createat.desc(), posts.c.id.desc())
        async with self.db.read() as conn:
            row = (await conn.execute(q.limit(1))).first()
        return row[0] if row else ""

    async def id_after_time(self, channel_id: str, time: int, collapsed: bool) -> str:
        """The oldest post created after ``time`` (Mattermost's GetPostIdAfterTime), or ''."""
        q = sa.select(posts.c.id).where(
            posts.c.channelid == channel_id, posts.c.deleteat == 0, posts.c.createat > time
        )
        if collapsed:
            q = q.where(posts.c.rootid == "")
        q = q.order_by(posts.c.createat.asc(), posts.c.id.asc()).limit(1)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        return row[0] if row else ""

    async def count_after(self, channel_id: str, time: int) -> tuple[int, int]:
        """Posts (and root posts) created after ``time`` that count as messages: not deleted,
        not join/leave messages (what Channels.TotalMsgCount counts)."""
        q = sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((posts.c.rootid == "", 1), else_=0)), 0)
        ).where(
            posts.c.channelid == channel_id,
            posts.c.createat > time,
            posts.c.deleteat == 0,
            posts.c.type.not_in(sorted(JOIN_LEAVE_POST_TYPES)),
        )
        async with self.db.read() as conn:
            row = (await conn.execute(q)).one()
        return int(row[0]), int(row[1])

    async def threads_of(self, channel_id: str, root_ids: Sequence[str]) -> list[Post]:
        """Roots and all replies of the given threads (Mattermost's getParentsPosts)."""
        if not root_ids:
            return []
        ids = list(root_ids)
        q = _POST_SELECT.where(posts.c.channelid == channel_id, posts.c.deleteat == 0).where(
            sa.or_(posts.c.id.in_(ids), posts.c.rootid.in_(ids))
        )
        return await self._all(q)

    async def thread(self, root_id: str, include_deleted: bool = False) -> list[Post]:
        q = _POST_SELECT.where(sa.or_(posts.c.id == root_id, posts.c.rootid == root_id))
        if not include_deleted:
            q = q.where(posts.c.deleteat == 0)
        return await self._all(q.order_by(posts.c.createat.desc(), posts.c.id.desc()))

    async def pinned(self, channel_id: str) -> list[Post]:
        q = _POST_SELECT.where(
            posts.c.channelid == channel_id, posts.c.ispinned == sa.true(), posts.c.deleteat == 0
        ).order_by(posts.c.createat.desc())
        return await self._all(q)

    async def count_for_channel(self, channel_id: str) -> int:
        q = sa.select(sa.func.count()).select_from(posts).where(posts.c.channelid == channel_id)
        async with self.db.read() as conn:
            return int((await conn.execute(q)).scalar_one())
