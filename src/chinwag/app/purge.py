"""Permanent deletion of users and teams (DELETE /users/{id}?permanent=true and
DELETE /teams/{id}?permanent=true), gated as in Mattermost by ServiceSettings.EnableAPIUserDeletion
and EnableAPITeamDeletion. Rows go in one unit of work, then the stored files; every node drops
its caches."""

from __future__ import annotations

import contextlib
import json

import structlog

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.file import FileService
from chinwag.app.permissions import PermissionService
from chinwag.app.session import SessionService
from chinwag.model import permissions
from chinwag.model.errors import AppError
from chinwag.platform.events import Broadcast, Event

log = structlog.get_logger("chinwag.purge")


@service
class PurgeService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    files: FileService
    sessions: SessionService

    async def delete_user(self, ctx: Ctx, user_id: str) -> None:
        where = "PermanentDeleteUser"
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
        if not self.core.cfg.ServiceSettings.EnableAPIUserDeletion:
            raise AppError(where, "api.user.delete_user.not_enabled.app_error",
                           "Permanent user deletion feature is not enabled. Please contact your System "
                           "Administrator (ServiceSettings.EnableAPIUserDeletion).", 401, f"userId={user_id}")
        user = await self.directory.user(user_id, where)
        await self.purge_user(user.id)

    async def purge_user(self, user_id: str, *, flush_caches: bool = True) -> None:
        """The end of the user's sessions and every row of theirs in one unit of work (with every node's
        caches flushed unless ``flush_caches`` is off), then their stored files."""
        async with self.core.unit_of_work() as uow:
            await self.sessions.revoke_all(user_id, uow=uow)
            paths = await self.core.store.purge.purge_user(user_id, uow.conn)
            if flush_caches:
                uow.publish(Event("_caches_flush"))
        await self._remove_files(paths)

    async def delete_team(self, ctx: Ctx, team_id: str) -> None:
        where = "PermanentDeleteTeam"
        await self.perms.require_team(ctx, team_id, permissions.MANAGE_TEAM, where)
        if not self.core.cfg.ServiceSettings.EnableAPITeamDeletion:
            raise AppError(where, "api.team.delete_team.not_enabled.app_error",
                           "Permanent team deletion feature is not enabled. Please contact your System "
                           "Administrator (ServiceSettings.EnableAPITeamDeletion).", 401, f"teamId={team_id}")
        team = await self.directory.team(team_id, where)
        async with self.core.unit_of_work() as uow:
            paths = await self.core.store.purge.purge_team(team.id, uow.conn)
            uow.publish(Event("delete_team", {"team": json.dumps(team.to_dict())}, Broadcast(team_id=team.id)))
            uow.publish(Event("_caches_flush"))
        await self._remove_files(paths)

    async def _remove_files(self, paths: list[str]) -> None:
        if not paths:
            return
        try:
            backend = self.files.backend()
        except AppError as e:
            log.warning("files of a deleted user or team left in storage", error=str(e), count=len(paths))
            return
        for path in paths:
            with contextlib.suppress(Exception):
                await backend.remove(path)
