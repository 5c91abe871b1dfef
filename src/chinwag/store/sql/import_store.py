"""Imports: the source-id mapping table and one channel's history written in one transaction
(bulk inserts of posts, reactions and file attachments, then threads and counters recomputed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
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
from chinwag.store.sql.channel_store import CHANNEL, MEMBER
from chinwag.store.sql.common import greatest, upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.post_store import POST
from chinwag.store.sql.tables import (
    bots,
    channelmembers,
    channels,
    drafts,
    fileinfo,
    importmappings,
    metadata,
    posts,
    reactions,
    sidebarchannels,
    teammembers,
    teams,
    threadmemberships,
    threads,
    users,
)
from chinwag.store.sql.team_store import MEMBER as TEAM_MEMBER
from chinwag.store.sql.user_store import USER

_CHUNK = 500


def _json_text(value: Any) -> str | None:
    return None if value is None else msgspec.json.encode(value).decode()


#: the columns of ``POST.values`` in order, for COPY records
_POST_COLS = POST.columns


def _post_record(p: Post) -> tuple[Any, ...]:
    """``POST.values(p)`` as a COPY record (JSON columns as text), without the dictionary."""
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
    big = pg or conn.dialect.name == "mysql"  # MySQL takes a long IN list in one statement
    for part in _chunks(list(dict.fromkeys(ids)), 5000 if big else _CHUNK):
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
            await self.conn.execute(users.insert(), [{**USER.values(u), "password": ""} for u, _ in part])
            bot_rows = [{"userid": b.user_id, "description": b.description, "ownerid": b.owner_id,
                         "lasticonupdate": b.last_icon_update, "createat": b.create_at, "updateat": b.update_at,
                         "deleteat": b.delete_at} for _, b in part if b is not None]
            if bot_rows:
                await self.conn.execute(bots.insert(), bot_rows)

    async def insert_channel(self, channel: Channel) -> None:
        await self.conn.execute(channels.insert().values(**CHANNEL.values(channel)))

    async def add_members(self, channel_id: str, members: Sequence[ChannelMember]) -> list[str]:
        """Insert the members not there yet; return the user ids added."""
        existing: set[str] = set()
        for ids in _chunks(list({m.user_id for m in members})):  # only the users being added: linear, not quadratic
            existing |= {r[0] for r in await self.conn.execute(sa.select(channelmembers.c.userid).where(
                channelmembers.c.channelid == channel_id, channelmembers.c.userid.in_(ids)))}
        new = [m for m in members if m.user_id not in existing]
        for part in _chunks([MEMBER.values(m) for m in new]):
            await self.conn.execute(channelmembers.insert(), part)
        return [m.user_id for m in new]

    async def add_team_members(self, members: Sequence[TeamMember]) -> list[str]:
        """Insert the team members not there yet (a left member stays left); return the user ids added."""
        if not members:
            return []
        team_id = members[0].team_id
        existing: set[str] = set()
        for ids in _chunks(list({m.user_id for m in members})):
            existing |= {r[0] for r in await self.conn.execute(sa.select(teammembers.c.userid).where(
                teammembers.c.teamid == team_id, teammembers.c.userid.in_(ids)))}
        new = [m for m in members if m.user_id not in existing]
        for part in _chunks([TEAM_MEMBER.values(m) for m in new]):
            await self.conn.execute(teammembers.insert(), part)
        return [m.user_id for m in new]

    async def insert_posts(self, batch: Sequence[Post]) -> None:
        if not batch:
            return
        if self.conn.dialect.name != "postgresql":
            # one executemany: on MySQL the driver (asyncmy) sends it as multi-row INSERTs of up to
            # 1 MiB each, the MySQL counterpart of COPY; SQLite runs it as one prepared statement
            await self.conn.execute(posts.insert(), [POST.values(p) for p in batch])
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
        return CHANNEL.one(found) if found is not None else None


# whole rows with their own ids (a migration from Mattermost, whose tables these mirror) ---------------

#: the tables a migration writes whole rows into, and their columns a newer source value of which
#: means the stored row is older ("*": any difference; none: rows are only added)
MIGRATED: dict[str, tuple[str, ...]] = {
    "users": ("updateat",), "bots": ("updateat",), "teams": ("updateat",), "teammembers": ("deleteat",),
    "channels": ("updateat", "lastpostat", "totalmsgcount", "deleteat"),
    "channelmembers": ("lastupdateat", "lastviewedat", "msgcount"),
    "posts": ("updateat",), "reactions": ("updateat",), "threads": ("lastreplyat", "replycount", "threaddeleteat"),
    "threadmemberships": ("lastupdated", "lastviewed"), "preferences": ("*",), "sidebarcategories": ("*",),
    "sidebarchannels": (), "fileinfo": ("updateat",), "emoji": ("updateat",), "incominghooks": ("updateat",),
    "outgoinghooks": ("updateat",), "commands": ("updateat",), "useraccesstokens": ("*",), "sessions": (),
    "postreminders": ("*",), "status": ("lastactivityat",), "oauthapps": ("updateat",), "oauthaccessdata": ("*",),
    "oauthauthdata": (), "drafts": ("updateat", "deleteat"),
}

#: the tables whose rows a re-run removes when the source no longer has them, with the time column that
#: tells which chinwag rows came from the source: those older than the migration's first run (chinwag had
#: no such channels, members or posts then), and newer ones a later run brought, which it writes in the
#: ledger (``importmappings``, kind = the table); rows made in chinwag itself are in neither. Access tokens
#: have no time: every one imported is in the ledger.
MIRRORED: dict[str, str] = {"teams": "createat", "channels": "createat", "channelmembers": "lastupdateat", "posts": "createat",
                            "sessions": "createat", "useraccesstokens": "", "drafts": "createat"}
#: tables whose rows a migration deletes when the source no longer has them, keyed by these columns joined
#: with "|" (``table_keys``, ``delete_rows``)
KEYED: dict[str, tuple[str, ...]] = {"sessions": ("id",), "useraccesstokens": ("id",),
                                     "drafts": ("userid", "channelid", "rootid")}


def migrated_columns(table_name: str) -> list[str]:
    """The columns of a migrated table (the search text of posts is derived, not copied)."""
    return [c.name for c in metadata.tables[table_name].columns if c.name != "searchtext"]


def _fill(table: sa.Table, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """NULL in a NOT NULL column becomes the column's default; JSON columns take JSON text decoded (text
    that is not JSON becomes NULL); booleans stored as numbers (MySQL) become booleans."""
    if not rows:
        return []
    fixes: list[tuple[str, str, Any]] = []
    for name in rows[0]:
        col = table.c[name]
        kind = "json" if isinstance(col.type, sa.JSON) else "bool" if isinstance(col.type, sa.Boolean) else ""
        default: Any = None
        if not col.nullable:
            sd = getattr(col.server_default, "arg", None)
            text = str(sd.compile() if isinstance(sd, sa.sql.ClauseElement) else sd or "").lower()
            default = (text in ("true", "1")) if kind == "bool" else \
                int(text or 0) if isinstance(col.type, sa.Integer) else text
        fixes.append((name, kind, default))
    out = []
    for r in rows:
        r = dict(r)
        for name, kind, default in fixes:
            v = r[name]
            if kind == "json" and isinstance(v, (str, bytes)):
                try:
                    v = msgspec.json.decode(v) if v else None
                except msgspec.DecodeError:  # JSON kept as text that is not JSON: an empty value
                    v = None
            elif kind == "bool" and v is not None:
                v = bool(v)
            r[name] = default if v is None else v
        out.append(r)
    return out


class RowWriter:
    """Whole rows written into one of the ``MIGRATED`` tables inside one transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _selects(self, table: sa.Table, cols: list[sa.Column[Any]], keys: list[tuple[Any, ...]]) -> Iterable[Any]:
        """SELECTs of ``cols`` of the rows with these primary keys, a part of them each. On PostgreSQL one
        array parameter per key column and 5,000 keys (a single prepared statement, whatever the count:
        a composite key joins ``unnest`` of its arrays), IN lists of 500 elsewhere."""
        pk = list(table.primary_key.columns)
        if self.conn.dialect.name == "postgresql":
            for part in _chunks(keys, 5000):
                arrays = [sa.cast(sa.literal([k[i] for k in part], ARRAY(sa.String)), ARRAY(sa.String))
                          for i in range(len(pk))]
                if len(pk) == 1:
                    yield sa.select(*cols).where(pk[0] == sa.any_(arrays[0]))
                    continue
                names = [f"k{i}" for i in range(len(pk))]
                u = sa.func.unnest(*arrays).table_valued(*names).render_derived(name="k")
                yield sa.select(*cols).select_from(
                    table.join(u, sa.and_(*[c == u.c[n] for c, n in zip(pk, names, strict=True)])))
            return
        for part in _chunks(keys):
            yield sa.select(*cols).where(pk[0].in_([k[0] for k in part]) if len(pk) == 1
                                         else sa.tuple_(*pk).in_(list(part)))

    async def present(self, table_name: str, keys: Sequence[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
        """Which of these primary keys are in the table."""
        table = metadata.tables[table_name]
        pk = list(table.primary_key.columns)
        found: set[tuple[Any, ...]] = set()
        for q in self._selects(table, pk, list(keys)):
            found.update(tuple(r) for r in await self.conn.execute(q))
        return found

    async def any_row(self, table_name: str) -> bool:
        return (await self.conn.execute(sa.select(sa.literal(1)).select_from(metadata.tables[table_name]).limit(1))
                ).first() is not None

    async def merge(self, table_name: str, rows: Sequence[dict[str, Any]],
                    derived: Callable[[dict[str, Any]], dict[str, Any]] | None = None, fresh: bool = False
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Add the rows whose primary key is not in the table (COPY on PostgreSQL) and update those whose
        ``MIGRATED`` columns say the stored row is older; ``derived`` adds computed columns to a row
        written. ``fresh``: none of the rows is in the table (not looked up). The rows added, and those
        updated."""
        table = metadata.tables[table_name]
        pk = [c.name for c in table.primary_key.columns]
        stamps = MIGRATED[table_name]
        rows = _fill(table, rows)
        if not rows:
            return [], []
        stored: dict[tuple[Any, ...], Any] = {}
        pkc = [table.c[c] for c in pk]
        wanted = pkc + [table.c[c] for c in (list(rows[0]) if stamps == ("*",) else stamps)]
        for q in () if fresh else self._selects(table, wanted, [tuple(r[c] for c in pk) for r in rows]):
            for row in await self.conn.execute(q):
                stored[tuple(row[:len(pk)])] = row[len(pk):]
        new, changed = [], []
        for r in rows:
            old = stored.get(tuple(r[c] for c in pk))
            if old is None:
                new.append(r)
            elif stamps == ("*",):
                if any(r[c] != v for c, v in zip(r, old, strict=True)):
                    changed.append(r)
            elif any((r.get(c) or 0) > (v or 0) for c, v in zip(stamps, old, strict=True)):
                changed.append(r)
        if derived is not None:
            new = [{**r, **derived(r)} for r in new]
            changed = [{**r, **derived(r)} for r in changed]
        await self._insert(table, new)
        if table_name == "sidebarchannels" and new:
            # a channel sits in one category of a user's: moved there, its old place goes
            moved = sidebarchannels.delete().where(
                sidebarchannels.c.channelid == sa.bindparam("c"), sidebarchannels.c.userid == sa.bindparam("u"),
                sidebarchannels.c.categoryid != sa.bindparam("k"))
            await self.conn.execute(moved, [{"c": r["channelid"], "u": r["userid"], "k": r["categoryid"]} for r in new])
        if changed:
            rest = [c for c in changed[0] if c not in pk]
            stmt = table.update().where(*[table.c[c] == sa.bindparam(f"k_{c}") for c in pk]).values(
                {c: sa.bindparam(f"v_{c}") for c in rest})
            for part in _chunks(changed):
                await self.conn.execute(stmt, [{**{f"k_{c}": r[c] for c in pk}, **{f"v_{c}": r[c] for c in rest}}
                                               for r in part])
        return new, changed

    async def _insert(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.conn.dialect.name != "postgresql":
            for part in _chunks(rows, 2000):
                await self.conn.execute(table.insert(), list(part))
            return
        cols = list(rows[0])
        json_cols = {i for i, c in enumerate(cols) if isinstance(table.c[c].type, sa.JSON)}
        records = [tuple(_json_text(v) if i in json_cols else v for i, v in enumerate(r.values())) for r in rows]
        raw: Any = (await self.conn.get_raw_connection()).driver_connection
        await raw.copy_records_to_table(table.name, records=records, columns=cols)


    # a re-run: what the source deleted, and orphans -------------------------------------------

    async def ledger(self, source: str, table_name: str, keys: Sequence[tuple[Any, ...]], now: int) -> None:
        """Rows of a ``MIRRORED`` table a later run brought (newer than the first run)."""
        rows = [{"source": source, "kind": table_name, "sourceid": "|".join(k), "targetid": "", "createat": now}
                for k in dict.fromkeys(keys)]
        for part in _chunks(rows):
            await self.conn.execute(upsert(self.conn, importmappings, ["source", "kind", "sourceid"]), part)

    async def delete_reactions(self, rows: Sequence[dict[str, Any]]) -> int:
        """Reactions the source removed (its rows carry ``deleteat``), unless chinwag's copy is newer."""
        n = 0
        stmt = reactions.delete().where(
            reactions.c.userid == sa.bindparam("u"), reactions.c.postid == sa.bindparam("p"),
            reactions.c.emojiname == sa.bindparam("e"), reactions.c.updateat <= sa.bindparam("d"))
        for r in rows:
            n += (await self.conn.execute(stmt, {"u": r["userid"], "p": r["postid"], "e": r["emojiname"],
                                                 "d": r["deleteat"]})).rowcount or 0
        return n

    async def mark_posts_deleted(self, ids: Sequence[str], now: int) -> int:
        """Posts the source no longer has: deleted as chinwag deletes one (``deleteat``), their files too."""
        n = 0
        for part in _chunks(list(ids)):
            n += (await self.conn.execute(posts.update().where(posts.c.id.in_(part), posts.c.deleteat == 0)
                                          .values(deleteat=now, updateat=now))).rowcount or 0
            await self.conn.execute(fileinfo.update().where(fileinfo.c.postid.in_(part), fileinfo.c.deleteat == 0)
                                    .values(deleteat=now, updateat=now))
        return n

    async def remove_members(self, channel_id: str, user_ids: Sequence[str]) -> list[str]:
        """Channel members the source no longer has, with their sidebar places; the user ids removed."""
        removed: list[str] = []
        for part in _chunks(list(user_ids)):
            found = [r[0] for r in await self.conn.execute(sa.select(channelmembers.c.userid).where(
                channelmembers.c.channelid == channel_id, channelmembers.c.userid.in_(part)))]
            if not found:
                continue
            await self.conn.execute(channelmembers.delete().where(
                channelmembers.c.channelid == channel_id, channelmembers.c.userid.in_(found)))
            await self.conn.execute(sidebarchannels.delete().where(
                sidebarchannels.c.channelid == channel_id, sidebarchannels.c.userid.in_(found)))
            removed += found
        return removed

    async def delete_rows(self, table_name: str, ids: Sequence[str]) -> int:
        """Sessions, access tokens or drafts the source no longer has (signed out, revoked, sent); ``ids``:
        their ``KEYED`` columns joined with "|"."""
        t = metadata.tables[table_name]
        cols = [t.c[c] for c in KEYED[table_name]]
        n = 0
        for part in _chunks(list(ids)):
            where = cols[0].in_(part) if len(cols) == 1 else \
                sa.tuple_(*cols).in_([tuple(k.split("|")) for k in part])
            n += (await self.conn.execute(t.delete().where(where))).rowcount or 0
        return n

    async def archive_teams(self, ids: Sequence[str], now: int) -> list[str]:
        """Teams the source no longer has, archived (not yet archived ones); their ids."""
        out: list[str] = []
        for part in _chunks(list(ids)):
            live = [r[0] for r in await self.conn.execute(
                sa.select(teams.c.id).where(teams.c.id.in_(part), teams.c.deleteat == 0))]
            if live:
                await self.conn.execute(teams.update().where(teams.c.id.in_(live)).values(deleteat=now, updateat=now))
            out += live
        return out

    async def archive_channels(self, ids: Sequence[str], now: int) -> list[str]:
        """Channels the source no longer has, archived (not yet archived ones); their ids."""
        out: list[str] = []
        for part in _chunks(list(ids)):
            live = [r[0] for r in await self.conn.execute(
                sa.select(channels.c.id).where(channels.c.id.in_(part), channels.c.deleteat == 0))]
            if live:
                await self.conn.execute(channels.update().where(channels.c.id.in_(live))
                                        .values(deleteat=now, updateat=now))
            out += live
        return out

    async def missing_threads(self) -> int:
        """Thread rows for roots whose replies have none: Mattermost before 5.29 kept no Threads rows (and
        later versions made one only when such a thread got a new reply) but counts replies from the posts;
        chinwag counts them from the thread row. Reply count, last reply, participants (in the order of their
        last reply), the root's channel and team; no followers (Mattermost has none for them either). How many
        were made."""
        conn = self.conn
        no_thread = ~sa.exists().where(threads.c.postid == posts.c.rootid)
        q = (sa.select(posts.c.rootid, posts.c.userid, sa.func.count(), sa.func.max(posts.c.createat))
             .where(posts.c.rootid != "", posts.c.deleteat == 0, no_thread).group_by(posts.c.rootid, posts.c.userid))
        agg: dict[str, list[tuple[int, str, int]]] = {}
        for root, user, n, last in await conn.execute(q):
            agg.setdefault(root, []).append((int(last), user, int(n)))
        made = 0
        for part in _chunks(sorted(agg)):
            found = await conn.execute(
                sa.select(posts.c.id, posts.c.channelid, posts.c.deleteat, channels.c.teamid)
                .select_from(posts.join(channels, channels.c.id == posts.c.channelid)).where(posts.c.id.in_(part)))
            rows = []
            for root, channel_id, deleted, team_id in found:  # a reply whose root is not there: an orphan
                entries = sorted(agg[root])
                rows.append({"postid": root, "channelid": channel_id, "replycount": sum(e[2] for e in entries),
                             "lastreplyat": entries[-1][0], "participants": list(dict.fromkeys(
                                 e[1] for e in entries)), "threaddeleteat": int(deleted or 0),
                             "threadteamid": team_id or ""})
            if rows:
                await conn.execute(upsert(conn, threads, ["postid"]), rows)
                made += len(rows)
        return made

    async def repair_orphans(self) -> dict[str, int]:
        """Rows that point at nothing (a run stopped between the rows and what they belong to, or the source
        lost a post or channel): thread rows and followers of missing posts, reactions on missing posts,
        members of missing channels, sidebar places of channels the user is no longer in, drafts in missing
        channels. How many of each
        were removed."""
        def no_post(col: Any) -> Any:
            return ~sa.exists().where(posts.c.id == col)

        member = sa.exists().where(channelmembers.c.channelid == sidebarchannels.c.channelid,
                                   channelmembers.c.userid == sidebarchannels.c.userid)
        out: dict[str, int] = {}
        for name, stmt in (
            ("thread rows of missing posts", threads.delete().where(no_post(threads.c.postid))),
            ("thread followers of missing posts", threadmemberships.delete().where(no_post(threadmemberships.c.postid))),
            ("reactions on missing posts", reactions.delete().where(no_post(reactions.c.postid))),
            ("members of missing channels", channelmembers.delete().where(
                ~sa.exists().where(channels.c.id == channelmembers.c.channelid))),
            ("sidebar places of channels left", sidebarchannels.delete().where(~member)),
            ("drafts in missing channels", drafts.delete().where(
                ~sa.exists().where(channels.c.id == drafts.c.channelid))),
        ):
            n = (await self.conn.execute(stmt)).rowcount or 0
            if n:
                out[name] = n
        return out


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

    async def map(self, source: str, kind: str, pairs: dict[str, str], now: int,
                  conn: AsyncConnection | None = None) -> None:
        async with self.db.write_in(conn) as conn:
            await ImportWriter(conn, source, now).map(kind, pairs)

    @staticmethod
    def rows_writer(conn: AsyncConnection) -> RowWriter:
        return RowWriter(conn)

    async def any_row(self, table_name: str) -> bool:
        async with self.db.read() as conn:
            return await RowWriter(conn).any_row(table_name)

    async def present(self, table_name: str, keys: Sequence[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
        async with self.db.read() as conn:
            return await RowWriter(conn).present(table_name, keys)

    async def counts_by_channel(self, table_name: str) -> dict[str, int]:
        """Rows of posts or channel members per channel."""
        t = metadata.tables[table_name]
        async with self.db.read() as conn:
            return {r[0]: int(r[1]) for r in await conn.execute(
                sa.select(t.c.channelid, sa.func.count()).group_by(t.c.channelid))}

    async def channel_keys(self, table_name: str, channel_id: str) -> list[tuple[str, int]]:
        """(key, time column) of a channel's live posts or its members (key: the post id, the member's user
        id)."""
        t = metadata.tables[table_name]
        key = t.c.id if table_name == "posts" else t.c.userid
        q = sa.select(key, t.c[MIRRORED[table_name]]).where(t.c.channelid == channel_id)
        if table_name == "posts":
            q = q.where(t.c.deleteat == 0)
        async with self.db.read() as conn:
            return [(r[0], int(r[1] or 0)) for r in await conn.execute(q)]

    async def table_keys(self, table_name: str) -> list[tuple[str, int]]:
        """(key, time column) of every session, access token or draft (time 0 when the table has none; the
        key: the ``KEYED`` columns joined with "|")."""
        t = metadata.tables[table_name]
        col = t.c[MIRRORED[table_name]] if MIRRORED[table_name] else sa.literal(0)
        keys = KEYED[table_name]
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(col, *[t.c[c] for c in keys]))
            return [("|".join(r[1:]), int(r[0] or 0)) for r in rows]

    async def all_teams(self) -> list[tuple[str, int, int]]:
        """(id, createat, deleteat) of every team."""
        async with self.db.read() as conn:
            return [(r[0], int(r[1]), int(r[2])) for r in await conn.execute(
                sa.select(teams.c.id, teams.c.createat, teams.c.deleteat))]

    async def all_channels(self) -> list[tuple[str, int, int]]:
        """(id, createat, deleteat) of every channel."""
        async with self.db.read() as conn:
            return [(r[0], int(r[1]), int(r[2])) for r in await conn.execute(
                sa.select(channels.c.id, channels.c.createat, channels.c.deleteat))]

    async def in_ledger(self, source: str, table_name: str, keys: Sequence[str]) -> set[str]:
        async with self.db.read() as conn:
            return set(await _lookup(conn, source, table_name, keys))

    async def taken(self, table_name: str, columns: Sequence[str], values: Sequence[tuple[Any, ...]]
                    ) -> dict[tuple[Any, ...], str]:
        """Which of these values of a unique column (or columns) are taken, and by which row id."""
        table = metadata.tables[table_name]
        cols = [table.c[c] for c in columns]
        out: dict[tuple[Any, ...], str] = {}
        async with self.db.read() as conn:
            for part in _chunks(list(dict.fromkeys(values))):
                cond = cols[0].in_([v[0] for v in part]) if len(cols) == 1 else sa.tuple_(*cols).in_(list(part))
                out.update({tuple(r[1:]): r[0] for r in await conn.execute(sa.select(table.c.id, *cols).where(cond))})
        return out

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

    async def rows(self, table_name: str, order: Sequence[str] = (), match: Mapping[str, Any] | None = None
                   ) -> list[Any]:
        """The rows of a (small) table — teams, channels, users, members, bots — whose columns have the
        values of ``match`` (a list: one of them)."""
        from chinwag.store.sql.tables import metadata

        t = metadata.tables[table_name]
        q = sa.select(t)
        for col, want in (match or {}).items():
            q = q.where(t.c[col].in_(want) if isinstance(want, list) else t.c[col] == want)
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
