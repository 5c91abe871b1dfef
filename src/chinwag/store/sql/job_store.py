"""Jobs and resumable upload sessions. A pending job is claimed by one node with a conditional UPDATE
(``WHERE status = 'pending'``): on PostgreSQL a concurrent claimer re-checks the row after the winner
commits and matches nothing; SQLite has one writer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chinwag.model.job import JOB_STATUS_IN_PROGRESS, JOB_STATUS_PENDING, Job, UploadSession
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import jobs as j_
from chinwag.store.sql.tables import uploadsessions as u_

_JOB_COLS = (j_.c.id, j_.c.type, j_.c.priority, j_.c.createat, j_.c.startat, j_.c.lastactivityat, j_.c.status,
             j_.c.progress, j_.c.data)
_UP_COLS = (u_.c.id, u_.c.type, u_.c.createat, u_.c.userid, u_.c.channelid, u_.c.filename, u_.c.path,
            u_.c.filesize, u_.c.fileoffset)


def _job(r: Any) -> Job:
    return Job(id=r[0], type=r[1], priority=int(r[2]), create_at=int(r[3]), start_at=int(r[4]),
               last_activity_at=int(r[5]), status=r[6], progress=int(r[7]),
               data={str(k): str(v) for k, v in (r[8] or {}).items()})


def _upload(r: Any) -> UploadSession:
    return UploadSession(id=r[0], type=r[1], create_at=int(r[2]), user_id=r[3], channel_id=r[4], filename=r[5],
                         path=r[6], file_size=int(r[7]), file_offset=int(r[8]))


class SqlJobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, job: Job) -> None:
        async with self.db.write() as conn:
            await conn.execute(j_.insert().values(
                id=job.id, type=job.type, priority=job.priority, createat=job.create_at, startat=job.start_at,
                lastactivityat=job.last_activity_at, status=job.status, progress=job.progress, data=job.data))

    async def get(self, job_id: str) -> Job | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(*_JOB_COLS).where(j_.c.id == job_id))).first()
        return None if row is None else _job(row)

    async def list_jobs(self, job_type: str | None, offset: int, limit: int) -> list[Job]:
        q = sa.select(*_JOB_COLS).order_by(j_.c.createat.desc(), j_.c.id.desc()).offset(offset).limit(limit)
        if job_type is not None:
            q = q.where(j_.c.type == job_type)
        async with self.db.read() as conn:
            return [_job(r) for r in await conn.execute(q)]

    async def claim(self, node_id: str, types: list[str], now: int) -> Job | None:
        """The oldest pending job of ``types``, now in progress and claimed by ``node_id``; None if another
        node took it first (or there is none)."""
        async with self.db.read() as conn:
            row = (await conn.execute(
                sa.select(j_.c.id).where(j_.c.status == JOB_STATUS_PENDING, j_.c.type.in_(types))
                .order_by(j_.c.createat, j_.c.id).limit(1))).first()
        if row is None:
            return None
        async with self.db.write() as conn:
            done = await conn.execute(
                j_.update().where(j_.c.id == row[0], j_.c.status == JOB_STATUS_PENDING)
                .values(status=JOB_STATUS_IN_PROGRESS, claimedby=node_id, startat=now, lastactivityat=now))
        if done.rowcount != 1:
            return None
        return await self.get(str(row[0]))

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
            r = await conn.execute(j_.update().where(j_.c.status == JOB_STATUS_IN_PROGRESS,
                                                     j_.c.lastactivityat < stale_before)
                                   .values(status="error", lastactivityat=now))
        return int(r.rowcount)

    # upload sessions ----------------------------------------------------------------------------

    async def save_upload(self, us: UploadSession) -> None:
        async with self.db.write() as conn:
            await conn.execute(u_.insert().values(
                id=us.id, type=us.type, createat=us.create_at, userid=us.user_id, channelid=us.channel_id,
                filename=us.filename, path=us.path, filesize=us.file_size, fileoffset=us.file_offset))

    async def get_upload(self, upload_id: str) -> UploadSession | None:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(*_UP_COLS).where(u_.c.id == upload_id))).first()
        return None if row is None else _upload(row)

    async def uploads_of(self, user_id: str) -> list[UploadSession]:
        async with self.db.read() as conn:
            rows = await conn.execute(sa.select(*_UP_COLS).where(u_.c.userid == user_id).order_by(u_.c.createat))
            return [_upload(r) for r in rows]

    async def advance_upload(self, upload_id: str, old_offset: int, new_offset: int) -> bool:
        """Move the offset from ``old_offset`` (False when another request moved it first)."""
        async with self.db.write() as conn:
            r = await conn.execute(u_.update().where(u_.c.id == upload_id, u_.c.fileoffset == old_offset)
                                   .values(fileoffset=new_offset))
        return bool(r.rowcount)

    async def delete_upload(self, upload_id: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(u_.delete().where(u_.c.id == upload_id))
