"""POST /teams/{team_id}/import: a Slack export imported into a team by its team admin (Mattermost's
importTeam). The import itself is the Slack importer's (``chinwag import slack``); the composition in
``server.py`` hands it to this service as ``slack`` — the importers sit beside the web layer, above the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.app.team import TeamService
from chinwag.model import permissions
from chinwag.model.errors import AppError
from chinwag.model.team import Team

#: (path of the uploaded ZIP, team name, the importing user's id: the owner of the bots it creates) → the import log
SlackRunner = Callable[[str, str, str], Awaitable[str]]


class TeamImportService:
    def __init__(self, core: AppCore, perms: PermissionService, teams: TeamService) -> None:
        self.core = core
        self.perms = perms
        self.teams = teams
        self.slack: SlackRunner | None = None

    async def check(self, ctx: Ctx, team_id: str) -> Team:
        """What Mattermost checks before reading the upload: the team and ``import_team`` on it."""
        await self.perms.require_team(ctx, team_id, permissions.IMPORT_TEAM, "importTeam")
        return await self.teams.get(team_id, "importTeam")

    async def slack_import(self, ctx: Ctx, team_id: str, path: str) -> str:
        team = await self.check(ctx, team_id)
        if self.slack is None:
            raise AppError("importTeam", "api.team.import_team.unavailable.app_error",
                           "The Slack importer is not available in this process.", 501)
        return await self.slack(path, team.name, ctx.user_id)
