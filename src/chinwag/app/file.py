"""Files: streaming uploads into the file store, image previews, downloads, public links, search.

Mattermost's app/file.go behaviour: a file is uploaded into a channel (permission ``upload_file``),
stored at ``YYYYMMDD/teams/{team|noteam}/channels/{channel}/users/{user}/{file_id}/{name}`` and
described by a FileInfo row; a post attaches it with ``file_ids``. Anyone who can read the channel
(or the uploader) may download it; files of deleted posts are gone.

Uploads stream: bytes go to the file store as they arrive, the size limit (FileSettings.MaxFileSize)
is enforced on the way, and any failure removes what was written; the row is saved last.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import IO, Any

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.file_image import ImageResult, ImageTooLarge, make_previews, probe
from chinwag.app.file_preview import DEFER_PIXELS, DeferredPreviews, store_previews
from chinwag.app.file_sniff import PREVIEWABLE_IMAGES, SNIFF_LEN, extension_of, sanitize_name, sniff
from chinwag.app.permissions import PermissionService
from chinwag.app.search_scope import channel_scope
from chinwag.config.schema import FAKE_SETTING, Config, FileSettings
from chinwag.filestore.base import FileBackend, FileBackendError, FileNotFound, ReadStream
from chinwag.model import permissions
from chinwag.model.channel import Channel
from chinwag.model.errors import N_, AppError, invalid_param, invalid_url_param, permission_denied
from chinwag.model.file import NO_TEAM, PREVIEW_IMAGE_TYPE, FileInfo, FileInfoList, FileSearchParams
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.post import MAX_FILE_IDS, Post
from chinwag.model.search_query import date_range, parse
from chinwag.store.errors import NotFound
from chinwag.store.sql.file_info_store import FileSearch

log = structlog.get_logger("chinwag.app.file")

BackendFactory = Callable[[FileSettings], FileBackend]

#: images up to this size are spooled in memory for preview generation, larger ones on disk
_SPOOL_MEMORY = 8 * 1024 * 1024
_SEARCH_PER_PAGE_MAX = 200


def _backend_key(fs: FileSettings) -> tuple[Any, ...]:
    return (fs.DriverName, fs.Directory, fs.AmazonS3AccessKeyId, fs.AmazonS3SecretAccessKey,
            fs.AmazonS3Bucket, fs.AmazonS3PathPrefix, fs.AmazonS3Region, fs.AmazonS3Endpoint,
            fs.AmazonS3SSL, fs.AmazonS3SignV2, fs.AmazonS3SSE, fs.AmazonS3Trace,
            fs.AmazonS3RequestTimeoutMilliseconds)


def too_large(name: str, length: int, limit: int) -> AppError:
    return AppError("uploadFileTask", "api.file.upload_file.too_large_detailed.app_error",
                    "Unable to upload file {Filename}. {Length} bytes exceeds the maximum of {Limit} bytes.",
                    413, params={"Filename": name, "Length": length, "Limit": limit})


def storage_error(where: str, e: Exception) -> AppError:
    return AppError(where, "api.file.storage.app_error", "Encountered an error with the file storage.",
                    500, str(e))


def public_link_hash(file_id: str, salt: str) -> str:
    digest = hmac.new(salt.encode(), file_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class FileContent:
    """What to send for GET /files/{id}[/thumbnail|/preview]."""

    info: FileInfo
    path: str
    content_type: str
    #: the object's size when known without asking the store (the original file)
    size: int | None


class FileService:
    def __init__(
        self,
        core: AppCore,
        directory: Directory,
        perms: PermissionService,
        backends: BackendFactory | None,
    ) -> None:
        self.core = core
        self.directory = directory
        self.perms = perms
        self._factory = backends
        self._backend: FileBackend | None = None
        self._backend_key: tuple[Any, ...] = ()
        self._retired: list[FileBackend] = []
        self._fallback_salt = ""
        self._decoders: asyncio.Semaphore | None = None
        self.previews = DeferredPreviews(self)
        #: called with each new upload's FileInfo once it is saved (content extraction)
        self.uploaded_hooks: list[Callable[[FileInfo], None]] = []

    @property
    def _fs(self) -> FileSettings:
        return self.core.cfg.FileSettings

    # lifecycle -----------------------------------------------------------------------------

    async def init(self) -> None:
        """Generate FileSettings.PublicLinkSalt when empty and save it to the config. The value is
        agreed through the database first, so several server processes starting together share it."""
        if self._fs.PublicLinkSalt:
            return
        salt = await self.core.store.system.set_if_absent("PublicLinkSalt", secrets.token_urlsafe(24))
        store = self.core.config_store
        cfg = msgspec.convert(msgspec.to_builtins(store.effective), Config)
        cfg.FileSettings.PublicLinkSalt = salt
        try:
            store.set_config(cfg)
        except Exception as e:  # a read-only or invalid config file must not stop the server
            log.warning("could not save FileSettings.PublicLinkSalt", error=str(e))
        if not self._fs.PublicLinkSalt:
            self._fallback_salt = salt

    async def close(self) -> None:
        await self.previews.close()
        for b in [*self._retired, *([self._backend] if self._backend else [])]:
            with contextlib.suppress(Exception):
                await b.close()
        self._retired.clear()
        self._backend = None

    def backend(self, where: str = "FileBackend") -> FileBackend:
        """The file store for the current FileSettings (re-created when they change)."""
        fs = self._fs
        if self._factory is None or not fs.DriverName:
            raise AppError(where, "api.file.upload_file.storage.app_error",
                           "Unable to upload file. Image storage is not configured.", 501)
        key = _backend_key(fs)
        if self._backend is None or key != self._backend_key:
            try:
                backend = self._factory(fs)
            except FileBackendError as e:
                raise storage_error(where, e) from None
            if self._backend is not None:
                self._retired.append(self._backend)
            self._backend, self._backend_key = backend, key
        return self._backend

    def _salt(self) -> str:
        return self._fs.PublicLinkSalt or self._fallback_salt

    # uploading -----------------------------------------------------------------------------

    async def upload_target(self, ctx: Ctx, channel_id: str) -> Channel:
        """The channel to upload into, after the checks Mattermost makes before reading any bytes."""
        where = "uploadFileStream"
        if not self._fs.EnableFileAttachments:
            raise AppError(where, "api.file.attachments.disabled.app_error",
                           "File attachments have been disabled on this server.", 403)
        if not is_valid_id(channel_id):
            raise invalid_param(where, "channel_id")
        if not await self.perms.has_channel(ctx, channel_id, permissions.UPLOAD_FILE):
            raise permission_denied(where, f"userId={ctx.user_id}, channelId={channel_id}, permission=upload_file")
        channel = await self.directory.channel(channel_id, where)
        if channel.delete_at:
            raise permission_denied(where, "the channel is archived")
        self.backend(where)
        return channel

    async def upload(self, ctx: Ctx, channel: Channel, raw_name: str, chunks: AsyncIterator[bytes], *,
                     content_length: int = -1, imported: tuple[str, str] | None = None) -> FileInfo:
        """Stream one file into the store and save its FileInfo. On any failure nothing is left.
        ``imported``: (source, source file id) of an importer's file, whose mapping (``importmappings``)
        is written in the transaction that saves the FileInfo, so a re-run of the import skips it."""
        where = "uploadFileTask"
        fs = self._fs
        name = sanitize_name(raw_name)
        if not name:
            raise invalid_param(where, "filename")
        if content_length > fs.MaxFileSize:
            raise too_large(name, content_length, fs.MaxFileSize)
        backend = self.backend(where)
        now = self.core.now()
        info = FileInfo(id=new_id(), user_id=ctx.user_id, channel_id=channel.id, create_at=now, update_at=now,
                        name=name, extension=extension_of(name))
        day = time.strftime("%Y%m%d", time.gmtime(now / 1000))
        prefix = (f"{day}/teams/{channel.team_id or NO_TEAM}/channels/{channel.id}/users/{ctx.user_id}/"
                  f"{info.id}/")
        info.path = prefix + name
        spool = await self._receive(backend, info, chunks, fs.MaxFileSize)
        written = [info.path]
        try:
            if spool is not None:
                size = await asyncio.to_thread(probe, spool, fs.MaxImageResolution)
                if size is not None and size[0] * size[1] > DEFER_PIXELS:
                    info.width, info.height = size  # previews follow (file_preview.py)
                    info.has_preview_image = info.mime_type != "image/gif"
                else:
                    await store_previews(backend, info, await self.decode(spool, info.mime_type), written)
                    spool.close()
                    spool = None
            async with self.core.unit_of_work() as uow:
                await self.core.store.file_info.save(info, uow.conn)
                if imported is not None:
                    source, source_id = imported
                    await self.core.store.imports.map(source, "file", {source_id: info.id}, now, uow.conn)
            if spool is not None:
                self.previews.schedule(info, spool)
                spool = None
            for hook in self.uploaded_hooks:
                hook(info)
        except BaseException as e:
            await self.remove_objects(backend, written)
            if isinstance(e, ImageTooLarge):
                raise AppError(where, "api.file.upload_file.large_image_detailed.app_error",
                               N_("{Filename} dimensions ({Width} by {Height} pixels) exceed the limits.")
                               if e.width else N_("{Filename} dimensions exceed the limits."), 400,
                               params={"Filename": name, "Width": e.width, "Height": e.height}) from None
            if isinstance(e, FileBackendError):
                raise storage_error(where, e) from None
            raise
        finally:
            if spool is not None:
                spool.close()
        return info

    async def _receive(self, backend: FileBackend, info: FileInfo, chunks: AsyncIterator[bytes],
                       limit: int) -> IO[bytes] | None:
        """Write the stream to ``info.path``; sniff its type from the first bytes; keep a copy of
        images (for previews). Sets size and mime_type."""
        try:
            writer = await backend.open_write(info.path)
        except FileBackendError as e:
            raise storage_error("uploadFileTask", e) from None
        head = bytearray()
        sniffed = False
        spool: IO[bytes] | None = None
        size = 0
        try:
            async for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if size > limit:
                    raise too_large(info.name, size, limit)
                if not sniffed:
                    head += chunk
                    if len(head) < SNIFF_LEN:
                        continue
                    chunk, sniffed = bytes(head), True
                    head.clear()
                    info.mime_type = sniff(chunk[:SNIFF_LEN], info.name)
                    if info.mime_type in PREVIEWABLE_IMAGES:
                        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY)
                if spool is not None:
                    spool.write(chunk)
                await writer.write(chunk)
            if not sniffed:
                info.mime_type = sniff(bytes(head), info.name)
                if info.mime_type in PREVIEWABLE_IMAGES:
                    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY)
                    spool.write(head)
                await writer.write(bytes(head))
            await writer.commit()
        except BaseException as e:
            await writer.abort()
            if spool is not None:
                spool.close()
            if isinstance(e, FileBackendError):
                raise storage_error("uploadFileTask", e) from None
            raise
        info.size = size
        return spool

    async def decode(self, spool: IO[bytes], mime: str) -> ImageResult:
        """Dimensions and derived images, in a worker thread (at most MaxImageDecoderConcurrency at once)."""
        if self._decoders is None:
            n = self._fs.MaxImageDecoderConcurrency
            self._decoders = asyncio.Semaphore(n if n > 0 else (os.cpu_count() or 1))
        async with self._decoders:
            return await asyncio.to_thread(make_previews, spool, mime, self._fs.MaxImageResolution)

    async def remove_objects(self, backend: FileBackend, paths: list[str]) -> None:
        for path in paths:
            try:
                await backend.remove(path)
            except Exception as e:
                log.error("could not remove a file after a failed upload", path=path, error=str(e))

    async def discard(self, infos: list[FileInfo]) -> None:
        """Undo uploads of one request that failed later on (rows and stored objects)."""
        if not infos:
            return
        await self.core.store.file_info.remove([i.id for i in infos])
        backend = self.backend()
        for info in infos:
            await self.remove_objects(backend, [p for p in (info.path, info.thumbnail_path,
                                                              info.preview_path) if p])

    # reading -------------------------------------------------------------------------------

    async def _get_live(self, file_id: str, where: str) -> FileInfo:
        if not is_valid_id(file_id):
            raise invalid_url_param(where, "file_id")
        try:
            info = await self.core.store.file_info.get(file_id)
            if info.post_id:
                await self.core.store.posts.get(info.post_id)
        except NotFound:
            raise AppError(where, "app.file_info.get.app_error", "Unable to get the file info.", 404) from None
        return info

    async def get_info(self, ctx: Ctx, file_id: str, where: str = "getFileInfo") -> FileInfo:
        """The file, if the caller uploaded it or can read its channel."""
        info = await self._get_live(file_id, where)
        if info.user_id != ctx.user_id or not ctx.user_id:
            channel = await self.directory.channel(info.channel_id, where)
            if not await self.perms.can_read_channel(ctx, channel):
                raise permission_denied(where, "permission=read_channel_content")
        return info

    async def content(self, ctx: Ctx, file_id: str, kind: str = "file") -> FileContent:
        if kind == "thumbnail":
            info = await self.previews.ensure(await self.get_info(ctx, file_id, "getFileThumbnail"))
            if not info.thumbnail_path:
                raise AppError("getFileThumbnail", "api.file.get_file_thumbnail.no_thumbnail.app_error",
                               "File doesn't have a thumbnail image.", 400)
            return FileContent(info, info.thumbnail_path, PREVIEW_IMAGE_TYPE, None)
        if kind == "preview":
            info = await self.previews.ensure(await self.get_info(ctx, file_id, "getFilePreview"))
            if not info.preview_path:
                raise AppError("getFilePreview", "api.file.get_file_preview.no_preview.app_error",
                               "File doesn't have a preview image.", 400)
            return FileContent(info, info.preview_path, PREVIEW_IMAGE_TYPE, None)
        info = await self.get_info(ctx, file_id, "getFile")
        return FileContent(info, info.path, info.mime_type, info.size)

    async def open_stream(self, content: FileContent, offset: int = 0, length: int | None = None) -> ReadStream:
        where = "FileReader"
        try:
            return await self.backend(where).open_read(content.path, offset, length)
        except FileNotFound:
            raise AppError(where, "api.file.file_reader.app_error", "Unable to read the file.", 404,
                           content.path) from None
        except FileBackendError as e:
            raise storage_error(where, e) from None

    async def public_link(self, ctx: Ctx, file_id: str, site_url: str) -> str:
        where = "getPublicLink"
        if not self._fs.EnablePublicLink:
            raise AppError(where, "api.file.get_public_link.disabled.app_error",
                           "Public links have been disabled.", 403)
        info = await self.get_info(ctx, file_id, where)
        if not await self.perms.has_channel(ctx, info.channel_id, permissions.GET_PUBLIC_LINK):
            raise permission_denied(where, "permission=get_public_link")
        if not info.post_id:
            raise AppError(where, "api.file.get_public_link.no_post.app_error",
                           "Unable to get public link for file. File must be attached to a post that can "
                           "be read by the current user.", 400)
        return f"{site_url.rstrip('/')}/files/{info.id}/public?h={public_link_hash(info.id, self._salt())}"

    async def public_content(self, file_id: str, given_hash: str) -> FileContent:
        where = "getPublicFile"
        if not self._fs.EnablePublicLink:
            raise AppError(where, "api.file.get_public_link.disabled.app_error",
                           "Public links have been disabled.", 403)
        info = await self._get_live(file_id, where)
        expected = public_link_hash(info.id, self._salt())
        if not given_hash or not hmac.compare_digest(given_hash.encode(), expected.encode()):
            raise AppError(where, "api.file.get_file.public_invalid.app_error",
                           "The public link does not appear to be valid.", 400)
        return FileContent(info, info.path, info.mime_type, info.size)

    async def infos_for_post(self, ctx: Ctx, post_id: str, include_deleted: bool = False) -> list[FileInfo]:
        where = "getFileInfosForPost"
        if not is_valid_id(post_id):
            raise invalid_url_param(where, "post_id")
        admin = self.perms.is_system_admin(ctx)
        post = await self.directory.post(post_id, where, include_deleted and admin)
        channel = await self.directory.channel(post.channel_id, where)
        if not await self.perms.can_read_channel(ctx, channel):
            raise permission_denied(where, "permission=read_channel_content")
        return await self.core.store.file_info.for_post(post_id, include_deleted and admin)

    # posts ---------------------------------------------------------------------------------

    def check_file_ids(self, file_ids: list[str] | None, where: str) -> list[str]:
        """A post's file_ids: at most 10, duplicates dropped; ids that are not ids can never attach."""
        ids = list(dict.fromkeys(file_ids or []))
        if len(ids) > MAX_FILE_IDS:
            raise AppError(where, "model.post.is_valid.file_ids.app_error", "Invalid file ids.", 400,
                           f"{len(ids)} files; at most {MAX_FILE_IDS}")
        return [i for i in ids if is_valid_id(i)]

    async def add_metadata(self, posts: list[Post], conn: AsyncConnection | None = None) -> None:
        """Set ``metadata.files`` (FileInfo objects, in file_ids order) on posts that have files; with
        ``conn``, as that transaction sees them (files it has just attached)."""
        ids = [p.id for p in posts if p.file_ids and not p.delete_at]
        if not ids:
            return
        found = await self.core.store.file_info.for_posts(ids, conn=conn)
        for p in posts:
            if p.id in found:
                by_id = {f.id: f for f in found[p.id]}
                files = [by_id[i].to_dict() for i in p.file_ids if i in by_id]
                if files:
                    p.metadata = {**p.metadata, "files": files}

    @staticmethod
    def posted_flags(post: Post) -> dict[str, str]:
        """The ``image``/``otherFile`` keys of a ``posted`` event for a post with files."""
        flags: dict[str, str] = {}
        for f in post.metadata.get("files") or []:
            flags["image" if str(f.get("mime_type", "")).startswith("image/") else "otherFile"] = "true"
        return flags

    # search --------------------------------------------------------------------------------

    async def search(self, ctx: Ctx, team_id: str | None, params: FileSearchParams) -> FileInfoList:
        """``POST /teams/{team_id}/files/search``, or with ``team_id`` None ``POST /files/search``: the
        searcher's channels of every team and the direct and group messages."""
        where = "searchFiles"
        if team_id is not None:
            if not is_valid_id(team_id):
                raise invalid_url_param(where, "team_id")
            await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, where)
        if not params.terms or not params.terms.strip():
            raise invalid_param(where, "terms")
        parsed = parse(params.terms)
        per_page = params.per_page if params.per_page is not None and params.per_page > 0 else 60
        lo, hi = date_range(parsed, params.time_zone_offset or 0)
        include_deleted = bool(params.include_deleted_channels)
        s = FileSearch(user_id=ctx.user_id, team_id=team_id or "", terms=[t.text.lower() for t in parsed.terms],
                       excluded_terms=[t.text.lower() for t in parsed.excluded], extensions=parsed.extensions,
                       excluded_extensions=parsed.excluded_extensions, created_after=lo, created_before=hi,
                       is_or=bool(params.is_or_search), include_deleted_channels=include_deleted,
                       page=max(params.page or 0, 0), per_page=min(per_page, _SEARCH_PER_PAGE_MAX))
        store = self.core.store
        if parsed.from_users or parsed.excluded_users:
            users = {u.username.lower(): u.id for u in await store.users.get_many_by_usernames(
                parsed.from_users + parsed.excluded_users)}
            s.from_users = [users[n] for n in parsed.from_users if n in users]
            s.excluded_users = [users[n] for n in parsed.excluded_users if n in users]
            if parsed.from_users and not s.from_users:
                return FileInfoList()
        if parsed.in_channels or parsed.excluded_channels:
            s.in_channels = sorted(await channel_scope(self.core.store, ctx, team_id, parsed, include_deleted))
            if not s.in_channels:
                return FileInfoList()
        if params.channel_id:
            s.in_channels = [params.channel_id] if not s.in_channels or params.channel_id in s.in_channels else []
            if not s.in_channels:
                return FileInfoList()
        infos = await store.file_info.search(s)
        return FileInfoList(order=[f.id for f in infos], file_infos={f.id: f for f in infos})

    # storage settings ----------------------------------------------------------------------

    async def test_storage(self, ctx: Ctx, candidate: Config | None = None) -> None:
        """POST /file/s3_test and `chinwag file test`: can these FileSettings be used?"""
        where = "testS3"
        self.perms.require_system(ctx, permissions.TEST_S3, where)
        await self.test_settings((candidate or self.core.cfg).FileSettings, where)

    async def test_settings(self, fs: FileSettings, where: str = "TestFileStoreConnection") -> None:
        fs = msgspec.convert(msgspec.to_builtins(fs), FileSettings)
        if fs.AmazonS3SecretAccessKey == FAKE_SETTING:
            fs.AmazonS3SecretAccessKey = self._fs.AmazonS3SecretAccessKey
        if fs.DriverName == "amazons3" and not fs.AmazonS3Bucket:
            raise AppError(where, "api.admin.test_s3.missing_s3_bucket", "S3 Bucket is required", 400)
        if fs.DriverName not in ("local", "amazons3") or self._factory is None:
            raise AppError(where, "api.file.test_connection_unsupported_driver.app_error",
                           "Unsupported file storage driver {Driver}.", 400,
                           params={"Driver": repr(fs.DriverName)})
        backend: FileBackend | None = None
        try:
            backend = self._factory(fs)
            await backend.test_connection()
        except FileBackendError as e:
            raise AppError(where, "api.file.test_connection.app_error",
                           "Unable to use the file storage: {Error}", 500, str(e), {"Error": str(e)}) from None
        finally:
            if backend is not None:
                await backend.close()
