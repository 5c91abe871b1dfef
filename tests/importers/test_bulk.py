"""Mattermost bulk JSONL: validation errors by line, validate-only, and a round trip (a Slack import
exported with `export bulk`, imported into an empty server, the same data through the API)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from PIL import Image

from chinwag.importers.archive import ImportFailure
from chinwag.importers.bulk import BulkImporter
from chinwag.importers.export import BulkExporter
from chinwag.importers.slack import SlackImporter
from chinwag.server import Server
from tests.api.helpers import Unchanged
from tests.conftest import Client, World, _wipe
from tests.files_support import png_bytes
from tests.importers import slack_fixture


def jsonl(path: str, lines: list[Any]) -> str:
    return slack_fixture.write_bytes(path, b"".join((json.dumps(x) if not isinstance(x, str) else x).encode() + b"\n"
                                         for x in lines))


VALID = [
    {"type": "version", "version": 1},
    {"type": "emoji", "emoji": {"name": "parrot", "image": "emoji/parrot.png"}},
    {"type": "team", "team": {"name": "bulkteam", "display_name": "Bulk Team", "type": "O"}},
    {"type": "channel", "channel": {"team": "bulkteam", "name": "news", "display_name": "News", "type": "O",
                                    "header": "h", "purpose": "p"}},
    {"type": "user", "user": {"username": "ann", "email": "ann@example.com", "teams": [
        {"name": "bulkteam", "roles": "team_user", "channels": [{"name": "news", "roles": "channel_user"}]}]}},
    {"type": "user", "user": {"username": "ben", "email": "ben@example.com", "teams": [
        {"name": "bulkteam", "channels": [{"name": "news"}]}]}},
    {"type": "bot", "bot": {"username": "helper", "owner": "ann", "display_name": "Helper"}},
    {"type": "post", "post": {"team": "bulkteam", "channel": "news", "user": "ann", "message": "hello #news",
                              "create_at": 1700000000000,
                              "reactions": [{"user": "ben", "emoji_name": "smile", "create_at": 1700000000001}],
                              "replies": [{"user": "ben", "message": "hi ann", "create_at": 1700000000500}]}},
    {"type": "direct_channel", "direct_channel": {"members": ["ann", "ben"]}},
    {"type": "direct_post", "direct_post": {"channel_members": ["ann", "ben"], "user": "ben", "message": "psst",
                                            "create_at": 1700000001000}},
]


#: VALID without its emoji line: a bare .jsonl carries no images
BARE = VALID[:1] + VALID[2:]  # (VALID[1] is the emoji line)


async def test_bulk_jsonl_imports_and_reruns(world: World, server: Server, tmp_path: Any) -> None:
    admin = await world.user("sysadmin")
    path = jsonl(str(tmp_path / "in.jsonl"), BARE)
    await BulkImporter(server.app, path).run()
    team = (await admin.get("/teams/name/bulkteam")).json()
    news = (await admin.get(f"/teams/{team['id']}/channels/name/news")).json()
    posts = (await admin.get(f"/channels/{news['id']}/posts")).json()["posts"]
    root = next(p for p in posts.values() if p["message"] == "hello #news")
    assert root["reply_count"] == 1 and root["hashtags"] == "#news"
    r = await admin.get(f"/posts/{root['id']}/reactions")
    assert [x["emoji_name"] for x in r.json()] == ["smile"]
    assert (await admin.get("/users/username/helper")).json()["is_bot"] is True
    async with Unchanged(world):
        again = await BulkImporter(server.app, path).run()
    assert again.counts["post"]["existing"] == 2 and again.counts["post"]["created"] == 0


async def test_validation_errors_by_line(world: World, server: Server, tmp_path: Any) -> None:
    await world.user("sysadmin")
    bad = [
        VALID[0], VALID[2],
        {"type": "channel", "channel": {"team": "bulkteam", "name": "Bad Name!", "type": "O"}},
        {"type": "post", "post": {"team": "bulkteam", "channel": "news", "user": "ann", "message": "x" * 16384,
                                  "create_at": 1}},
        {"type": "user", "user": {"username": "zed", "email": "zed@example.com"}},
        {"type": "post", "post": {"team": "bulkteam", "channel": "later", "user": "zed", "message": "m",
                                  "create_at": 5, "reactions": [{"user": "zed", "emoji_name": "x", "create_at": 1}],
                                  "attachments": [{"path": "../../etc/passwd"}]}},
        {"type": "direct_channel", "direct_channel": {"members": ["zed"]}},
        {"type": "nonsense", "nonsense": {}},
        "{not json",
        {"type": "version", "version": 1},
    ]
    path = jsonl(str(tmp_path / "bad.jsonl"), bad)
    importer = BulkImporter(server.app, path)
    async with Unchanged(world):
        with pytest.raises(ImportFailure) as e:
            await importer.run()
    assert "bad.jsonl:3" in str(e.value)
    got = {(x.line, x.field) for x in importer.errors}
    assert got >= {(3, "channel.name"), (4, "post.channel"), (4, "post.message"), (6, "post.channel"),
                   (6, "post.reactions[0].create_at"), (6, "post.attachments[0].path"),
                   (7, "direct_channel.members"), (8, "type"), (9, ""), (10, "type")}


async def test_first_line_must_be_version(world: World, server: Server, tmp_path: Any) -> None:
    await world.user("sysadmin")
    path = jsonl(str(tmp_path / "nov.jsonl"), VALID[2:])
    with pytest.raises(ImportFailure) as e:
        await BulkImporter(server.app, path).run()
    assert "nov.jsonl:1: type: the first line must be the version line" in str(e.value)


async def test_validate_only_writes_nothing(world: World, server: Server, tmp_path: Any) -> None:
    await world.user("sysadmin")
    path = jsonl(str(tmp_path / "in.jsonl"), BARE)
    async with Unchanged(world):
        report = await BulkImporter(server.app, path, validate_only=True).run()
    assert report.counts["post"]["lines"] == 1 and report.summary().startswith("Validated ")


async def test_validate_flags_emoji_without_image_in_a_bare_jsonl(world: World, server: Server, tmp_path: Any) -> None:
    """The import would have nothing to make the emoji from: validation says so (as Mattermost's import fails)."""
    await world.user("sysadmin")
    importer = BulkImporter(server.app, jsonl(str(tmp_path / "in.jsonl"), VALID), validate_only=True)
    with pytest.raises(ImportFailure, match=r"in\.jsonl:2: emoji\.image: data/emoji/parrot\.png: a bare \.jsonl"):
        await importer.run()
    assert [(e.line, e.field) for e in importer.errors] == [(2, "emoji.image")]


async def test_invalid_email_refused_and_self_owned_bot_accepted(world: World, server: Server, tmp_path: Any) -> None:
    admin = await world.user("sysadmin")
    lines = [VALID[0], {"type": "user", "user": {"username": "odd", "email": "TQ2NR0wy2HFezy 3d "}},
             {"type": "user", "user": {"username": "dots", "email": "a..b@example.com"}},
             {"type": "bot", "bot": {"username": "lonely", "owner": "lonely", "display_name": "Lonely"}}]
    importer = BulkImporter(server.app, jsonl(str(tmp_path / "in.jsonl"), lines), validate_only=True)
    with pytest.raises(ImportFailure):
        await importer.run()
    assert [(e.line, e.field) for e in importer.errors] == [(2, "user.email"), (3, "user.email")]
    report = await BulkImporter(server.app, jsonl(str(tmp_path / "bot.jsonl"), [VALID[0], lines[3]])).run()
    assert report.counts["bot"]["created"] == 1
    bot = (await admin.get("/bots", params={"include_deleted": "true"})).json()
    assert [(b["username"], b["owner_id"] == b["user_id"]) for b in bot] == [("lonely", True)]


async def workspace(admin: Client) -> dict[str, Any]:
    """What a user of the server sees, by names (no ids)."""
    out: dict[str, Any] = {}
    users = {}
    for page in range(5):
        r = await admin.get("/users", params={"page": page, "per_page": 200})
        for u in r.json():
            users[u["id"]] = u["username"]
            out[f"user {u['username']}"] = (u["email"], bool(u["delete_at"]), u.get("is_bot", False),
                                            u["first_name"], u["last_name"], u["position"])
    team = (await admin.get("/teams/name/acme")).json()
    chans = []
    for path in ("channels", "channels/private", "channels/deleted"):
        chans += (await admin.get(f"/teams/{team['id']}/channels" + path[len("channels"):],
                                  params={"per_page": 200})).json()
    seen = set()
    for c in chans:
        if c["id"] in seen:
            continue
        seen.add(c["id"])
        members = (await admin.get(f"/channels/{c['id']}/members", params={"per_page": 200})).json()
        out[f"channel {c['name']}"] = (c["display_name"], c["type"], c["header"], c["purpose"],
                                       bool(c["delete_at"]), sorted(users[m["user_id"]] for m in members))
        out[f"posts {c['name']}"] = await posts(admin, c["id"], users)
    by_name = {v: k for k, v in users.items()}
    for username in ("alice", "bob"):
        mine = (await admin.get(f"/users/{by_name[username]}/teams/{team['id']}/channels")).json()
        for c in mine:
            if c["type"] in ("D", "G"):
                members = (await admin.get(f"/channels/{c['id']}/members")).json()
                key = "direct " + ",".join(sorted(users[m["user_id"]] for m in members))
                out[key] = (c["type"], await posts(admin, c["id"], users))
    return out


async def posts(admin: Client, channel_id: str, users: dict[str, str]) -> list[Any]:
    body = (await admin.get(f"/channels/{channel_id}/posts", params={"per_page": 200})).json()
    by_id = body["posts"]
    out = []
    for p in sorted(by_id.values(), key=lambda p: (p["create_at"], p["message"])):
        reactions = sorted((users[r["user_id"]], r["emoji_name"]) for r in
                           (await admin.get(f"/posts/{p['id']}/reactions")).json() or [])
        files = sorted(f["name"] for f in (await admin.get(f"/posts/{p['id']}/files/info")).json() or [])
        root = by_id[p["root_id"]]["message"] if p["root_id"] in by_id else p["root_id"]
        out.append((p["create_at"], users[p["user_id"]], p["message"], p["type"], root, p["edit_at"], reactions,
                    files, p["props"].get("override_username", "")))
    return out


async def test_round_trip(world: World, server: Server, tmp_path: Any) -> None:
    admin = await world.user("sysadmin")
    path = slack_fixture.write_zip(str(tmp_path / "export.zip"), slack_fixture.files())
    await SlackImporter(server.app, path, "acme").run()
    before = await workspace(admin)
    out = str(tmp_path / "bulk.zip")
    await BulkExporter(server.app, out).run()
    # an empty server
    await _wipe(server)
    server.app.core.caches.clear()
    world.admin = None
    admin = await world.user("sysadmin")
    report = await BulkImporter(server.app, out).run()
    assert report.counts["files"]["stored"] == 2
    after = await workspace(admin)
    assert sorted(after) == sorted(before)
    for key in before:
        assert after[key] == before[key], key


async def test_round_trip_covers_direct_messages(world: World, server: Server, tmp_path: Any) -> None:
    admin = await world.user("sysadmin")
    await SlackImporter(server.app, slack_fixture.write_zip(str(tmp_path / "e.zip"), slack_fixture.files()), "acme").run()
    seen = await workspace(admin)
    directs = {k: v for k, v in seen.items() if k.startswith("direct ")}
    assert directs["direct alice,bob"][1][0][2] == "hi bob"
    assert [p[2] for p in directs["direct alice,bad-name,bob"][1]] == ["group one", "group two"]


ROLE_SCHEME_EMOJI = [
    {"type": "version", "version": 1},
    {"type": "role", "role": {"name": "system_user", "display_name": "System user",
                              "permissions": ["create_team", "some_plugin_permission"]}},
    {"type": "role", "role": {"name": "custom_helper", "display_name": "Helper", "permissions": ["create_post"]}},
    {"type": "scheme", "scheme": {
        "name": "strict", "display_name": "Strict", "scope": "team",
        **{f"default_{k}_role": {"name": f"strict_{k}", "display_name": k, "permissions": []}
           for k in ("team_admin", "team_user", "channel_admin", "channel_user")}}},
    {"type": "emoji", "emoji": {"name": "parrot", "image": "emoji/parrot.png"}},
    {"type": "emoji", "emoji": {"name": "wide_parrot", "image": "emoji/wide.png"}},
    {"type": "team", "team": {"name": "schemed", "display_name": "Schemed", "type": "O", "scheme": "strict"}},
]


async def test_emoji_role_and_scheme_lines(world: World, server: Server, tmp_path: Any) -> None:
    server.config.effective.ServiceSettings.EnableCustomEmoji = True
    admin = await world.user("sysadmin")
    body = b"".join(json.dumps(x).encode() + b"\n" for x in ROLE_SCHEME_EMOJI)
    path = slack_fixture.write_zip(str(tmp_path / "in.zip"), {"in.jsonl": body, "data/emoji/parrot.png": png_bytes(20, 20),
                                                   "data/emoji/wide.png": png_bytes(400, 200)})
    report = await BulkImporter(server.app, path).run()
    assert report.counts["emoji"]["created"] == 2
    parrot = (await admin.get("/emoji/name/parrot")).json()
    img = await admin.get(f"/emoji/{parrot['id']}/image")
    assert img.status_code == 200 and img.content == png_bytes(20, 20)
    wide = (await admin.get("/emoji/name/wide_parrot")).json()
    assert Image.open(io.BytesIO((await admin.get(f"/emoji/{wide['id']}/image")).content)).size == (128, 64)
    skipped = {(s["kind"], s["name"]): s["reason"] for s in report.skipped}
    assert "built-in roles are fixed" in skipped[("role", "system_user")]
    assert "some_plugin_permission" in skipped[("role", "system_user")]
    assert "no custom roles" in skipped[("role", "custom_helper")]
    assert "no permission schemes" in skipped[("scheme", "strict")]
    assert any("scheme 'strict' not applied" in w for w in report.warnings)
    roles = (await admin.get("/roles/name/system_user")).json()
    assert "some_plugin_permission" not in roles["permissions"]  # nothing changed
    # a second run: the emoji are there already
    again = await BulkImporter(server.app, path).run()
    assert again.counts["emoji"]["existing"] == 2 and "created" not in again.counts["emoji"]
    # an export carries the emoji and their images back
    out = str(tmp_path / "out.zip")
    await BulkExporter(server.app, out).run()
    await _wipe(server)
    server.app.core.caches.clear()
    world.admin = None
    admin = await world.user("sysadmin")
    assert (await admin.get("/emoji/name/parrot")).status_code == 404
    back = await BulkImporter(server.app, out).run()
    assert back.counts["emoji"]["created"] == 2
    parrot = (await admin.get("/emoji/name/parrot")).json()
    assert (await admin.get(f"/emoji/{parrot['id']}/image")).content == png_bytes(20, 20)


async def test_emoji_role_and_scheme_validation(world: World, server: Server, tmp_path: Any) -> None:
    await world.user("sysadmin")
    bad = [
        {"type": "version", "version": 1},
        {"type": "role", "role": {"name": "Bad Role", "permissions": "create_post"}},
        {"type": "scheme", "scheme": {"name": "s", "display_name": "S", "scope": "team",
                                      "default_channel_admin_role": {"name": "x"},
                                      "default_channel_user_role": {"name": "y"}}},
        {"type": "scheme", "scheme": {"name": "t", "display_name": "", "scope": "everything"}},
        {"type": "emoji", "emoji": {"name": "smile", "image": "emoji/a.png"}},
        {"type": "emoji", "emoji": {"name": "fine", "image": "emoji/missing.png"}},
        {"type": "emoji", "emoji": {"name": "escape", "image": "../../etc/passwd"}},
        {"type": "team", "team": {"name": "tt", "display_name": "T", "type": "O", "scheme": "nope"}},
    ]
    body = b"".join(json.dumps(x).encode() + b"\n" for x in bad)
    path = slack_fixture.write_zip(str(tmp_path / "bad.zip"), {"bad.jsonl": body, "data/emoji/a.png": slack_fixture.png()})
    importer = BulkImporter(server.app, path)
    async with Unchanged(world):
        with pytest.raises(ImportFailure):
            await importer.run()
    got = {(x.line, x.field) for x in importer.errors}
    assert got >= {(2, "role.name"), (2, "role.permissions"), (3, "scheme.default_team_admin_role"),
                   (3, "scheme.default_team_user_role"), (4, "scheme.display_name"), (4, "scheme.scope"),
                   (5, "emoji.name"), (6, "emoji.image"), (7, "emoji.image"), (8, "team.scheme")}


SETTINGS = [
    {"type": "version", "version": 1},
    {"type": "team", "team": {"name": "prefteam", "display_name": "Pref Team", "type": "O"}},
    {"type": "channel", "channel": {"team": "prefteam", "name": "news", "display_name": "News", "type": "O"}},
    {"type": "user", "user": {
        "username": "ann", "email": "ann@example.com", "theme": '{"type":"Onyx"}', "military_time": "true",
        "link_previews": "false", "email_interval": "hour", "tutorial_step": "999",
        "notify_props": {"desktop": "all", "mobile": "none", "channel": "false", "mention_keys": "ann,annie",
                         "email": "false"},
        "teams": [{"name": "prefteam", "theme": '{"type":"Denim"}', "channels": [
            {"name": "news", "notify_props": {"desktop": "none", "mobile": "all", "mark_unread": "mention"},
             "favorite": True, "last_viewed_at": 1700000000700, "msg_count": 2, "mention_count": 1}]}]}},
    {"type": "user", "user": {"username": "ben", "email": "ben@example.com",
                              "teams": [{"name": "prefteam", "channels": [{"name": "news"}]}]}},
    {"type": "post", "post": {"team": "prefteam", "channel": "news", "user": "ann", "message": "keep this",
                              "create_at": 1700000000000, "flagged_by": ["ann", "ben"],
                              "thread_followers": [{"user": "ben", "last_viewed": 1700000000600,
                                                    "unread_mentions": 2}],
                              "replies": [{"user": "ben", "message": "noted", "create_at": 1700000000500}]}},
    {"type": "direct_channel", "direct_channel": {"members": ["ann", "ben"], "favorited_by": ["ben"]}},
]


def exported_lines(path: str) -> dict[str, Any]:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        lines = [json.loads(x) for x in zf.read("import.jsonl").splitlines()]
    out: dict[str, Any] = {}
    for x in lines[1:]:  # after the version line
        data = x[x["type"]]
        key = x["type"] + ":" + str(data.get("username") or data.get("message") or ",".join(sorted(data.get("members") or [])))
        out[key] = data
    return out


async def test_user_settings_flags_and_followers_round_trip(world: World, server: Server, tmp_path: Any) -> None:
    """A Mattermost user's settings survive the move: notify props, display/notification preferences,
    team theme, channel notify props and favourites, flagged posts, thread followers, favourite DMs."""
    admin = await world.user("sysadmin")
    report = await BulkImporter(server.app, jsonl(str(tmp_path / "in.jsonl"), SETTINGS)).run()
    assert report.counts["flagged_posts"]["imported"] == 2 and report.counts["thread_followers"]["imported"] == 1
    ann = (await admin.get("/users/username/ann")).json()
    assert ann["notify_props"]["push"] == "none" and ann["notify_props"]["mention_keys"] == "ann,annie"
    prefs = {(p["category"], p["name"]): p["value"] for p in (await admin.get(f"/users/{ann['id']}/preferences")).json()}
    team = (await admin.get("/teams/name/prefteam")).json()
    news = (await admin.get(f"/teams/{team['id']}/channels/name/news")).json()
    assert prefs[("display_settings", "use_military_time")] == "true"
    assert prefs[("notifications", "email_interval")] == "3600"
    assert prefs[("tutorial_step", ann["id"])] == "999" and prefs[("theme", team["id"])] == '{"type":"Denim"}'
    assert prefs[("favorite_channel", news["id"])] == "true"
    member = (await admin.get(f"/channels/{news['id']}/members/{ann['id']}")).json()
    assert member["notify_props"]["desktop"] == "none" and member["notify_props"]["mark_unread"] == "mention"
    assert (member["last_viewed_at"], member["msg_count"], member["mention_count"]) == (1700000000700, 2, 1)
    root = next(p for p in (await admin.get(f"/channels/{news['id']}/posts")).json()["posts"].values()
                if p["message"] == "keep this")
    assert prefs[("flagged_post", root["id"])] == "true"

    first = str(tmp_path / "one.zip")
    await BulkExporter(server.app, first).run()
    lines = exported_lines(first)
    user = lines["user:ann"]
    assert user["notify_props"]["mobile"] == "none" and user["email_interval"] == "hour"
    assert user["theme"] == '{"type":"Onyx"}' and user["link_previews"] == "false"
    entry = user["teams"][0]
    assert entry["theme"] == '{"type":"Denim"}' and entry["channels"][0]["favorite"] is True
    assert entry["channels"][0]["notify_props"]["mark_unread"] == "mention"
    assert (entry["channels"][0]["last_viewed_at"], entry["channels"][0]["mention_count"]) == (1700000000700, 1)
    post = lines["post:keep this"]
    assert sorted(post["flagged_by"]) == ["ann", "ben"]
    assert post["thread_followers"] == [{"user": "ben", "last_viewed": 1700000000600, "unread_mentions": 2}] or \
        {"user": "ben", "last_viewed": 1700000000600, "unread_mentions": 2} in post["thread_followers"]
    assert lines["direct_channel:ann,ben"]["favorited_by"] == ["ben"]

    # into an empty server and out again: the same lines
    await _wipe(server)
    server.app.core.caches.clear()
    world.admin = None
    await world.user("sysadmin")
    await BulkImporter(server.app, first).run()
    second = str(tmp_path / "two.zip")
    await BulkExporter(server.app, second).run()
    again = exported_lines(second)
    for key in ("user:ann", "user:ben", "post:keep this", "direct_channel:ann,ben"):
        assert again[key] == lines[key], key


async def test_settings_validation(world: World, server: Server, tmp_path: Any) -> None:
    await world.user("sysadmin")
    bad = [SETTINGS[0], SETTINGS[1], SETTINGS[2],
           {"type": "user", "user": {"username": "cat", "email": "cat@example.com", "email_interval": "weekly",
                                     "military_time": True, "notify_props": {"desktop": 1},
                                     "teams": [{"name": "prefteam", "channels": [{"name": "news", "favorite": "yes",
                                                                                 "msg_count": -2}]}]}},
           {"type": "post", "post": {"team": "prefteam", "channel": "news", "user": "cat", "message": "m",
                                     "create_at": 1, "flagged_by": ["nobody"],
                                     "thread_followers": [{"user": "cat", "unread_mentions": -1}]}},
           {"type": "direct_channel", "direct_channel": {"members": ["cat", "cat"], "favorited_by": ["dog"]}}]
    with pytest.raises(ImportFailure):
        await BulkImporter(server.app, jsonl(str(tmp_path / "bad.jsonl"), bad)).run()
    importer = BulkImporter(server.app, jsonl(str(tmp_path / "bad.jsonl"), bad), validate_only=True)
    with pytest.raises(ImportFailure):
        await importer.run()
    fields = {(e.line, e.field) for e in importer.errors}
    assert {(4, "user.email_interval"), (4, "user.military_time"), (4, "user.notify_props.desktop"),
            (4, "user.teams[0].channels[0].favorite"), (4, "user.teams[0].channels[0].msg_count"),
            (5, "post.flagged_by[0]"),
            (5, "post.thread_followers[0].unread_mentions"), (6, "direct_channel.favorited_by")} <= fields


async def test_favorite_false_round_trip(world: World, server: Server, tmp_path: Any) -> None:
    """``favorite`` is written for every channel membership (false too, as Mattermost's export does); an import
    saying false takes a channel out of a user's favourites, and absent leaves them alone."""
    admin = await world.user("sysadmin")
    await BulkImporter(server.app, jsonl(str(tmp_path / "in.jsonl"), SETTINGS)).run()
    first = str(tmp_path / "one.zip")
    await BulkExporter(server.app, first).run()
    lines = exported_lines(first)
    assert lines["user:ann"]["teams"][0]["channels"][0]["favorite"] is True
    assert lines["user:ben"]["teams"][0]["channels"][0]["favorite"] is False
    # ann no longer favours news; ben's line says nothing about it
    changed = json.loads(json.dumps(SETTINGS))
    changed[3]["user"]["teams"][0]["channels"][0]["favorite"] = False
    await BulkImporter(server.app, jsonl(str(tmp_path / "two.jsonl"), changed)).run()
    ann = (await admin.get("/users/username/ann")).json()
    team = (await admin.get("/teams/name/prefteam")).json()
    news = (await admin.get(f"/teams/{team['id']}/channels/name/news")).json()
    prefs = {(p["category"], p["name"]): p["value"] for p in (await admin.get(f"/users/{ann['id']}/preferences")).json()}
    assert prefs[("favorite_channel", news["id"])] == "false"
    second = str(tmp_path / "three.zip")
    await BulkExporter(server.app, second).run()
    assert exported_lines(second)["user:ann"]["teams"][0]["channels"][0]["favorite"] is False
    # and into an empty server: the same
    await _wipe(server)
    server.app.core.caches.clear()
    world.admin = None
    await world.user("sysadmin")
    await BulkImporter(server.app, first).run()
    third = str(tmp_path / "four.zip")
    await BulkExporter(server.app, third).run()
    again = exported_lines(third)
    assert again["user:ann"]["teams"][0]["channels"][0]["favorite"] is True
    assert again["user:ben"]["teams"][0]["channels"][0]["favorite"] is False
