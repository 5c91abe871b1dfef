"""Team icons and bot icons, as Mattermost keeps them.

A team icon (``/teams/{team_id}/image``) is any image Pillow decodes, cropped to the centre and scaled to a
128×128 PNG at ``teams/{team_id}/teamIcon.png`` in the file store; the team's ``last_team_icon_update`` is the
time of the upload (0 once removed) and ``update_team`` goes to the team. A bot icon
(``/bots/{bot_user_id}/icon``) is an SVG document kept as uploaded at ``bots/{bot_user_id}/icon.svg``; the
bot's ``last_icon_update`` changes and ``user_updated`` goes out."""

from __future__ import annotations

import asyncio
import contextlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from chinwag.app.bot import BotService, bot_not_found
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.file import FileService, storage_error
from chinwag.app.permissions import PermissionService
from chinwag.app.team import TeamService
from chinwag.app.user import UserService
from chinwag.app.user_image import _TooManyPixels, _Undecodable, crop_to_png
from chinwag.filestore.base import FileBackend, FileBackendError, FileNotFound
from chinwag.model import permissions
from chinwag.model.errors import AppError, permission_denied
from chinwag.model.team import Team
from chinwag.store.errors import NotFound

_SVG_NS = "{http://www.w3.org/2000/svg}svg"


def team_icon_path(team_id: str) -> str:
    return f"teams/{team_id}/teamIcon.png"


def bot_icon_path(bot_id: str) -> str:
    return f"bots/{bot_id}/icon.svg"


def check_svg(data: bytes) -> None:
    """Mattermost's parseSVG: an ``<svg>`` root with a size (width/height or a viewBox). Documents with a
    DTD or entities are refused before parsing."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in head:
        raise ValueError("DTDs are not allowed")
    root = ET.fromstring(data)
    if root.tag not in ("svg", _SVG_NS):
        raise ValueError("not an svg document")
    if not (root.get("viewBox") or (root.get("width") and root.get("height"))):
        raise ValueError("the svg has no size")
    for el in root.iter():
        if re.sub(r"^\{.*\}", "", el.tag).lower() == "script":
            raise ValueError("scripts are not allowed")


async def put_icon(backend: FileBackend, path: str, data: bytes | None, content_type: str,
                   failed: Callable[[FileBackendError], AppError]) -> None:
    """Store an icon file (``data``) or remove it (None; one that is not there is removed already); a
    storage failure becomes the caller's error. Team and bot icons both change through here."""
    try:
        if data is not None:
            await backend.write_file(path, data, content_type)
        else:
            with contextlib.suppress(FileNotFound):
                await backend.remove(path)
    except FileBackendError as e:
        raise failed(e) from None


class TeamIconService:
    def __init__(self, core: AppCore, perms: PermissionService, teams: TeamService, files: FileService) -> None:
        self.core = core
        self.perms = perms
        self.teams = teams
        self.files = files

    def _backend(self, where: str, error_id: str) -> FileBackend:
        if not self.core.cfg.FileSettings.DriverName:
            raise AppError(where, error_id, "Unable to store the team icon. File storage is not configured.", 501)
        return self.files.backend(where)

    async def get(self, ctx: Ctx, team_id: str) -> tuple[bytes, int]:
        """The icon and its ``last_team_icon_update`` (the ETag); members, or anyone for an open team."""
        where = "getTeamIcon"
        team = await self.teams.get(team_id, where)
        if not await self.perms.has_team(ctx, team_id, permissions.VIEW_TEAM) and not (
                team.type == "O" and team.allow_open_invite):
            raise permission_denied(where, f"userId={ctx.user_id}, permission={permissions.VIEW_TEAM}")
        backend = self._backend(where, "api.team.get_team_icon.filesettings_no_driver.app_error")
        try:
            return await backend.read_file(team_icon_path(team.id)), team.last_team_icon_update
        except (FileNotFound, FileBackendError):
            raise AppError(where, "api.team.get_team_icon.read_file.app_error",
                           "Unable to read the team icon file.", 404) from None

    async def check_upload(self, ctx: Ctx, team_id: str, content_length: int) -> None:
        """What Mattermost checks before reading the upload."""
        where = "setTeamIcon"
        await self.perms.require_team(ctx, team_id, permissions.MANAGE_TEAM, where)
        if content_length > self.core.cfg.FileSettings.MaxFileSize:
            raise AppError(where, "api.team.set_team_icon.too_large.app_error",
                           "Unable to upload team icon. File is too large.", 400)

    async def set(self, ctx: Ctx, team_id: str, data: bytes) -> Team:
        where = "SetTeamIcon"
        await self.check_upload(ctx, team_id, len(data))
        team = await self.teams.get(team_id, where)
        backend = self._backend(where, "api.team.set_team_icon.storage.app_error")
        try:
            png = await asyncio.to_thread(crop_to_png, data, self.core.cfg.FileSettings.MaxImageResolution)
        except _TooManyPixels:
            raise AppError(where, "api.team.set_team_icon.too_large.app_error",
                           "Unable to upload team icon. File is too large.", 400) from None
        except _Undecodable as e:
            raise AppError(where, "api.team.set_team_icon.decode.app_error", "Could not decode team icon.", 400,
                           str(e)) from None
        await put_icon(backend, team_icon_path(team.id), png, "image/png", lambda e: storage_error(where, e))
        return await self._changed(team, self.core.now())

    async def remove(self, ctx: Ctx, team_id: str) -> Team:
        where = "removeTeamIcon"
        await self.perms.require_team(ctx, team_id, permissions.MANAGE_TEAM, where)
        team = await self.teams.get(team_id, where)
        backend = self._backend(where, "api.team.set_team_icon.storage.app_error")
        await put_icon(backend, team_icon_path(team.id), None, "", lambda e: storage_error(where, e))
        return await self._changed(team, 0)

    async def _changed(self, team: Team, when: int) -> Team:
        team.last_team_icon_update = when
        team.update_at = self.core.now()
        await self.teams.save_team(team)
        return team


