"""`chinwag import slack`: a generated export imported into a running server, checked through the
REST API; a second run changes nothing; bad input leaves the database as it was."""

from __future__ import annotations

import os
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chinwag.app.integration import user_ctx
from chinwag.importers.archive import ImportFailure
from chinwag.importers.slack import SlackImporter
from chinwag.model.user import SYSTEM_USER_ROLE
from chinwag.server import Server
from tests.api.helpers import Unchanged
from tests.conftest import Client, World
from tests.importers import slack_fixture


async def run_import(server: Server, path: str, dry_run: bool = False) -> Any:
    return await SlackImporter(server.app, path, "acme", dry_run=dry_run).run()


async def by_name(admin: Client, username: str) -> dict[str, Any]:
    r = await admin.get(f"/users/username/{username}")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def channel(admin: Client, team_id: str, name: str) -> dict[str, Any]:
    r = await admin.get(f"/teams/{team_id}/channels/name/{name}", params={"include_deleted": "true"})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def posts_of(admin: Client, channel_id: str) -> list[dict[str, Any]]:
    r = await admin.get(f"/channels/{channel_id}/posts", params={"per_page": 200})
    assert r.status_code == 200, r.text
    body = r.json()
    return sorted(body["posts"].values(), key=lambda p: (p["create_at"], p["id"]))


@pytest.fixture
async def imported(world: World, server: Server, tmp_path: Any) -> tuple[Client, Any, str]:
    admin = await world.user("sysadmin")
    path = slack_fixture.write_zip(str(tmp_path / "export.zip"), slack_fixture.files())
    report = await run_import(server, path)
    return admin, report, path


async def test_users(imported: tuple[Client, Any, str]) -> None:
    admin, report, _ = imported
    alice = await by_name(admin, "alice")
    assert (alice["first_name"], alice["last_name"], alice["position"]) == ("Alice", "Ångström", "Boss")
    assert alice["email"] == "alice@example.com" and alice["delete_at"] == 0
    assert (await by_name(admin, "alice-2"))["email"] == "alice2@example.com"  # collision, by Slack id order
    bob = await by_name(admin, "bob")
    assert bob["email"].endswith("@slack-import.invalid")
    assert "bob" in report.placeholder_emails
    assert (await by_name(admin, "carol"))["delete_at"] > 0
    assert (await by_name(admin, "bad-name"))["email"] == "bad@example.com"
    bot = await by_name(admin, "deploybot")
    assert bot["is_bot"] is True
    ghost = await by_name(admin, "u0ghost")
    assert ghost["delete_at"] > 0
    assert any(r == {"kind": "user", "from": "Bad Name!", "to": "bad-name"} for r in report.renamed)
    # no usable password
    anon = Client(admin.srv)
    r = await anon.post("/users/login", {"login_id": "alice", "password": "anything"})
    assert r.status_code == 401
    await anon.aclose()


async def test_channels(imported: tuple[Client, Any, str]) -> None:
    admin, report, _ = imported
    team = (await admin.get("/teams/name/acme")).json()
    general = await channel(admin, team["id"], "general")
    assert general["header"] == "Welcome @alice" and general["purpose"] == "General stuff"
    random = await channel(admin, team["id"], "random")
    assert random["delete_at"] > 0 and len(random["purpose"]) == 250
    devops = await channel(admin, team["id"], "dev-ops")
    assert devops["display_name"] == "Dev-Ops"
    jp = await channel(admin, team["id"], "c04")
    assert jp["display_name"] == "日本語"
    secret = await channel(admin, team["id"], "secret")
    assert secret["type"] == "P"
    r = await admin.get(f"/channels/{general['id']}/members", params={"per_page": 100})
    names = {m["user_id"] for m in r.json()}
    alice, bob, bad = [await by_name(admin, n) for n in ("alice", "bob", "bad-name")]
    assert {alice["id"], bob["id"], bad["id"]} <= names
    assert report.counts["channels"]["public_created"] == 5


