"""Resumable uploads (Mattermost's ``/uploads``): a session names the file and its size, the data
arrives in any number of requests (each appended at the session's offset), and the last byte finishes
it — an ``import`` upload becomes ``ImportSettings.Directory/<id>_<filename>`` in the file store (what
``import_process`` jobs read), an ``attachment`` upload becomes a FileInfo in its channel.

The bytes of each request are stored as their own object (``uploads/<id>/<offset>``) and joined when
the upload completes, so a resumed upload works on every node and on S3 alike. The offset moves with
a conditional UPDATE, so two requests racing for the same offset cannot both be appended."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.file import FileService
from chinwag.app.jobs import JobService
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_body_param, invalid_param, not_found, permission_denied
from chinwag.model.file import FileInfo
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.job import UPLOAD_TYPE_ATTACHMENT, UPLOAD_TYPE_IMPORT, UploadSession

#: the largest import file an upload session accepts
MAX_IMPORT_SIZE = 64 * 1024**3
#: local-mode uploads have no user; Mattermost's mmctl sends this
NO_USER = "nouser"


def _parts_prefix(upload_id: str) -> str:
    return f"uploads/{upload_id}/"


@service
class UploadService:
    core: AppCore
    perms: PermissionService
    files: FileService
    jobs: JobService

    async def create(self, ctx: Ctx, body: Any) -> UploadSession:
        where = "createUpload"
        if not isinstance(body, dict):
            raise invalid_body_param(where, "upload")
        kind = body.get("type") or UPLOAD_TYPE_ATTACHMENT
        filename = body.get("filename")
        size = body.get("file_size")
        if kind not in (UPLOAD_TYPE_ATTACHMENT, UPLOAD_TYPE_IMPORT):
            raise invalid_body_param(where, "type", "import or attachment")
        if not isinstance(filename, str) or not filename.strip() or "/" in filename or "\\" in filename \
                or filename.startswith(".") or len(filename) > 200:
            raise invalid_body_param(where, "filename")
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise invalid_body_param(where, "file_size")
        channel_id = ""
        if kind == UPLOAD_TYPE_IMPORT:
            self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
            if size > MAX_IMPORT_SIZE:
                raise AppError(where, "api.upload.create.upload_too_large.app_error",
                               "Unable to upload file. File is larger than {Max} bytes.", 413,
                               params={"Max": MAX_IMPORT_SIZE})
        else:
            if ctx.local or not ctx.user_id:
                raise AppError(where, "api.upload.create.attachment_needs_user.app_error",
                               "Attachment uploads need a user session.", 400)
            channel_id = str(body.get("channel_id") or "")
            await self.files.upload_target(ctx, channel_id)
            max_size = self.core.cfg.FileSettings.MaxFileSize
            if size > max_size:
                raise AppError(where, "api.upload.create.upload_too_large.app_error",
                               "Unable to upload file. File is larger than {Max} bytes.", 413,
                               params={"Max": max_size})
        us = UploadSession(id=new_id(), type=kind, create_at=self.core.now(), user_id=ctx.user_id or NO_USER,
                           channel_id=channel_id, filename=filename.strip(), file_size=size)
        us.path = self.jobs.import_path(f"{us.id}_{us.filename}") if kind == UPLOAD_TYPE_IMPORT else f"uploads/{us.id}"
        await self.core.store.jobs.save_upload(us)
        return us

    async def get(self, ctx: Ctx, upload_id: str, where: str = "getUpload") -> UploadSession:
        if not is_valid_id(upload_id):
            raise invalid_param(where, "upload_id")
        us = await self.core.store.jobs.get_upload(upload_id)
        if us is None:
            raise not_found(where, "upload")
        if not ctx.local and us.user_id != ctx.user_id:
            raise permission_denied(where)
        return us

    async def for_user(self, ctx: Ctx, user_id: str) -> list[UploadSession]:
        where = "getUploadsForUser"
        if user_id == "me":
            user_id = ctx.user_id
        if not ctx.local and user_id != ctx.user_id:
            raise permission_denied(where)
        return await self.core.store.jobs.uploads_of(user_id or NO_USER)

    async def append(self, ctx: Ctx, upload_id: str, chunks: AsyncIterator[bytes]
                     ) -> tuple[UploadSession, FileInfo | None, bool]:
        """Store the request's bytes at the session's offset. Returns the session, the FileInfo of a
        finished attachment, and whether the upload is complete."""
        where = "uploadData"
        us = await self.get(ctx, upload_id, where)
        backend = self.files.backend(where)
        remaining = us.file_size - us.file_offset
        part = f"{_parts_prefix(us.id)}{us.file_offset:016d}"
        writer = await backend.open_write(part)
        received = 0
        try:
            async for chunk in chunks:
                received += len(chunk)
                if received > remaining:
                    raise AppError(where, "api.upload.upload_data.too_large.app_error",
                                   "The data goes past the declared file_size ({Size} bytes).", 400,
                                   params={"Size": us.file_size})
                await writer.write(chunk)
        except BaseException:
            await writer.abort()
            raise
        if received == 0:
            await writer.abort()
            return us, None, False
        await writer.commit()
        if not await self.core.store.jobs.advance_upload(us.id, us.file_offset, us.file_offset + received):
            await backend.remove(part)
            raise AppError(where, "api.upload.upload_data.concurrent.app_error",
                           "Another request is uploading to this session; retry from GET /uploads/{id}.", 409)
        us.file_offset += received
        if us.file_offset < us.file_size:
            return us, None, False
        info = await self._finish(ctx, us)
        return us, info, True

    async def _parts(self, us: UploadSession) -> AsyncIterator[bytes]:
        backend = self.files.backend("uploadData")
        for path in sorted(await backend.list_files(_parts_prefix(us.id).rstrip("/"))):
            if path.rsplit("/", 1)[-1].startswith("."):
                continue
            stream = await backend.open_read(path)
            try:
                async for chunk in stream:
                    yield chunk
            finally:
                await stream.aclose()

    async def _finish(self, ctx: Ctx, us: UploadSession) -> FileInfo | None:
        backend = self.files.backend("uploadData")
        info: FileInfo | None = None
        if us.type == UPLOAD_TYPE_IMPORT:
            writer = await backend.open_write(us.path, "application/zip")
            try:
                async for chunk in self._parts(us):
                    await writer.write(chunk)
            except BaseException:
                await writer.abort()
                raise
            await writer.commit()
        else:
            channel = await self.files.upload_target(ctx, us.channel_id)
            info = await self.files.upload(ctx, channel, us.filename, self._parts(us), content_length=us.file_size)
        for path in await backend.list_files(_parts_prefix(us.id).rstrip("/")):
            await backend.remove(path)
        await self.core.store.jobs.delete_upload(us.id)
        return info
