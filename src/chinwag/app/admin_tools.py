"""Administration endpoints mmctl uses that the other services do not cover: searching teams (`mmctl team
search`), the server's busy state (`mmctl system
getbusy|setbusy|clearbusy`), marking a user's email verified (`mmctl user verify`) and deleting every user
(`mmctl user deleteall`, local mode only), resetting SAML users' auth data to their email (`mmctl saml
auth-data-reset`) and moving a slash command to another team (`mmctl command move`). Each service gets
what it uses in its constructor."""

from __future__ import annotations

import datetime
import re

import msgspec

from chinwag.app.audit import audit
from chinwag.app.cache import user_changed
from chinwag.app.command import CommandService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.app.purge import PurgeService
from chinwag.app.team import TeamService
from chinwag.app.user import UserService
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.integration import Command
from chinwag.model.team import Team
from chinwag.model.user import User
from chinwag.platform.events import Event


class TeamSearch(msgspec.Struct, kw_only=True):
    """Mattermost's model.TeamSearch (the fields a client may send)."""

    term: str = ""
    page: int | None = None
    per_page: int | None = None
    allow_open_invite: bool | None = None
    group_constrained: bool | None = None
    include_group_constrained: bool | None = None
    exclude_policy_constrained: bool | None = None


class TeamDirectory:
    def __init__(self, core: AppCore, perms: PermissionService, teams: TeamService) -> None:
        self.core = core
        self.perms = perms
        self.teams = teams

    async def search(self, ctx: Ctx, props: TeamSearch) -> tuple[list[Team], int, bool]:
        """POST /teams/search: name or display name containing the term, by display name. Who may list
        private and public teams sees both; others only what they may list (paging is for the former,
        as in Mattermost). Returns (teams, total, paged)."""
        where = "searchTeams"
        paged = props.page is not None and props.per_page is not None
        if paged and (props.page < 0 or props.per_page < 0):  # type: ignore[operator]
            raise invalid_param(where, "page")
        private = self.perms.has_system(ctx, permissions.LIST_PRIVATE_TEAMS)
        public = self.perms.has_system(ctx, permissions.LIST_PUBLIC_TEAMS)
        if private and public:
            open_invite = props.allow_open_invite
        elif private or public:
            if props.page is not None or props.per_page is not None:
                kind = "private" if private else "public"
                raise AppError(where, f"api.team.search_teams.pagination_not_implemented.{kind}_team_search",
                               "Pagination is not implemented for this kind of team search.", 501)
            open_invite = public
        else:
            return [], 0, paged
        found, total = await self.core.store.teams.search(
            props.term, open_invite=open_invite, page=props.page if paged else None,
            per_page=min(props.per_page or 0, 200) if paged else None)
        return await self.teams.sanitize_all(ctx, found), total, paged


BUSY_KEY = "ServerBusyExpires"
MAX_BUSY_SECONDS = 86_400


