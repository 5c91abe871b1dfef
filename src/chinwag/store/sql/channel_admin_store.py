"""The System Console's channel list: every public and private channel of every team, with its team,
a page at a time, optionally searched by name (``GET /channels``, ``POST /channels/search``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from chinwag.model.channel import Channel
from chinwag.store.sql.channel_store import CHANNEL
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import channels, teams

DEFAULT_CHANNELS = ("town-square", "off-topic")


@dataclass
class ChannelQuery:
    term: str = ""
    include_deleted: bool = False
    deleted_only: bool = False
    exclude_default: bool = False
    team_ids: Sequence[str] = ()
    public: bool = False
    private: bool = False
    page: int = 0
    per_page: int = 60


@dataclass
class ChannelWithTeam:
    channel: Channel
    team_display_name: str
    team_name: str
    team_update_at: int


@dataclass
class ChannelPage:
    items: list[ChannelWithTeam] = field(default_factory=list)
    total: int = 0


class SqlChannelAdminStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _where(self, q: ChannelQuery) -> list[sa.ColumnElement[bool]]:
        types = [t for t, on in (("O", q.public), ("P", q.private)) if on] or ["O", "P"]
        conds: list[sa.ColumnElement[bool]] = [channels.c.type.in_(types)]
        if q.deleted_only:
            conds.append(channels.c.deleteat != 0)
        elif not q.include_deleted:
            conds.append(channels.c.deleteat == 0)
        if q.exclude_default:
            conds.append(channels.c.name.not_in(DEFAULT_CHANNELS))
        if q.team_ids:
            conds.append(channels.c.teamid.in_(list(q.team_ids)))
        term = q.term.strip().lower().lstrip("~")
        if term:
            like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conds.append(sa.or_(channels.c.name.like(like, escape="\\"),
                                sa.func.lower(channels.c.displayname).like(like, escape="\\"),
                                sa.func.lower(channels.c.purpose).like(like, escape="\\")))
        return conds

    async def list(self, q: ChannelQuery) -> ChannelPage:
        conds = self._where(q)
        joined = channels.join(teams, teams.c.id == channels.c.teamid)
        rows_q = (sa.select(channels, teams.c.displayname.label("team_displayname"), teams.c.name.label("team_name"),
                            teams.c.updateat.label("team_updateat"))
                  .select_from(joined).where(*conds)
                  .order_by(sa.func.lower(channels.c.displayname), channels.c.id)
                  .limit(q.per_page).offset(q.page * q.per_page))
        count_q = sa.select(sa.func.count()).select_from(joined).where(*conds)
        async with self.db.read() as conn:
            rows = (await conn.execute(rows_q)).all()
            total = int((await conn.execute(count_q)).scalar_one())
        items = [ChannelWithTeam(c, r.team_displayname, r.team_name, int(r.team_updateat or 0))
                 for c, r in zip(CHANNEL.all(rows), rows, strict=True)]
        return ChannelPage(items, total)