async def test_messages(imported: tuple[Client, Any, str]) -> None:
    admin, report, _ = imported
    team = (await admin.get("/teams/name/acme")).json()
    general = await channel(admin, team["id"], "general")
    posts = await posts_of(admin, general["id"])
    by_text = {p["message"]: p for p in posts}
    first = posts[0]
    assert first["message"] == ("hello **world** ~~gone~~ @bob ~dev-ops @channel [Example](https://example.com) "
                                "& <tag>")
    assert first["create_at"] == 1704067200000 and first["edit_at"] == 1704067250000
    assert posts[1]["message"] == "same millisecond" and posts[1]["create_at"] == 1704067200001
    assert "code: ```*not bold* <@U02> <x>``` and `~keep~` but **bold**" in by_text
    assert "*waves*" in by_text and by_text["*waves*"]["type"] == "me"
    assert "pinned" not in by_text
    # pins: the channel's "pins" list and a message's "pinned_to"
    pinned = (await admin.get(f"/channels/{general['id']}/pinned")).json()
    assert sorted(p["message"] for p in pinned["posts"].values()) == [
        "code: ```*not bold* <@U02> <x>``` and `~keep~` but **bold**", "same millisecond"]
    assert by_text["same millisecond"]["is_pinned"] is True and first["is_pinned"] is False
    assert report.counts["messages"]["pinned"] == 2
    assert report.counts["messages"]["skipped_pinned_item"] == 1
    join = next(p for p in posts if p["type"] == "system_join_channel")
    assert join["props"]["username"] == "bob"
    assert any(p["type"] == "system_header_change" and p["props"]["new_header"] == "New topic" for p in posts)
    assert any(p["type"] == "system_purpose_change" for p in posts)
    bot = next(p for p in posts if p["type"] == "slack_attachment")
    assert bot["props"]["override_username"] == "Deploy" and bot["props"]["from_bot"] == "true"
    assert bot["props"]["attachments"][0]["text"] == "deployed **v1** by @alice"
    assert bot["user_id"] == (await by_name(admin, "deploybot"))["id"]
    assert by_text["from ci"]["props"]["override_username"] == "ci"
    assert "no bot id" in by_text
    assert "> quoted\n> more\n>" in by_text and "> single quote" in by_text
    assert by_text["short decimals"]["create_at"] == 1704153700100
    long_parts = [p for p in posts if p["message"].startswith("word word")]
    assert len(long_parts) == 2 and sum(len(p["message"]) for p in long_parts) == len(slack_fixture.LONG) - 1
    # threads across day files, broadcast replies, orphans kept
    root = by_text["thread root"]
    thread = (await admin.get(f"/posts/{root['id']}/thread")).json()
    replies = [p["message"] for p in thread["posts"].values() if p["root_id"] == root["id"]]
    assert sorted(replies) == ["broadcast reply", "first reply"]
    assert root["reply_count"] == 2
    last_reply = max(p["create_at"] for p in thread["posts"].values() if p["root_id"] == root["id"])
    assert root["update_at"] == last_reply == root["last_reply_at"]
    assert by_text["orphan reply"]["root_id"] == ""
    # reactions: skin tones stripped, ghosts kept as placeholders
    r = await admin.get(f"/posts/{root['id']}/reactions")
    assert sorted(x["emoji_name"] for x in r.json()) == ["partyparrot", "thumbsup", "thumbsup"]
    # files: stored with previews, missing ones listed, external ones kept as links
    with_file = by_text["files\n[Drive doc](https://docs.google.com/d/1)"]
    assert len(with_file["file_ids"]) == 1
    info = (await admin.get(f"/files/{with_file['file_ids'][0]}/info")).json()
    assert info["name"] == "a.png" and info["has_preview_image"] is True and info["width"] == 40
    r = await admin.get(f"/files/{info['id']}/preview")
    assert r.status_code == 200
    assert [f["id"] for f in report.missing_files] == ["F02", "F09"]  # F09: the only file of a skipped message
    assert by_text["nobody"]["user_id"] == (await by_name(admin, "slack-unknown-user"))["id"]


