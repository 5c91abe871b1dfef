"""Incoming and outgoing webhooks (soft-deleted: ``deleteat`` set)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chinwag.model.integration import IncomingWebhook, OutgoingWebhook
from chinwag.store.sql.common import get_live, insert_row, soft_delete, update_live
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import incominghooks, outgoinghooks


def row_to_incoming(r: Any) -> IncomingWebhook:
    m = r._mapping
    return IncomingWebhook(
        id=m["id"], create_at=m["createat"], update_at=m["updateat"], delete_at=m["deleteat"],
        user_id=m["userid"], channel_id=m["channelid"], team_id=m["teamid"], display_name=m["displayname"],
        description=m["description"], username=m["username"], icon_url=m["iconurl"],
        channel_locked=bool(m["channellocked"]),
    )


def incoming_values(h: IncomingWebhook) -> dict[str, Any]:
    return {
        "id": h.id, "createat": h.create_at, "updateat": h.update_at, "deleteat": h.delete_at,
        "userid": h.user_id, "channelid": h.channel_id, "teamid": h.team_id, "displayname": h.display_name,
        "description": h.description, "username": h.username, "iconurl": h.icon_url,
        "channellocked": h.channel_locked,
    }


def row_to_outgoing(r: Any) -> OutgoingWebhook:
    m = r._mapping
    return OutgoingWebhook(
        id=m["id"], token=m["token"], create_at=m["createat"], update_at=m["updateat"],
        delete_at=m["deleteat"], creator_id=m["creatorid"], channel_id=m["channelid"], team_id=m["teamid"],
        trigger_words=list(m["triggerwords"] or []), trigger_when=m["triggerwhen"],
        callback_urls=list(m["callbackurls"] or []), display_name=m["displayname"],
        description=m["description"], content_type=m["contenttype"], username=m["username"],
        icon_url=m["iconurl"],
    )


def outgoing_values(h: OutgoingWebhook) -> dict[str, Any]:
    return {
        "id": h.id, "token": h.token, "createat": h.create_at, "updateat": h.update_at,
        "deleteat": h.delete_at, "creatorid": h.creator_id, "channelid": h.channel_id, "teamid": h.team_id,
        "triggerwords": list(h.trigger_words), "triggerwhen": h.trigger_when,
        "callbackurls": list(h.callback_urls), "displayname": h.display_name, "description": h.description,
        "contenttype": h.content_type, "username": h.username, "iconurl": h.icon_url,
    }


class SqlWebhookStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # incoming --------------------------------------------------------------------------------

    async def save_incoming(self, hook: IncomingWebhook) -> IncomingWebhook:
        await insert_row(self.db, incominghooks, incoming_values(hook))
        return hook

    async def update_incoming(self, hook: IncomingWebhook) -> IncomingWebhook:
        await update_live(self.db, incominghooks, hook.id, incoming_values(hook), "incoming_webhook")
        return hook

    async def get_incoming(self, hook_id: str) -> IncomingWebhook:
        return row_to_incoming(await get_live(self.db, incominghooks, hook_id, "incoming_webhook"))

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
        return [row_to_incoming(r) for r in rows]

    async def delete_incoming(self, hook_id: str, now: int) -> None:
        await soft_delete(self.db, incominghooks, hook_id, now)

    # outgoing --------------------------------------------------------------------------------

    async def save_outgoing(self, hook: OutgoingWebhook) -> OutgoingWebhook:
        await insert_row(self.db, outgoinghooks, outgoing_values(hook))
        return hook

    async def update_outgoing(self, hook: OutgoingWebhook) -> OutgoingWebhook:
        await update_live(self.db, outgoinghooks, hook.id, outgoing_values(hook), "outgoing_webhook")
        return hook

    async def get_outgoing(self, hook_id: str) -> OutgoingWebhook:
        return row_to_outgoing(await get_live(self.db, outgoinghooks, hook_id, "outgoing_webhook"))

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
        return [row_to_outgoing(r) for r in rows]

    async def delete_outgoing(self, hook_id: str, now: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                outgoinghooks.update()
                .where(outgoinghooks.c.id == hook_id, outgoinghooks.c.deleteat == 0)
                .values(deleteat=now, updateat=now)
            )
