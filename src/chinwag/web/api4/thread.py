"""/users/{id}/teams/{team_id}/threads: Collapsed Reply Threads."""

from __future__ import annotations

from typing import Any

from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok

BASE = "/users/{user_id}/teams/{team_id}/threads"


@api.route("GET", BASE)
async def get_threads(w: HandlerContext) -> Any:
    return await w.app.threads.list_threads(
        w.ctx, w.user_param(), w.id_param("team_id"), per_page=w.per_page(25) or 25, before=w.query("before"),
        after=w.query("after"), since=w.query_int("since"), extended=w.query_bool("extended"),
        deleted=w.query_bool("deleted"), unread=w.query_bool("unread"),
        totals_only=w.query_bool("totalsOnly"), threads_only=w.query_bool("threadsOnly"))


@api.route("PUT", BASE + "/read")
async def mark_all_read(w: HandlerContext) -> Any:
    await w.app.threads.mark_all_read(w.ctx, w.user_param(), w.id_param("team_id"))
    return ok()


@api.route("GET", BASE + "/{thread_id}")
async def get_thread(w: HandlerContext) -> Any:
    return await w.app.threads.get(w.ctx, w.user_param(), w.id_param("team_id"), w.id_param("thread_id"),
                                   w.query_bool("extended"))


@api.route("PUT", BASE + "/{thread_id}/read/{timestamp}")
async def mark_read(w: HandlerContext) -> Any:
    ts = w.str_param("timestamp")
    from chinwag.model.errors import invalid_url_param

    if not ts.isdigit():
        raise invalid_url_param("updateReadStateThreadByUser", "timestamp")
    return await w.app.threads.mark_read(w.ctx, w.user_param(), w.id_param("team_id"), w.id_param("thread_id"),
                                         int(ts))


@api.route("POST", BASE + "/{thread_id}/set_unread/{post_id}")
@api.route("PUT", BASE + "/{thread_id}/set_unread/{post_id}")
async def set_unread(w: HandlerContext) -> Any:
    """Mattermost's server routes POST (what its apps send); its API reference documents PUT, so both."""
    return await w.app.threads.set_unread(w.ctx, w.user_param(), w.id_param("team_id"), w.id_param("thread_id"),
                                          w.id_param("post_id"))


@api.route("PUT", BASE + "/{thread_id}/following")
async def follow(w: HandlerContext) -> Any:
    await w.app.threads.set_following(w.ctx, w.user_param(), w.id_param("team_id"), w.id_param("thread_id"), True)
    return ok()


@api.route("DELETE", BASE + "/{thread_id}/following")
async def unfollow(w: HandlerContext) -> Any:
    await w.app.threads.set_following(w.ctx, w.user_param(), w.id_param("team_id"), w.id_param("thread_id"),
                                      False)
    return ok()
