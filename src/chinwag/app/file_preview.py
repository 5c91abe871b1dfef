"""Previews of large images, made after the upload has answered.

Small images get their thumbnail, preview and mini preview during the upload (a few milliseconds).
For a large one (a 12-megapixel phone photo, a big PNG screenshot) decoding takes long enough that
the upload — and the post that waits for it — should not: the upload answers with the dimensions
read from the header and ``has_preview_image``, and the derived images are made in the background.

``GET /files/{id}/thumbnail`` or ``/preview`` for such a file waits for that work when it runs on
this node; when it is not running anywhere any more (the server restarted, or another node made the
upload and died), the request makes the previews from the stored original itself. So a preview is
never missing for good, and the work is never done twice on one node.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from typing import IO, Protocol

import structlog

from chinwag.app.core import AppCore
from chinwag.app.file_image import ImageResult
from chinwag.app.file_sniff import PREVIEWABLE_IMAGES
from chinwag.filestore.base import FileBackend
from chinwag.model.file import PREVIEW_IMAGE_TYPE, FileInfo
from chinwag.store.errors import NotFound

log = structlog.get_logger("chinwag.app.file_preview")

#: images with more pixels than this get their previews after the upload has answered
DEFER_PIXELS = 2_000_000
_SPOOL_MEMORY = 8 * 1024 * 1024


def preview_paths(info: FileInfo) -> tuple[str, str]:
    """Where the thumbnail and preview of ``info`` are stored: next to the original, as Mattermost."""
    prefix = info.path.rpartition("/")[0]
    stem = info.name.rpartition(".")[0] or info.name
    return f"{prefix}/{stem}_thumb.jpg", f"{prefix}/{stem}_preview.jpg"


async def store_previews(backend: FileBackend, info: FileInfo, result: ImageResult, written: list[str]) -> None:
    """Write the derived images of ``result`` and set them on ``info`` (paths appended to ``written``
    as they are stored, so a caller can remove them on failure)."""
    thumb_path, preview_path = preview_paths(info)
    info.width, info.height = result.width or info.width, result.height or info.height
    info.has_preview_image = result.has_preview_image
    info.mini_preview = result.mini_preview
    if result.thumbnail is not None:
        written.append(thumb_path)
        await backend.write_file(thumb_path, result.thumbnail, PREVIEW_IMAGE_TYPE)
        info.thumbnail_path = thumb_path
    if result.preview is not None:
        written.append(preview_path)
        await backend.write_file(preview_path, result.preview, PREVIEW_IMAGE_TYPE)
        info.preview_path = preview_path


def is_deferred(info: FileInfo) -> bool:
    """An image whose previews were left for later and are not made yet."""
    return (info.mime_type in PREVIEWABLE_IMAGES and info.width > 0 and not info.thumbnail_path
            and info.width * info.height > DEFER_PIXELS)


class PreviewFiles(Protocol):
    """What deferred previews need of the file service that owns them."""

    core: AppCore

    def backend(self, where: str = "FileBackend") -> FileBackend: ...

    async def decode(self, spool: IO[bytes], mime: str) -> ImageResult: ...

    async def remove_objects(self, backend: FileBackend, paths: list[str]) -> None: ...


class DeferredPreviews:
    def __init__(self, files: PreviewFiles) -> None:
        self.files = files
        self.pending: dict[str, asyncio.Task[FileInfo]] = {}
        #: files whose image could not be decoded after all: not retried on every request
        self.failed: set[str] = set()

    def schedule(self, info: FileInfo, spool: IO[bytes]) -> None:
        """Make the previews of a just-saved upload from its spooled copy (which this now owns)."""
        self._start(info, self._make(info, spool))

    async def ensure(self, info: FileInfo) -> FileInfo:
        """``info`` with its previews, waiting for them (or making them) if they were deferred."""
        if not is_deferred(info) or info.id in self.failed:
            return info
        task = self.pending.get(info.id)
        if task is None:
            task = self._start(info, self._from_original(info))
        return await asyncio.shield(task)

    async def close(self) -> None:
        """At shutdown: let running work finish for a moment, then stop it (the next request for a
        preview makes it again)."""
        tasks = list(self.pending.values())
        if not tasks:
            return
        _done, running = await asyncio.wait(tasks, timeout=10)
        for t in running:
            t.cancel()
        for t in running:
            with contextlib.suppress(BaseException):
                await t

    def _start(self, info: FileInfo, work: object) -> asyncio.Task[FileInfo]:
        task: asyncio.Task[FileInfo] = asyncio.get_running_loop().create_task(work)  # type: ignore[arg-type]
        self.pending[info.id] = task
        task.add_done_callback(lambda _t: self.pending.pop(info.id, None))
        return task

    async def _from_original(self, info: FileInfo) -> FileInfo:
        try:  # another node may have finished them since the caller read the row
            fresh = await self.files.core.store.file_info.get(info.id)
        except NotFound:
            return info
        if not is_deferred(fresh):
            return fresh
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY)
        try:
            stream = await self.files.backend("makePreviews").open_read(fresh.path)
            try:
                async for chunk in stream:
                    spool.write(chunk)
            finally:
                await stream.aclose()
        except BaseException:
            spool.close()
            raise
        return await self._make(fresh, spool)

    async def _make(self, info: FileInfo, spool: IO[bytes]) -> FileInfo:
        try:
            result = await self.files.decode(spool, info.mime_type)
        finally:
            spool.close()
        if result.thumbnail is None:
            self.failed.add(info.id)
            log.warning("could not make previews of an image", file_id=info.id)
        backend = self.files.backend("makePreviews")
        written: list[str] = []
        try:
            await store_previews(backend, info, result, written)
            saved = await self.files.core.store.file_info.set_previews(
                info.id, info.thumbnail_path, info.preview_path, info.mini_preview, info.has_preview_image,
                self.files.core.now())
        except BaseException:
            await self.files.remove_objects(backend, written)
            raise
        if not saved:  # the upload was rolled back meanwhile
            await self.files.remove_objects(backend, written)
        return info
