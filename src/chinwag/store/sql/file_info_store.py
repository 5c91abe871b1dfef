"""FileInfo rows: uploads, attaching to posts, deleting with posts, and search by name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.file import FileInfo
from chinwag.store.errors import NotFound
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import channelmembers, channels, fileinfo, posts

FILE_INFO = RowMap(FileInfo, fileinfo, columns={"user_id": "creatorid"},
                   read={"mini_preview": "bytes({minipreview}) if {minipreview} is not None else None"})


# Used inside the post store's transactions -------------------------------------------------


async def attach_to_post(
    conn: AsyncConnection, post_id: str, channel_id: str, user_id: str, file_ids: Sequence[str], now: int
) -> list[str]:
    """Attach the uploader's own, unattached, live files of this channel; return the ids attached
    (in the order given). Rows locked by the UPDATE make a concurrent attach of the same file lose."""
    if not file_ids:
        return []
    ids = list(dict.fromkeys(file_ids))
    await conn.execute(
        fileinfo.update()
        .where(
            fileinfo.c.id.in_(ids),
            fileinfo.c.postid == "",
            fileinfo.c.creatorid == user_id,
            fileinfo.c.channelid == channel_id,
            fileinfo.c.deleteat == 0,
        )
        .values(postid=post_id, updateat=now)
    )
    rows = await conn.execute(
        sa.select(fileinfo.c.id).where(fileinfo.c.id.in_(ids), fileinfo.c.postid == post_id)
    )
    attached = {r[0] for r in rows}
    return [i for i in ids if i in attached]


async def delete_for_post(conn: AsyncConnection, post_id: str, now: int, with_replies: bool) -> None:
    """Soft-delete the files of a post (and of its replies when a root post is deleted)."""
    cond = fileinfo.c.postid == post_id
    if with_replies:
        replies = sa.select(posts.c.id).where(posts.c.rootid == post_id)
        cond = sa.or_(cond, fileinfo.c.postid.in_(replies))
    await conn.execute(
        fileinfo.update().where(cond, fileinfo.c.deleteat == 0).values(deleteat=now, updateat=now)
    )


async def delete_ids(conn: AsyncConnection, post_id: str, file_ids: Sequence[str], now: int) -> None:
    """Soft-delete files removed from a post by an edit."""
    if file_ids:
        await conn.execute(
            fileinfo.update()
            .where(fileinfo.c.id.in_(list(file_ids)), fileinfo.c.postid == post_id, fileinfo.c.deleteat == 0)
            .values(deleteat=now, updateat=now)
        )


async def undelete_ids(conn: AsyncConnection, post_id: str, file_ids: Sequence[str], now: int) -> None:
    """Files of this post that an edit removed, attached again (a restored version had them)."""
    if file_ids:
        await conn.execute(
            fileinfo.update()
            .where(fileinfo.c.id.in_(list(file_ids)), fileinfo.c.postid == post_id, fileinfo.c.deleteat != 0)
            .values(deleteat=0, updateat=now)
        )


@dataclass
class FileSearch:
    """A parsed file search: name terms, exclusions and filters (Mattermost's SearchParams)."""

    user_id: str
    team_id: str
    terms: list[str] = field(default_factory=list)
    excluded_terms: list[str] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)
    excluded_extensions: list[str] = field(default_factory=list)
    from_users: list[str] = field(default_factory=list)
    excluded_users: list[str] = field(default_factory=list)
    in_channels: list[str] = field(default_factory=list)
    excluded_channels: list[str] = field(default_factory=list)
    #: createat bounds in ms (0 = unbounded): created_after <= createat < created_before
    created_after: int = 0
    created_before: int = 0
    is_or: bool = False
    include_deleted_channels: bool = False
    page: int = 0
    per_page: int = 60


