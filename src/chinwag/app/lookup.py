"""Look-ups by id list or term the apps make: posts by ids, team search, personal access token
search, the time zones of a channel's members and the time zones the server knows."""

from __future__ import annotations

import zoneinfo
from functools import cache

from chinwag.app.channel import ChannelService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.app.post_list import PostListService
from chinwag.app.team import TeamService
from chinwag.app.user import UserService
from chinwag.model import permissions
from chinwag.model.channel import Channel
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.model.integration import UserAccessToken
from chinwag.model.post import Post
from chinwag.model.user import User
from chinwag.store.errors import NotFound

#: Mattermost's cap on POST /posts/ids
MAX_POST_IDS = 1000
READ_USER_MANAGEMENT_TEAMS = "sysconsole_read_user_management_teams"


@cache
def supported_timezones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


class LookupService:
    def __init__(self, core: AppCore, perms: PermissionService, channels: ChannelService,
                 post_lists: PostListService, teams: TeamService, users: UserService) -> None:
        self.core = core
        self.perms = perms
        self.channels = channels
        self.post_lists = post_lists
        self.teams = teams
        self.users = users

    async def posts_by_ids(self, ctx: Ctx, post_ids: list[str]) -> list[Post]:
        """The posts the caller may read, in no particular order; others are left out."""
        where = "getPostsByIds"
        if not post_ids:
            raise invalid_param(where, "post_ids")
        if len(post_ids) > MAX_POST_IDS:
            raise AppError(where, "api.post.posts_by_ids.invalid_body.request_error",
                           "The number of post ids in the request body exceeds {Max}.", 400,
                           params={"Max": MAX_POST_IDS})
        if not all(is_valid_id(i) for i in post_ids):
            raise invalid_param(where, "post_ids")
        readable: list[Post] = []
        allowed: dict[str, bool] = {}
        for post in await self.core.store.posts.get_many(list(dict.fromkeys(post_ids))):
            if post.channel_id not in allowed:
                channel = await self.perms.directory.cached_channel(post.channel_id)
                allowed[post.channel_id] = channel is not None and await self.perms.can_read_channel(ctx, channel)
            if allowed[post.channel_id]:
                readable.append(post)
        return await self.post_lists.prepare(ctx, readable)

    async def search_tokens(self, ctx: Ctx, term: str) -> list[UserAccessToken]:
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "searchUserAccessTokens")
        tokens = await self.core.store.lookup.search_tokens(term)
        for t in tokens:
            t.token = ""
        return tokens

    async def channel_timezones(self, ctx: Ctx, channel_id: str) -> list[str]:
        await self.perms.readable_channel(ctx, channel_id, "getChannelMembersTimezones")
        zones = set()
        for tz in await self.core.store.lookup.member_timezones(channel_id):
            zone = tz.get("automaticTimezone", "") if tz.get("useAutomaticTimezone") == "true" else \
                tz.get("manualTimezone", "")
            if zone:
                zones.add(zone)
        return sorted(zones)

    async def group_channel_members(self, ctx: Ctx, channel_ids: list[str]) -> dict[str, list[User]]:
        """POST /users/group_channels: the people in each of the caller's group messages (the apps
        name a group message after them)."""
        where = "getUsersByGroupChannelIds"
        if not channel_ids or not all(is_valid_id(c) for c in channel_ids):
            raise invalid_param(where, "channel_ids")
        found = await self.core.store.lookup.group_channel_members(ctx.user_id, list(dict.fromkeys(channel_ids)))
        return {cid: self.users.sanitize_all(ctx, members) for cid, members in found.items()}

    async def invite_info(self, invite_id: str) -> dict[str, str]:
        """GET /teams/invite/{invite_id}: what the sign-up page shows about an open team's invite link."""
        where = "getInviteInfo"
        if not is_valid_id(invite_id):
            raise invalid_param(where, "invite_id")
        try:
            team = await self.core.store.teams.get_by_invite_id(invite_id)
        except NotFound:
            raise AppError(where, "app.team.get_by_invite_id.finding.app_error", "The invite link is invalid.",
                           404) from None
        if team.type != "O":
            raise AppError(where, "api.team.get_invite_info.not_open_team",
                           "Invite is invalid because this is not an open team.", 403)
        return {"id": team.id, "name": team.name, "display_name": team.display_name,
                "description": team.description}

    async def search_group_channels(self, ctx: Ctx, term: str) -> list[Channel]:
        """POST /channels/group/search: the caller's group messages with someone matching ``term``."""
        if not term.strip():
            return []
        return await self.core.store.lookup.search_group_channels(ctx.user_id, term.strip())
