"""Team icons (/teams/{team_id}/image) and bot icons (/bots/{bot_user_id}/icon)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from chinwag.model.errors import AppError
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok
from chinwag.web.upload import PartData, PartEnd, PartStart, multipart_events

_DAY = 24 * 60 * 60


def _length(w: HandlerContext) -> int:
    try:
        return int(w.request.headers.get("content-length") or 0)
    except ValueError:
        return 0


async def _image_part(w: HandlerContext, where: str, prefix: str) -> bytes:
    """The first ``image`` part of a multipart upload, at most FileSettings.MaxFileSize bytes; Mattermost's
    ``<prefix>.parse`` / ``.too_large`` / ``.no_file`` / ``.array`` errors."""
    limit = w.app.config.effective.FileSettings.MaxFileSize
    if not w.request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise AppError(where, f"{prefix}.parse.app_error", "Could not parse multipart form.", 400)
    image: bytearray | None = None
    reading = False
    async for ev in multipart_events(w.request):
        if isinstance(ev, PartStart):
            reading = ev.name == "image" and image is None
            if reading:
                image = bytearray()
        elif isinstance(ev, PartData) and reading and image is not None:
            image += ev.data
            if len(image) > limit:
                raise AppError(where, f"{prefix}.too_large.app_error", "Unable to upload the image. File is too large.",
                               400)
        elif isinstance(ev, PartEnd):
            reading = False
    if image is None:
        raise AppError(where, f"{prefix}.no_file.app_error", "No file under 'image' in request.", 400)
    if not image:
        raise AppError(where, f"{prefix}.array.app_error", "Empty array under 'image' in request.", 400)
    return bytes(image)


def _cached(w: HandlerContext, data: bytes, etag: str, media_type: str, extra: dict[str, str] | None = None) -> Response:
    headers = {"Cache-Control": f"max-age={_DAY}, private", "ETag": etag, "X-Content-Type-Options": "nosniff",
               **(extra or {})}
    if w.request.headers.get("if-none-match", "").strip('"') == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media_type, headers=headers)


@api.route("GET", "/teams/{team_id}/image", trust_requester=True)
async def get_team_icon(w: HandlerContext) -> Response:
    data, updated = await w.app.team_icons.get(w.ctx, w.id_param("team_id"))
    return _cached(w, data, str(updated), "image/png")


@api.route("POST", "/teams/{team_id}/image")
async def set_team_icon(w: HandlerContext) -> Any:
    team_id = w.id_param("team_id")
    await w.app.team_icons.check_upload(w.ctx, team_id, _length(w))
    data = await _image_part(w, "setTeamIcon", "api.team.set_team_icon")
    await w.app.team_icons.set(w.ctx, team_id, data)
    return ok()


@api.route("DELETE", "/teams/{team_id}/image")
async def remove_team_icon(w: HandlerContext) -> Any:
    await w.app.team_icons.remove(w.ctx, w.id_param("team_id"))
    return ok()


@api.route("GET", "/bots/{bot_user_id}/icon", trust_requester=True)
async def get_bot_icon(w: HandlerContext) -> Response:
    """The SVG as uploaded; its own content policy keeps scripts and outside loads out if it is opened
    as a page."""
    data, updated = await w.app.bot_icons.get(w.ctx, w.id_param("bot_user_id"))
    return _cached(w, data, str(updated), "image/svg+xml",
                   {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"})


@api.route("POST", "/bots/{bot_user_id}/icon")
async def set_bot_icon(w: HandlerContext) -> Any:
    bot_id = w.id_param("bot_user_id")
    await w.app.bot_icons.check_upload(w.ctx, bot_id, _length(w))
    data = await _image_part(w, "setBotIconImage", "api.bot.set_bot_icon_image")
    await w.app.bot_icons.set(w.ctx, bot_id, data)
    return ok()


@api.route("DELETE", "/bots/{bot_user_id}/icon")
async def delete_bot_icon(w: HandlerContext) -> Any:
    await w.app.bot_icons.remove(w.ctx, w.id_param("bot_user_id"))
    return ok()