def _like(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if escaped.endswith("*"):
        escaped = escaped[:-1]
    return f"%{escaped}%"


class SqlFileInfoStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, info: FileInfo, conn: AsyncConnection | None = None) -> FileInfo:
        async with self.db.write_in(conn) as conn:
            await conn.execute(fileinfo.insert().values(**FILE_INFO.values(info)))
        return info

    async def get(self, file_id: str, include_deleted: bool = False) -> FileInfo:
        q = sa.select(fileinfo).where(fileinfo.c.id == file_id)
        if not include_deleted:
            q = q.where(fileinfo.c.deleteat == 0)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("file_info", file_id)
        return FILE_INFO.one(row)

    async def get_many(self, file_ids: Sequence[str]) -> list[FileInfo]:
        if not file_ids:
            return []
        q = sa.select(fileinfo).where(fileinfo.c.id.in_(list(file_ids)), fileinfo.c.deleteat == 0)
        async with self.db.read() as conn:
            return FILE_INFO.all((await conn.execute(q)).all())

    async def for_post(self, post_id: str, include_deleted: bool = False) -> list[FileInfo]:
        return (await self.for_posts([post_id], include_deleted)).get(post_id, [])

    async def for_posts(self, post_ids: Sequence[str], include_deleted: bool = False,
                        conn: AsyncConnection | None = None) -> dict[str, list[FileInfo]]:
        """The posts' files; with ``conn``, as the caller's transaction sees them."""
        out: dict[str, list[FileInfo]] = {}
        if not post_ids:
            return out
        q = sa.select(fileinfo).where(fileinfo.c.postid.in_(list(post_ids)))
        if not include_deleted:
            q = q.where(fileinfo.c.deleteat == 0)
        q = q.order_by(fileinfo.c.createat, fileinfo.c.id)
        if conn is not None:
            rows = (await conn.execute(q)).all()
        else:
            async with self.db.read() as c:
                rows = (await c.execute(q)).all()
        for row in rows:
            info = FILE_INFO.one(row)
            out.setdefault(info.post_id, []).append(info)
        return out

    async def set_previews(self, file_id: str, thumbnail_path: str, preview_path: str,
                           mini_preview: bytes | None, has_preview_image: bool, update_at: int) -> bool:
        """Record previews made after the upload; False when the row is gone (upload rolled back)."""
        async with self.db.write() as conn:
            done = await conn.execute(fileinfo.update().where(fileinfo.c.id == file_id).values(
                thumbnailpath=thumbnail_path, previewpath=preview_path, minipreview=mini_preview,
                haspreviewimage=has_preview_image, updateat=update_at))
        return bool(done.rowcount)

    async def created_between(self, since: int, until: int, after_id: str = "",
                              limit: int = 1000) -> list[FileInfo]:
        """Files not deleted, created in [since, until] ms, oldest first; ``after_id`` continues a walk
        past the files of time ``since`` already seen (keyset paging on createat, id)."""
        q = sa.select(fileinfo).where(fileinfo.c.deleteat == 0, fileinfo.c.createat <= until)
        if after_id:
            q = q.where(sa.or_(fileinfo.c.createat > since,
                               sa.and_(fileinfo.c.createat == since, fileinfo.c.id > after_id)))
        else:
            q = q.where(fileinfo.c.createat >= since)
        q = q.order_by(fileinfo.c.createat, fileinfo.c.id).limit(limit)
        async with self.db.read() as conn:
            return FILE_INFO.all((await conn.execute(q)).all())

    async def count_created_between(self, since: int, until: int) -> int:
        q = sa.select(sa.func.count()).select_from(fileinfo).where(
            fileinfo.c.deleteat == 0, fileinfo.c.createat >= since, fileinfo.c.createat <= until)
        async with self.db.read() as conn:
            return int((await conn.execute(q)).scalar_one())

    async def set_content(self, file_id: str, content: str) -> bool:
        """The file's extracted text (for file search); False when the row is gone."""
        async with self.db.write() as conn:
            done = await conn.execute(fileinfo.update().where(fileinfo.c.id == file_id).values(content=content))
        return bool(done.rowcount)

    async def remove(self, file_ids: Sequence[str]) -> None:
        """Hard-delete rows (an upload that is being rolled back)."""
        if file_ids:
            async with self.db.write() as conn:
                await conn.execute(fileinfo.delete().where(fileinfo.c.id.in_(list(file_ids))))

    async def search(self, s: FileSearch) -> list[FileInfo]:
        member = sa.select(channelmembers.c.channelid).where(channelmembers.c.userid == s.user_id)
        q = (
            sa.select(fileinfo)
            .select_from(
                fileinfo.join(channels, channels.c.id == fileinfo.c.channelid).join(
                    posts, posts.c.id == fileinfo.c.postid
                )
            )
            .where(
                fileinfo.c.deleteat == 0,
                fileinfo.c.postid != "",
                posts.c.deleteat == 0,
                fileinfo.c.channelid.in_(member),
                channels.c.teamid.in_([s.team_id, ""]) if s.team_id else sa.true(),  # "": every team
            )
        )
        if not s.include_deleted_channels:
            q = q.where(channels.c.deleteat == 0)
        name, content = sa.func.lower(fileinfo.c.name), sa.func.lower(fileinfo.c.content)
        # a term matches the file's name or its extracted text (the extract_content job, uploads)
        matches = [sa.or_(name.like(_like(t), escape="\\"), content.like(_like(t), escape="\\"))
                   for t in s.terms]
        if matches:
            q = q.where(sa.or_(*matches) if s.is_or else sa.and_(*matches))
        for t in s.excluded_terms:
            q = q.where(~name.like(_like(t), escape="\\"), ~content.like(_like(t), escape="\\"))
        if s.extensions:
            q = q.where(fileinfo.c.extension.in_(s.extensions))
        if s.excluded_extensions:
            q = q.where(fileinfo.c.extension.not_in(s.excluded_extensions))
        if s.from_users:
            q = q.where(fileinfo.c.creatorid.in_(s.from_users))
        if s.excluded_users:
            q = q.where(fileinfo.c.creatorid.not_in(s.excluded_users))
        if s.in_channels:
            q = q.where(fileinfo.c.channelid.in_(s.in_channels))
        if s.excluded_channels:
            q = q.where(fileinfo.c.channelid.not_in(s.excluded_channels))
        if s.created_after:
            q = q.where(fileinfo.c.createat >= s.created_after)
        if s.created_before:
            q = q.where(fileinfo.c.createat < s.created_before)
        q = q.order_by(fileinfo.c.createat.desc(), fileinfo.c.id.desc()).limit(s.per_page).offset(
            s.page * s.per_page
        )
        async with self.db.read() as conn:
            return FILE_INFO.all((await conn.execute(q)).all())
