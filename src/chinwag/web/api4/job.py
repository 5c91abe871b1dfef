"""/jobs, /uploads, /imports and /exports: the REST flow mmctl's import and export commands use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import msgspec
from starlette.responses import Response, StreamingResponse

from chinwag.model.errors import invalid_url_param
from chinwag.model.job import JOB_TYPES
from chinwag.web.api4 import api
from chinwag.web.handler import JSON_ERRORS, HandlerContext
from chinwag.web.responses import ok

# jobs -------------------------------------------------------------------------------------------


@api.route("POST", "/jobs")
async def create_job(w: HandlerContext) -> Any:
    return await w.app.jobs.create(w.ctx, await w.json_any("job")), 201


@api.route("GET", "/jobs")
async def get_jobs(w: HandlerContext) -> Any:
    return await w.app.jobs.list_jobs(w.ctx, None, w.page(), w.per_page(5))


@api.route("GET", "/jobs/{job_id}")
async def get_job(w: HandlerContext) -> Any:
    return await w.app.jobs.get(w.ctx, w.path["job_id"])


@api.route("GET", "/jobs/type/{job_type}")
async def get_jobs_by_type(w: HandlerContext) -> Any:
    job_type = w.path["job_type"]
    if job_type not in JOB_TYPES:
        raise invalid_url_param("getJobsByType", "job_type")
    return await w.app.jobs.list_jobs(w.ctx, job_type, w.page(), w.per_page(5))


@api.route("POST", "/jobs/{job_id}/cancel")
async def cancel_job(w: HandlerContext) -> Any:
    await w.app.jobs.cancel(w.ctx, w.path["job_id"])
    return ok()


# uploads ----------------------------------------------------------------------------------------


@api.route("PATCH", "/jobs/{job_id}/status")
async def update_job_status(w: HandlerContext) -> Any:
    try:
        body = msgspec.json.decode(await w.body() or b"null")
    except JSON_ERRORS:
        body = None  # Mattermost's StringInterfaceFromJSON: an unreadable body has no status
    await w.app.jobs.update_status(w.ctx, w.path["job_id"], body)
    return ok()


@api.route("POST", "/uploads")
async def create_upload(w: HandlerContext) -> Any:
    return await w.app.uploads.create(w.ctx, await w.json_any("upload")), 201


@api.route("GET", "/uploads/{upload_id}")
async def get_upload(w: HandlerContext) -> Any:
    return await w.app.uploads.get(w.ctx, w.path["upload_id"])


@api.route("POST", "/uploads/{upload_id}")
async def upload_data(w: HandlerContext) -> Any:
    _us, info, _done = await w.app.uploads.append(w.ctx, w.path["upload_id"], w.request.stream())
    if info is not None:
        return info, 201
    return Response(status_code=204)


@api.route("GET", "/users/{user_id}/uploads")
async def get_uploads_for_user(w: HandlerContext) -> Any:
    return await w.app.uploads.for_user(w.ctx, w.path["user_id"])


# import and export files ------------------------------------------------------------------------


@api.route("GET", "/imports")
async def list_imports(w: HandlerContext) -> Any:
    return await w.app.jobs.list_imports(w.ctx)


@api.route("DELETE", "/imports/{import_name}")
async def delete_import(w: HandlerContext) -> Any:
    await w.app.jobs.delete_import(w.ctx, w.path["import_name"])
    return ok()


@api.route("GET", "/exports")
async def list_exports(w: HandlerContext) -> Any:
    return await w.app.jobs.list_exports(w.ctx)


@api.route("GET", "/exports/{export_name}")
async def download_export(w: HandlerContext) -> Any:
    name = w.path["export_name"]
    stream, size = await w.app.jobs.open_export(w.ctx, name)

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in stream:
                yield chunk
        finally:
            await stream.aclose()

    return StreamingResponse(body(), headers={
        "Content-Type": "application/zip", "Content-Length": str(size),
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@api.route("DELETE", "/exports/{export_name}")
async def delete_export(w: HandlerContext) -> Any:
    await w.app.jobs.delete_export(w.ctx, w.path["export_name"])
    return ok()