async def test_direct_and_group(imported: tuple[Client, Any, str]) -> None:
    admin, _, _ = imported
    alice, bob = [await by_name(admin, n) for n in ("alice", "bob")]
    r = await admin.post("/channels/direct", [alice["id"], bob["id"]])
    dm = r.json()
    assert [p["message"] for p in await posts_of(admin, dm["id"])] == ["hi bob"]
    r = await admin.post("/channels/direct", [alice["id"], alice["id"]])
    assert [p["message"] for p in await posts_of(admin, r.json()["id"])] == ["note to self"]
    team = (await admin.get("/teams/name/acme")).json()
    r = await admin.get(f"/users/{alice['id']}/teams/{team['id']}/channels")
    groups = [c for c in r.json() if c["type"] == "G"]
    assert len(groups) == 1  # the two Slack MPIMs with the same members are one group
    group = groups[0]
    assert group["display_name"] == "alice, bad-name, bob"
    assert [p["message"] for p in await posts_of(admin, group["id"])] == ["group one", "group two"]


async def test_second_run_changes_nothing(world: World, imported: tuple[Client, Any, str],
                                          server: Server) -> None:
    _, _, path = imported
    async with Unchanged(world):
        report = await run_import(server, path)
    assert report.counts["messages"]["already_imported"] > 20
    assert "imported" not in report.counts["messages"]


async def test_rerun_with_a_later_export_adds_only_new_messages(world: World, imported: tuple[Client, Any, str],
                                                              server: Server, tmp_path: Any) -> None:
    admin, _, _ = imported
    day3 = [slack_fixture._msg("1704240000.000000", "U01", "a new day"),
            slack_fixture._msg("1704240010.000000", "U02", "late reply", thread_ts=slack_fixture.ROOT_TS)]
    path = slack_fixture.write_zip(str(tmp_path / "later.zip"), slack_fixture.files(**{"general/2024-01-03.json": day3}))
    report = await run_import(server, path)
    assert report.counts["messages"]["imported"] == 2
    team = (await admin.get("/teams/name/acme")).json()
    general = await channel(admin, team["id"], "general")
    posts = await posts_of(admin, general["id"])
    assert [p["message"] for p in posts].count("a new day") == 1
    root = next(p for p in posts if p["message"] == "thread root")
    late = next(p for p in posts if p["message"] == "late reply")
    assert late["root_id"] == root["id"] and root["reply_count"] == 3


async def test_custom_emoji(world: World, imported: tuple[Client, Any, str], server: Server) -> None:
    admin, report, path = imported
    server.config.effective.ServiceSettings.EnableCustomEmoji = True
    assert report.counts["emoji"] == {"in_export": 4, "created": 1, "missing": 1, "skipped": 3}
    reasons = {s["name"]: s["reason"] for s in report.skipped if s["kind"] == "emoji"}
    assert "alias of partyparrot" in reasons["parrot_alias"] and "no image" in reasons["lost"]
    assert "system emoji" in reasons["smile"]
    emoji = (await admin.get("/emoji/name/partyparrot")).json()
    img = await admin.get(f"/emoji/{emoji['id']}/image")
    assert img.status_code == 200 and img.content == slack_fixture.png()
    again = await run_import(server, path)
    assert again.counts["emoji"]["existing"] == 1 and "created" not in again.counts["emoji"]


async def test_rerun_fills_in_missing_files(world: World, imported: tuple[Client, Any, str], server: Server,
                                            tmp_path: Any) -> None:
    admin, _, _ = imported
    path = slack_fixture.write_zip(str(tmp_path / "more.zip"), slack_fixture.files(**{"__uploads/F02/missing.txt": b"now here"}))
    report = await run_import(server, path)
    assert [f["id"] for f in report.missing_files] == ["F09"] and report.counts["files"]["attached_on_rerun"] == 1
    assert report.counts["files"]["stored"] == 1  # the files of the first run are mapped: not stored again
    team = (await admin.get("/teams/name/acme")).json()
    general = await channel(admin, team["id"], "general")
    post = next(p for p in await posts_of(admin, general["id"]) if p["message"].startswith("files"))
    assert len(post["file_ids"]) == 2


