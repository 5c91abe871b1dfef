"""Jobs and resumable upload sessions. A pending job is claimed by one node through a
:class:`~chinwag.store.sql.lease.Lease` whose clock is the job's ``lastactivityat`` (every progress report
renews it); a job whose node stopped reporting is not taken over but ends as an error."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chinwag.model.job import JOB_STATUS_IN_PROGRESS, JOB_STATUS_PENDING, Job, UploadSession
from chinwag.store.sql.engine import Database
from chinwag.store.sql.lease import Lease
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import jobs as j_
from chinwag.store.sql.tables import uploadsessions as u_

_LEASE = Lease(j_, at="lastactivityat")
#: ``data`` is a map of strings on the wire (Mattermost's StringMap), whatever JSON the row holds
JOB = RowMap(Job, j_, read={"data": "{str(k): str(v) for k, v in ({data} or {}).items()}"})
UPLOAD = RowMap(UploadSession, u_)


class SqlJobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, job: Job) -> None:
        async with self.db.write() as conn:
            await conn.execute(j_.insert().values(**JOB.values(job)))

    async def get(self, job_id: str) -> Job | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(j_).where(j_.c.id == job_id))).first()
        return None if row is None else JOB.one(row)

    async def list_jobs(self, job_type: str | None, offset: int, limit: int) -> list[Job]:
        q = sa.select(j_).order_by(j_.c.createat.desc(), j_.c.id.desc()).offset(offset).limit(limit)
        if job_type is not None:
            q = q.where(j_.c.type == job_type)
        async with self.db.read() as conn:
            return JOB.all((await conn.execute(q)).all())

    async def list_by_type_and_status(self, job_type: str, status: str) -> list[Job]:
        q = sa.select(j_).where(j_.c.type == job_type, j_.c.status == status).order_by(j_.c.createat)
        async with self.db.read() as conn:
            return JOB.all((await conn.execute(q)).all())

    async def claim(self, node_id: str, types: list[str], now: int) -> Job | None:
        """The oldest pending job of ``types``, now in progress and claimed by ``node_id``; None if another
        node took it first (or there is none)."""
        # the loop asks often and there is rarely a job: look on the read pool, write only for a candidate
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(j_.c.id).where(j_.c.status == JOB_STATUS_PENDING, j_.c.type.in_(types))
                .order_by(j_.c.createat, j_.c.id).limit(1))).first()
        if row is None:
            return None
        async with self.db.write() as conn:
            # a pending job has no holder: stale_before=0 never counts a held one as free
            rows = await _LEASE.claim(conn, node_id, now, 0, where=(j_.c.id == row[0], j_.c.status == JOB_STATUS_PENDING),
                                      values={"status": JOB_STATUS_IN_PROGRESS, "startat": now},
                                      returning=tuple(j_.c))
        return JOB.one(rows[0]) if rows else None

    async def update(self, job_id: str, now: int, *, status: str | None = None, progress: int | None = None,
                     data: dict[str, str] | None = None, only_if: tuple[str, ...] = ()) -> bool:
        values: dict[str, Any] = {"lastactivityat": now}
        if status is not None:
            values["status"] = status
        if progress is not None:
            values["progress"] = progress
        if data is not None:
            values["data"] = data
        q = j_.update().where(j_.c.id == job_id).values(**values)
        if only_if:
            q = q.where(j_.c.status.in_(only_if))
        async with self.db.write() as conn:
            return bool((await conn.execute(q)).rowcount)

    async def expire(self, stale_before: int, now: int) -> int:
        """Jobs in progress whose node stopped reporting (it died or restarted) become errors."""
        async with self.db.write() as conn:
            return await _LEASE.expire(conn, stale_before, held=(j_.c.status == JOB_STATUS_IN_PROGRESS,),
                                       values={"status": "error", "lastactivityat": now})

    # upload sessions ----------------------------------------------------------------------------

    async def save_upload(self, us: UploadSession) -> None:
        async with self.db.write() as conn:
            await conn.execute(u_.insert().values(**UPLOAD.values(us)))

    async def get_upload(self, upload_id: str) -> UploadSession | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(u_).where(u_.c.id == upload_id))).first()
        return None if row is None else UPLOAD.one(row)

    async def uploads_of(self, user_id: str) -> list[UploadSession]:
        async with self.db.read() as conn:
            q = sa.select(u_).where(u_.c.userid == user_id).order_by(u_.c.createat)
            return UPLOAD.all((await conn.execute(q)).all())

    async def advance_upload(self, upload_id: str, old_offset: int, new_offset: int) -> bool:
        """Move the offset from ``old_offset`` (False when another request moved it first)."""
        async with self.db.write() as conn:
            r = await conn.execute(u_.update().where(u_.c.id == upload_id, u_.c.fileoffset == old_offset)
                                   .values(fileoffset=new_offset))
        return bool(r.rowcount)

    async def delete_upload(self, upload_id: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(u_.delete().where(u_.c.id == upload_id))
