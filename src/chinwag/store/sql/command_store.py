"""Slash commands and their response_url hooks (``commandwebhooks``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chinwag.model.integration import Command, CommandWebhook
from chinwag.store.errors import InvalidInput, NotFound
from chinwag.store.sql.common import get_live, insert_row, soft_delete, update_live
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import commands, commandwebhooks


def row_to_command(r: Any) -> Command:
    m = r._mapping
    return Command(
        id=m["id"], token=m["token"], create_at=m["createat"], update_at=m["updateat"],
        delete_at=m["deleteat"], creator_id=m["creatorid"], team_id=m["teamid"], trigger=m["trigger"],
        method=m["method"], username=m["username"], icon_url=m["iconurl"],
        auto_complete=bool(m["autocomplete"]), auto_complete_desc=m["autocompletedesc"],
        auto_complete_hint=m["autocompletehint"], display_name=m["displayname"],
        description=m["description"], url=m["url"], plugin_id=m["pluginid"],
    )


def command_values(c: Command) -> dict[str, Any]:
    return {
        "id": c.id, "token": c.token, "createat": c.create_at, "updateat": c.update_at,
        "deleteat": c.delete_at, "creatorid": c.creator_id, "teamid": c.team_id, "trigger": c.trigger,
        "method": c.method, "username": c.username, "iconurl": c.icon_url, "autocomplete": c.auto_complete,
        "autocompletedesc": c.auto_complete_desc, "autocompletehint": c.auto_complete_hint,
        "displayname": c.display_name, "description": c.description, "url": c.url, "pluginid": c.plugin_id,
    }


class SqlCommandStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, cmd: Command) -> Command:
        await insert_row(self.db, commands, command_values(cmd))
        return cmd

    async def update(self, cmd: Command) -> Command:
        await update_live(self.db, commands, cmd.id, command_values(cmd), "command")
        return cmd

    async def get(self, command_id: str) -> Command:
        return row_to_command(await get_live(self.db, commands, command_id, "command"))

    async def list_for_team(self, team_id: str) -> list[Command]:
        q = (sa.select(commands).where(commands.c.teamid == team_id, commands.c.deleteat == 0)
             .order_by(commands.c.trigger, commands.c.id))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [row_to_command(r) for r in rows]

    async def delete(self, command_id: str, now: int) -> None:
        await soft_delete(self.db, commands, command_id, now)

    # response_url hooks ----------------------------------------------------------------------

    async def save_webhook(self, hook: CommandWebhook) -> CommandWebhook:
        async with self.db.write() as conn:
            await conn.execute(commandwebhooks.insert().values(
                id=hook.id, createat=hook.create_at, commandid=hook.command_id, userid=hook.user_id,
                channelid=hook.channel_id, rootid=hook.root_id, usecount=hook.use_count))
        return hook

    async def get_webhook(self, hook_id: str) -> CommandWebhook:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(commandwebhooks).where(commandwebhooks.c.id == hook_id))).first()
        if row is None:
            raise NotFound("command_webhook", hook_id)
        m = row._mapping
        return CommandWebhook(id=m["id"], create_at=m["createat"], command_id=m["commandid"],
                              user_id=m["userid"], channel_id=m["channelid"], root_id=m["rootid"],
                              use_count=m["usecount"])

    async def try_use_webhook(self, hook_id: str, limit: int, not_before: int) -> None:
        """Count one use; InvalidInput when the hook is used up or too old."""
        async with self.db.write() as conn:
            res = await conn.execute(
                commandwebhooks.update()
                .where(commandwebhooks.c.id == hook_id, commandwebhooks.c.usecount < limit,
                       commandwebhooks.c.createat >= not_before)
                .values(usecount=commandwebhooks.c.usecount + 1)
            )
        if res.rowcount == 0:
            raise InvalidInput("command webhook used up or expired")

    async def remove_old_webhooks(self, before: int) -> None:
        async with self.db.write() as conn:
            await conn.execute(commandwebhooks.delete().where(commandwebhooks.c.createat < before))
