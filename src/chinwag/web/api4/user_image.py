"""/users/{user_id}/image: profile pictures (upload, remove, the picture or the generated default)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from chinwag.model.errors import AppError
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok
from chinwag.web.upload import PartData, PartEnd, PartStart, multipart_events

#: room for the multipart framing around the image
_FRAMING = 16 * 1024
_DAY = 24 * 60 * 60


class _NotModified(Response):
    """What ``Response(status_code=304, headers={"ETag": etag})`` sends (the ETag header alone: no body,
    so no content-length or content-type), without its header normalisation: the answer to most picture
    requests (clients revalidate every poster's picture with its ETag)."""

    def __init__(self, etag: str) -> None:  # the raw_headers that super().__init__ would build
        self.status_code = 304
        self.body = b""
        self.background = None
        self.raw_headers = [(b"etag", etag.encode("latin-1"))]


def _no_file() -> AppError:
    return AppError("uploadProfileImage", "api.user.upload_profile_user.no_file.app_error",
                    "No file under 'image' in request.", 400)


@api.route("POST", "/users/{user_id}/image")
async def set_profile_image(w: HandlerContext) -> Any:
    user_id = w.user_param()
    try:
        length = int(w.request.headers.get("content-length") or 0)
    except ValueError:
        length = 0
    w.app.user_images.check_upload(w.ctx, user_id, length)
    limit = w.app.config.effective.FileSettings.MaxFileSize
    if not w.request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise AppError("uploadProfileImage", "api.user.upload_profile_user.parse.app_error",
                       "Could not parse multipart form.", 400, "expected multipart/form-data")
    image: bytearray | None = None
    reading = False
    async for ev in multipart_events(w.request):
        if isinstance(ev, PartStart):
            reading = ev.name == "image"
            if reading:
                if image is None:
                    image = bytearray()
                else:
                    reading = False  # Mattermost takes the first image
        elif isinstance(ev, PartData) and reading:
            assert image is not None
            image += ev.data
            if len(image) > limit:
                raise AppError("uploadProfileImage", "api.user.upload_profile_user.too_large.app_error",
                               "Unable to upload profile image. File is too large.", 413)
        elif isinstance(ev, PartEnd):
            reading = False
    if image is None:
        raise _no_file()
    if not image:
        raise AppError("uploadProfileImage", "api.user.upload_profile_user.array.app_error",
                       "Empty array under 'image' in request.", 400)
    await w.app.user_images.set(w.ctx, user_id, bytes(image))
    return ok()


@api.route("DELETE", "/users/{user_id}/image")
async def set_default_profile_image(w: HandlerContext) -> Any:
    await w.app.user_images.reset(w.ctx, w.user_param())
    return ok()


@api.route("GET", "/users/{user_id}/image")
async def get_profile_image(w: HandlerContext) -> Response:
    """The picture; ``?_=<last_picture_update>`` (the apps' cache-buster) is accepted and ignored.
    An uploaded picture is cached for a day with its ``last_picture_update`` as the ETag; the
    generated one for five minutes (it changes when the name does) with an ETag of what it shows. A
    request whose If-None-Match is the ETag gets 304 with the ETag (Mattermost's HandleEtag)."""
    seen = w.request.headers.get("if-none-match", "").strip('"')
    img = await w.app.user_images.image(w.ctx, w.user_param(), seen)
    if img.data is None:
        return _NotModified(img.etag)
    cache = f"max-age={_DAY}, private" if img.custom else f"max-age={5 * 60}, private"
    return Response(img.data, media_type="image/png",
                    headers={"Cache-Control": cache, "ETag": img.etag, "X-Content-Type-Options": "nosniff"})


@api.route("GET", "/users/{user_id}/image/default")
async def get_default_profile_image(w: HandlerContext) -> Response:
    data = await w.app.user_images.default(w.ctx, w.user_param())
    return Response(data, media_type="image/png",
                    headers={"Cache-Control": f"max-age={_DAY}, private", "X-Content-Type-Options": "nosniff"})
