"""The administration routes mmctl uses (app/admin_tools.py): team search, team privacy, the server's busy
state, marking an email verified, and deleting every user in local mode — on both databases."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import Unchanged, team_with
from tests.conftest import Client, World


def local_client(world: World) -> httpx.AsyncClient:
    """A client as the local-mode socket sees it: no session, every permission."""
    asgi = world.srv.asgi

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await asgi({**scope, "chinwag.local": True}, receive, send)

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8065/api/v4")


async def test_team_search(world: World) -> None:
    t = await team_with(world, "alice")
    admin, alice = t.admin, t.members[0]
    await world.team(admin, "platform-eng", display_name="Platform Engineering", allow_open_invite=True)
    secret = await world.team(admin, "secret-ops", display_name="Ops", type="I", allow_open_invite=False)
    gone = await world.team(admin, "old-eng", display_name="Old Engineering")
    assert (await admin.delete(f"/teams/{gone['id']}")).status_code == 200
    r = await admin.post("/teams/search", {"term": "ENG"})  # name or display name, any case, by display name
    assert r.status_code == 200, r.text
    assert [x["name"] for x in r.json()] == ["old-eng", "platform-eng"]  # archived teams too, as Mattermost
    assert [x["name"] for x in (await admin.post("/teams/search", {"term": "ops"})).json()] == ["secret-ops"]
    paged = (await admin.post("/teams/search", {"term": "e", "page": 0, "per_page": 1})).json()
    assert len(paged["teams"]) == 1 and paged["total_count"] >= 3
    # a plain user lists public teams only, and may not page
    assert [x["name"] for x in (await alice.post("/teams/search", {"term": "ops"})).json()] == []
    assert "platform-eng" in [x["name"] for x in (await alice.post("/teams/search", {"term": "eng"})).json()]
    r = await alice.post("/teams/search", {"term": "eng", "page": 0, "per_page": 10})
    assert r.status_code == 501
    assert r.json()["id"] == "api.team.search_teams.pagination_not_implemented.public_team_search"
    assert secret["id"] not in {x["id"] for x in (await alice.post("/teams/search", {"term": ""})).json()}
    # LIKE wildcards are matched literally
    assert (await admin.post("/teams/search", {"term": "%"})).json() == []
    assert (await admin.post("/teams/search", {"term": 5})).status_code == 400
    assert (await admin.post("/teams/search", content=b"")).status_code == 400


async def test_team_privacy(world: World) -> None:
    t = await team_with(world, "alice")
    admin, alice = t.admin, t.members[0]
    r = await admin.put(f"/teams/{t.id}/privacy", {"privacy": "I"})
    assert r.status_code == 200, r.text
    assert r.json()["type"] == "I" and r.json()["allow_open_invite"] is False
    got = (await admin.get(f"/teams/{t.id}")).json()
    assert got["type"] == "I" and got["allow_open_invite"] is False
    assert (await admin.put(f"/teams/{t.id}/privacy", {"privacy": "O"})).json()["allow_open_invite"] is True
    async with Unchanged(world):
        r = await admin.put(f"/teams/{t.id}/privacy", {"privacy": "X"})
        assert r.status_code == 400 and r.json()["id"] == "api.context.invalid_param.app_error"
        assert (await alice.put(f"/teams/{t.id}/privacy", {"privacy": "I"})).status_code == 403
        assert (await admin.put(f"/teams/{'x' * 26}/privacy", {"privacy": "I"})).status_code == 404


async def test_server_busy(world: World) -> None:
    t = await team_with(world, "alice")
    admin, alice = t.admin, t.members[0]
    state = (await admin.get("/server_busy")).json()
    assert state == {"busy": False, "expires": 0, "expires_ts": "1970-01-01T00:00:00Z"}
    assert (await admin.post("/teams/" + t.id + "/posts/search", {"terms": "x"})).status_code == 200
    r = await admin.post("/server_busy", params={"seconds": "600"})
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    state = (await admin.get("/server_busy")).json()
    now = world.srv.app.core.now() // 1000
    assert state["busy"] is True and now + 590 <= state["expires"] <= now + 610
    assert state["expires_ts"].endswith("Z") and state["expires_ts"][:4].isdigit()
    r = await alice.post(f"/teams/{t.id}/posts/search", {"terms": "x"})  # non-critical: refused while busy
    assert r.status_code == 503 and r.json()["id"] == "api.context.server_busy.app_error"
    assert (await alice.post("/posts/search", {"terms": "x"})).status_code == 503
    assert (await alice.get("/server_busy")).status_code == 403
    assert (await alice.delete("/server_busy")).status_code == 403
    for bad in ("0", "-5", "86401", "soon"):
        assert (await admin.post("/server_busy", params={"seconds": bad})).status_code == 400
    assert (await admin.delete("/server_busy")).json() == {"status": "OK"}
    assert (await admin.get("/server_busy")).json()["busy"] is False
    assert (await alice.post(f"/teams/{t.id}/posts/search", {"terms": "x"})).status_code == 200
    assert (await admin.post("/server_busy")).status_code == 200  # default: an hour
    assert (await admin.get("/server_busy")).json()["expires"] >= now + 3590


async def test_verify_email_without_token(world: World) -> None:
    t = await team_with(world, "alice")
    admin = t.admin
    world.srv.config.effective.EmailSettings.RequireEmailVerification = True
    r = await admin.post("/users", {"username": "carol", "email": "carol@example.com", "password": "password"})
    assert r.status_code == 201, r.text
    carol_id = r.json()["id"]
    store = world.srv.app.store.users
    assert (await store.get(carol_id)).email_verified is False
    # unverified: sign-in is refused until an admin verifies the address
    carol: Client = world.client()
    r = await carol.post("/users/login", {"login_id": "carol", "password": "password"})
    assert r.status_code == 401 and r.json()["id"] == "api.user.login.not_verified.app_error"
    r = await admin.post(f"/users/{carol_id}/email/verify/member")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == carol_id
    assert (await store.get(carol_id)).email_verified is True
    await carol.login("carol")
    async with Unchanged(world):
        assert (await carol.post(f"/users/{carol_id}/email/verify/member")).status_code == 403
        assert (await admin.post(f"/users/{'x' * 26}/email/verify/member")).status_code == 404


async def test_delete_all_users_is_local_only(world: World) -> None:
    t = await team_with(world, "alice", "bob")
    admin, alice = t.admin, t.members[0]
    town = (await alice.get(f"/teams/{t.id}/channels/name/town-square")).json()
    await world.post(alice, town, "soon gone")
    async with Unchanged(world):
        r = await admin.delete("/users")
        assert r.status_code == 403 and r.json()["id"] == "api.context.local_mode_only.app_error"
    async with local_client(world) as local:
        r = await local.delete("/users")
        assert r.status_code == 200, r.text
        assert (await local.get("/users", params={"per_page": 200})).json() == []
        posts = (await local.get(f"/channels/{town['id']}/posts")).json()
        assert [p for p in posts["posts"].values() if p["message"] == "soon gone"] == []
    assert (await alice.get("/users/me")).status_code == 401


async def test_reset_saml_auth_data(world: World) -> None:
    t = await team_with(world, "alice")
    admin, alice = t.admin, t.members[0]
    store = world.srv.app.store.users
    ids = []
    for name in ("sam", "sue", "sid"):
        c = await world.user(name)
        u = await store.get(c.user["id"])
        u.auth_service, u.auth_data = "saml", f"idp-{name}"
        await store.update(u)
        ids.append(u.id)
    gone = await store.get(ids[2])
    gone.delete_at = 1
    await store.update(gone)
    r = await admin.post("/saml/reset_auth_data", {"dry_run": True})
    assert r.status_code == 200 and r.json() == {"num_affected": 2}
    assert (await store.get(ids[0])).auth_data == "idp-sam"  # a dry run changes nothing
    assert (await admin.post("/saml/reset_auth_data", {"user_ids": [ids[0]]})).json() == {"num_affected": 1}
    assert (await store.get(ids[0])).auth_data == "sam@example.com"
    assert (await store.get(ids[1])).auth_data == "idp-sue"
    assert (await admin.post("/saml/reset_auth_data", {"include_deleted": True})).json() == {"num_affected": 3}
    assert (await store.get(ids[2])).auth_data == "sid@example.com"
    async with Unchanged(world):
        assert (await alice.post("/saml/reset_auth_data", {})).status_code == 403
        assert (await admin.post("/saml/reset_auth_data", {"dry_run": "yes"})).status_code == 400


async def test_move_command(world: World) -> None:
    world.srv.config.effective.ServiceSettings.EnableCommands = True
    t = await team_with(world, "alice")
    admin, alice = t.admin, t.members[0]
    other = await world.team(admin, "other")
    cmd = (await admin.post("/commands", {"team_id": t.id, "trigger": "deploy", "url": "http://127.0.0.1:9/x",
                                          "method": "P"})).json()
    r = await admin.put(f"/commands/{cmd['id']}/move", {"team_id": other["id"]})
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert (await admin.get(f"/commands/{cmd['id']}")).json()["team_id"] == other["id"]
    again = (await admin.post("/commands", {"team_id": t.id, "trigger": "deploy", "url": "http://127.0.0.1:9/y",
                                            "method": "P"})).json()
    async with Unchanged(world):
        r = await admin.put(f"/commands/{again['id']}/move", {"team_id": other["id"]})
        assert r.status_code == 400 and r.json()["id"] == "api.command.duplicate_trigger.app_error"
        assert (await alice.put(f"/commands/{again['id']}/move", {"team_id": other["id"]})).status_code == 403
        assert (await admin.put(f"/commands/{again['id']}/move", {"team_id": "x" * 26})).status_code == 404
        assert (await admin.put(f"/commands/{'x' * 26}/move", {"team_id": other["id"]})).status_code == 404


async def test_update_hashed_password(world: World) -> None:
    import bcrypt

    t = await team_with(world, "alice", "bob")
    admin, alice, bob = t.admin, *t.members
    hashed = bcrypt.hashpw(b"moved-over-1", bcrypt.gensalt(4)).decode()
    r = await admin.put(f"/users/{alice.user['id']}/password", {"new_password": hashed, "already_hashed": "true"})
    assert r.status_code == 200, r.text
    login = await world.client().post("/users/login", {"login_id": "alice", "password": "moved-over-1"})
    assert login.status_code == 200
    async with Unchanged(world):
        r = await alice.put(f"/users/{alice.user['id']}/password", {"new_password": hashed, "already_hashed": True})
        assert r.status_code == 401 and r.json()["id"] == "api.user.update_password.user_and_hashed.app_error"
        r = await alice.put(f"/users/{bob.user['id']}/password", {"new_password": hashed, "already_hashed": "true"})
        assert r.status_code == 403 and r.json()["id"] == "api.user.update_password.context.app_error"
        r = await admin.put(f"/users/{bob.user['id']}/password", {"new_password": "plain", "already_hashed": "true"})
        assert r.status_code == 400 and r.json()["id"] == "api.context.invalid_param.app_error"
        r = await admin.put(f"/users/{'x' * 26}/password", {"new_password": hashed, "already_hashed": "true"})
        assert r.status_code == 404


async def test_integrity_check(world: World) -> None:
    import sqlalchemy as sa

    from chinwag.store.sql import tables

    t = await team_with(world, "alice")
    admin, alice = t.admin, t.members[0]
    town = (await alice.get(f"/teams/{t.id}/channels/name/town-square")).json()
    root = await world.post(alice, town, "root")
    await world.post(alice, town, "reply", root_id=root["id"])
    r = await admin.post("/integrity")
    assert r.status_code == 200, r.text
    results = r.json()
    assert all(x["err"] is None and x["data"]["records"] == [] for x in results)
    names = [(x["data"]["parent_name"], x["data"]["child_name"]) for x in results]
    assert names[0] == ("Channels", "CommandWebhooks") and ("Posts", "Posts") in names and \
        ("Users", "UserAccessTokens") == names[-1]
    # a root post removed behind the server's back leaves its reply an orphan
    async with world.srv.app.store.db.write() as conn:
        await conn.execute(sa.delete(tables.posts).where(tables.posts.c.id == root["id"]))
    data = {(x["data"]["parent_name"], x["data"]["child_name"], x["data"]["parent_id_attr"]): x["data"]
            for x in (await admin.post("/integrity")).json()}
    orphans = data[("Posts", "Posts", "RootId")]
    assert len(orphans["records"]) == 1 and orphans["records"][0]["parent_id"] == root["id"]
    assert data[("Channels", "ChannelMembers", "ChannelId")]["records"] == []
    assert data[("Teams", "TeamMembers", "TeamId")]["child_id_attr"] == ""
    assert (await alice.post("/integrity")).status_code == 403
