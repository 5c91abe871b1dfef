"""Licensed-only operations answer as an unlicensed Mattermost does (never 404): each with its
family's status and error id, after the checks Mattermost makes first."""

from __future__ import annotations

import re

from chinwag.web.route_table import operations
from tests.conftest import World, assert_error

SAMPLE_ID = "q" * 26


async def test_every_licensed_operation_refuses_like_team_edition(world: World) -> None:
    admin = await world.user("admin")
    refused = [op for op in operations() if op.spec.enterprise]
    assert len(refused) >= 50
    seen = set()
    for op in refused:
        path = re.sub(r"\{[^}]*\}", SAMPLE_ID, op.path).removeprefix("/api/v4")
        r = await admin.request(op.method, path, json={})
        # 401: the two routes only Mattermost Cloud's own servers call (no session of theirs exists here);
        # 404 with its own id (never the unknown route's): the cloud preview modal's unconfigured bucket, or the
        # sample user that does not exist, as in Mattermost
        allowed = (400, 401) if not op.spec.require_session else (400, 403, 404, 501)
        assert r.status_code in allowed, f"{op.method} {op.path}: {r.status_code} {r.text}"
        body = r.json()
        assert body["status_code"] == r.status_code and body["id"] and body["message"], op.path
        assert r.status_code != 404 or body["id"] in ("app.cloud.preview_modal_bucket_url_not_configured",
                                                      "app.user.get.app_error"), op.path
        seen.add((r.status_code, body["id"]))
    assert {(501, "ent.compliance.licence_disable.app_error"), (501, "ent.data_retention.generic.license.error"),
            (403, "api.cloud.license_error"), (400, "api.scheduled_posts.license_error"),
            (501, "api.ldap_groups.license_error"), (403, "api.no_license"), (501, "api.license_error"),
            (501, "api.remote_cluster.service_not_enabled.app_error"),
            (403, "api.channel.get_channel_moderations.license.error")} <= seen


