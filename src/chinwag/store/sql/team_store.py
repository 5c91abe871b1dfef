"""Teams and team members."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from chinwag.model.team import Team, TeamMember
from chinwag.store.errors import NotFound
from chinwag.store.sql.common import conflict_from, upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.tables import teammembers, teams


def row_to_team(r: Any) -> Team:
    m = r._mapping
    return Team(
        id=m["id"],
        create_at=m["createat"],
        update_at=m["updateat"],
        delete_at=m["deleteat"],
        display_name=m["displayname"],
        name=m["name"],
        description=m["description"],
        email=m["email"],
        type=m["type"],
        company_name=m["companyname"],
        allowed_domains=m["alloweddomains"],
        invite_id=m["inviteid"],
        allow_open_invite=bool(m["allowopeninvite"]),
        last_team_icon_update=m["lastteamiconupdate"],
        scheme_id=m["schemeid"],
        group_constrained=m["groupconstrained"],
    )


def team_values(t: Team) -> dict[str, Any]:
    return {
        "id": t.id,
        "createat": t.create_at,
        "updateat": t.update_at,
        "deleteat": t.delete_at,
        "displayname": t.display_name,
        "name": t.name,
        "description": t.description,
        "email": t.email,
        "type": t.type,
        "companyname": t.company_name,
        "alloweddomains": t.allowed_domains,
        "inviteid": t.invite_id,
        "allowopeninvite": t.allow_open_invite,
        "lastteamiconupdate": t.last_team_icon_update,
        "schemeid": t.scheme_id,
        "groupconstrained": t.group_constrained,
    }


def row_to_member(r: Any) -> TeamMember:
    m = r._mapping
    return TeamMember(
        team_id=m["teamid"],
        user_id=m["userid"],
        explicit_roles=m["roles"],
        delete_at=m["deleteat"],
        scheme_user=bool(m["schemeuser"]),
        scheme_admin=bool(m["schemeadmin"]),
        scheme_guest=bool(m["schemeguest"]),
        create_at=m["createat"],
    )


def member_values(tm: TeamMember) -> dict[str, Any]:
    return {
        "teamid": tm.team_id,
        "userid": tm.user_id,
        "roles": tm.explicit_roles,
        "deleteat": tm.delete_at,
        "schemeuser": tm.scheme_user,
        "schemeadmin": tm.scheme_admin,
        "schemeguest": tm.scheme_guest,
        "createat": tm.create_at,
    }


class SqlTeamStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, team: Team) -> Team:
        try:
            async with self.db.write() as conn:
                await conn.execute(teams.insert().values(**team_values(team)))
        except IntegrityError as e:
            raise conflict_from(e, "team") from None
        return team

    async def update(self, team: Team) -> Team:
        values = team_values(team)
        del values["id"], values["createat"]
        try:
            async with self.db.write() as conn:
                res = await conn.execute(teams.update().where(teams.c.id == team.id).values(**values))
        except IntegrityError as e:
            raise conflict_from(e, "team") from None
        if res.rowcount == 0:
            raise NotFound("team", team.id)
        return team

    async def get(self, team_id: str) -> Team:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(teams).where(teams.c.id == team_id))).first()
        if row is None:
            raise NotFound("team", team_id)
        return row_to_team(row)

    async def get_many(self, team_ids: Sequence[str]) -> list[Team]:
        if not team_ids:
            return []
        async with self.db.read() as conn:
            rows = (await conn.execute(sa.select(teams).where(teams.c.id.in_(list(team_ids))))).all()
        return [row_to_team(r) for r in rows]

    async def get_by_name(self, name: str) -> Team:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(teams).where(teams.c.name == name.lower()))).first()
        if row is None:
            raise NotFound("team", name)
        return row_to_team(row)

    async def get_by_invite_id(self, invite_id: str) -> Team:
        async with self.db.read() as conn:
            row = (await conn.execute(sa.select(teams).where(teams.c.inviteid == invite_id))).first()
        if row is None:
            raise NotFound("team", invite_id)
        return row_to_team(row)

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
        return [row_to_team(r) for r in rows]

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
        return [row_to_team(r) for r in rows]

    # members -------------------------------------------------------------------------------

    async def save_member(self, tm: TeamMember) -> TeamMember:
        """Insert or re-activate a membership."""
        async with self.db.write() as conn:
            await conn.execute(
                upsert(
                    conn,
                    teammembers,
                    ["teamid", "userid"],
                    ["roles", "deleteat", "schemeuser", "schemeadmin", "schemeguest", "createat"],
                ).values(**member_values(tm))
            )
        return tm

    async def update_member(self, tm: TeamMember) -> TeamMember:
        async with self.db.write() as conn:
            await conn.execute(
                teammembers.update()
                .where(teammembers.c.teamid == tm.team_id, teammembers.c.userid == tm.user_id)
                .values(**member_values(tm))
            )
        return tm

    async def get_member(self, team_id: str, user_id: str) -> TeamMember:
        q = sa.select(teammembers).where(teammembers.c.teamid == team_id, teammembers.c.userid == user_id)
        async with self.db.read() as conn:
            row = (await conn.execute(q)).first()
        if row is None:
            raise NotFound("team_member", f"{team_id}/{user_id}")
        return row_to_member(row)

    async def get_members(
        self, team_id: str, *, page: int, per_page: int, user_ids: Sequence[str] | None = None
    ) -> list[TeamMember]:
        q = sa.select(teammembers).where(teammembers.c.teamid == team_id, teammembers.c.deleteat == 0)
        if user_ids is not None:
            q = q.where(teammembers.c.userid.in_(list(user_ids)))
        q = q.order_by(teammembers.c.userid).limit(per_page).offset(page * per_page)
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [row_to_member(r) for r in rows]

    async def get_members_for_user(self, user_id: str) -> list[TeamMember]:
        q = (
            sa.select(teammembers)
            .select_from(teammembers.join(teams, teams.c.id == teammembers.c.teamid))
            .where(teammembers.c.userid == user_id, teammembers.c.deleteat == 0, teams.c.deleteat == 0)
        )
        async with self.db.read() as conn:
            rows = (await conn.execute(q)).all()
        return [row_to_member(r) for r in rows]

    async def count_members(self, team_id: str) -> int:
        q = (
            sa.select(sa.func.count())
            .select_from(teammembers)
            .where(teammembers.c.teamid == team_id, teammembers.c.deleteat == 0)
        )
        async with self.db.read() as conn:
            return int((await conn.execute(q)).scalar_one())
