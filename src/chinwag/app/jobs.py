"""Jobs (Mattermost's ``/jobs``: ``import_process``, ``export_process``) and the files they read and
write: import files in ``ImportSettings.Directory`` and exports in ``ExportSettings.Directory``, both in
the file store, so every node sees them.

Every node runs the job loop; a pending job is claimed by one node (a conditional UPDATE), which runs
it and reports progress; a job whose node stops reporting for ``STALE_MS`` becomes an error. The work
itself is registered by the composition root (``server.py``) from ``importers/jobs.py``, since the
importers sit above the app layer."""

from __future__ import annotations

import asyncio
import contextlib
import posixpath
import re
from collections.abc import Callable, Coroutine
from typing import Any

import structlog

from chinwag.app.background import WorkLoop
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.filestore.base import FileBackend, FileNotFound, ReadStream
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_body_param, invalid_param, invalid_url_param, not_found
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.job import (
    JOB_STATUS_CANCEL_REQUESTED,
    JOB_STATUS_CANCELED,
    JOB_STATUS_ERROR,
    JOB_STATUS_IN_PROGRESS,
    JOB_STATUS_PENDING,
    JOB_STATUS_SUCCESS,
    JOB_TYPE_EXPORT_PROCESS,
    JOB_TYPE_EXTRACT_CONTENT,
    JOB_TYPE_IMPORT_PROCESS,
    JOB_TYPES,
    Job,
)

log = structlog.get_logger("chinwag.jobs")

#: a running job reports at least this often; one silent for STALE_MS lost its node
HEARTBEAT_S = 15.0
STALE_MS = 5 * 60_000
POLL_S = 2.0
#: how often a node looks for jobs whose node went silent
EXPIRE_EVERY_MS = 60_000
#: the job types a manage_jobs holder may move with PATCH /jobs/{id}/status (Mattermost's
#: SessionHasPermissionToManageJob; the user export is not among them there either)
MANAGE_JOBS_TYPES = (JOB_TYPE_IMPORT_PROCESS, JOB_TYPE_EXPORT_PROCESS, JOB_TYPE_EXTRACT_CONTENT)
#: Mattermost's Job.IsValidStatusChange
_STATUS_MOVES = {JOB_STATUS_IN_PROGRESS: (JOB_STATUS_PENDING, JOB_STATUS_CANCEL_REQUESTED),
                 JOB_STATUS_PENDING: (JOB_STATUS_CANCEL_REQUESTED,),
                 JOB_STATUS_CANCEL_REQUESTED: (JOB_STATUS_CANCELED,)}
#: names of import and export files: no directories, no hidden files
_FILE_NAME = re.compile(r"^[^/\\\x00]+$")


class JobContext:
    """What a running job may do: report progress and learn that it was cancelled."""

    def __init__(self, service: JobService, job: Job) -> None:
        self.service = service
        self.job = job

    async def progress(self, percent: int, data: dict[str, str] | None = None) -> None:
        if data:
            self.job.data.update(data)
        self.job.progress = max(0, min(100, percent))
        await self.service.core.store.jobs.update(self.job.id, self.service.core.now(), progress=self.job.progress,
                                                   data=self.job.data if data else None)


Worker = Callable[[Job, JobContext], Coroutine[Any, Any, dict[str, str]]]


def store_dir(directory: str) -> str:
    """A *Settings.Directory as a path prefix inside the file store (``./import`` → ``import``)."""
    d = posixpath.normpath(directory.strip() or ".").lstrip("/")
    return "" if d == "." else d


