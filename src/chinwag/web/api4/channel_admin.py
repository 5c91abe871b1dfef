"""GET /channels and POST /channels/search: every team's public and private channels (System Console)."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.model.errors import invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext


@api.route("GET", "/channels")
async def get_all_channels(w: HandlerContext) -> Any:
    channels, total = await w.app.channel_admin.list(
        w.ctx, "getAllChannels", include_deleted=w.query_bool("include_deleted"),
        exclude_default=w.query_bool("exclude_default_channels"), page=w.page(), per_page=w.per_page())
    if w.query_bool("include_total_count"):
        return {"channels": channels, "total_count": total}
    return channels


class _Search(msgspec.Struct):
    term: str = ""
    exclude_default_channels: bool = False
    team_ids: list[str] = msgspec.field(default_factory=list)
    public: bool = False
    private: bool = False
    include_deleted: bool = False
    deleted: bool = False
    page: int | None = None
    per_page: int | None = None


@api.route("POST", "/channels/search")
async def search_all_channels(w: HandlerContext) -> Any:
    body = await w.json(_Search, "channel_search")
    if not all(is_valid_id(t) for t in body.team_ids):
        raise invalid_param("searchAllChannels", "team_ids")
    paged = body.page is not None or body.per_page is not None
    channels, total = await w.app.channel_admin.list(
        w.ctx, "searchAllChannels", term=body.term,
        include_deleted=body.include_deleted or w.query_bool("include_deleted"), deleted_only=body.deleted,
        exclude_default=body.exclude_default_channels, team_ids=body.team_ids, public=body.public,
        private=body.private, page=body.page or 0, per_page=body.per_page or (50 if paged else 100))
    if paged:
        return {"channels": channels, "total_count": total}
    return channels
