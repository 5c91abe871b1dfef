"""/channels, direct and group messages, members, read state."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.model.channel import Channel, ChannelCreate, ChannelPatch
from chinwag.model.errors import invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.model.team import SchemeRoles
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


class _MemberAdd(msgspec.Struct):
    user_id: str = ""
    user_ids: list[str] | None = None
    post_root_id: str = ""


class _View(msgspec.Struct):
    channel_id: str = ""
    prev_channel_id: str = ""
    collapsed_threads_supported: bool = False


class _Roles(msgspec.Struct):
    roles: str = ""


class _Privacy(msgspec.Struct):
    privacy: str = ""


@api.route("POST", "/channels")
async def create_channel(w: HandlerContext) -> Any:
    return await w.app.channels.create(w.ctx, await w.json(ChannelCreate, "channel")), 201


@api.route("POST", "/channels/direct")
async def create_direct(w: HandlerContext) -> Any:
    ids = await w.json(list[str], "user_ids")
    channel, _created = await w.app.direct_channels.create_direct(w.ctx, ids)
    return channel, 201


@api.route("POST", "/channels/group")
async def create_group(w: HandlerContext) -> Any:
    ids = await w.json(list[str], "user_ids")
    channel, _created = await w.app.direct_channels.create_group(w.ctx, ids)
    return channel, 201


@api.route("GET", "/channels/{channel_id}")
async def get_channel(w: HandlerContext) -> Any:
    return await w.app.channels.get_readable(w.ctx, w.id_param("channel_id"))


@api.route("PUT", "/channels/{channel_id}")
async def update_channel(w: HandlerContext) -> Any:
    channel_id = w.id_param("channel_id")
    data = await w.json(Channel, "channel")
    if data.id != channel_id:
        raise invalid_param("updateChannel", "id")
    return await w.app.channels.update(w.ctx, channel_id, data)


@api.route("PUT", "/channels/{channel_id}/patch")
async def patch_channel(w: HandlerContext) -> Any:
    return await w.app.channels.patch(w.ctx, w.id_param("channel_id"), await w.json(ChannelPatch, "channel"))


@api.route("PUT", "/channels/{channel_id}/privacy")
async def update_privacy(w: HandlerContext) -> Any:
    body = await w.json(_Privacy, "privacy")
    return await w.app.channels.convert_privacy(w.ctx, w.id_param("channel_id"), body.privacy)


@api.route("POST", "/channels/{channel_id}/convert")
async def convert_to_private(w: HandlerContext) -> Any:
    return await w.app.channels.convert_privacy(w.ctx, w.id_param("channel_id"), "P")


class _Move(msgspec.Struct):
    team_id: str = ""
    force: bool = False


@api.route("POST", "/channels/{channel_id}/move")
async def move_channel(w: HandlerContext) -> Any:
    body = await w.json(_Move, "channel_move")
    return await w.app.channel_moves.move(w.ctx, w.id_param("channel_id"), body.team_id, body.force)


@api.route("DELETE", "/channels/{channel_id}")
async def delete_channel(w: HandlerContext) -> Any:
    await w.app.channels.archive(w.ctx, w.id_param("channel_id"))
    return ok()


@api.route("POST", "/channels/{channel_id}/restore")
async def restore_channel(w: HandlerContext) -> Any:
    return await w.app.channels.restore(w.ctx, w.id_param("channel_id"))


@api.route("GET", "/channels/{channel_id}/stats")
async def channel_stats(w: HandlerContext) -> Any:
    return await w.app.channels.stats(w.ctx, w.id_param("channel_id"),
                                      files=not w.query_bool("exclude_files_count"))


@api.route("GET", "/channels/{channel_id}/pinned")
async def pinned_posts(w: HandlerContext) -> Any:
    return await w.app.post_lists.pinned(w.ctx, w.id_param("channel_id"))


@api.route("GET", "/channels/{channel_id}/members")
async def get_members(w: HandlerContext) -> Any:
    return await w.app.channel_members.get_members(w.ctx, w.id_param("channel_id"), w.page(), w.per_page())


@api.route("POST", "/channels/{channel_id}/members/ids")
async def get_members_by_ids(w: HandlerContext) -> Any:
    ids = await w.json(list[str], "user_ids")
    if not ids or not all(is_valid_id(i) for i in ids):
        raise invalid_param("getChannelMembersByIds", "user_ids")
    return await w.app.channel_members.get_members(w.ctx, w.id_param("channel_id"), 0, len(ids), ids)


@api.route("POST", "/channels/{channel_id}/members")
async def add_member(w: HandlerContext) -> Any:
    channel_id = w.id_param("channel_id")
    body = await w.json(_MemberAdd, "channel_member")
    if body.user_ids:
        if not all(is_valid_id(u) for u in body.user_ids):
            raise invalid_param("addChannelMember", "user_ids")
        added = [await w.app.channel_members.add_member(w.ctx, channel_id, u, body.post_root_id) for u in body.user_ids]
        return added, 201
    if not is_valid_id(body.user_id):
        raise invalid_param("addChannelMember", "user_id")
    return await w.app.channel_members.add_member(w.ctx, channel_id, body.user_id, body.post_root_id), 201


@api.route("GET", "/channels/{channel_id}/members/{user_id}")
async def get_member(w: HandlerContext) -> Any:
    return await w.app.channel_members.get_member(w.ctx, w.id_param("channel_id"), w.user_param())


@api.route("DELETE", "/channels/{channel_id}/members/{user_id}")
async def remove_member(w: HandlerContext) -> Any:
    await w.app.channel_members.remove_member(w.ctx, w.id_param("channel_id"), w.user_param())
    return ok()


@api.route("PUT", "/channels/{channel_id}/members/{user_id}/roles")
async def update_member_roles(w: HandlerContext) -> Any:
    body = await w.json(_Roles, "roles")
    await w.app.channel_members.update_member_roles(w.ctx, w.id_param("channel_id"), w.user_param(), body.roles)
    return ok()


@api.route("PUT", "/channels/{channel_id}/members/{user_id}/schemeRoles")
async def update_member_scheme_roles(w: HandlerContext) -> Any:
    body = await w.json(SchemeRoles, "scheme_roles")
    await w.app.channel_members.update_member_scheme_roles(w.ctx, w.id_param("channel_id"), w.user_param(), body)
    return ok()


@api.route("PUT", "/channels/{channel_id}/members/{user_id}/notify_props")
async def update_notify_props(w: HandlerContext) -> Any:
    props = await w.json(dict[str, str], "notify_props")
    await w.app.channel_members.update_notify_props(w.ctx, w.id_param("channel_id"), w.user_param(), props)
    return ok()


@api.route("POST", "/channels/members/{user_id}/view")
async def view_channel(w: HandlerContext) -> Any:
    body = await w.json(_View, "channel_view")
    times = await w.app.channels.view(w.ctx, w.user_param(), body.channel_id, body.prev_channel_id)
    return {"status": "OK", "last_viewed_at_times": times}


@api.route("GET", "/teams/{team_id}/channels")
async def public_channels(w: HandlerContext) -> Any:
    return await w.app.channels.list_public(w.ctx, w.id_param("team_id"), w.page(), w.per_page())


@api.route("POST", "/teams/{team_id}/channels/ids")
async def public_channels_by_ids(w: HandlerContext) -> Any:
    ids = await w.json(list[str], "channel_ids")
    if not ids or not all(is_valid_id(i) for i in ids):
        raise invalid_param("getPublicChannelsByIdsForTeam", "channel_ids")
    return await w.app.channels.list_public(w.ctx, w.id_param("team_id"), 0, len(ids), ids=ids)


@api.route("GET", "/teams/{team_id}/channels/private")
async def private_channels(w: HandlerContext) -> Any:
    return await w.app.channels.list_private(w.ctx, w.id_param("team_id"), w.page(), w.per_page())


@api.route("GET", "/teams/{team_id}/channels/deleted")
async def deleted_channels(w: HandlerContext) -> Any:
    return await w.app.channels.list_public(w.ctx, w.id_param("team_id"), w.page(), w.per_page(), deleted=True)


@api.route("GET", "/teams/{team_id}/channels/name/{channel_name}")
async def channel_by_name(w: HandlerContext) -> Any:
    return await w.app.channels.get_by_name(w.ctx, w.id_param("team_id"), w.str_param("channel_name"),
                                            w.query_bool("include_deleted"))


@api.route("GET", "/teams/name/{team_name}/channels/name/{channel_name}")
async def channel_by_team_name(w: HandlerContext) -> Any:
    return await w.app.channels.get_by_team_name(w.ctx, w.str_param("team_name"), w.str_param("channel_name"),
                                                 w.query_bool("include_deleted"))


@api.route("GET", "/users/{user_id}/teams/{team_id}/channels")
async def channels_for_user(w: HandlerContext) -> Any:
    return await w.app.channels.for_user(w.ctx, w.user_param(), w.id_param("team_id"),
                                         w.query_bool("include_deleted"), w.query_int("last_delete_at"))


@api.route("GET", "/users/{user_id}/channels")
async def all_channels_for_user(w: HandlerContext) -> Any:
    return await w.app.channels.for_user(w.ctx, w.user_param(), None, w.query_bool("include_deleted"),
                                         w.query_int("last_delete_at"))


@api.route("GET", "/users/{user_id}/teams/{team_id}/channels/members")
async def channel_members_for_user(w: HandlerContext) -> Any:
    return await w.app.channels.members_for_user(w.ctx, w.user_param(), w.id_param("team_id"))


@api.route("GET", "/users/{user_id}/channel_members")
async def all_channel_members_for_user(w: HandlerContext) -> Any:
    members = await w.app.channels.members_for_user(w.ctx, w.user_param(), None)
    page, per_page = w.page(), w.per_page()
    return members[page * per_page:(page + 1) * per_page] if w.query("per_page") else members


@api.route("GET", "/users/{user_id}/channels/{channel_id}/unread")
async def channel_unread(w: HandlerContext) -> Any:
    return await w.app.channels.unread(w.ctx, w.user_param(), w.id_param("channel_id"))


class _ChannelSearch(msgspec.Struct, kw_only=True):
    term: str = ""
    include_deleted: bool = False


@api.route("POST", "/teams/{team_id}/channels/search")
async def search_channels_for_team(w: HandlerContext) -> Any:
    body = await w.json(_ChannelSearch, "channel_search")
    return await w.app.search.search_channels(w.ctx, w.str_param("team_id"), body.term, body.include_deleted)


@api.route("POST", "/teams/{team_id}/channels/search_archived")
async def search_archived_channels_for_team(w: HandlerContext) -> Any:
    body = await w.json(_ChannelSearch, "channel_search")
    return await w.app.search.search_archived_channels(w.ctx, w.str_param("team_id"), body.term)


@api.route("GET", "/teams/{team_id}/channels/autocomplete")
async def autocomplete_channels_for_team(w: HandlerContext) -> Any:
    return await w.app.search.autocomplete_channels(w.ctx, w.str_param("team_id"), w.query("name"))


@api.route("GET", "/teams/{team_id}/channels/search_autocomplete")
async def autocomplete_channels_for_team_for_search(w: HandlerContext) -> Any:
    return await w.app.search.autocomplete_channels_for_search(w.ctx, w.str_param("team_id"), w.query("name"))