class JobService:
    def __init__(self, core: AppCore, perms: PermissionService, backend: Callable[[str], FileBackend]) -> None:
        self.core = core
        self.perms = perms
        self.backend = backend
        self.node_id = new_id()
        self.workers: dict[str, Worker] = {}
        self._running: dict[str, asyncio.Task[Any]] = {}
        self.loop = WorkLoop("jobs", self.run_once, poll_seconds=POLL_S, lease=core.poll_lease)
        self._expired_at = 0

    def register(self, job_type: str, worker: Worker) -> None:
        self.workers[job_type] = worker

    # the API -----------------------------------------------------------------------------------

    def _require(self, ctx: Ctx, where: str) -> None:
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)

    async def create(self, ctx: Ctx, body: Any) -> Job:
        where = "createJob"
        self._require(ctx, where)
        if not isinstance(body, dict):
            raise invalid_body_param(where, "job")
        job_type = body.get("type")
        if job_type not in JOB_TYPES:
            raise AppError(where, "model.job.is_valid.type.app_error",
                           "Invalid job type: {Type} (this server runs {Types}).", 400,
                           params={"Type": repr(job_type), "Types": ", ".join(JOB_TYPES)})
        raw = body.get("data") or {}
        if not isinstance(raw, dict):
            raise invalid_body_param(where, "data")
        data = {str(k): v if isinstance(v, str) else str(v).lower() for k, v in raw.items()}
        if job_type == JOB_TYPE_IMPORT_PROCESS:
            name = data.get("import_file", "")
            if not name or not _FILE_NAME.match(name):
                raise invalid_body_param(where, "data.import_file")
            if not await self.backend(where).exists(self.import_path(name)):
                raise AppError(where, "app.import.get_import_file.not_found",
                               "The import file {Name} was not found (upload it first; see GET /imports).", 400,
                               params={"Name": name})
        now = self.core.now()
        job = Job(id=new_id(), type=job_type, create_at=now, status=JOB_STATUS_PENDING, data=data)
        await self.core.store.jobs.save(job)
        self.loop.wake()
        return job

    async def get(self, ctx: Ctx, job_id: str) -> Job:
        self._require(ctx, "getJob")
        if not is_valid_id(job_id):
            raise invalid_param("getJob", "job_id")
        job = await self.core.store.jobs.get(job_id)
        if job is None:
            raise not_found("getJob", "job")
        return job

    async def list_jobs(self, ctx: Ctx, job_type: str | None, page: int, per_page: int) -> list[Job]:
        self._require(ctx, "getJobs")
        return await self.core.store.jobs.list_jobs(job_type, page * per_page, per_page)

    async def cancel(self, ctx: Ctx, job_id: str) -> None:
        job = await self.get(ctx, job_id)
        now, jobs = self.core.now(), self.core.store.jobs
        if await jobs.update(job.id, now, status=JOB_STATUS_CANCELED, only_if=(JOB_STATUS_PENDING,)):
            return
        if not await jobs.update(job.id, now, status=JOB_STATUS_CANCEL_REQUESTED, only_if=(JOB_STATUS_IN_PROGRESS,)):
            raise AppError("cancelJob", "app.job.update.app_error",
                           "The job is {Status} and can no longer be cancelled.", 400,
                           params={"Status": job.status})

    async def update_status(self, ctx: Ctx, job_id: str, body: Any) -> None:
        """``PATCH /jobs/{job_id}/status`` (``{"status", "force"}``): put a job back to pending, or cancel it,
        as Mattermost's updateJobStatus; without ``force`` only the moves a running job can make
        (in progress → pending or cancel requested, pending → cancel requested, cancel requested → canceled)."""
        where = "updateJobStatus"
        if not is_valid_id(job_id):
            raise invalid_url_param(where, "job_id")
        props = body if isinstance(body, dict) else {}
        status = props.get("status")
        if not isinstance(status, str):
            raise invalid_param(where, "status")
        force = props.get("force") is True
        job = await self.core.store.jobs.get(job_id)
        if job is None:
            raise not_found(where, "job", job_id)
        if job.type not in MANAGE_JOBS_TYPES:
            raise AppError(where, "api.job.unable_to_manage_job.incorrect_job_type",
                           "You do not have permission to manage this job type", 400)
        self.perms.require_system(ctx, permissions.MANAGE_JOBS, where)
        if not force and status not in _STATUS_MOVES.get(job.status, ()):
            raise AppError(where, "api.job.status.invalid", "Invalid status set", 400)
        now, jobs = self.core.now(), self.core.store.jobs
        if status == JOB_STATUS_CANCEL_REQUESTED:  # Mattermost's RequestCancellation
            if not await jobs.update(job.id, now, status=JOB_STATUS_CANCELED, only_if=(JOB_STATUS_PENDING,)):
                await jobs.update(job.id, now, status=JOB_STATUS_CANCEL_REQUESTED, only_if=(JOB_STATUS_IN_PROGRESS,))
        elif status in (JOB_STATUS_PENDING, JOB_STATUS_CANCELED):
            await jobs.update(job.id, now, status=status)
            if status == JOB_STATUS_PENDING:
                self.loop.wake()
        else:
            raise AppError("UpdateJobStatus", "app.job.update_status.app_error", "Unable to update the job status.",
                           500)

    # import and export files ---------------------------------------------------------------------

    def import_path(self, name: str) -> str:
        return posixpath.join(store_dir(self.core.cfg.ImportSettings.Directory), name)

    def export_path(self, name: str) -> str:
        return posixpath.join(store_dir(self.core.cfg.ExportSettings.Directory), name)

    async def _names(self, directory: str, where: str) -> list[str]:
        prefix = store_dir(directory)
        paths = await self.backend(where).list_files(prefix)
        out = []
        for p in paths:
            rest = p[len(prefix):].lstrip("/") if prefix else p
            if rest and "/" not in rest and not rest.startswith("."):
                out.append(rest)
        return sorted(out)

    async def list_imports(self, ctx: Ctx) -> list[str]:
        self._require(ctx, "listImports")
        return await self._names(self.core.cfg.ImportSettings.Directory, "listImports")

    async def delete_import(self, ctx: Ctx, name: str) -> None:
        """``DELETE /imports/{import_name}``: remove an uploaded import file; one that is not there is
        already gone (OK, as in Mattermost)."""
        where = "deleteImport"
        self._require(ctx, where)
        if not _FILE_NAME.match(name) or name.startswith("."):
            raise invalid_param(where, "import_name")
        backend = self.backend(where)
        path = self.import_path(name)
        if await backend.exists(path):
            await backend.remove(path)

    async def list_exports(self, ctx: Ctx) -> list[str]:
        self._require(ctx, "listExports")
        return await self._names(self.core.cfg.ExportSettings.Directory, "listExports")

    def _export_name(self, where: str, name: str) -> str:
        if not _FILE_NAME.match(name) or name.startswith("."):
            raise invalid_param(where, "export_name")
        return self.export_path(name)

    async def open_export(self, ctx: Ctx, name: str) -> tuple[ReadStream, int]:
        where = "downloadExport"
        self._require(ctx, where)
        path = self._export_name(where, name)
        backend = self.backend(where)
        try:
            return await backend.open_read(path), await backend.size(path)
        except FileNotFound:
            raise not_found(where, "export", name) from None

    async def delete_export(self, ctx: Ctx, name: str) -> None:
        where = "deleteExport"
        self._require(ctx, where)
        path = self._export_name(where, name)
        backend = self.backend(where)
        if not await backend.exists(path):
            raise not_found(where, "export", name)
        await backend.remove(path)

    # the loop -------------------------------------------------------------------------------------

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()
        for task in list(self._running.values()):
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def run_once(self) -> bool:
        """Claim one pending job and run it to its end; False when there was none to claim."""
        jobs = self.core.store.jobs
        now = self.core.now()
        if now - self._expired_at >= EXPIRE_EVERY_MS:
            self._expired_at = now
            await jobs.expire(now - STALE_MS, now)
        if not self.workers:
            return False
        job = await jobs.claim(self.node_id, sorted(self.workers), now)
        if job is None:
            return False
        task: asyncio.Task[dict[str, str]] = asyncio.get_running_loop().create_task(
            self.workers[job.type](job, JobContext(self, job)))
        self._running[job.id] = task
        beat = asyncio.get_running_loop().create_task(self._heartbeat(job, task))
        try:
            result = await task
        except asyncio.CancelledError:
            if self.loop.stopping:  # the server is stopping
                with contextlib.suppress(Exception):
                    await jobs.update(job.id, self.core.now(), status=JOB_STATUS_ERROR,
                                      data={**job.data, "error": "the server stopped while the job ran"})
                raise
            await jobs.update(job.id, self.core.now(), status=JOB_STATUS_CANCELED)
        except Exception as e:
            log.warning("job failed", job_id=job.id, type=job.type, error=str(e))
            await jobs.update(job.id, self.core.now(), status=JOB_STATUS_ERROR,
                              data={**job.data, "error": str(e) or e.__class__.__name__})
        else:
            await jobs.update(job.id, self.core.now(), status=JOB_STATUS_SUCCESS, progress=100,
                              data={**job.data, **result})
        finally:
            beat.cancel()
            self._running.pop(job.id, None)
        return True

    async def _heartbeat(self, job: Job, task: asyncio.Task[Any]) -> None:
        """Report the job alive; cancel it when someone asked to (cancel_requested)."""
        while not task.done():
            await asyncio.sleep(HEARTBEAT_S / 15)
            current = await self.core.store.jobs.get(job.id)
            if current is not None and current.status == JOB_STATUS_CANCEL_REQUESTED:
                task.cancel()
                return
            if current is not None and self.core.now() - current.last_activity_at > HEARTBEAT_S * 1000:
                await self.core.store.jobs.update(job.id, self.core.now())


__all__ = ["JOB_TYPE_EXPORT_PROCESS", "JOB_TYPE_IMPORT_PROCESS", "JobContext", "JobService", "store_dir"]
