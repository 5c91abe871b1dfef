"""Product notices, first-admin onboarding, terms of service and the brand image."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.responses import Response

from chinwag.model.errors import AppError
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok
from chinwag.web.upload import PartData, PartEnd, PartStart, multipart_events


@api.route("POST", "/logs", auth=False)
async def client_log(w: HandlerContext) -> Any:
    """A client's log line (the web app reports its JavaScript errors here), written to the server log."""
    raw = await w.json_any("log")
    if not isinstance(raw, dict):
        raise AppError("postLog", "api.context.invalid_param.app_error",
                       "Invalid or missing log parameter in request URL or body.", 400)
    entry = {k: str(v) for k, v in raw.items()}
    return w.app.site.client_log(w.ctx, entry.get("level", ""), entry.get("message", ""), entry)


@api.route("GET", "/system/notices/{team_id}")
async def product_notices(w: HandlerContext) -> Any:
    w.id_param("team_id")
    return w.app.site.product_notices(w.query("client"))


@api.route("PUT", "/system/notices/view")
async def view_product_notices(w: HandlerContext) -> Any:
    """The apps mark the notices they showed as seen; chinwag shows none, so there is nothing to keep."""
    await w.json(list[str], "notice_ids")
    return ok()


class _Onboarding(msgspec.Struct):
    organization: str = ""
    install_plugins: list[str] = []


@api.route("GET", "/system/onboarding/complete")
async def get_onboarding(w: HandlerContext) -> Any:
    return await w.app.site.onboarding()


@api.route("POST", "/system/onboarding/complete")
async def complete_onboarding(w: HandlerContext) -> Any:
    await w.json(_Onboarding, "request")
    await w.app.site.complete_onboarding(w.ctx)
    return ok()


@api.route("GET", "/plugins/marketplace/first_admin_visit")
async def get_first_admin_visit(w: HandlerContext) -> Any:
    return await w.app.site.first_admin_visit(w.ctx)


@api.route("POST", "/plugins/marketplace/first_admin_visit")
async def set_first_admin_visit(w: HandlerContext) -> Any:
    await w.app.site.set_first_admin_visit(w.ctx)
    return ok()


@api.route("GET", "/terms_of_service")
async def latest_terms_of_service(w: HandlerContext) -> Any:
    return w.app.site.latest_terms_of_service()


@api.route("POST", "/terms_of_service")
async def create_terms_of_service(w: HandlerContext) -> Any:
    return w.app.site.create_terms_of_service(w.ctx)


@api.route("GET", "/users/{user_id}/terms_of_service")
async def user_terms_of_service(w: HandlerContext) -> Any:
    return w.app.site.user_terms_of_service(w.ctx, w.user_param())


@api.route("GET", "/brand/image", auth=False, trust_requester=True)
async def brand_image(w: HandlerContext) -> Response:
    img = await w.app.site.brand_image()
    if img is None:
        return Response(b"", status_code=200)  # Mattermost answers an empty 200 when there is none
    return Response(img, media_type="image/png")


@api.route("POST", "/brand/image")
async def upload_brand_image(w: HandlerContext) -> Any:
    where = "uploadBrandImage"
    limit = w.app.config.effective.FileSettings.MaxFileSize
    try:
        length = int(w.request.headers.get("content-length") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise AppError(where, "api.admin.upload_brand_image.too_large.app_error",
                       "Unable to upload file. File is too large.", 413)
    if not w.request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise AppError(where, "api.admin.upload_brand_image.parse.app_error",
                       "Could not parse multipart form.", 400)
    image: bytearray | None = None
    current = False
    async for ev in multipart_events(w.request):
        if isinstance(ev, PartStart):
            current = ev.name == "image" and image is None
            if current:
                image = bytearray()
        elif isinstance(ev, PartData) and current and image is not None:
            image += ev.data
            if len(image) > limit:
                raise AppError(where, "api.admin.upload_brand_image.too_large.app_error",
                               "Unable to upload file. File is too large.", 413)
        elif isinstance(ev, PartEnd):
            current = False
    if not image:
        raise AppError(where, "api.admin.upload_brand_image.no_file.app_error",
                       "No file under 'image' in request.", 400)
    await w.app.site.save_brand_image(w.ctx, bytes(image))
    return ok(201)


@api.route("DELETE", "/brand/image")
async def delete_brand_image(w: HandlerContext) -> Any:
    await w.app.site.delete_brand_image(w.ctx)
    return ok()
