"""Server-side drafts (``drafts``, Mattermost's Drafts): one row per user, channel and thread root."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.draft import Draft
from chinwag.store.errors import NotFound
from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import channelmembers, channels
from chinwag.store.sql.tables import drafts as t

DRAFT = RowMap(Draft, t, skip=("metadata",))
#: what an upsert of a draft already stored changes (its creation time stays)
_UPDATED = ["updateat", "deleteat", "message", "props", "fileids", "priority", "type"]


class SqlDraftStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: str, channel_id: str, root_id: str, include_deleted: bool = False) -> Draft:
        q = sa.select(t).where(t.c.userid == user_id, t.c.channelid == channel_id, t.c.rootid == root_id)
        if not include_deleted:
            q = q.where(t.c.deleteat == 0)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("Draft", channel_id)
        return DRAFT.one(row)

    async def upsert(self, draft: Draft, conn: AsyncConnection | None = None) -> None:
        """Insert the draft, or update the stored one of the same user, channel and root (not its
        creation time)."""
        async with self.db.write_in(conn) as conn:
            await conn.execute(upsert(conn, t, ["userid", "channelid", "rootid"], _UPDATED)
                               .values(**DRAFT.values(draft)))

    async def delete(self, user_id: str, channel_id: str, root_id: str, conn: AsyncConnection | None = None) -> bool:
        """Whether there was one."""
        async with self.db.write_in(conn) as conn:
            res = await conn.execute(t.delete().where(t.c.userid == user_id, t.c.channelid == channel_id,
                                                      t.c.rootid == root_id))
        return bool(res.rowcount)

    async def for_user(self, user_id: str, team_id: str = "") -> list[Draft]:
        """The user's live drafts in channels they are still a member of, newest change first; with
        ``team_id``, those of that team's channels and of direct and group messages."""
        q = (sa.select(t).join(channelmembers, sa.and_(channelmembers.c.channelid == t.c.channelid,
                                                       channelmembers.c.userid == user_id))
             .where(t.c.userid == user_id, t.c.deleteat == 0)
             .order_by(t.c.updateat.desc(), t.c.channelid, t.c.rootid))
        if team_id:
            q = q.join(channels, channels.c.id == t.c.channelid).where(channels.c.teamid.in_([team_id, ""]))
        async with self.db.read() as conn:
            return DRAFT.all((await conn.execute(q)).all())

    async def delete_for_thread(self, channel_id: str, root_id: str, conn: AsyncConnection | None = None
                                ) -> list[str]:
        """Every user's drafts replying to ``root_id`` (a post being deleted); the users whose drafts went."""
        where = sa.and_(t.c.channelid == channel_id, t.c.rootid == root_id)
        async with self.db.write_in(conn) as conn:
            users = [str(r[0]) for r in await conn.execute(sa.select(t.c.userid).where(where))]
            if users:
                await conn.execute(t.delete().where(where))
        return users

    async def delete_for_users(self, user_ids: Sequence[str], conn: AsyncConnection | None = None) -> None:
        if not user_ids:
            return
        async with self.db.write_in(conn) as conn:
            await conn.execute(t.delete().where(t.c.userid.in_(list(user_ids))))