class ServerBusy:
    """The server's busy state, as Mattermost's: an expiry time, shared by every process and node
    through the ``systems`` table. While busy, post search answers 503."""

    def __init__(self, core: AppCore, perms: PermissionService) -> None:
        self.core = core
        self.perms = perms

    async def expires(self) -> int:
        """Unix seconds until which the server is busy; 0 when it is not."""
        raw = await self.core.store.system.get(BUSY_KEY)
        try:
            until = int(raw or 0)
        except ValueError:
            return 0
        return until if until * 1000 > self.core.now() else 0

    async def is_busy(self) -> bool:
        return await self.expires() > 0

    async def require_not_busy(self, where: str) -> None:
        if await self.is_busy():
            raise AppError(where, "api.context.server_busy.app_error",
                           "Server is busy, non-critical services are temporarily unavailable.", 503)

    async def get(self, ctx: Ctx) -> dict[str, object]:
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "getServerBusyExpires")
        until = await self.expires()
        ts = datetime.datetime.fromtimestamp(until, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"busy": until > 0, "expires": until, "expires_ts": ts}

    async def set(self, ctx: Ctx, seconds: str) -> None:
        where = "setServerBusy"
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
        try:
            secs = int(seconds) if seconds else 3600
        except ValueError:
            raise invalid_param(where, "seconds") from None
        if secs <= 0 or secs > MAX_BUSY_SECONDS:
            raise invalid_param(where, "seconds")
        await self.core.store.system.set(BUSY_KEY, str(self.core.now() // 1000 + secs))

    async def clear(self, ctx: Ctx) -> None:
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "clearServerBusy")
        await self.core.store.system.set(BUSY_KEY, "0")


BCRYPT_HASH = re.compile(r"^\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}$")


class UserAdmin:
    def __init__(self, core: AppCore, perms: PermissionService, users: UserService, purge: PurgeService) -> None:
        self.core = core
        self.perms = perms
        self.users = users
        self.purge = purge

    async def verify_email(self, ctx: Ctx, user_id: str) -> User:
        """POST /users/{id}/email/verify/member: a system admin marks the email verified."""
        where = "verifyUserEmailWithoutToken"
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
        user = await self.users.get(user_id, where)
        if not user.email_verified:
            user.email_verified = True
            user.update_at = self.core.now()
            await self.users.save_changed(user)
        return self.users.sanitize(ctx, user)

    async def update_hashed_password(self, ctx: Ctx, user_id: str, hashed: str) -> None:
        """PUT /users/{id}/password with ``already_hashed``: store a bcrypt hash as it is (moving accounts
        from another server). Admins only (a system admin's password: ``manage_system``); a user asking
        for their own → 401, others → 403, as Mattermost."""
        where = "updatePassword"
        user = await self.users.get(user_id, where)
        needed = permissions.MANAGE_SYSTEM if user.is_system_admin() else permissions.EDIT_OTHER_USERS
        if not self.perms.has_system(ctx, needed):
            if ctx.user_id == user_id:
                raise AppError(where, "api.user.update_password.user_and_hashed.app_error",
                               "Only system administrators can set already-hashed passwords.", 401)
            raise AppError(where, "api.user.update_password.context.app_error",
                           "Update password failed because context user_id did not match props user_id", 403)
        if not BCRYPT_HASH.match(hashed):
            raise invalid_param(where, "new_password", "not a bcrypt hash")
        await self.core.store.users.update_password(user_id, hashed, self.core.now())
        self.core.publish(user_changed(user_id))  # last_password_update, on every node
        await audit(self.core, ctx, "update_password", "success", user_id=user_id, hashed=True)

    async def delete_all(self, ctx: Ctx) -> int:
        """DELETE /users (local mode only): every user, with everything they posted, permanently."""
        where = "PermanentDeleteAllUsers"
        if not ctx.local:
            raise AppError(where, "api.context.local_mode_only.app_error",
                           "This API can only be used in local mode.", 403)
        n = 0
        while True:
            batch = await self.core.store.users.list_users(page=0, per_page=200)
            if not batch:
                break
            for user in batch:
                await self.purge.purge_user(user.id, flush_caches=False)
                n += 1
        self.core.publish(Event("_caches_flush"))
        return n

    async def reset_saml_auth_data(self, ctx: Ctx, include_deleted: bool, dry_run: bool,
                                   user_ids: list[str]) -> int:
        """POST /saml/reset_auth_data: SAML users' AuthData becomes their email (the IdP then matches them
        by email); deactivated users only with ``include_deleted``; only ``user_ids`` when given. A dry
        run only counts."""
        where = "resetAuthDataToEmail"
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
        wanted = set(user_ids)
        found = [u for u in await self.core.store.users.list_by_auth_service("saml")
                 if (include_deleted or not u.delete_at) and (not wanted or u.id in wanted)]
        if dry_run:
            return len(found)
        now = self.core.now()
        for user in found:
            user.auth_data = user.email
            user.update_at = now
            await self.users.save_changed(user)
        return len(found)


class CommandMover:
    def __init__(self, core: AppCore, perms: PermissionService, commands: CommandService,
                 teams: TeamService) -> None:
        self.core = core
        self.perms = perms
        self.commands = commands
        self.teams = teams

    async def move(self, ctx: Ctx, command_id: str, team_id: str) -> None:
        """PUT /commands/{id}/move: needs managing slash commands in both teams (and others' commands
        when not the creator). A trigger already used in the destination is refused."""
        where = "moveCommand"
        team = await self.teams.get(team_id, where)
        await self.perms.require_team(ctx, team.id, permissions.MANAGE_SLASH_COMMANDS, where)
        cmd: Command = await self.commands.get(ctx, command_id)
        if cmd.team_id == team.id:
            return
        for other in await self.core.store.commands.list_for_team(team.id):
            if other.trigger.lower() == cmd.trigger.lower():
                raise AppError(where, "api.command.duplicate_trigger.app_error",
                               "This trigger word is already in use. Please choose another word.", 400)
        cmd = msgspec.structs.replace(cmd, team_id=team.id, update_at=self.core.now())
        await self.core.store.commands.update(cmd)
