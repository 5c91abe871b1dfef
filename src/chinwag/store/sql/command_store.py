"""Slash commands and their response_url hooks (``commandwebhooks``)."""

from __future__ import annotations

import sqlalchemy as sa

from chinwag.model.integration import Command, CommandWebhook
from chinwag.store.errors import InvalidInput, NotFound
from chinwag.store.sql.common import get_live, insert_row, soft_delete, update_live
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import commands, commandwebhooks

COMMAND = RowMap(Command, commands)
COMMAND_WEBHOOK = RowMap(CommandWebhook, commandwebhooks)


class SqlCommandStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, cmd: Command) -> Command:
        await insert_row(self.db, commands, COMMAND.values(cmd))
        return cmd

    async def update(self, cmd: Command) -> Command:
        await update_live(self.db, commands, cmd.id, COMMAND.values(cmd), "command")
        return cmd

    async def get(self, command_id: str) -> Command:
        return COMMAND.one(await get_live(self.db, commands, command_id, "command"))

    async def list_for_team(self, team_id: str) -> list[Command]:
        q = (sa.select(commands).where(commands.c.teamid == team_id, commands.c.deleteat == 0)
             .order_by(commands.c.trigger, commands.c.id))
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return COMMAND.all(rows)

    async def delete(self, command_id: str, now: int) -> None:
        await soft_delete(self.db, commands, command_id, now)

    # response_url hooks ----------------------------------------------------------------------

    async def save_webhook(self, hook: CommandWebhook) -> CommandWebhook:
        async with self.db.write() as conn:
            await conn.execute(commandwebhooks.insert().values(**COMMAND_WEBHOOK.values(hook)))
        return hook

    async def get_webhook(self, hook_id: str) -> CommandWebhook:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(commandwebhooks).where(commandwebhooks.c.id == hook_id))).first()
        if row is None:
            raise NotFound("command_webhook", hook_id)
        return COMMAND_WEBHOOK.one(row)

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
