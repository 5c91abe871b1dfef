"""Teams and team members."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model.team import Team, TeamMember
from chinwag.store.errors import NotFound
from chinwag.store.sql.common import conflict_from, upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import teammembers, teams

TEAM = RowMap(Team, teams, skip=("policy_id", "cloud_limits_archived"))
#: ``roles`` on the wire is computed by the app from the scheme flags and the stored explicit roles
MEMBER = RowMap(TeamMember, teammembers, columns={"explicit_roles": "roles"}, skip=("roles",))


class SqlTeamStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, team: Team, conn: AsyncConnection | None = None) -> Team:
        try:
            async with self.db.write_in(conn) as conn:
                await conn.execute(teams.insert().values(**TEAM.values(team)))
        except IntegrityError as e:
            raise conflict_from(e, "team") from None
        return team

    async def update(self, team: Team, conn: AsyncConnection | None = None) -> Team:
        """Writes a changed team's fields; archiving and restoring are ``set_deleted`` (a patch racing an
        archive must not bring the team back)."""
        values = TEAM.values(team)
        del values["id"], values["createat"], values["deleteat"]
        try:
            async with self.db.write_in(conn) as conn:
                res = await conn.execute(teams.update().where(teams.c.id == team.id).values(**values))
        except IntegrityError as e:
            raise conflict_from(e, "team") from None
        if res.rowcount == 0:
            raise NotFound("team", team.id)
        return team

    async def set_deleted(self, team_id: str, delete_at: int, update_at: int,
                          conn: AsyncConnection | None = None) -> Team:
        """Archives (``delete_at`` > 0) or restores (0) a team, changing nothing else, and returns the row
        as stored: a patch committed meanwhile is kept (a whole-row write would undo it)."""
        async with self.db.write_in(conn) as conn:
            res = await conn.execute(teams.update().where(teams.c.id == team_id)
                                     .values(deleteat=delete_at, updateat=update_at))
            if res.rowcount == 0:
                raise NotFound("team", team_id)
            row = (await conn.execute(sa.select(teams).where(teams.c.id == team_id))).one()
        return TEAM.one(row)

    async def get(self, team_id: str) -> Team:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(teams).where(teams.c.id == team_id))).first()
        if row is None:
            raise NotFound("team", team_id)
        return TEAM.one(row)

    async def get_many(self, team_ids: Sequence[str]) -> list[Team]:
        if not team_ids:
            return []
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(teams).where(teams.c.id.in_(list(team_ids))))).all()
        return TEAM.all(rows)

    async def get_by_name(self, name: str) -> Team:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(teams).where(teams.c.name == name.lower()))).first()
        if row is None:
            raise NotFound("team", name)
        return TEAM.one(row)

    async def get_by_invite_id(self, invite_id: str) -> Team:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(teams).where(teams.c.inviteid == invite_id))).first()
        if row is None:
            raise NotFound("team", invite_id)
        return TEAM.one(row)

    async def list_teams(
        self, *, page: int, per_page: int, open_only: bool = False, include_deleted: bool = False
    ) -> list[Team]:
        q = sa.select(teams)
        if open_only:
            q = q.where(teams.c.type == "O", teams.c.allowopeninvite == sa.true())
        if not include_deleted:
            q = q.where(teams.c.deleteat == 0)
        q = q.order_by(teams.c.displayname, teams.c.id).limit(per_page).offset(page * per_page)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return TEAM.all(rows)

    async def search(self, term: str, *, open_invite: bool | None = None, page: int | None = None,
                     per_page: int | None = None) -> tuple[list[Team], int]:
        """Teams whose name or display name contains ``term`` (any case), by display name; archived
        teams included, as Mattermost. ``open_invite`` True: public teams only; False: private only."""
        like = "%" + term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        cond = sa.or_(sa.func.lower(teams.c.name).like(like, escape="\\"),
                      sa.func.lower(teams.c.displayname).like(like, escape="\\"))
        if open_invite is True:
            cond = sa.and_(cond, teams.c.type == "O", teams.c.allowopeninvite == sa.true())
        elif open_invite is False:
            cond = sa.and_(cond, teams.c.allowopeninvite == sa.false())
        q = sa.select(teams).where(cond).order_by(teams.c.displayname, teams.c.id)
        if page is not None and per_page is not None:
            q = q.limit(per_page).offset(page * per_page)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
            total = int((await conn.execute(sa.select(sa.func.count()).select_from(teams).where(cond))).scalar_one())
        return TEAM.all(rows), total

    async def count(self, open_only: bool = False, include_deleted: bool = False) -> int:
        q = sa.select(sa.func.count()).select_from(teams)
        if open_only:
            q = q.where(teams.c.type == "O", teams.c.allowopeninvite == sa.true())
        if not include_deleted:
            q = q.where(teams.c.deleteat == 0)
        async with self.db.read() as conn:
            return int((await conn.execute(q)).scalar_one())

    async def list_for_user(self, user_id: str, include_deleted: bool = False) -> list[Team]:
        q = (
            sa.select(teams)
            .select_from(teams.join(teammembers, teammembers.c.teamid == teams.c.id))
            .where(teammembers.c.userid == user_id, teammembers.c.deleteat == 0)
        )
        if not include_deleted:
            q = q.where(teams.c.deleteat == 0)
        q = q.order_by(teams.c.displayname)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return TEAM.all(rows)

    # members -------------------------------------------------------------------------------

    async def save_member(self, tm: TeamMember, conn: AsyncConnection | None = None) -> TeamMember:
        """Insert or re-activate a membership."""
        async with self.db.write_in(conn) as conn:
            await conn.execute(
                upsert(
                    conn,
                    teammembers,
                    ["teamid", "userid"],
                    ["roles", "deleteat", "schemeuser", "schemeadmin", "schemeguest", "createat"],
                ).values(**MEMBER.values(tm))
            )
        return tm

    async def update_member(self, tm: TeamMember, conn: AsyncConnection | None = None) -> TeamMember:
        async with self.db.write_in(conn) as conn:
            await conn.execute(
                teammembers.update()
                .where(teammembers.c.teamid == tm.team_id, teammembers.c.userid == tm.user_id)
                .values(**MEMBER.values(tm))
            )
        return tm

    async def get_member(self, team_id: str, user_id: str) -> TeamMember:
        q = sa.select(teammembers).where(teammembers.c.teamid == team_id, teammembers.c.userid == user_id)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("team_member", f"{team_id}/{user_id}")
        return MEMBER.one(row)

    async def get_members(
        self, team_id: str, *, page: int, per_page: int, user_ids: Sequence[str] | None = None
    ) -> list[TeamMember]:
        q = sa.select(teammembers).where(teammembers.c.teamid == team_id, teammembers.c.deleteat == 0)
        if user_ids is not None:
            q = q.where(teammembers.c.userid.in_(list(user_ids)))
        q = q.order_by(teammembers.c.userid).limit(per_page).offset(page * per_page)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return MEMBER.all(rows)

    async def get_members_for_user(self, user_id: str) -> list[TeamMember]:
        q = (
            sa.select(teammembers)
            .select_from(teammembers.join(teams, teams.c.id == teammembers.c.teamid))
            .where(teammembers.c.userid == user_id, teammembers.c.deleteat == 0, teams.c.deleteat == 0)
        )
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return MEMBER.all(rows)

    async def count_members(self, team_id: str) -> int:
        q = (
            sa.select(sa.func.count())
            .select_from(teammembers)
            .where(teammembers.c.teamid == team_id, teammembers.c.deleteat == 0)
        )
        async with self.db.read() as conn:
            return int((await conn.execute(q)).scalar_one())
