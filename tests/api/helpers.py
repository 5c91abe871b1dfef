"""Helpers for the API tests: a team with members, and database snapshots to prove that a refused
request wrote nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa

from chinwag.store.sql.tables import metadata
from tests.conftest import Client, World

#: tables that change on any authenticated request (session activity, presence)
VOLATILE_TABLES = {"sessions", "status", "wsevents", "wsconnections",  # written in the background
                   "emailnotifications", "pushnotifications",
                   "outbox"}  # events in flight: written with a change, deleted once relayed


@dataclass
class Team:
    admin: Client  # the system admin (first user)
    owner: Client  # created the team: team admin, not a system admin
    team: dict[str, Any]
    members: list[Client]

    @property
    def id(self) -> str:
        return str(self.team["id"])


async def team_with(world: World, *names: str) -> Team:
    """A system admin, a team created by a regular user `owner`, and the named members in it."""
    admin = await world.user("admin")
    owner = await world.user("owner")
    members = [await world.user(n) for n in names]
    team = await world.team(owner, email="owner@example.com")
    await world.join(owner, team, *members)
    return Team(admin, owner, team, members)


async def snapshot(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every (non-volatile) table, in a stable order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with world.srv.db.engine.connect() as conn:
        for t in metadata.sorted_tables:
            if t.name in VOLATILE_TABLES:
                continue
            rows = (await conn.execute(sa.select(t))).all()
            if t.name == "systems":  # each server process rewrites its ClusterNode row every 30 s
                rows = [r for r in rows if not str(r[0]).startswith("ClusterNode:")]
            out[t.name] = sorted(tuple(repr(v) for v in r) for r in rows)
    return out


class Unchanged:
    """``async with Unchanged(world): ...`` fails if anything in the database changed inside."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.before: dict[str, list[tuple[Any, ...]]] = {}

    async def __aenter__(self) -> Unchanged:
        self.before = await snapshot(self.world)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is not None:
            return
        after = await snapshot(self.world)
        changed = {t for t in after if after[t] != self.before.get(t)}
        assert not changed, f"refused request changed tables {sorted(changed)}"


def ids(r: httpx.Response) -> list[str]:
    return [x["id"] for x in r.json()]


async def channel_named(c: Client, team_id: str, name: str) -> dict[str, Any]:
    r = await c.get(f"/teams/{team_id}/channels/name/{name}")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def member(c: Client, channel_id: str, user: str = "me") -> dict[str, Any]:
    r = await c.get(f"/channels/{channel_id}/members/{user}")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def team_unread(c: Client, team_id: str) -> dict[str, Any]:
    r = await c.get("/users/me/teams/unread")
    assert r.status_code == 200, r.text
    found = [u for u in r.json() if u["team_id"] == team_id]
    assert len(found) == 1, r.json()
    return dict(found[0])


NO_SUCH_ID = "a" * 26


async def grant(admin: Client, role_name: str, *permissions: str) -> dict[str, Any]:
    """Add permissions to a stored role through the API (PATCH /roles/{id}/patch), as the System
    Console's permission pages do — e.g. to let members manage integrations, which Mattermost's
    default roles reserve to admins."""
    role = (await admin.get(f"/roles/name/{role_name}")).json()
    wanted = sorted(set(role["permissions"]) | set(permissions))
    r = await admin.put(f"/roles/{role['id']}/patch", {"permissions": wanted})
    assert r.status_code == 200, r.text
    return dict(r.json())
