"""Incoming and outgoing webhooks (soft-deleted: ``deleteat`` set)."""

from __future__ import annotations

import sqlalchemy as sa

from chinwag.model.integration import IncomingWebhook, OutgoingWebhook
from chinwag.store.sql.common import get_live, insert_row, soft_delete, update_live
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import incominghooks, outgoinghooks

INCOMING = RowMap(IncomingWebhook, incominghooks)
OUTGOING = RowMap(OutgoingWebhook, outgoinghooks)


class SqlWebhookStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # incoming --------------------------------------------------------------------------------

    async def save_incoming(self, hook: IncomingWebhook) -> IncomingWebhook:
        await insert_row(self.db, incominghooks, INCOMING.values(hook))
        return hook

    async def update_incoming(self, hook: IncomingWebhook) -> IncomingWebhook:
        await update_live(self.db, incominghooks, hook.id, INCOMING.values(hook), "incoming_webhook")
        return hook

    async def get_incoming(self, hook_id: str) -> IncomingWebhook:
        return INCOMING.one(await get_live(self.db, incominghooks, hook_id, "incoming_webhook"))

    async def list_incoming(self, *, team_id: str = "", user_id: str = "", offset: int = 0,
                            limit: int = 60) -> list[IncomingWebhook]:
        q = sa.select(incominghooks).where(incominghooks.c.deleteat == 0)
        if team_id:
            q = q.where(incominghooks.c.teamid == team_id)
        if user_id:
            q = q.where(incominghooks.c.userid == user_id)
        q = q.order_by(incominghooks.c.createat, incominghooks.c.id).offset(offset).limit(limit)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return INCOMING.all(rows)

    async def delete_incoming(self, hook_id: str, now: int) -> None:
        await soft_delete(self.db, incominghooks, hook_id, now)

    # outgoing --------------------------------------------------------------------------------

    async def save_outgoing(self, hook: OutgoingWebhook) -> OutgoingWebhook:
        await insert_row(self.db, outgoinghooks, OUTGOING.values(hook))
        return hook

    async def update_outgoing(self, hook: OutgoingWebhook) -> OutgoingWebhook:
        await update_live(self.db, outgoinghooks, hook.id, OUTGOING.values(hook), "outgoing_webhook")
        return hook

    async def get_outgoing(self, hook_id: str) -> OutgoingWebhook:
        return OUTGOING.one(await get_live(self.db, outgoinghooks, hook_id, "outgoing_webhook"))

    async def list_outgoing(self, *, team_id: str = "", channel_id: str = "", user_id: str = "",
                            offset: int = 0, limit: int | None = 60) -> list[OutgoingWebhook]:
        q = sa.select(outgoinghooks).where(outgoinghooks.c.deleteat == 0)
        if team_id:
            q = q.where(outgoinghooks.c.teamid == team_id)
        if channel_id:
            q = q.where(outgoinghooks.c.channelid == channel_id)
        if user_id:
            q = q.where(outgoinghooks.c.creatorid == user_id)
        q = q.order_by(outgoinghooks.c.createat, outgoinghooks.c.id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return OUTGOING.all(rows)

    async def delete_outgoing(self, hook_id: str, now: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                outgoinghooks.update()
                .where(outgoinghooks.c.id == hook_id, outgoinghooks.c.deleteat == 0)
                .values(deleteat=now, updateat=now)
            )