async def test_dry_run_writes_nothing(world: World, server: Server, tmp_path: Any) -> None:
    await world.user("sysadmin")
    path = slack_fixture.write_zip(str(tmp_path / "export.zip"), slack_fixture.files())
    async with Unchanged(world):
        report = await run_import(server, path, dry_run=True)
    assert report.counts["users"]["to_create"] == 9 and "bob" in report.placeholder_emails
    assert report.counts["users"]["unknown_user_to_create"] == 1  # the "nobody" message needs it
    assert report.invalid_emails == [{"user": "weird", "email": "TQ2NR0wy2HFezy 3d", "used": "u06@slack-import.invalid"}]


def bomb(tmp: str) -> str:
    path = os.path.join(tmp, "bomb.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in slack_fixture.files().items():
            zf.writestr(name, data)
        zf.writestr("general/2024-01-03.json", b"[" + b" " * (40 * 1024 * 1024) + b"]")
    return path


@pytest.mark.parametrize("case,expected", [
    ("not_zip", "not a zip archive"),
    ("malformed", "general/2024-01-02.json:3: malformed JSON"),
    ("traversal", "../evil.json: unsafe path"),
    ("bomb", "(a zip bomb?)"),
    ("no_users", "users.json: missing from the archive"),
    ("bad_ts", "general/2024-01-01.json: message 1: bad ts"),
])
async def test_bad_input_changes_nothing(world: World, server: Server, tmp_path: Any, case: str,
                                         expected: str) -> None:
    await world.user("sysadmin")
    tmp = str(tmp_path)
    if case == "not_zip":
        path = slack_fixture.write_bytes(os.path.join(tmp, "x.zip"), b"this is not a zip")
    elif case == "malformed":
        path = slack_fixture.write_zip(os.path.join(tmp, "m.zip"), slack_fixture.files(**{
            "general/2024-01-02.json": b'[\n  {"ts": "1704153600.000000", "text": "ok"},\n  {"ts": oops}\n]'}))
    elif case == "traversal":
        path = slack_fixture.write_zip(os.path.join(tmp, "t.zip"), slack_fixture.files(**{"../evil.json": b"[]"}))
    elif case == "bomb":
        path = bomb(tmp)
    elif case == "no_users":
        path = slack_fixture.write_zip(os.path.join(tmp, "u.zip"), slack_fixture.files(**{"users.json": None}))
    else:
        path = slack_fixture.write_zip(os.path.join(tmp, "b.zip"), slack_fixture.files(**{
            "general/2024-01-01.json": [{"ts": "yesterday", "text": "x"}]}))
    async with Unchanged(world):
        with pytest.raises(ImportFailure) as e:
            await run_import(server, path)
    assert expected in str(e.value)


class Refused(Exception):
    pass


async def test_an_imported_file_and_its_mapping_commit_together(world: World, server: Server, tmp_path: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``files.upload(imported=…)``: the FileInfo and the importmappings row are one transaction, so a file
    is either stored and mapped (a re-run skips it) or not there at all (a re-run stores it)."""
    admin = await world.user("sysadmin")
    team = await world.team(admin, "acme")
    town = (await admin.get(f"/teams/{team['id']}/channels/name/town-square")).json()
    channel = await server.app.directory.channel(town["id"], "test")
    ctx = user_ctx(admin.user["id"], SYSTEM_USER_ROLE)

    async def chunks() -> AsyncIterator[bytes]:
        yield b"imported bytes"

    real_map = server.app.core.store.imports.map

    async def refuse(*_: Any, **__: Any) -> None:
        raise Refused

    monkeypatch.setattr(server.app.core.store.imports, "map", refuse)
    async with Unchanged(world):
        with pytest.raises(Refused):
            await server.app.files.upload(ctx, channel, "a.txt", chunks(), imported=("slack-test", "F1"))
    assert not [n for _, _, names in os.walk(tmp_path / "files") for n in names if n == "a.txt"]
    monkeypatch.setattr(server.app.core.store.imports, "map", real_map)
    info = await server.app.files.upload(ctx, channel, "a.txt", chunks(), imported=("slack-test", "F1"))
    assert await server.app.core.store.imports.lookup("slack-test", "file", ["F1"]) == {"F1": info.id}
    r = await admin.get(f"/files/{info.id}")
    assert r.status_code == 200 and r.content == b"imported bytes"
