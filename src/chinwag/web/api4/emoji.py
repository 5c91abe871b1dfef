"""/emoji: custom emoji (multipart create, image download, list, search, autocomplete, delete)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.responses import Response

from chinwag.app.emoji import AUTOCOMPLETE_LIMIT, too_large
from chinwag.model.emoji import MAX_EMOJI_FILE_SIZE
from chinwag.model.errors import AppError
from chinwag.web.api4 import api
from chinwag.web.handler import JSON_ERRORS, HandlerContext
from chinwag.web.responses import json_response, ok
from chinwag.web.upload import PartData, PartEnd, PartStart, multipart_events

#: room for the multipart framing and the "emoji" field around the image
_FRAMING = 16 * 1024


def _parse_error(detail: str) -> AppError:
    return AppError("createEmoji", "api.emoji.create.parse.app_error",
                    "Unable to create emoji. Could not understand request.", 400, detail)


class _EmojiField(msgspec.Struct):
    name: str = ""
    creator_id: str = ""


@api.route("POST", "/emoji")
async def create_emoji(w: HandlerContext) -> Any:
    w.app.emoji.require_enabled("createEmoji")
    try:
        length = int(w.request.headers.get("content-length") or 0)
    except ValueError:
        length = 0
    if length > MAX_EMOJI_FILE_SIZE + _FRAMING:
        raise too_large("createEmoji")
    if not w.request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise _parse_error("expected multipart/form-data")
    fields: dict[str, bytearray] = {}
    current: str | None = None
    async for ev in multipart_events(w.request):
        if isinstance(ev, PartStart):
            current = ev.name if ev.name in ("emoji", "image") else None
            if current is not None:
                fields[current] = bytearray()
        elif isinstance(ev, PartData) and current is not None:
            buf = fields[current]
            buf += ev.data
            if len(buf) > (MAX_EMOJI_FILE_SIZE if current == "image" else _FRAMING):
                raise too_large("createEmoji")
        elif isinstance(ev, PartEnd):
            current = None
    if "image" not in fields or not fields["image"]:
        raise AppError("createEmoji", "api.emoji.create.no_image.app_error",
                       "Unable to create emoji. An image is required.", 400)
    if "emoji" not in fields:
        raise _parse_error("no emoji field")
    try:
        data = msgspec.json.decode(bytes(fields["emoji"]), type=_EmojiField)
    except (msgspec.ValidationError, *JSON_ERRORS) as e:
        raise _parse_error(str(e)) from None
    emoji = await w.app.emoji.create(w.ctx, data.name, data.creator_id, bytes(fields["image"]))
    return json_response(emoji.to_dict(), 201)


@api.route("GET", "/emoji")
async def list_emoji(w: HandlerContext) -> Any:
    return await w.app.emoji.page(w.ctx, w.page(), w.per_page(), w.query("sort"))


@api.route("GET", "/emoji/autocomplete")
async def autocomplete_emoji(w: HandlerContext) -> Any:
    name = w.query("name")
    if not name:
        w.app.emoji.require_enabled("autocompleteEmoji")
        raise AppError("autocompleteEmoji", "api.context.invalid_url_param.app_error",
                       "Invalid or missing name parameter in request URL.", 400)
    return await w.app.emoji.search(w.ctx, name, True, AUTOCOMPLETE_LIMIT)


class _Search(msgspec.Struct):
    term: str = ""
    prefix_only: bool = False


@api.route("POST", "/emoji/search")
async def search_emoji(w: HandlerContext) -> Any:
    body = await w.json(_Search, "term")
    return await w.app.emoji.search(w.ctx, body.term, body.prefix_only)


@api.route("POST", "/emoji/names")
async def emoji_by_names(w: HandlerContext) -> Any:
    return await w.app.emoji.by_names(w.ctx, await w.json(list[str], "names"))


@api.route("GET", "/emoji/name/{emoji_name}")
async def emoji_by_name(w: HandlerContext) -> Any:
    return await w.app.emoji.get_by_name(w.ctx, w.str_param("emoji_name"))


@api.route("GET", "/emoji/{emoji_id}")
async def get_emoji(w: HandlerContext) -> Any:
    return await w.app.emoji.get(w.ctx, w.str_param("emoji_id"))


@api.route("GET", "/emoji/{emoji_id}/image")
async def get_emoji_image(w: HandlerContext) -> Response:
    data, ctype = await w.app.emoji.image(w.ctx, w.str_param("emoji_id"))
    return Response(data, media_type=ctype, headers={"Cache-Control": "max-age=2592000, private",
                                                     "X-Content-Type-Options": "nosniff"})


@api.route("DELETE", "/emoji/{emoji_id}")
async def delete_emoji(w: HandlerContext) -> Any:
    await w.app.emoji.delete(w.ctx, w.str_param("emoji_id"))
    return ok()
