"""Reactions; keeps posts.hasreactions right."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.post import Reaction
from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import posts, reactions

REACTION = RowMap(Reaction, reactions)


class SqlReactionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, r: Reaction, conn: AsyncConnection | None = None) -> Reaction:
        async with self.db.write_in(conn) as conn:
            await conn.execute(
                upsert(
                    conn, reactions, ["userid", "postid", "emojiname"], ["createat", "updateat", "deleteat"]
                ).values(
                    userid=r.user_id,
                    postid=r.post_id,
                    emojiname=r.emoji_name,
                    createat=r.create_at,
                    updateat=r.update_at,
                    deleteat=0,
                    channelid=r.channel_id,
                    remoteid=r.remote_id or None,
                )
            )
            await conn.execute(
                posts.update().where(posts.c.id == r.post_id).values(hasreactions=True, updateat=r.update_at)
            )
        return r

    async def delete(self, r: Reaction, now: int, conn: AsyncConnection | None = None) -> bool:
        async with self.db.write_in(conn) as conn:
            res = await conn.execute(
                reactions.delete().where(
                    reactions.c.userid == r.user_id,
                    reactions.c.postid == r.post_id,
                    reactions.c.emojiname == r.emoji_name,
                )
            )
            if not res.rowcount:
                return False
            left = (
                await conn.execute(
                    sa.select(sa.func.count()).select_from(reactions).where(reactions.c.postid == r.post_id)
                )
            ).scalar_one()
            await conn.execute(
                posts.update().where(posts.c.id == r.post_id).values(hasreactions=bool(left), updateat=now)
            )
        return True

    async def for_post(self, post_id: str) -> list[Reaction]:
        q = sa.select(reactions).where(reactions.c.postid == post_id).order_by(reactions.c.createat)
        async with self.db.read() as conn:
            return REACTION.all((await conn.execute(q)).all())

    async def for_posts(self, post_ids: Sequence[str]) -> dict[str, list[Reaction]]:
        out: dict[str, list[Reaction]] = {}
        if not post_ids:
            return out
        q = sa.select(reactions).where(reactions.c.postid.in_(list(post_ids))).order_by(reactions.c.createat)
        async with self.db.read() as conn:
            for row in (await conn.execute(q)).all():
                r = REACTION.one(row)
                out.setdefault(r.post_id, []).append(r)
        return out
