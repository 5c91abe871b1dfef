"""/files: upload, download (file, thumbnail, preview), info, public links, search; /file/s3_test."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.config.schema import Config
from chinwag.model.errors import AppError
from chinwag.model.file import FileSearchParams
from chinwag.web.api4 import api
from chinwag.web.file_response import file_response
from chinwag.web.handler import JSON_ERRORS, HandlerContext, check_json_values
from chinwag.web.responses import json_response, ok
from chinwag.web.upload import upload_files


@api.route("POST", "/files")
async def upload_file(w: HandlerContext) -> Any:
    return await upload_files(w), 201


@api.route("GET", "/files/{file_id}", trust_requester=True)
async def get_file(w: HandlerContext) -> Any:
    content = await w.app.files.content(w.ctx, w.id_param("file_id"), "file")
    return await file_response(w, content, force_download=w.query_bool("download"))


@api.route("GET", "/files/{file_id}/thumbnail", trust_requester=True)
async def get_file_thumbnail(w: HandlerContext) -> Any:
    content = await w.app.files.content(w.ctx, w.id_param("file_id"), "thumbnail")
    return await file_response(w, content, force_download=w.query_bool("download"))


@api.route("GET", "/files/{file_id}/preview", trust_requester=True)
async def get_file_preview(w: HandlerContext) -> Any:
    content = await w.app.files.content(w.ctx, w.id_param("file_id"), "preview")
    return await file_response(w, content, force_download=w.query_bool("download"))


@api.route("GET", "/files/{file_id}/info")
async def get_file_info(w: HandlerContext) -> Any:
    info = await w.app.files.get_info(w.ctx, w.id_param("file_id"))
    return json_response(info, headers={"Cache-Control": "max-age=2592000, private"})


@api.route("GET", "/files/{file_id}/link")
async def get_file_link(w: HandlerContext) -> Any:
    site_url = w.app.config.effective.ServiceSettings.SiteURL or str(w.request.base_url)
    return {"link": await w.app.files.public_link(w.ctx, w.id_param("file_id"), site_url)}


@api.route("GET", "/files/{file_id}/public", auth=False, root=True)
async def get_public_file(w: HandlerContext) -> Any:
    content = await w.app.files.public_content(w.id_param("file_id"), w.query("h"))
    return await file_response(w, content)


@api.route("GET", "/posts/{post_id}/files/info")
async def get_file_infos_for_post(w: HandlerContext) -> Any:
    return await w.app.files.infos_for_post(w.ctx, w.id_param("post_id"), w.query_bool("include_deleted"))


@api.route("POST", "/teams/{team_id}/files/search")
async def search_files(w: HandlerContext) -> Any:
    return await _search_files(w, w.str_param("team_id"))


@api.route("POST", "/files/search")
async def search_files_in_all_teams(w: HandlerContext) -> Any:
    """Files in the caller's channels of every team (Mattermost 10+'s search across teams)."""
    return await _search_files(w, None)


async def _search_files(w: HandlerContext, team_id: str | None) -> Any:
    raw = await w.body() or b"{}"
    try:
        params = msgspec.json.decode(raw, type=FileSearchParams)
        check_json_values(raw, "body")
    except (msgspec.ValidationError, AppError, *JSON_ERRORS) as e:
        raise AppError("searchFiles", "api.post.search_files.invalid_body.app_error",
                       "Unable to parse the search request body.", 400, str(e)) from None
    result = await w.app.files.search(w.ctx, team_id, params)
    return json_response(result, headers={"Cache-Control": "no-cache, no-store, must-revalidate"})


@api.route("POST", "/file/s3_test")
async def test_file_storage(w: HandlerContext) -> Any:
    raw = await w.body()
    candidate: Config | None = None
    if raw.strip():
        check_json_values(raw, "config")
        try:
            candidate = msgspec.json.decode(raw, type=Config)
        except (msgspec.ValidationError, *JSON_ERRORS):
            candidate = None
    await w.app.files.test_storage(w.ctx, candidate)
    return ok()
