"""Users, login, sessions, CSRF, preferences and statuses, through HTTP."""

from __future__ import annotations

from typing import Any

from tests.conftest import Client, World, assert_error


async def test_first_user_is_admin_and_open_signup_is_closed(world: World) -> None:
    admin = await world.user("alice")
    assert admin.user["roles"] == "system_admin system_user"
    anon = world.client()
    r = await anon.post("/users", {"username": "bob", "email": "bob@example.com", "password": "password"})
    assert_error(r, 403, "api.user.create_user.no_open_server")
    # a system admin can always create users
    r = await admin.post("/users", {"username": "bob", "email": "bob@example.com", "password": "password"})
    assert r.status_code == 201
    body = r.json()
    assert body["roles"] == "system_user"
    assert "password" not in body and "mfa_secret" not in body


async def test_login_token_header_and_me(world: World) -> None:
    await world.user("alice")
    c = world.client()
    r = await c.post("/users/login", {"login_id": "alice", "password": "password"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert "set-cookie" not in r.headers
    token = r.headers["Token"]
    assert len(token) == 26
    c.token = token
    me = await c.get("/users/me")
    assert me.status_code == 200 and me.json()["username"] == "alice"
    # email login too, case-insensitive
    r = await c.post("/users/login", {"login_id": "ALICE@example.com", "password": "password"})
    assert r.status_code == 200


async def test_login_failures(world: World) -> None:
    await world.user("alice")
    c = world.client()
    assert_error(await c.post("/users/login", {"login_id": "alice", "password": "wrong"}), 401,
                 "api.user.login.invalid_credentials_email_username")
    assert_error(await c.post("/users/login", {"login_id": "nobody", "password": "x"}), 401)
    assert_error(await c.post("/users/login", content=b"{not json"), 400, "api.context.invalid_param.app_error")
    assert_error(await c.get("/users/me"), 401, "api.context.session_expired.app_error")


async def test_cookie_session_and_csrf(world: World) -> None:
    await world.user("alice")
    c = world.client()
    r = await c.post("/users/login", {"login_id": "alice", "password": "password"},
                     headers={"X-Requested-With": "XMLHttpRequest"})
    assert r.status_code == 200
    cookies = {k: v for k, v in r.cookies.items()}
    assert set(cookies) >= {"MMAUTHTOKEN", "MMUSERID", "MMCSRF"}
    assert cookies["MMUSERID"] == r.json()["id"]
    http = c.http
    http.cookies.update(cookies)
    assert (await http.get("/users/me")).status_code == 200
    # cookie-authenticated write without CSRF token is refused
    r = await http.put("/users/me/patch", json={"nickname": "x"})
    assert_error(r, 401, "api.context.session_expired.app_error")
    r = await http.put("/users/me/patch", json={"nickname": "x"}, headers={"X-CSRF-Token": cookies["MMCSRF"]})
    assert r.status_code == 200 and r.json()["nickname"] == "x"
    # legacy X-Requested-With also passes
    r = await http.put("/users/me/patch", json={"nickname": "y"}, headers={"X-Requested-With": "XMLHttpRequest"})
    assert r.status_code == 200


async def test_logout_revokes_token(world: World) -> None:
    alice = await world.user("alice")
    assert (await alice.post("/users/logout")).status_code == 200
    assert_error(await alice.get("/users/me"), 401)


async def test_get_users_paging_and_filters(world: World) -> None:
    admin = await world.user("admin")
    users = [await world.user(f"user{i}") for i in range(5)]
    team = await world.team(admin)
    await world.join(admin, team, users[0], users[1])
    r = await admin.get("/users", params={"page": 0, "per_page": 3})
    assert r.status_code == 200 and len(r.json()) == 3
    r = await admin.get("/users", params={"page": 1, "per_page": 3})
    assert len(r.json()) == 3
    r = await admin.get("/users", params={"in_team": team["id"]})
    assert {u["username"] for u in r.json()} == {"admin", "user0", "user1"}
    r = await admin.get("/users", params={"not_in_team": team["id"]})
    assert {u["username"] for u in r.json()} == {"user2", "user3", "user4"}
    r = await users[2].post("/users/ids", [users[0].user["id"], users[1].user["id"]])
    assert {u["username"] for u in r.json()} == {"user0", "user1"}
    assert_error(await users[2].post("/users/ids", ["bad"]), 400)
    r = await users[2].get("/users/username/user3")
    assert r.json()["id"] == users[3].user["id"]
    assert "notify_props" not in r.json()
    assert_error(await users[2].get("/users/username/nobody"), 404)
    assert_error(await users[2].get("/users/notanid"), 400)


async def test_patch_and_password(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    r = await bob.put("/users/me/patch", {"first_name": "Bob", "position": "Dev"})
    assert r.status_code == 200 and r.json()["first_name"] == "Bob"
    assert_error(await bob.put(f"/users/{admin.user['id']}/patch", {"first_name": "X"}), 403)
    assert_error(await bob.put("/users/me/patch", {"username": "Bad Name!"}), 400,
                 "model.user.is_valid.username.app_error")
    assert_error(await bob.put("/users/me/patch", {"username": "admin"}), 400,
                 "app.user.save.username_exists.app_error")
    r = await bob.put("/users/me/password", {"current_password": "wrong", "new_password": "newpass1"})
    assert_error(r, 400, "api.user.update_password.incorrect.app_error")
    r = await bob.put("/users/me/password", {"current_password": "password", "new_password": "newpass1"})
    assert r.status_code == 200
    c = world.client()
    await c.login("bob", "newpass1")


async def test_preferences(world: World) -> None:
    alice = await world.user("alice")
    bob = await world.user("bob")
    uid = alice.user["id"]
    prefs = [{"user_id": uid, "category": "display_settings", "name": "use_military_time", "value": "true"},
             {"user_id": uid, "category": "flagged_post", "name": "x" * 26, "value": "true"}]
    assert (await alice.put(f"/users/{uid}/preferences", prefs)).status_code == 200
    got = (await alice.get("/users/me/preferences")).json()
    assert {(p["category"], p["name"], p["value"]) for p in got} >= {("display_settings", "use_military_time", "true")}
    assert_error(await bob.put(f"/users/{uid}/preferences", prefs), 403)
    # saved again unchanged (not written: the same answer), then a batch naming a key twice (its last value)
    assert (await alice.put(f"/users/{uid}/preferences", prefs)).status_code == 200
    twice = [{**prefs[0], "value": "false"}, prefs[1], {**prefs[0], "value": "maybe"}]
    assert (await alice.put(f"/users/{uid}/preferences", twice)).status_code == 200
    got = (await alice.get("/users/me/preferences/display_settings/name/use_military_time")).json()
    assert got["value"] == "maybe"
    assert (await alice.put(f"/users/{uid}/preferences", prefs)).status_code == 200
    got = (await alice.get("/users/me/preferences")).json()
    assert {(p["category"], p["name"], p["value"]) for p in got} >= {
        ("display_settings", "use_military_time", "true"), ("flagged_post", "x" * 26, "true")}
    r = await alice.post(f"/users/{uid}/preferences/delete", prefs[:1])
    assert r.status_code == 200
    got = (await alice.get("/users/me/preferences/display_settings")).json()
    assert got == []


async def test_statuses(world: World) -> None:
    alice = await world.user("alice")
    uid = alice.user["id"]
    r = await alice.get(f"/users/{uid}/status")
    assert r.json()["status"] == "offline"
    r = await alice.put(f"/users/{uid}/status", {"user_id": uid, "status": "dnd"})
    assert r.status_code == 200 and r.json()["status"] == "dnd"
    r = await alice.post("/users/status/ids", [uid])
    assert r.json()[0]["status"] == "dnd"
    assert_error(await alice.put(f"/users/{uid}/status", {"user_id": uid, "status": "sleepy"}), 400)


async def test_users_by_ids_from_the_cache_follow_every_change(world: World) -> None:
    """Users by ids come from the users cache (issue 27): each once, sanitized per viewer, a change
    shows at once, ``since`` filters, unknown ids are left out."""
    admin = await world.user("admin")
    ann = await world.user("ann")
    bob = await world.user("bob")
    ids = [ann.user["id"], bob.user["id"]]
    for _ in range(2):  # read, then cached
        got = (await bob.post("/users/ids", [*ids, ids[0], "x" * 26])).json()
        assert sorted(u["username"] for u in got) == ["ann", "bob"]
        mine = next(u for u in got if u["id"] == ids[1])
        other = next(u for u in got if u["id"] == ids[0])
        assert "notify_props" in mine and "notify_props" not in other
    r = await ann.put(f"/users/{ids[0]}/patch", {"nickname": "annie"})
    assert r.status_code == 200, r.text
    changed = r.json()["update_at"]
    got = (await bob.post("/users/ids", ids)).json()
    assert {u["username"]: u["nickname"] for u in got}["ann"] == "annie"
    got = (await admin.post("/users/ids", ids, params={"since": changed - 1})).json()
    assert [u["username"] for u in got] == ["ann"]


async def test_cached_statuses_follow_every_change(world: World) -> None:
    """Statuses by ids come from a cache (issue 27): a change by hand, from activity or by an admin shows
    at once, and a status dropped while it was being read is not cached as it was read."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    uid = bob.user["id"]
    assert (await admin.post("/users/status/ids", [uid])).json()[0]["status"] == "offline"
    assert (await admin.post("/users/status/ids", [uid])).json()[0]["status"] == "offline"  # cached
    r = await bob.put(f"/users/{uid}/status", {"user_id": uid, "status": "away"})
    assert r.status_code == 200
    assert (await admin.post("/users/status/ids", [uid])).json()[0]["status"] == "away"
    r = await admin.put(f"/users/{uid}/status", {"user_id": uid, "status": "online"})
    assert r.status_code == 200
    got = (await admin.post("/users/status/ids", [uid, uid, admin.user["id"]])).json()
    assert [s["user_id"] for s in got] == [uid, admin.user["id"]] and got[0]["status"] == "online"

    app = world.srv.app
    caches = app.core.caches
    caches.statuses.clear()
    read = app.core.store.status.get_many

    async def racing(ids: list[str]) -> list[Any]:
        got = await read(ids)
        caches.forget_status(uid)  # a status_change arrives while the read is under way
        return got

    app.core.store.status.get_many = racing  # type: ignore[method-assign]
    try:
        await app.statuses.get_many([uid])
    finally:
        app.core.store.status.get_many = read  # type: ignore[method-assign]
    assert caches.statuses.lookup(uid) is None
    await app.statuses.get_many([uid])
    assert caches.statuses.lookup(uid) is not None

    # someone else's status changing during the read does not keep this one out of the cache (under load
    # some status changes all the time: one counter for the whole cache refused almost every fill)
    caches.statuses.clear()
    other = admin.user["id"]

    async def other_changes(ids: list[str]) -> list[Any]:
        got = await read(ids)
        caches.forget_status(other)
        return got

    app.core.store.status.get_many = other_changes  # type: ignore[method-assign]
    try:
        await app.statuses.get_many([uid])
    finally:
        app.core.store.status.get_many = read  # type: ignore[method-assign]
    assert caches.statuses.lookup(uid) is not None
    # and a flush of the caches during a read refuses every fill
    caches.statuses.clear()

    async def flushed(ids: list[str]) -> list[Any]:
        got = await read(ids)
        caches.clear()
        return got

    app.core.store.status.get_many = flushed  # type: ignore[method-assign]
    try:
        await app.statuses.get_many([uid, other])
    finally:
        app.core.store.status.get_many = read  # type: ignore[method-assign]
    assert caches.statuses.lookup(uid) is None and caches.statuses.lookup(other) is None


async def test_open_server_signup(world: World) -> None:
    await world.user("admin")
    world.srv.config.effective.TeamSettings.EnableOpenServer = True
    c: Client = world.client()
    r = await c.post("/users", {"username": "carol", "email": "carol@example.com", "password": "password"})
    assert r.status_code == 201
    r = await c.post("/users", {"username": "carol", "email": "c2@example.com", "password": "password"})
    assert_error(r, 400, "app.user.save.username_exists.app_error")
    r = await c.post("/users", {"username": "dave", "email": "carol@example.com", "password": "password"})
    assert_error(r, 400, "app.user.save.email_exists.app_error")
    r = await c.post("/users", {"username": "erin", "email": "erin@example.com", "password": "abc"})
    assert_error(r, 400, "model.user.is_valid.pwd.app_error")


async def test_system_endpoints(world: World) -> None:
    c = world.client()
    r = await c.get("/system/ping")
    assert r.status_code == 200 and r.json()["status"] == "OK"
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-version-id"].count(".") >= 4
    r = await c.get("/config/client", params={"format": "old"})
    assert r.json()["NoAccounts"] == "true"
    assert (await c.get("/config/client")).status_code == 501
    r = await c.get("/license/client", params={"format": "old"})
    assert r.json() == {"IsLicensed": "false"}
    assert_error(await c.get("/no/such/route"), 404, "api.context.404.app_error")
    assert_error(await c.request("PATCH", "/system/ping"), 405)
