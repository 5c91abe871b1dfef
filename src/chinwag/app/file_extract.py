"""File content extraction for file search (Mattermost's ``ExtractContentFromFileInfo`` and its
``extract_content`` job): a file's text (``file_text.py``) is kept in ``FileInfo.content``, which file
search matches besides the name.

- On upload, when ``FileSettings.ExtractContent`` is on, the new file's text is extracted in the
  background (Mattermost does the same after an upload).
- The ``extract_content`` job (``POST /jobs {"type": "extract_content", "data": {"from": …, "to": …}}``,
  ``mmctl extract run --from --to``, Unix seconds) extracts every file created in that span — files
  uploaded before the setting was on, or before chinwag learnt a format — and reports
  ``data.processed`` / ``data.errors`` as Mattermost's does, with its progress as it goes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from chinwag.app.background import BackgroundTasks
from chinwag.app.core import AppCore
from chinwag.app.file_text import IGNORED_EXTENSIONS, extract_text
from chinwag.app.jobs import JobContext
from chinwag.filestore.base import FileBackend
from chinwag.model.file import FileInfo
from chinwag.model.job import Job

log = structlog.get_logger("chinwag.app.file_extract")

#: files read per batch by the job
BATCH = 500


class ContentExtractor:
    def __init__(self, core: AppCore, backend: Callable[[str], FileBackend]) -> None:
        self.core = core
        self.backend = backend
        self._background = BackgroundTasks("file_extract")

    async def close(self) -> None:
        await self._background.cancel()

    async def drain(self) -> None:
        await self._background.drain()

    def uploaded(self, info: FileInfo) -> None:
        """A new file: extract its text in the background when ``ExtractContent`` is on."""
        if self.core.cfg.FileSettings.ExtractContent and info.extension not in IGNORED_EXTENSIONS:
            self._background.spawn(self._quiet(info), f"extract {info.id}")

    async def _quiet(self, info: FileInfo) -> None:
        try:
            await self.extract(info)
        except Exception as e:
            log.warning("could not extract the file's content", file_id=info.id, error=str(e) or repr(e))

    async def extract(self, info: FileInfo) -> None:
        """Read the file and store its text (nothing for a type without text; a file larger than
        ``MaxFileSize`` is not read, as Mattermost's extractor refuses it)."""
        fs = self.core.cfg.FileSettings
        if info.size > fs.MaxFileSize:
            raise ValueError(f"the file is larger than FileSettings.MaxFileSize ({info.size} bytes)")
        data = await self.backend("ExtractContentFromFileInfo").read_file(info.path)
        text = await asyncio.to_thread(extract_text, info.name, data, info.mime_type, fs.ArchiveRecursion)
        if text or info.content:
            await self.core.store.file_info.set_content(info.id, text)

    async def run_job(self, job: Job, jc: JobContext) -> dict[str, str]:
        """The extract_content job: ``data.from`` / ``data.to`` in Unix seconds (default: from the
        beginning to now); media files are skipped; a file that fails counts in ``errors``."""
        since = _seconds(job.data, "from", 0) * 1000
        until = _seconds(job.data, "to", self.core.now() // 1000) * 1000
        files = self.core.store.file_info
        total = await files.count_created_between(since, until)
        processed = errors = seen = 0
        after_id = ""
        while True:
            batch = await files.created_between(since, until, after_id, BATCH)
            if not batch:
                break
            for info in batch:
                seen += 1
                if info.extension in IGNORED_EXTENSIONS:
                    continue
                try:
                    await self.extract(info)
                except Exception as e:
                    log.warning("could not extract the file's content", file_id=info.id, error=str(e) or repr(e))
                    errors += 1
                processed += 1
            since, after_id = batch[-1].create_at, batch[-1].id
            await jc.progress(min(99, seen * 100 // max(total, 1)),
                              {"processed": str(processed), "errors": str(errors)})
        return {"processed": str(processed), "errors": str(errors)}


def _seconds(data: dict[str, str], key: str, default: int) -> int:
    raw = data.get(key, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f'strconv.ParseInt: parsing "{raw}": invalid syntax') from None
