"""The authorization matrix (#19): who may read or change someone else's data.

Actors: a system admin, the team's admin (created the team; not a system admin), a member of the team, a
member of another team only, a guest of the team, a bot in the team, the old session of a deactivated
user, a revoked personal access token, and nobody (no token). Each row is one operation on the victim's
data — a member of the team with a private channel, a direct message, a post, a profile, sessions,
tokens and preferences — and says what each actor gets. The expectations follow Mattermost's permission
checks with its default roles (after its permission migrations); any difference fails the test, and the
failure lists every cell that differs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import Client, World

ADMIN, TEAM_ADMIN, MEMBER, OUTSIDER, GUEST, BOT = "admin", "team_admin", "member", "outsider", "guest", "bot"
DEACTIVATED, REVOKED, ANONYMOUS = "deactivated", "revoked_token", "anonymous"
LIVE = [ADMIN, TEAM_ADMIN, MEMBER, OUTSIDER, GUEST, BOT]
DEAD = [DEACTIVATED, REVOKED, ANONYMOUS]


@dataclass
class Row:
    name: str
    method: str
    path: str  # {victim} {team} {other_team} {private} {dm} {post} {fresh_post} {self} {victim_email}
    body: Any = None
    #: the answer per live actor; the dead ones always get 401
    expect: dict[str, int] = field(default_factory=dict)
    #: put things back after an actor succeeded (runs as the admin)
    undo: Callable[[Ctx, str], Awaitable[None]] | None = None


def only(allowed: dict[str, int], others: int = 403) -> dict[str, int]:
    return {a: allowed.get(a, others) for a in LIVE}


def everyone(code: int, **but: int) -> dict[str, int]:
    return {a: but.get(a, code) for a in LIVE}


@dataclass
class Ctx:
    world: World
    actors: dict[str, Client]
    ids: dict[str, str]
    victim: Client

    @property
    def admin(self) -> Client:
        return self.actors[ADMIN]


async def _rejoin_team(ctx: Ctx, _actor: str) -> None:
    await ctx.admin.post(f"/teams/{ctx.ids['team']}/members", {"team_id": ctx.ids["team"], "user_id": ctx.ids["victim"]})


async def _reactivate(ctx: Ctx, _actor: str) -> None:
    await ctx.admin.put(f"/users/{ctx.ids['victim']}/active", {"active": True})


async def _reset_roles(ctx: Ctx, _actor: str) -> None:
    await ctx.admin.put(f"/users/{ctx.ids['victim']}/roles", {"roles": "system_user"})


async def _leave_private(ctx: Ctx, actor: str) -> None:
    await ctx.admin.delete(f"/channels/{ctx.ids['private']}/members/{ctx.actors[actor].user['id']}")


async def _unarchive(ctx: Ctx, _actor: str) -> None:
    await ctx.admin.post(f"/channels/{ctx.ids['private']}/restore")


ROWS = [
    # reading the victim
    Row("read profile", "GET", "/users/{victim}", expect=everyone(200)),
    Row("read profile by email", "GET", "/users/email/{victim_email}", expect=everyone(200)),
    Row("read teams", "GET", "/users/{victim}/teams", expect=only({ADMIN: 200})),
    Row("read team channels", "GET", "/users/{victim}/teams/{team}/channels", expect=only({ADMIN: 200})),
    Row("read sessions", "GET", "/users/{victim}/sessions", expect=only({ADMIN: 200})),
    Row("read tokens", "GET", "/users/{victim}/tokens", expect=only({ADMIN: 200})),
    Row("read preferences", "GET", "/users/{victim}/preferences", expect=only({ADMIN: 200})),
    Row("read audits", "GET", "/users/{victim}/audits", expect=only({ADMIN: 200})),
    Row("read private channel", "GET", "/channels/{private}", expect=only({ADMIN: 200})),
    Row("read private channel posts", "GET", "/channels/{private}/posts", expect=only({ADMIN: 200})),
    Row("read private channel members", "GET", "/channels/{private}/members", expect=only({ADMIN: 200})),
    Row("read direct messages", "GET", "/channels/{dm}/posts", expect=only({ADMIN: 200})),
    Row("read a public post", "GET", "/posts/{post}",
        expect=everyone(200, outsider=403, guest=403)),
    Row("read the team", "GET", "/teams/{team}", expect=everyone(200, outsider=403)),
    Row("read the team's members", "GET", "/teams/{team}/members", expect=everyone(200, outsider=403)),
    Row("read their status", "GET", "/users/{victim}/status", expect=everyone(200)),
    Row("read their flagged posts", "GET", "/users/{victim}/posts/flagged", expect=only({ADMIN: 200})),
    Row("read their threads", "GET", "/users/{victim}/teams/{team}/threads", expect=only({ADMIN: 200})),
    Row("read their unread counts", "GET", "/users/{victim}/channels/{public}/unread", expect=only({ADMIN: 200})),
    Row("read their channel memberships", "GET", "/users/{victim}/teams/{team}/channels/members",
        expect=only({ADMIN: 200})),
    # changing the victim's things
    Row("edit profile", "PUT", "/users/{victim}/patch", {"nickname": "pwned"}, only({ADMIN: 200})),
    Row("set status", "PUT", "/users/{victim}/status", {"user_id": "{victim}", "status": "away"},
        only({ADMIN: 200})),
    Row("write preferences", "PUT", "/users/{victim}/preferences",
        [{"user_id": "{victim}", "category": "display_settings", "name": "theme", "value": "x"}], only({ADMIN: 200})),
    Row("create a token for them", "POST", "/users/{victim}/tokens", {"description": "mine now"},
        only({ADMIN: 200})),
    Row("edit their post", "PUT", "/posts/{post}/patch", {"message": "pwned"}, only({ADMIN: 200})),
    # a reaction is the caller's own, even for an admin (api.reaction.save_reaction.user_id.app_error)
    Row("react in their name", "POST", "/reactions", {"user_id": "{victim}", "post_id": "{post}",
                                                     "emoji_name": "smile"}, only({})),
    Row("post into their direct messages", "POST", "/posts", {"channel_id": "{dm}", "message": "hi"},
        only({ADMIN: 201})),
    Row("change their private channel", "PUT", "/channels/{private}/patch", {"header": "pwned"},
        only({ADMIN: 200})),
    Row("change their notification settings", "PUT", "/channels/{public}/members/{victim}/notify_props",
        {"channel_id": "{public}", "user_id": "{victim}", "desktop": "none"}, only({ADMIN: 200})),
    Row("mark their channel read", "POST", "/channels/members/{victim}/view", {"channel_id": "{public}"},
        only({ADMIN: 200})),
    Row("remove their profile picture", "DELETE", "/users/{victim}/image", expect=only({ADMIN: 200})),
    Row("regenerate the team's invite link", "POST", "/teams/{team}/regenerate_invite_id",
        expect=only({ADMIN: 200, TEAM_ADMIN: 200})),
    Row("delete their post", "DELETE", "/posts/{fresh_post}", expect=only({ADMIN: 200, TEAM_ADMIN: 200})),
    Row("patch the team", "PUT", "/teams/{team}/patch", {"display_name": "Renamed"},
        only({ADMIN: 200, TEAM_ADMIN: 200})),
    Row("remove them from the team", "DELETE", "/teams/{team}/members/{victim}",
        expect=only({ADMIN: 200, TEAM_ADMIN: 200}), undo=_rejoin_team),
    Row("join their private channel", "POST", "/channels/{private}/members", {"user_id": "{self}"},
        # Mattermost's channel-moderation migration gives team admins manage_private_channel_members
        only({ADMIN: 201, TEAM_ADMIN: 201}), undo=_leave_private),
    Row("archive their private channel", "DELETE", "/channels/{private}", expect=only({ADMIN: 200}),
        undo=_unarchive),
    Row("make them a system admin", "PUT", "/users/{victim}/roles", {"roles": "system_user system_admin"},
        only({ADMIN: 200}), undo=_reset_roles),
    Row("end their sessions", "POST", "/users/{victim}/sessions/revoke/all", expect=only({ADMIN: 200})),
    Row("set their password", "PUT", "/users/{victim}/password", {"new_password": "n3w-password"},
        only({ADMIN: 200})),
    Row("deactivate them", "PUT", "/users/{victim}/active", {"active": False}, only({ADMIN: 200}),
        undo=_reactivate),
]


async def _setup(world: World) -> Ctx:
    cfg = world.srv.config.effective
    cfg.ServiceSettings.EnableUserAccessTokens = True
    cfg.ServiceSettings.EnableBotAccountCreation = True
    cfg.GuestAccountsSettings.Enable = True
    admin = await world.user("admin")
    team_admin = await world.user("teamadmin")
    member, victim, third = await world.user("member"), await world.user("victim"), await world.user("third")
    outsider, guest, gone = await world.user("outsider"), await world.user("guest"), await world.user("gone")
    team = await world.team(team_admin, "alpha")
    other_team = await world.team(outsider, "beta")
    await world.join(team_admin, team, admin, member, victim, third, guest, gone)
    private = await world.channel(victim, team, "victims-private", "P")
    public = await world.channel(victim, team, "victims-public")
    r = await victim.post("/channels/direct", [victim.user["id"], third.user["id"]])
    assert r.status_code == 201, r.text
    dm = r.json()
    await world.post(victim, dm, "just between us")
    await world.post(victim, private, "secret")
    post = await world.post(victim, public, "a public post")
    assert (await admin.post(f"/users/{guest.user['id']}/demote")).status_code == 200
    # a bot in the team, with a token
    r = await admin.post("/bots", {"username": "helper"})
    assert r.status_code == 201, r.text
    bot_id = r.json()["user_id"]
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bot_id})
    r = await admin.post(f"/users/{bot_id}/tokens", {"description": "bot"})
    assert r.status_code == 200, r.text
    bot = world.client()
    bot.token, bot.user = r.json()["token"], {"id": bot_id}
    # a deactivated user's old session, a revoked token, nobody
    dead = world.client()
    dead.token, dead.user = gone.token, gone.user
    assert (await admin.put(f"/users/{gone.user['id']}/active", {"active": False})).status_code == 200
    assert (await admin.put(f"/users/{member.user['id']}/roles",
                            {"roles": "system_user system_user_access_token"})).status_code == 200
    r = await member.post(f"/users/{member.user['id']}/tokens", {"description": "soon revoked"})
    revoked = world.client()
    revoked.token, revoked.user = r.json()["token"], member.user
    assert (await member.post("/users/tokens/revoke", {"token_id": r.json()["id"]})).status_code == 200
    anonymous = world.client()
    actors = {ADMIN: admin, TEAM_ADMIN: team_admin, MEMBER: member, OUTSIDER: outsider, GUEST: guest, BOT: bot,
              DEACTIVATED: dead, REVOKED: revoked, ANONYMOUS: anonymous}
    ids = {"victim": victim.user["id"], "victim_email": "victim@example.com", "team": team["id"],
           "other_team": other_team["id"], "private": private["id"], "dm": dm["id"], "post": post["id"],
           "public": public["id"]}
    return Ctx(world, actors, ids, victim)


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        for k, v in ids.items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


async def test_authorization_matrix(world: World) -> None:
    ctx = await _setup(world)
    differences: list[str] = []
    for row in ROWS:
        for actor in [*DEAD, GUEST, BOT, OUTSIDER, MEMBER, TEAM_ADMIN, ADMIN]:
            client = ctx.actors[actor]
            ids = dict(ctx.ids, self=client.user.get("id", "x") if client.user else "x")
            if "{fresh_post}" in row.path:
                ids["fresh_post"] = (await ctx.world.post(ctx.victim, {"id": ctx.ids["public"]}, "to delete"))["id"]
            r = await client.request(row.method, _fill(row.path, ids), _fill(row.body, ids))
            want = 401 if actor in DEAD else row.expect[actor]
            if r.status_code != want:
                differences.append(f"{row.name:32} {actor:14} expected {want}, got {r.status_code}: {r.text[:120]}")
            if r.status_code < 300 and row.undo is not None:
                await row.undo(ctx, actor)
    assert not differences, "authorization matrix differs:\n" + "\n".join(differences)
