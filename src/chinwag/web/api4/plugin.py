"""Plugins: upload, install from a URL, enable/disable, remove, the lists the apps read, and the
plugins' own HTTP endpoints at ``/plugins/{id}/…`` (outside /api/v4, as in Mattermost)."""

from __future__ import annotations

from typing import Any

from starlette.responses import FileResponse, Response

from chinwag.model.errors import AppError
from chinwag.plugin import HTTPRequest
from chinwag.web.api4 import api
from chinwag.web.auth import TokenLocation
from chinwag.web.handler import ALL_METHODS, HandlerContext
from chinwag.web.responses import ok
from chinwag.web.upload import PartData, PartEnd, PartStart, multipart_events
from chinwag.web.webapp import plugin_client_file

MAX_UPLOAD = 50 * 1024 * 1024


@api.route("GET", "/plugins")
async def get_plugins(w: HandlerContext) -> Any:
    return w.app.plugins.plugins(w.ctx)


@api.route("GET", "/plugins/statuses")
async def plugin_statuses(w: HandlerContext) -> Any:
    return await w.app.plugins.statuses(w.ctx)


@api.route("GET", "/plugins/webapp", auth=False)
async def webapp_plugins(w: HandlerContext) -> Any:
    return w.app.plugins.webapp()


@api.route("POST", "/plugins")
async def upload_plugin(w: HandlerContext) -> Any:
    where = "uploadPlugin"
    w.app.plugins._require_uploads(where)
    if not w.request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise AppError(where, "api.plugin.upload.parse.app_error", "Could not parse multipart form.", 400)
    bundle: bytearray | None = None
    force = bytearray()
    current = ""
    async for ev in multipart_events(w.request):
        if isinstance(ev, PartStart):
            current = ev.name if ev.name in ("plugin", "force") else ""
            if current == "plugin":
                if bundle is not None:
                    raise AppError(where, "api.plugin.upload.array.app_error",
                                   "File array is empty in multipart/form request.", 400)
                bundle = bytearray()
        elif isinstance(ev, PartData):
            if current == "plugin" and bundle is not None:
                bundle += ev.data
                if len(bundle) > MAX_UPLOAD:
                    raise AppError(where, "api.plugin.upload.file.app_error", "The plugin bundle is too large.",
                                   413)
            elif current == "force" and len(force) < 16:
                force += ev.data
        elif isinstance(ev, PartEnd):
            current = ""
    if not bundle:
        raise AppError(where, "api.plugin.upload.no_file.app_error", "Missing file in multipart/form request.",
                       400)
    manifest = await w.app.plugins.upload(w.ctx, bytes(bundle), force.decode(errors="replace").lower() == "true")
    return manifest, 201


@api.route("POST", "/plugins/install_from_url")
async def install_from_url(w: HandlerContext) -> Any:
    manifest = await w.app.plugins.install_from_url(w.ctx, w.query("plugin_download_url"), w.query_bool("force"))
    return manifest, 201


@api.route("GET", "/plugins/marketplace")
async def marketplace_plugins(w: HandlerContext) -> Any:
    return w.app.plugins.marketplace(w.ctx, "getMarketplacePlugins")


@api.route("POST", "/plugins/marketplace")
async def install_marketplace_plugin(w: HandlerContext) -> Any:
    return w.app.plugins.marketplace(w.ctx, "installMarketplacePlugin")


@api.route("GET", "/plugins/marketplace/first_admin_visit")
async def marketplace_visited(w: HandlerContext) -> Any:
    return await w.app.plugins.marketplace_visited(w.ctx)


@api.route("POST", "/plugins/marketplace/first_admin_visit")
async def set_marketplace_visited(w: HandlerContext) -> Any:
    await w.json_any("system")
    await w.app.plugins.set_marketplace_visited(w.ctx)
    return ok()


@api.route("POST", "/plugins/{plugin_id}/enable")
async def enable_plugin(w: HandlerContext) -> Any:
    await w.app.plugins.set_enabled(w.ctx, w.str_param("plugin_id"), True)
    return ok()


@api.route("POST", "/plugins/{plugin_id}/disable")
async def disable_plugin(w: HandlerContext) -> Any:
    await w.app.plugins.set_enabled(w.ctx, w.str_param("plugin_id"), False)
    return ok()


@api.route("DELETE", "/plugins/{plugin_id}")
async def remove_plugin(w: HandlerContext) -> Any:
    await w.app.plugins.remove(w.ctx, w.str_param("plugin_id"))
    return ok()


@api.route("GET", "/static/plugins/{plugin_id}/{name}", auth=False, root=True)
async def webapp_bundle(w: HandlerContext) -> Response:
    plugin_id, name = w.str_param("plugin_id"), w.str_param("name")
    path = w.app.plugins.webapp_bundle(plugin_id)
    if path is None or name != f"{plugin_id}_bundle.js":
        # not a bundle of a plugin chinwag runs: a file of a Mattermost web app build's plugins, if any
        return plugin_client_file(w.app.config.effective, plugin_id, name)
    return FileResponse(path, media_type="text/javascript")


#: the largest body handed to a plugin's endpoint. Mattermost passes a plugin request's body on without its
#: API's ``MaximumPayloadSizeBytes`` (the plugin caps it: the calls plugin's ``/logs/upload`` takes 2 MB);
#: chinwag holds the body to send it to the plugin's process, so it keeps a cap of its own, well under the
#: process channel's frame (64 MiB)
PLUGIN_BODY_MAX = 16 * 1024 * 1024


def _csrf_ok(w: HandlerContext) -> bool:
    """A session from the cookie counts for a state-changing request only with the CSRF token (or the
    web app's X-Requested-With header)."""
    if w.token_location != TokenLocation.COOKIE or w.request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    session = w.ctx.session
    header = w.request.headers.get("x-csrf-token", "")
    return bool(session is not None and header and header == session.csrf_token) or \
        w.request.headers.get("x-requested-with", "") == "XMLHttpRequest"


async def _serve(w: HandlerContext) -> Response:
    """A plugin's HTTP endpoint: the plugin sees the path after its id and the caller's user id (set
    only from a valid session, as Mattermost's ``Mattermost-User-Id`` header)."""
    headers = {k.lower(): v for k, v in w.request.headers.items() if k.lower() != "mattermost-user-id"}
    if w.ctx.session is not None and not _csrf_ok(w):
        w.ctx.session = None  # as Mattermost: a cookie session without the CSRF token does not name the caller
    if w.ctx.user_id:
        headers["mattermost-user-id"] = w.ctx.user_id
    rest = w.str_param("rest")
    req = HTTPRequest(method=w.request.method, path="/" + rest, query=dict(w.request.query_params),
                      headers=headers, body=await w.body(PLUGIN_BODY_MAX), user_id=w.ctx.user_id)
    out = await w.app.plugins.serve_http(w.ctx, w.str_param("plugin_id"), req)
    return Response(out.body, status_code=out.status, headers={**out.headers, "content-type": out.content_type})


for _method in ALL_METHODS:
    if _method != "HEAD":
        api.route(_method, "/plugins/{plugin_id}/{rest:path}", auth=False, trust_requester=True, root=True)(_serve)
