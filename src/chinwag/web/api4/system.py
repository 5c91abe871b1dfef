"""/system/ping, client config and licence, server limits."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response

from chinwag.model.errors import AppError
from chinwag.web.api4 import api
from chinwag.web.client_config import client_config, limited_client_config
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import json_response, ok


@api.route("GET", "/system/ping", auth=False)
async def ping(w: HandlerContext) -> Any:
    body: dict[str, Any] = {
        "status": "OK",
        "ActiveSearchBackend": "database",
        "AndroidLatestVersion": "",
        "AndroidMinVersion": "",
        "IosLatestVersion": "",
        "IosMinVersion": "",
    }
    if w.query_bool("get_server_status"):
        # both checks at once, each bounded, so a readiness probe gets its answer in time even when
        # the database host does not answer at all
        db_ok, files_ok = await asyncio.gather(w.app.system.database_ok(), w.app.system.filestore_ok())
        for key, healthy in (("database_status", db_ok), ("filestore_status", files_ok)):
            body[key] = "OK" if healthy else "UNHEALTHY"
            if not healthy:
                body["status"] = "UNHEALTHY"
        headers = {k: body[k] for k in ("status", "database_status", "filestore_status")}
        status = 500 if body["status"] != "OK" and not w.query_bool("use_rest_semantics") else 200
        return json_response(body, status, headers)
    return body


@api.route("POST", "/system/local_events")
async def publish_local_events(w: HandlerContext) -> Any:
    """chinwag's own, local mode only: another process on the server's machine (``chinwag import``
    with the embedded event stream) hands over the events it made, for this server's clients."""
    body = await w.json_any("events")
    events = body.get("events") if isinstance(body, dict) else None
    return {"published": w.app.system.publish_from_local(w.ctx, events)}


@api.route("GET", "/config/client", auth=False)
async def get_client_config(w: HandlerContext) -> Any:
    fmt = w.query("format")
    if fmt != "old":
        raise AppError("getClientConfig", "api.config.client.old_format.app_error",
                       "New format for the client configuration is not supported yet. Please specify "
                       "format=old in the query string.", 501)
    no_accounts = await w.app.system.no_accounts()
    cfg, diagnostic_id = w.app.config.effective, w.app.system.diagnostic_id
    if not w.ctx.session:
        return limited_client_config(cfg, no_accounts, diagnostic_id)
    return client_config(cfg, no_accounts, diagnostic_id, w.app.system.installation_date)


@api.route("POST", "/notifications/test")
async def test_notifications(w: HandlerContext) -> Any:
    await w.app.post_reminders.send_test_message(w.ctx)
    return ok()


@api.route("GET", "/license/load_metric")
async def get_license_load_metric(w: HandlerContext) -> Any:
    """Monthly active users per thousand licensed seats; with no licence (no seats) Mattermost answers 0."""
    return {"load": 0}


@api.route("GET", "/license/client", auth=False)
async def get_client_license(w: HandlerContext) -> Any:
    if w.query("format") != "old":
        raise AppError("getClientLicense", "api.license.client.old_format.app_error",
                       "New format for the client license is not supported yet. Please specify "
                       "format=old in the query string.", 501)
    return {"IsLicensed": "false"}


@api.route("GET", "/limits/server")
async def server_limits(w: HandlerContext) -> Any:
    count = await w.app.system.active_user_count()
    return {"activeUserCount": count, "maxUsersLimit": 0, "maxUsersHardLimit": 0}


@api.route("POST", "/client_perf", trust_requester=True)
async def submit_performance_report(w: HandlerContext) -> Any:
    """The apps' performance report (Mattermost's api4/metrics.go): ``{"status": "OK"}`` once recorded in
    Prometheus; an empty 200 while client metrics are off (``MetricsSettings.Enable`` /
    ``EnableClientMetrics``), the body unread, as Mattermost."""
    if not w.app.client_perf.enabled():
        return Response(status_code=200)
    w.app.client_perf.submit(w.ctx, await w.body())
    return ok()


@api.route("GET", "/latest_version")
async def get_latest_version(w: HandlerContext) -> Any:
    return await w.app.latest_version.latest(w.ctx)
