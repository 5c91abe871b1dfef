"""POST /users/group_channels, GET /teams/invite/{invite_id}, POST /teams/{id}/regenerate_invite_id, POST /posts/ephemeral, POST /posts/ids, POST /users/tokens/search, GET /channels/{id}/timezones,
GET /system/timezones."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.app.lookup import supported_timezones
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext


class _Ephemeral(msgspec.Struct):
    user_id: str = ""
    post: dict[str, Any] | None = None


@api.route("POST", "/posts/ephemeral")
async def create_ephemeral_post(w: HandlerContext) -> Any:
    body = await w.json(_Ephemeral, "body")
    return (await w.app.ephemeral.send(w.ctx, body.user_id, body.post)).to_dict(), 201


@api.route("POST", "/posts/ids")
async def posts_by_ids(w: HandlerContext) -> Any:
    ids = await w.json(list[str], "post_ids")
    return [p.to_dict() for p in await w.app.lookup.posts_by_ids(w.ctx, ids)]


class _TokenSearch(msgspec.Struct):
    term: str = ""


@api.route("POST", "/users/tokens/search")
async def search_tokens(w: HandlerContext) -> Any:
    body = await w.json(_TokenSearch, "term")
    return [t.to_dict() for t in await w.app.lookup.search_tokens(w.ctx, body.term)]


@api.route("GET", "/channels/{channel_id}/timezones")
async def channel_timezones(w: HandlerContext) -> Any:
    return await w.app.lookup.channel_timezones(w.ctx, w.id_param("channel_id"))


@api.route("GET", "/system/timezones")
async def system_timezones(w: HandlerContext) -> Any:
    return supported_timezones()


@api.route("POST", "/users/group_channels")
async def users_by_group_channels(w: HandlerContext) -> Any:
    ids = await w.json(list[str], "channel_ids")
    found = await w.app.lookup.group_channel_members(w.ctx, ids)
    return {cid: [u.to_dict() for u in members] for cid, members in found.items()}


@api.route("POST", "/teams/{team_id}/regenerate_invite_id")
async def regenerate_invite_id(w: HandlerContext) -> Any:
    return (await w.app.team_invites.regenerate(w.ctx, w.id_param("team_id"))).to_dict()


class _Privacy(msgspec.Struct):
    privacy: str = ""


@api.route("PUT", "/teams/{team_id}/privacy")
async def team_privacy(w: HandlerContext) -> Any:
    team_id = w.id_param("team_id")
    body = await w.json(_Privacy, "privacy")
    return (await w.app.team_invites.set_privacy(w.ctx, team_id, body.privacy)).to_dict()


class _GroupSearch(msgspec.Struct):
    term: str = ""


@api.route("POST", "/channels/group/search")
async def search_group_channels(w: HandlerContext) -> Any:
    body = await w.json(_GroupSearch, "channel_search")
    return [c.to_dict() for c in await w.app.lookup.search_group_channels(w.ctx, body.term)]


@api.route("GET", "/teams/invite/{invite_id}", auth=False)
async def team_invite_info(w: HandlerContext) -> Any:
    return await w.app.lookup.invite_info(w.str_param("invite_id"))
