"""System operations: audits, caches, database connections, the site URL test, link redirects, the image
proxy, the API path of public file links and job downloads."""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response

from chinwag.model.errors import AppError
from chinwag.web.api4 import api
from chinwag.web.api4.account import json_props, prop_str
from chinwag.web.file_response import file_response
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


@api.route("GET", "/audits")
async def get_audits(w: HandlerContext) -> Any:
    return await w.app.audits.all_users(w.ctx, w.page(), w.per_page())


@api.route("POST", "/caches/invalidate")
async def invalidate_caches(w: HandlerContext) -> Any:
    w.app.system_ops.invalidate_caches(w.ctx)
    resp = ok()
    resp.headers["Cache-Control"] = "no-cache, no-store, must-revalidate"
    return resp


@api.route("POST", "/database/recycle")
async def recycle_database_connection(w: HandlerContext) -> Any:
    await w.app.system_ops.recycle_database(w.ctx)
    return ok()


@api.route("POST", "/site_url/test")
async def test_site_url(w: HandlerContext) -> Any:
    props = await json_props(w)
    await w.app.system_ops.test_site_url(w.ctx, prop_str(props, "site_url"))
    return ok()


@api.route("GET", "/redirect_location")
async def get_redirect_location(w: HandlerContext) -> Any:
    return {"location": await w.app.system_ops.redirect_location(w.query("url"))}


@api.route("GET", "/image", trust_requester=True)
async def get_image(w: HandlerContext) -> Response:
    answer = await w.app.system_ops.image(w.query("url"))
    if answer.location:
        return RedirectResponse(answer.location, status_code=302)
    return Response(answer.data, media_type=answer.content_type, headers={
        "Cache-Control": "max-age=86400, private", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'"})


@api.route("GET", "/files/{file_id}/public", auth=False)
async def get_public_file(w: HandlerContext) -> Any:
    """The public link's file under /api/v4 too (the link itself points at the root path)."""
    content = await w.app.files.public_content(w.id_param("file_id"), w.query("h"))
    return await file_response(w, content)


@api.route("GET", "/jobs/{job_id}/download")
async def download_job(w: HandlerContext) -> Any:
    """Mattermost downloads only compliance (message export) results, which need a licence; with
    MessageExportSettings.DownloadExportResults off (the default) the answer is 501. Bulk exports are
    downloaded from /exports/{name}."""
    job_id = w.id_param("job_id")
    if not w.app.config.effective.MessageExportSettings.DownloadExportResults:
        raise AppError("downloadExportResultsNotEnabled", "app.job.download_export_results_not_enabled",
                       "Downloading export results is not enabled.", 501)
    job = await w.app.jobs.get(w.ctx, job_id)
    if job.type != "message_export":
        raise AppError("unableToDownloadJob", "api.job.unable_to_download_job.incorrect_job_type",
                       "This job type cannot be downloaded.", 400)
    w.app.perms.require_system(w.ctx, "download_compliance_export_result", "downloadJob")
    raise AppError("unableToDownloadJob", "api.job.unable_to_download_job", "The job is not downloadable.", 400)


@api.route("POST", "/upgrade_to_enterprise")
async def upgrade_to_enterprise(w: HandlerContext) -> Any:
    w.app.system_ops.upgrade_to_enterprise(w.ctx)


@api.route("GET", "/upgrade_to_enterprise/allowed")
async def is_allowed_to_upgrade_to_enterprise(w: HandlerContext) -> Any:
    w.app.system_ops.upgrade_to_enterprise(w.ctx, "isAllowedToUpgradeToEnterprise")


@api.route("GET", "/upgrade_to_enterprise/status")
async def upgrade_to_enterprise_status(w: HandlerContext) -> Any:
    return w.app.system_ops.upgrade_to_enterprise_status(w.ctx)


@api.route("POST", "/restart")
async def restart(w: HandlerContext) -> Any:
    w.app.system_ops.restart(w.ctx)
    return ok()


@api.route("GET", "/usage/posts")
async def get_posts_usage(w: HandlerContext) -> Any:
    return await w.app.analytics.usage_posts()


@api.route("GET", "/usage/storage")
async def get_storage_usage(w: HandlerContext) -> Any:
    return await w.app.analytics.usage_storage()


@api.route("GET", "/usage/teams")
async def get_teams_usage(w: HandlerContext) -> Any:
    return await w.app.analytics.usage_teams()
