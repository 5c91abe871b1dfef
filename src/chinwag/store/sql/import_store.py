"""Imports: the source-id mapping table and one channel's history written in one transaction
(bulk inserts of posts, reactions and file attachments, then threads and counters recomputed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.channel import Channel, ChannelMember
from chinwag.model.integration import Bot
from chinwag.model.post import JOIN_LEAVE_POST_TYPES, Post
from chinwag.model.search_text import index_text
from chinwag.model.team import TeamMember
from chinwag.model.user import User
from chinwag.store.sql.channel_store import channel_values, member_values, row_to_channel
from chinwag.store.sql.common import greatest, upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.post_store import post_values
from chinwag.store.sql.tables import (
    bots,
    channelmembers,
    channels,
    fileinfo,
    importmappings,
    posts,
    reactions,
    teammembers,
    threadmemberships,
    threads,
    users,
)
from chinwag.store.sql.team_store import member_values as team_member_values
from chinwag.store.sql.user_store import user_values

_CHUNK = 500


def _json_text(value: Any) -> str | None:
    return None if value is None else msgspec.json.encode(value).decode()


#: the columns of ``post_values`` in order, for COPY records
_POST_COLS = tuple(post_values(Post(id="")))


def _post_record(p: Post) -> tuple[Any, ...]:
    """``post_values(p)`` as a COPY record (JSON columns as text), without the dictionary."""
    return (p.id, p.create_at, p.update_at, p.edit_at, p.delete_at, p.is_pinned, p.user_id, p.channel_id, p.root_id,
            p.original_id, p.message, p.type, _json_text(p.props) if p.props else "{}", p.hashtags,
            _json_text(p.file_ids) if p.file_ids else "[]", p.has_reactions, p.remote_id,
            index_text(p.message, p.hashtags))


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


async def _lookup(conn: AsyncConnection, source: str, kind: str, ids: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    pg = conn.dialect.name == "postgresql"
    for part in _chunks(list(dict.fromkeys(ids)), 5000 if pg else _CHUNK):
        # one array parameter on PostgreSQL: one prepared statement, whatever the batch size
        cond = (importmappings.c.sourceid == sa.any_(sa.cast(sa.literal(list(part), ARRAY(sa.String)),
                                                             ARRAY(sa.String)))
                if pg else importmappings.c.sourceid.in_(part))
        q = sa.select(importmappings.c.sourceid, importmappings.c.targetid).where(
            importmappings.c.source == source, importmappings.c.kind == kind, cond)
        out.update({r[0]: r[1] for r in await conn.execute(q)})
    return out


class ImportWriter:
    """Statements inside one import transaction."""

    def __init__(self, conn: AsyncConnection, source: str, now: int) -> None:
        self.conn = conn
        self.source = source
        self.now = now

    async def lookup(self, kind: str, ids: Sequence[str]) -> dict[str, str]:
        return await _lookup(self.conn, self.source, kind, ids)

    async def lookup_range(self, kind: str, low: str, high: str) -> dict[str, str]:
        """Mappings with low <= source id <= high (a range scan of the primary key)."""
        q = sa.select(importmappings.c.sourceid, importmappings.c.targetid).where(
            importmappings.c.source == self.source, importmappings.c.kind == kind,
            importmappings.c.sourceid >= low, importmappings.c.sourceid <= high)
        return {r[0]: r[1] for r in await self.conn.execute(q)}

    async def existing_posts(self, ids: Sequence[str]) -> set[str]:
        """Which of these post ids are in the posts table."""
        out: set[str] = set()
        for part in _chunks(list(ids)):
            out.update(r[0] for r in await self.conn.execute(sa.select(posts.c.id).where(posts.c.id.in_(part))))
        return out

    async def map(self, kind: str, pairs: dict[str, str], fresh: bool = False) -> None:
        """Record source id → row id; ``fresh``: none of the source ids is mapped yet (COPY on PostgreSQL)."""
        if fresh and pairs and self.conn.dialect.name == "postgresql":
            raw: Any = (await self.conn.get_raw_connection()).driver_connection
            await raw.copy_records_to_table("importmappings", columns=["source", "kind", "sourceid", "targetid",
                                                                       "createat"],
                                            records=[(self.source, kind, k, v, self.now) for k, v in pairs.items()])
            return
        rows = [{"source": self.source, "kind": kind, "sourceid": k, "targetid": v, "createat": self.now}
                for k, v in pairs.items()]
        for part in _chunks(rows):
            await self.conn.execute(upsert(self.conn, importmappings, ["source", "kind", "sourceid"]), part)

    async def insert_users(self, rows: Sequence[tuple[User, Bot | None]]) -> None:
        """New users (no usable password) and, for bots, their ``bots`` rows."""
        for part in _chunks(list(rows)):
            await self.conn.execute(users.insert(), [{**user_values(u), "password": ""} for u, _ in part])
            bot_rows = [{"userid": b.user_id, "description": b.description, "ownerid": b.owner_id,
                         "lasticonupdate": b.last_icon_update, "createat": b.create_at, "updateat": b.update_at,
                         "deleteat": b.delete_at} for _, b in part if b is not None]
            if bot_rows:
                await self.conn.execute(bots.insert(), bot_rows)

    async def insert_channel(self, channel: Channel) -> None:
        await self.conn.execute(channels.insert().values(**channel_values(channel)))

    async def add_members(self, channel_id: str, members: Sequence[ChannelMember]) -> list[str]:
        """Insert the members not there yet; return the user ids added."""
        existing = {r[0] for r in await self.conn.execute(
            sa.select(channelmembers.c.userid).where(channelmembers.c.channelid == channel_id))}
        new = [m for m in members if m.user_id not in existing]
        for part in _chunks([member_values(m) for m in new]):
            await self.conn.execute(channelmembers.insert(), part)
        return [m.user_id for m in new]

    async def add_team_members(self, members: Sequence[TeamMember]) -> list[str]:
        """Insert the team members not there yet (a left member stays left); return the user ids added."""
        if not members:
            return []
        team_id = members[0].team_id
        existing = {r[0] for r in await self.conn.execute(
            sa.select(teammembers.c.userid).where(teammembers.c.teamid == team_id))}
        new = [m for m in members if m.user_id not in existing]
        for part in _chunks([team_member_values(m) for m in new]):
            await self.conn.execute(teammembers.insert(), part)
        return [m.user_id for m in new]

    async def insert_posts(self, batch: Sequence[Post]) -> None:
        if not batch:
            return
        if self.conn.dialect.name != "postgresql":
            await self.conn.execute(posts.insert(), [post_values(p) for p in batch])
            return
        # COPY within the same transaction: several times faster than multi-row INSERTs
        raw: Any = (await self.conn.get_raw_connection()).driver_connection
        await raw.copy_records_to_table("posts", records=[_post_record(p) for p in batch], columns=_POST_COLS)

    async def update_post_files(self, post_id: str, file_ids: list[str]) -> None:
        await self.conn.execute(posts.update().where(posts.c.id == post_id).values(fileids=file_ids))

    async def insert_reactions(self, rows: Sequence[dict[str, Any]]) -> None:
        """Rows: userid, postid, emojiname, createat, channelid (existing ones are kept)."""
        for part in _chunks(list(rows)):
            await self.conn.execute(upsert(self.conn, reactions, ["userid", "postid", "emojiname"]), [
                {**r, "updateat": r["createat"], "deleteat": 0, "remoteid": None} for r in part])

    async def unattached(self, file_ids: Sequence[str]) -> set[str]:
        q = sa.select(fileinfo.c.id).where(fileinfo.c.id.in_(list(file_ids)), fileinfo.c.postid == "")
        return {r[0] for r in await self.conn.execute(q)}

    async def post_file_ids(self, post_id: str) -> list[str]:
        row = (await self.conn.execute(sa.select(posts.c.fileids).where(posts.c.id == post_id))).first()
        return list(row[0] or []) if row is not None else []

    async def attach_files(self, pairs: Sequence[tuple[str, str]]) -> None:
        """(file id, post id): the uploads become the post's attachments."""
        if pairs:
            await self.conn.execute(
                fileinfo.update().where(fileinfo.c.id == sa.bindparam("fid")).values(postid=sa.bindparam("pid")),
                [{"fid": f, "pid": p} for f, p in pairs])

    async def finish_channel(self, channel_id: str, team_id: str) -> Channel | None:
        """Recompute the channel's threads, message counters and members' read positions from its posts
        (imported history counts as read)."""
        conn = self.conn
        live = sa.and_(posts.c.channelid == channel_id, posts.c.deleteat == 0)
        q = (sa.select(posts.c.rootid, posts.c.userid, sa.func.count(), sa.func.max(posts.c.createat))
             .where(live, posts.c.rootid != "").group_by(posts.c.rootid, posts.c.userid))
        agg: dict[str, list[tuple[int, str, int]]] = {}
        for root, user, n, last in await conn.execute(q):
            agg.setdefault(root, []).append((int(last), user, int(n)))
        authors: dict[str, str] = {}
        for part in _chunks(sorted(agg)):
            authors.update({r[0]: r[1] for r in await conn.execute(
                sa.select(posts.c.id, posts.c.userid).where(posts.c.id.in_(part)))})
        thread_rows, follow_rows, root_times = [], [], []
        for root, entries in agg.items():
            entries.sort()
            last = entries[-1][0]
            thread_rows.append({"postid": root, "channelid": channel_id, "replycount": sum(e[2] for e in entries),
                                "lastreplyat": last, "participants": [e[1] for e in entries],
                                "threaddeleteat": 0, "threadteamid": team_id})
            followers = dict.fromkeys([authors.get(root, ""), *(e[1] for e in entries)])
            follow_rows += [{"postid": root, "userid": u, "following": True, "lastviewed": last,
                             "lastupdated": last, "unreadmentions": 0} for u in followers if u]
            root_times.append({"rid": root, "t": last})
        for part in _chunks(thread_rows):
            await conn.execute(upsert(conn, threads, ["postid"], ["replycount", "lastreplyat", "participants"]),
                               part)
        for part in _chunks(follow_rows):
            await conn.execute(upsert(conn, threadmemberships, ["postid", "userid"]), part)
        # only roots not already as new as their last reply: an UPDATE rewrites the row and every index entry
        for part in _chunks(root_times):
            await conn.execute(posts.update().where(posts.c.id == sa.bindparam("rid"),
                                                    posts.c.updateat < sa.bindparam("t"))
                               .values(updateat=sa.bindparam("t")), part)
        counted = posts.c.type.notin_(sorted(JOIN_LEAVE_POST_TYPES))
        root = posts.c.rootid == ""

        def total(cond: Any) -> Any:
            return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)

        row = (await conn.execute(sa.select(
            total(counted), total(sa.and_(counted, root)), sa.func.max(posts.c.createat),
            sa.func.max(sa.case((root, posts.c.createat), else_=None))).where(live))).one()
        n, nroot = int(row[0]), int(row[1])
        last, last_root = int(row[2] or 0), int(row[3] or 0)
        await conn.execute(channels.update().where(channels.c.id == channel_id).values(
            totalmsgcount=n, totalmsgcountroot=nroot,
            lastpostat=greatest(conn, channels.c.lastpostat, last),
            lastrootpostat=greatest(conn, channels.c.lastrootpostat, last_root)))
        await conn.execute(channelmembers.update().where(channelmembers.c.channelid == channel_id).values(
            msgcount=n, msgcountroot=nroot,
            lastviewedat=greatest(conn, channelmembers.c.lastviewedat, last)))
        found = (await conn.execute(sa.select(channels).where(channels.c.id == channel_id))).first()
        return row_to_channel(found) if found is not None else None


class SqlImportStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def lookup(self, source: str, kind: str, ids: Sequence[str]) -> dict[str, str]:
        async with self.db.read() as conn:
            return await _lookup(conn, source, kind, ids)

    async def all_of_kind(self, source: str, kind: str) -> dict[str, str]:
        q = sa.select(importmappings.c.sourceid, importmappings.c.targetid).where(
            importmappings.c.source == source, importmappings.c.kind == kind)
        async with self.db.read() as conn:
            return {r[0]: r[1] for r in await conn.execute(q)}

    async def map(self, source: str, kind: str, pairs: dict[str, str], now: int) -> None:
        async with self.db.write() as conn:
            await ImportWriter(conn, source, now).map(kind, pairs)

    @asynccontextmanager
    async def transaction(self, source: str, now: int) -> AsyncIterator[ImportWriter]:
        async with self.db.write() as conn:
            yield ImportWriter(conn, source, now)

    async def existing_users(self, usernames: Sequence[str], emails: Sequence[str]) -> tuple[set[str], dict[str, str]]:
        """Which of ``usernames`` are taken, and the user id of each of ``emails`` (lowercased) that has one."""
        names: set[str] = set()
        by_email: dict[str, str] = {}
        async with self.db.read() as conn:
            for part in _chunks(sorted(set(usernames))):
                names.update(r[0] for r in await conn.execute(
                    sa.select(users.c.username).where(users.c.username.in_(part))))
            for part in _chunks(sorted({e.lower() for e in emails})):
                by_email.update({r[0]: r[1] for r in await conn.execute(
                    sa.select(users.c.email, users.c.id).where(users.c.email.in_(part)))})
        return names, by_email

    async def known_names(self) -> tuple[set[str], set[str], set[tuple[str, str]]]:
        """Usernames, team names and (team name, channel name) pairs already in the database."""
        from chinwag.store.sql.tables import teams

        async with self.db.read() as conn:
            u = {r[0] for r in await conn.execute(sa.select(users.c.username))}
            t = {r[0]: r[1] for r in await conn.execute(sa.select(teams.c.id, teams.c.name))}
            c = {(t.get(r[0], ""), r[1]) for r in await conn.execute(
                sa.select(channels.c.teamid, channels.c.name).where(channels.c.teamid != ""))}
        return u, set(t.values()), c

    # export ------------------------------------------------------------------------------------

    async def rows(self, table_name: str, where: Any = None, order: Sequence[str] = ()) -> list[Any]:
        """Every row of a (small) table: teams, channels, users, members, bots."""
        from chinwag.store.sql.tables import metadata

        t = metadata.tables[table_name]
        q = sa.select(t)
        if where is not None:
            q = q.where(where(t))
        if order:
            q = q.order_by(*[t.c[c] for c in order])
        async with self.db.read() as conn:
            return [dict(r) for r in (await conn.execute(q)).mappings()]

    async def roots_page(self, channel_id: str, after: tuple[int, str], limit: int) -> list[Any]:
        """Live root posts of a channel in (create_at, id) order after a cursor."""
        q = (sa.select(posts).where(posts.c.channelid == channel_id, posts.c.deleteat == 0, posts.c.rootid == "",
                                    sa.tuple_(posts.c.createat, posts.c.id) > sa.tuple_(*after))
             .order_by(posts.c.createat, posts.c.id).limit(limit))
        async with self.db.read() as conn:
            return list((await conn.execute(q)).mappings())

    async def replies_of(self, root_ids: Sequence[str]) -> list[Any]:
        q = (sa.select(posts).where(posts.c.rootid.in_(list(root_ids)), posts.c.deleteat == 0)
             .order_by(posts.c.createat, posts.c.id))
        async with self.db.read() as conn:
            return list((await conn.execute(q)).mappings())

    async def reactions_of(self, post_ids: Sequence[str]) -> list[Any]:
        q = sa.select(reactions).where(reactions.c.postid.in_(list(post_ids)), reactions.c.deleteat == 0)
        async with self.db.read() as conn:
            return list((await conn.execute(q)).mappings())

    async def files_of(self, post_ids: Sequence[str]) -> list[Any]:
        q = sa.select(fileinfo.c.id, fileinfo.c.postid, fileinfo.c.path, fileinfo.c.name).where(
            fileinfo.c.postid.in_(list(post_ids)), fileinfo.c.deleteat == 0)
        async with self.db.read() as conn:
            return list((await conn.execute(q)).mappings())