async def test_checks_before_the_licence_gate(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    # compliance checks permission and id first
    assert_error(await bob.get("/compliance/reports"), 403, "api.context.permissions.app_error")
    assert_error(await admin.get("/compliance/reports"), 501, "ent.compliance.licence_disable.app_error")
    assert_error(await admin.get("/compliance/reports/short"), 400, "api.context.invalid_url_param.app_error")
    assert_error(await admin.post("/compliance/reports", content=b"{"), 400,
                 "api.context.invalid_body_param.app_error")
    # the gate-first families refuse everyone the same way
    assert_error(await bob.get(f"/posts/scheduled/team/{SAMPLE_ID}"), 400, "api.scheduled_posts.license_error")
    assert_error(await bob.get("/data_retention/policy"), 501, "ent.data_retention.generic.license.error")
    assert_error(await bob.get("/cloud/limits"), 403, "api.cloud.license_error")
    assert_error(await admin.post("/schemes", content=b"{"), 400, "api.context.invalid_param.app_error")
    assert_error(await admin.post("/schemes", {"name": "x"}), 501, "api.scheme.create_scheme.license.error")
    # search engines: the permission, then the engine chinwag does not have
    for path in ("/elasticsearch/test", "/elasticsearch/purge_indexes"):
        assert_error(await bob.post(path, {}), 403, "api.context.permissions.app_error")
        assert_error(await admin.post(path, {}), 501, "ent.elasticsearch.test_config.license.error")
    # purge_bleve_indexes is a deprecated permission no built-in role grants any more: everyone gets a 403,
    # as from Mattermost, unless an admin adds it to a role; then the missing engine answers
    assert_error(await admin.post("/bleve/purge_indexes"), 403, "api.context.permissions.app_error")
    # a session is needed first, as everywhere
    assert_error(await world.client().get("/data_retention/policy"), 401)


async def test_no_permission_schemes(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    assert (await admin.get("/schemes", params={"scope": "team"})).json() == []
    assert_error(await bob.get("/schemes"), 403, "api.context.permissions.app_error")
    assert_error(await admin.get("/schemes", params={"scope": "galaxy"}), 400, "api.context.invalid_param.app_error")


async def test_groups_need_a_licence_before_anything(world: World) -> None:
    """api4/group.go: requireLicense comes first on every group route, for everyone."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    for client, method, path in [
        (bob, "GET", "/groups"), (bob, "GET", "/groups?source=custom&q=x"), (admin, "POST", "/groups"),
        (bob, "GET", "/groups/short"), (admin, "DELETE", f"/groups/{SAMPLE_ID}"),
        (admin, "PUT", f"/groups/{SAMPLE_ID}/patch"), (admin, "POST", f"/groups/{SAMPLE_ID}/restore"),
        (admin, "POST", f"/groups/{SAMPLE_ID}/members"), (admin, "DELETE", f"/groups/{SAMPLE_ID}/members"),
        (bob, "GET", f"/groups/{SAMPLE_ID}/members"), (admin, "GET", f"/groups/{SAMPLE_ID}/stats"),
        (admin, "GET", f"/groups/{SAMPLE_ID}/teams"), (admin, "GET", f"/groups/{SAMPLE_ID}/channels/{SAMPLE_ID}"),
        (admin, "POST", f"/groups/{SAMPLE_ID}/teams/{SAMPLE_ID}/link"),
        (admin, "PUT", f"/groups/{SAMPLE_ID}/channels/{SAMPLE_ID}/patch"),
        (bob, "GET", f"/users/{bob.user['id']}/groups"), (bob, "GET", f"/channels/{SAMPLE_ID}/groups"),
        (bob, "GET", f"/teams/{SAMPLE_ID}/groups"), (bob, "GET", f"/teams/{SAMPLE_ID}/groups_by_channels"),
    ]:
        assert_error(await client.request(method, path, json={}), 501, "api.license_error")
    assert_error(await world.client().get("/groups"), 401)
    # AD/LDAP groups: the remote id and the permission, then the licence
    assert_error(await bob.get("/ldap/groups"), 403, "api.context.permissions.app_error")
    assert_error(await admin.get("/ldap/groups"), 501, "api.ldap_groups.license_error")
    assert_error(await admin.post("/ldap/groups/x/link"), 400, "api.context.invalid_url_param.app_error")
    assert_error(await bob.post(f"/ldap/groups/{SAMPLE_ID}/link"), 403, "api.context.permissions.app_error")
    assert_error(await admin.post(f"/ldap/groups/{SAMPLE_ID}/link"), 501, "api.ldap_groups.license_error")
    assert_error(await admin.delete(f"/ldap/groups/{SAMPLE_ID}/link"), 501, "api.ldap_groups.license_error")


async def test_channel_licence_gates(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    assert_error(await bob.get(f"/channels/{SAMPLE_ID}/member_counts_by_group"), 403,
                 "api.channel.channel_member_counts_by_group.license.error")
    assert_error(await bob.get("/channels/x/moderations"), 403, "api.channel.get_channel_moderations.license.error")
    assert_error(await admin.put(f"/channels/{SAMPLE_ID}/moderations/patch", []), 403,
                 "api.channel.patch_channel_moderations.license.error")
    assert_error(await admin.put("/channels/x/scheme", {"scheme_id": SAMPLE_ID}), 400,
                 "api.context.invalid_url_param.app_error")
    assert_error(await admin.put(f"/channels/{SAMPLE_ID}/scheme", {"scheme_id": ""}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await admin.put(f"/channels/{SAMPLE_ID}/scheme", content=b"{"), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await bob.put(f"/channels/{SAMPLE_ID}/scheme", {"scheme_id": SAMPLE_ID}), 403,
                 "api.channel.update_channel_scheme.license.error")


async def test_shared_channels_and_cloud_callers(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    off = "api.remote_cluster.service_not_enabled.app_error"
    assert_error(await bob.get("/sharedchannels/x"), 400, "api.context.invalid_url_param.app_error")
    assert_error(await bob.get(f"/sharedchannels/{SAMPLE_ID}"), 501, off)
    assert_error(await bob.get(f"/sharedchannels/remote_info/{SAMPLE_ID}"), 501, off)
    assert_error(await bob.get(f"/sharedchannels/{SAMPLE_ID}/remotes"), 501, off)
    assert_error(await bob.get(f"/remotecluster/{SAMPLE_ID}/sharedchannelremotes"), 403,
                 "api.context.permissions.app_error")
    assert_error(await admin.get(f"/remotecluster/{SAMPLE_ID}/sharedchannelremotes"), 501, off)
    assert_error(await bob.post(f"/remotecluster/{SAMPLE_ID}/channels/{SAMPLE_ID}/invite"), 403,
                 "api.context.permissions.app_error")
    assert_error(await admin.post(f"/remotecluster/{SAMPLE_ID}/channels/{SAMPLE_ID}/uninvite"), 501, off)
    anonymous = world.client()
    assert_error(await anonymous.post("/cloud/webhook", {"event": "failed-payment"}), 401,
                 "api.context.session_expired.app_error")
    assert_error(await admin.post("/cloud/webhook", {}), 401, "api.context.session_expired.app_error")
    r = await anonymous.request("POST", "/users/login/cws", content=b"login_id=admin&cws_token=x",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(r, 401, "api.user.login_cws.license.error")


async def test_no_scheme_exists(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    for suffix in ("", "/teams", "/channels"):
        assert_error(await admin.get(f"/schemes/short{suffix}"), 400, "api.context.invalid_url_param.app_error")
        assert_error(await bob.get(f"/schemes/{SAMPLE_ID}{suffix}"), 403, "api.context.permissions.app_error")
        assert_error(await admin.get(f"/schemes/{SAMPLE_ID}{suffix}"), 404, "app.scheme.get.app_error")


async def test_members_minus_group_members_are_all_members(world: World) -> None:
    """No group exists, so no member is in one: every active member, by username, with no groups."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    carol = await world.user("carol")
    team = await world.team(admin)
    await world.join(admin, team, carol, bob)
    channel = await world.channel(admin, team, "ops")
    for member in (carol, bob):
        r = await admin.post(f"/channels/{channel['id']}/members", {"user_id": member.user["id"]})
        assert r.status_code == 201, r.text
    r = await admin.put(f"/channels/{channel['id']}/members/{carol.user['id']}/schemeRoles",
                        {"scheme_admin": True, "scheme_user": True})
    assert r.status_code == 200, r.text
    groups = {"group_ids": f"{SAMPLE_ID},{'r' * 26}"}
    r = await admin.get(f"/channels/{channel['id']}/members_minus_group_members", params=groups)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total_count"] == 3
    assert [u["username"] for u in body["users"]] == ["admin", "bob", "carol"]
    by_name = {u["username"]: u for u in body["users"]}
    assert by_name["carol"]["groups"] == [] and by_name["carol"]["scheme_admin"] is True
    assert (by_name["bob"]["scheme_user"], by_name["bob"]["scheme_admin"]) == (True, False)
    assert "password" not in by_name["bob"]
    page = (await admin.get(f"/channels/{channel['id']}/members_minus_group_members",
                            params={**groups, "page": 1, "per_page": 2})).json()
    assert ([u["username"] for u in page["users"]], page["total_count"]) == (["carol"], 3)
    r = await admin.get(f"/teams/{team['id']}/members_minus_group_members", params=groups)
    assert r.status_code == 200, r.text
    assert [u["username"] for u in r.json()["users"]] == ["admin", "bob", "carol"]
    assert r.json()["users"][0]["scheme_admin"] is True  # the team's creator administers it
    # deactivated members are not listed
    assert (await admin.delete(f"/users/{bob.user['id']}")).status_code == 200
    body = (await admin.get(f"/teams/{team['id']}/members_minus_group_members", params=groups)).json()
    assert [u["username"] for u in body["users"]] == ["admin", "carol"] and body["total_count"] == 2
    # the checks before: ids, group ids, permission
    path = f"/channels/{channel['id']}/members_minus_group_members"
    assert_error(await admin.get(path), 400, "api.context.invalid_param.app_error")
    assert_error(await admin.get(path, params={"group_ids": "short"}), 400, "api.context.invalid_param.app_error")
    assert_error(await admin.get(path, params={"group_ids": f"{SAMPLE_ID},x"}), 400,
                 "api.context.invalid_param.app_error")
    assert_error(await carol.get(path, params=groups), 403, "api.context.permissions.app_error")
    assert_error(await carol.get(f"/teams/{team['id']}/members_minus_group_members", params=groups), 403,
                 "api.context.permissions.app_error")
    assert_error(await admin.get("/channels/x/members_minus_group_members", params=groups), 400,
                 "api.context.invalid_url_param.app_error")
    unknown = (await admin.get(f"/channels/{SAMPLE_ID}/members_minus_group_members", params=groups)).json()
    assert unknown == {"users": [], "total_count": 0}


async def test_usage(world: World) -> None:
    """/usage/* (any signed-in user): rounded counts, as Mattermost's cloud limits read them."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    team = await world.team(admin)
    await world.join(admin, team, bob)
    channel = await world.channel(admin, team, "chat")
    assert (await bob.get("/usage/posts")).json() == {"count": 0}
    for i in range(12):
        await world.post(admin, channel, f"message {i}")
    # 12 posts and the system messages (join/add) → rounded down to the tens
    count = (await bob.get("/usage/posts")).json()["count"]
    assert count >= 10 and count % 10 == 0
    assert (await bob.get("/usage/storage")).json() == {"bytes": 0}
    assert (await bob.get("/usage/teams")).json() == {"active": 1, "cloud_archived": 0}
    assert_error(await world.client().get("/usage/posts"), 401)


def test_round_off() -> None:
    from chinwag.app.analytics import round_off

    assert [round_off(n, 3) for n in (0, 5, 10, 987, 98_765, 1_234_567)] == [0, 0, 10, 900, 98_000, 1_234_000]
    assert round_off(5, 0) == 5 and round_off(123_456_789, 8) == 100_000_000 and round_off(1234, 8) == 1000


async def test_restart_and_enterprise_upgrade(world: World) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    assert_error(await bob.post("/restart"), 403, "api.context.permissions.app_error")
    assert (await admin.post("/restart")).json() == {"status": "OK"}
    assert (await admin.get("/system/ping")).status_code == 200  # nothing restarted
    assert_error(await bob.post("/upgrade_to_enterprise"), 403, "api.context.permissions.app_error")
    assert_error(await admin.post("/upgrade_to_enterprise"), 403, "api.upgrade_to_enterprise.generic_error.app_error")
    assert_error(await admin.get("/upgrade_to_enterprise/allowed"), 403,
                 "api.upgrade_to_enterprise.generic_error.app_error")
    assert (await admin.get("/upgrade_to_enterprise/status")).json() == {"percentage": 0, "error": None}
    assert_error(await bob.get("/upgrade_to_enterprise/status"), 403, "api.context.permissions.app_error")


async def test_mattermost_11_licensed_operations(world: World) -> None:
    """Operations newer than the 2023 reference that a Team Edition server refuses: channel bookmarks,
    moving threads, custom profile attribute values, auto-translation; and the SSO code exchange the
    mobile apps no longer use (410, with Deprecation)."""
    bob = await world.user("bob")
    for method, path in (("GET", f"/channels/{SAMPLE_ID}/bookmarks"), ("POST", f"/channels/{SAMPLE_ID}/bookmarks"),
                         ("PATCH", f"/channels/{SAMPLE_ID}/bookmarks/{SAMPLE_ID}"),
                         ("POST", f"/channels/{SAMPLE_ID}/bookmarks/{SAMPLE_ID}/sort_order"),
                         ("DELETE", f"/channels/{SAMPLE_ID}/bookmarks/{SAMPLE_ID}")):
        err = assert_error(await bob.request(method, path, {}), 501, "api.channel.bookmark.channel_bookmark.license.error")
        assert err["message"] == "Your license does not support channel bookmarks."
    assert_error(await bob.post("/posts/short/move", {}), 400, "api.context.invalid_url_param.app_error")
    assert_error(await bob.post(f"/posts/{SAMPLE_ID}/move", {"channel_id": SAMPLE_ID}), 501,
                 "api.post.move_thread.disabled.app_error")
    assert_error(await bob.get("/users/me/custom_profile_attributes"), 403, "api.custom_profile_attributes.license_error")
    assert_error(await bob.request("PATCH", "/users/me/custom_profile_attributes", {}), 403,
                 "api.custom_profile_attributes.license_error")
    assert_error(await bob.put(f"/channels/{SAMPLE_ID}/members/me/autotranslation", {}), 403,
                 "api.channel.update_channel_member_autotranslation.feature_not_available.app_error")
    r = await world.client().post("/users/login/sso/code-exchange", {"login_code": "x"})
    assert_error(r, 410, "api.user.login_sso_code_exchange.deprecated.app_error")
    assert r.headers["deprecation"] == "true"


async def test_login_type_and_license_load_metric(world: World) -> None:
    """POST /users/login/type is 404 with no body for every login id (guest magic links need a licence);
    GET /license/load_metric is 0 with no licensed seats."""
    bob = await world.user("bob")
    for body in ({"login_id": "bob"}, {"login_id": "nobody"}, {}):
        r = await world.client().post("/users/login/type", body)
        assert r.status_code == 404 and r.content == b""
    r = await bob.get("/license/load_metric")
    assert r.status_code == 200 and r.json() == {"load": 0}
    assert (await world.client().get("/license/load_metric")).status_code == 401


async def test_burn_on_read_posts_do_not_exist_here(world: World) -> None:
    """GET /posts/{id}/reveal and DELETE /posts/{id}/burn: Mattermost's checks, then "not a burn-on-read
    post" (writing one needs an Enterprise Advanced licence)."""
    from tests.api.helpers import team_with

    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    town = (await bob.get(f"/teams/{t.id}/channels/name/town-square")).json()
    post = await world.post(bob, town, "hello")
    assert_error(await carol.get(f"/posts/{post['id']}/reveal"), 400, "app.reveal_post.not_burn_on_read.app_error")
    assert_error(await bob.get(f"/posts/{post['id']}/reveal"), 400,
                 "api.post.reveal_post.cannot_reveal_own_post.app_error")
    assert_error(await bob.delete(f"/posts/{post['id']}/burn"), 400, "app.burn_post.not_burn_on_read.app_error")
    assert_error(await carol.get(f"/posts/{SAMPLE_ID}/reveal"), 404)
    assert_error(await carol.get("/posts/short/reveal"), 400, "api.context.invalid_url_param.app_error")
    # a public channel's post is readable by a team member outside the channel, who may not reveal it
    talk = await world.channel(bob, t.team, "talk")
    there = await world.post(bob, talk, "in talk")
    assert (await carol.get(f"/posts/{there['id']}")).status_code == 200
    assert_error(await carol.get(f"/posts/{there['id']}/reveal"), 403,
                 "api.post.reveal_post.user_not_in_channel.app_error")
    assert_error(await carol.delete(f"/posts/{there['id']}/burn"), 403, "api.post.burn_post.user_not_in_channel.app_error")


async def test_posts_reporting_checks_then_needs_a_licence(world: World) -> None:
    """POST /reports/posts: system admins; the body and its cursor read and validated as Mattermost does,
    then 400 app.post.get_posts_for_reporting.license_error (an Enterprise licence)."""
    import base64

    admin = await world.user("admin")
    bob = await world.user("bob")
    assert_error(await bob.post("/reports/posts", {"channel_id": SAMPLE_ID}), 403, "api.context.permissions.app_error")
    assert_error(await admin.post("/reports/posts", content=b"{"), 400, "api.context.invalid_param.app_error")
    assert_error(await admin.post("/reports/posts", {"channel_id": "nope"}), 400,
                 "model.post.query_params.invalid_channel_id")
    assert_error(await admin.post("/reports/posts", {"cursor": "%%%"}), 400, "model.post.decode_cursor.invalid_base64")
    b64 = base64.urlsafe_b64encode
    assert_error(await admin.post("/reports/posts", {"cursor": b64(b"1:a:b").decode()}), 400,
                 "model.post.decode_cursor.invalid_format")
    assert_error(await admin.post("/reports/posts", {"cursor": b64(f"2:{SAMPLE_ID}:create_at:false:false:asc:0:".encode())
                                                     .decode()}), 400, "model.post.decode_cursor.unsupported_version")
    assert_error(await admin.post("/reports/posts", {"cursor": b64(f"1:{SAMPLE_ID}:edit_at:false:false:asc:0:".encode())
                                                     .decode()}), 400, "model.post.query_params.invalid_time_field")
    assert_error(await admin.post("/reports/posts", {"channel_id": SAMPLE_ID, "per_page": 5}), 400,
                 "app.post.get_posts_for_reporting.license_error")
    good = b64(f"1:{SAMPLE_ID}:update_at:true:false:desc:5:{SAMPLE_ID}".encode()).decode()
    assert_error(await admin.post("/reports/posts", {"cursor": good}), 400, "app.post.get_posts_for_reporting.license_error")


async def test_secure_connections_need_the_remote_cluster_service(world: World) -> None:
    """/remotecluster (secure connections, Mattermost 10+): the permission, the id, then 501 — the shared
    channels service runs only with a licence."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    for method, path in (("GET", "/remotecluster"), ("POST", "/remotecluster"), ("POST", "/remotecluster/accept_invite"),
                         ("GET", f"/remotecluster/{SAMPLE_ID}"), ("PATCH", f"/remotecluster/{SAMPLE_ID}"),
                         ("DELETE", f"/remotecluster/{SAMPLE_ID}"),
                         ("POST", f"/remotecluster/{SAMPLE_ID}/generate_invite")):
        assert_error(await bob.request(method, path, {}), 403, "api.context.permissions.app_error")
        assert_error(await admin.request(method, path, {}), 501, "api.remote_cluster.service_not_enabled.app_error")
    assert_error(await admin.request("PATCH", "/remotecluster/short", {}), 400, "api.context.invalid_url_param.app_error")