class BotIconService:
    def __init__(self, core: AppCore, directory: Directory, bots: BotService, files: FileService,
                 users: UserService) -> None:
        self.core = core
        self.directory = directory
        self.bots = bots
        self.files = files
        self.users = users

    async def get(self, ctx: Ctx, bot_id: str) -> tuple[bytes, int]:
        where = "GetBotIconImage"
        try:
            bot = await self.core.store.bots.get(bot_id, include_deleted=True)
        except NotFound:
            raise bot_not_found() from None
        # whoever may see the bot's profile (guests: only people they share a channel with) sees its icon
        await self.users.require_visible(ctx, await self.users.get(bot_id, where), where)
        missing = AppError(where, "api.bot.get_bot_icon_image.read_error", "Unable to read the bot's icon.", 404)
        if not bot.last_icon_update or not self.core.cfg.FileSettings.DriverName:
            raise missing
        try:
            return await self.files.backend(where).read_file(bot_icon_path(bot.user_id)), bot.last_icon_update
        except (FileNotFound, FileBackendError):
            raise missing from None

    async def check_upload(self, ctx: Ctx, bot_id: str, content_length: int) -> None:
        await self.bots.require_manage(ctx, bot_id)
        if content_length > self.core.cfg.FileSettings.MaxFileSize:
            raise AppError("setBotIconImage", "api.bot.set_bot_icon_image.too_large.app_error",
                           "Unable to upload the icon. File is too large.", 400)

    async def set(self, ctx: Ctx, bot_id: str, data: bytes) -> None:
        where = "SetBotIconImage"
        await self.check_upload(ctx, bot_id, len(data))
        try:
            check_svg(data)
        except (ValueError, ET.ParseError) as e:
            raise AppError(where, "api.bot.set_bot_icon_image.app_error", "Invalid SVG image.", 400,
                           str(e)) from None
        await put_icon(self.files.backend(where), bot_icon_path(bot_id), data, "image/svg+xml",
                       lambda e: AppError(where, "api.bot.set_bot_icon_image.app_error", "Unable to store the icon.",
                                          500, str(e)))
        await self._changed(bot_id, self.core.now(), where)

    async def remove(self, ctx: Ctx, bot_id: str) -> None:
        where = "DeleteBotIconImage"
        await self.bots.require_manage(ctx, bot_id)
        await put_icon(self.files.backend(where), bot_icon_path(bot_id), None, "",
                       lambda e: AppError(where, "api.bot.delete_bot_icon_image.app_error",
                                          "Unable to delete the icon.", 500, str(e)))
        await self._changed(bot_id, 0, where)

    async def _changed(self, bot_id: str, when: int, where: str) -> None:
        bot = await self.core.store.bots.get(bot_id, include_deleted=True)
        bot.last_icon_update = when
        user = await self.directory.user(bot_id, where)
        user.update_at = self.core.now()
        await self.bots.save(bot, user, where)
