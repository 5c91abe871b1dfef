"""/posts and channel feeds."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.app.post_list import FeedQuery
from chinwag.app.search import SearchParameter
from chinwag.model.errors import AppError, invalid_url_param
from chinwag.model.post import Post, PostCreate, PostPatch
from chinwag.web.api4 import api
from chinwag.web.handler import JSON_ERRORS, HandlerContext, check_json_values
from chinwag.web.responses import json_response, ok

_NO_CACHE = {"Cache-Control": "no-cache, no-store, must-revalidate"}


@api.route("POST", "/posts")
async def create_post(w: HandlerContext) -> Any:
    data = await w.json(PostCreate, "post")
    post = await w.app.posts.create(w.ctx, data, set_online=w.query_bool("set_online", True))
    return post, 201


@api.route("GET", "/posts/{post_id}/reveal")
async def reveal_post(w: HandlerContext) -> Any:
    await w.app.posts.burn_on_read(w.ctx, w.id_param("post_id"), reveal=True)


@api.route("DELETE", "/posts/{post_id}/burn")
async def burn_post(w: HandlerContext) -> Any:
    await w.app.posts.burn_on_read(w.ctx, w.id_param("post_id"), reveal=False)


@api.route("GET", "/posts/{post_id}")
async def get_post(w: HandlerContext) -> Any:
    return await w.app.posts.get(w.ctx, w.id_param("post_id"), w.query_bool("include_deleted"))


@api.route("GET", "/posts/{post_id}/receipts")
async def get_post_receipts(w: HandlerContext) -> Any:
    """chinwag's own: who has seen the caller's post (read receipts, docs/api.md)."""
    return await w.app.receipts.for_post(w.ctx, w.id_param("post_id"))


@api.route("PUT", "/posts/{post_id}")
async def update_post(w: HandlerContext) -> Any:
    return await w.app.posts.update(w.ctx, w.id_param("post_id"), await w.json(Post, "post"))


@api.route("PUT", "/posts/{post_id}/patch")
async def patch_post(w: HandlerContext) -> Any:
    return await w.app.posts.patch(w.ctx, w.id_param("post_id"), await w.json(PostPatch, "post"))


@api.route("GET", "/posts/{post_id}/edit_history")
async def get_edit_history_for_post(w: HandlerContext) -> Any:
    return await w.app.posts.edit_history(w.ctx, w.id_param("post_id"))


@api.route("POST", "/posts/{post_id}/restore/{restore_version_id}")
async def restore_post_version(w: HandlerContext) -> Any:
    version_id = w.path.get("restore_version_id", "")
    if not version_id.isascii() or not version_id.isalnum():  # Mattermost's route takes [A-Za-z0-9]+
        raise invalid_url_param("restorePostVersion", "restore_version_id")
    return await w.app.posts.restore_version(w.ctx, w.id_param("post_id"), version_id)


@api.route("DELETE", "/posts/{post_id}")
async def delete_post(w: HandlerContext) -> Any:
    await w.app.posts.delete(w.ctx, w.id_param("post_id"))
    return ok()


@api.route("POST", "/posts/{post_id}/pin")
async def pin_post(w: HandlerContext) -> Any:
    await w.app.posts.set_pinned(w.ctx, w.id_param("post_id"), True)
    return ok()


@api.route("POST", "/posts/{post_id}/unpin")
async def unpin_post(w: HandlerContext) -> Any:
    await w.app.posts.set_pinned(w.ctx, w.id_param("post_id"), False)
    return ok()


@api.route("GET", "/posts/{post_id}/thread")
async def get_thread(w: HandlerContext) -> Any:
    return await w.app.post_lists.thread(
        w.ctx, w.id_param("post_id"), collapsed=w.query_bool("collapsedThreads"),
        extended=w.query_bool("collapsedThreadsExtended"), per_page=w.query_int("perPage"),
        from_create_at=w.query_int("fromCreateAt"), direction=w.query("direction"))


@api.route("GET", "/channels/{channel_id}/posts")
async def get_posts_for_channel(w: HandlerContext) -> Any:
    q = FeedQuery(
        page=w.page(), per_page=w.per_page(), since=w.query_int("since"), before=w.query("before"),
        after=w.query("after"), skip_fetch_threads=w.query_bool("skipFetchThreads"),
        collapsed_threads=w.query_bool("collapsedThreads"),
        collapsed_threads_extended=w.query_bool("collapsedThreadsExtended"),
        include_deleted=w.query_bool("include_deleted"),
    )
    return await w.app.post_lists.for_channel(w.ctx, w.id_param("channel_id"), q)


@api.route("GET", "/users/{user_id}/channels/{channel_id}/posts/unread")
async def get_posts_around_last_unread(w: HandlerContext) -> Any:
    q = FeedQuery(skip_fetch_threads=w.query_bool("skipFetchThreads"),
                  collapsed_threads=w.query_bool("collapsedThreads"),
                  collapsed_threads_extended=w.query_bool("collapsedThreadsExtended"))
    return await w.app.post_lists.around_last_unread(
        w.ctx, w.user_param(), w.id_param("channel_id"), _limit(w, "limit_before"), _limit(w, "limit_after"), q)


def _limit(w: HandlerContext, name: str) -> int:
    """Mattermost's limit_before/limit_after: default 60, at most 200; bad values fall back."""
    try:
        value = int(w.query(name, "60"))
    except ValueError:
        return 60
    return 60 if value < 0 else min(value, 200)


@api.route("POST", "/users/{user_id}/posts/{post_id}/set_unread")
async def set_post_unread(w: HandlerContext) -> Any:
    return await w.app.unreads.mark_unread_from_post(w.ctx, w.user_param(), w.id_param("post_id"))


@api.route("GET", "/users/{user_id}/posts/flagged")
async def flagged_posts(w: HandlerContext) -> Any:
    return await w.app.post_lists.flagged(w.ctx, w.user_param(), w.query("channel_id"), w.query("team_id"),
                                          w.page(), w.per_page())


async def _search_params(w: HandlerContext, where: str) -> SearchParameter:
    raw = await w.body() or b"{}"
    try:
        params = msgspec.json.decode(raw, type=SearchParameter)
        check_json_values(raw, "body")
    except (msgspec.ValidationError, AppError, *JSON_ERRORS) as e:
        raise AppError(where, "api.post.search_posts.invalid_body.app_error",
                       "Unable to parse the search request body.", 400, str(e)) from None
    return params


@api.route("POST", "/teams/{team_id}/posts/search")
async def search_posts_in_team(w: HandlerContext) -> Any:
    await w.app.server_busy.require_not_busy("searchPostsInTeam")
    params = await _search_params(w, "searchPostsInTeamForUser")
    result = await w.app.search.search_posts(w.ctx, w.str_param("team_id"), params)
    return json_response(result, headers=_NO_CACHE)


@api.route("POST", "/posts/search")
async def search_posts_in_all_teams(w: HandlerContext) -> Any:
    await w.app.server_busy.require_not_busy("searchPostsInAllTeams")
    params = await _search_params(w, "searchPostsInAllTeams")
    result = await w.app.search.search_posts(w.ctx, None, params)
    return json_response(result, headers=_NO_CACHE)
