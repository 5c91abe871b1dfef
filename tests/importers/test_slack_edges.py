"""The cases real Slack exports brought (tombstoned thread roots, messages whose only file is missing, bots
known by their bot_profile, invalid emails, mentions of users and channels the export lacks, nested styles),
checked through the API, and the report that names every record that did not arrive."""

from __future__ import annotations

import json
import zipfile
from typing import Any

from chinwag.importers.bulk import BulkImporter
from chinwag.importers.export import BulkExporter
from chinwag.importers.slack import SlackImporter
from chinwag.server import Server
from tests.conftest import Client, World, _wipe
from tests.importers import slack_fixture
from tests.importers.test_slack_import import by_name, channel, posts_of


async def edge_posts(admin: Client) -> dict[str, dict[str, Any]]:
    team = (await admin.get("/teams/name/acme")).json()
    edge = await channel(admin, team["id"], "edge")
    return {p["message"]: p for p in await posts_of(admin, edge["id"])}


async def test_edge_cases(world: World, server: Server, tmp_path: Any) -> None:
    admin = await world.user("sysadmin")
    report = await SlackImporter(server.app, slack_fixture.write_zip(str(tmp_path / "e.zip"), slack_fixture.files()), "acme").run()
    posts = await edge_posts(admin)

    # a reply to a deleted (tombstoned) message and to a message whose only file is missing: top-level posts
    for text in ("reply to a deleted message", "reply to a lost file"):
        reply = posts[text]
        assert reply["root_id"] == "", text
        r = await admin.get(f"/posts/{reply['id']}/thread")
        assert r.status_code == 200 and list(r.json()["order"]) == [reply["id"]]
    roots = {t["postid"] for t in await server.app.store.imports.rows("threads")}
    found = await server.app.store.posts.get_many(list(roots)) if roots else []
    assert len(found) == len(roots), "a thread row for a post that does not exist"
    assert report.counts["messages"]["orphan_replies_kept_as_posts"] == 3
    assert report.counts["messages"]["skipped_tombstone"] == 1
    assert report.counts["messages"]["skipped_only_missing_files"] == 1
    file_only = [p for p in posts.values() if p["message"] == ""]
    assert [len(p["file_ids"]) for p in file_only] == [1]  # kept.txt: the only post without text has its file
    skipped = [s for s in report.skipped if s["kind"] == "messages"]
    assert skipped == [{"kind": "messages", "name": f"edge {slack_fixture.EMPTY_ROOT}",
                        "reason": "its only content is files not in the export (lost.pdf)"}]

    # markup
    assert "~~**_random_**~~ and **_both_**" in posts
    assert "run ```curl http://example.com/a?b=1&c=2``` or `open x.org`" in posts
    assert "ask unknown user or olduser in unknown channel or #old-chan" in posts
    assert sorted((r["kind"], r["id"], r["shown_as"]) for r in report.unknown_references) == [
        ("channel", "C079A3FA12P", "unknown channel"), ("channel", "C0OLD", "#old-chan"),
        ("user", "U074VRHQ11T", "unknown user"), ("user", "U0LABEL", "olduser")]
    assert report.counts["references"] == {"unknown_users": 2, "unknown_channels": 2}

    # integrations keep their name and icon
    github, jenkins, deployer = [await by_name(admin, n) for n in ("github", "jenkins", "deployer")]
    assert github["is_bot"] and jenkins["is_bot"] and deployer["is_bot"]
    assert posts["PR #1 merged"]["user_id"] == github["id"]
    assert posts["PR #1 merged"]["props"]["override_icon_url"] == "https://avatars.example.com/gh72.png"
    assert posts["build green"]["user_id"] == jenkins["id"]
    assert posts["build green"]["props"]["override_icon_emoji"] == ":robot_face:"
    assert posts["deploy done"]["user_id"] == deployer["id"] and posts["deploy done"]["props"]["from_bot"] == "true"
    bots = {b["username"]: b for b in (await admin.get("/bots", params={"per_page": 100})).json()}
    assert {bots[n]["owner_id"] for n in ("github", "jenkins", "deployer", "deploybot")} == {admin.user["id"]}
    assert bots["github"]["display_name"] == "GitHub"

    # join/leave/topic/purpose
    types = {p["type"] for p in posts.values()}
    assert {"system_leave_channel", "system_header_change", "system_purpose_change"} <= types
    header = next(p for p in posts.values() if p["type"] == "system_header_change")
    assert header["props"]["new_header"] == "Edge ~general cases"

    # an invalid email is replaced by a valid one, and named
    weird = await by_name(admin, "weird")
    assert weird["email"] == "u06@slack-import.invalid"
    assert report.invalid_emails == [{"user": "weird", "email": "TQ2NR0wy2HFezy 3d", "used": "u06@slack-import.invalid"}]
    summary = report.summary()
    assert "invalid emails replaced: weird ('TQ2NR0wy2HFezy 3d' → u06@slack-import.invalid)" in summary
    assert "skipped (with reasons in the JSON report)" in summary

    # the whole server exports, and that export is accepted by the import
    out = str(tmp_path / "bulk.zip")
    await BulkExporter(server.app, out).run()
    assert (await BulkImporter(server.app, out, validate_only=True).run()).counts["post"]["lines"] > 0
    with zipfile.ZipFile(out) as zf:
        lines = [json.loads(x) for x in zf.read("import.jsonl").splitlines()]
    exported = {x["post"]["message"] for x in lines if x["type"] == "post"}
    assert {"reply to a deleted message", "reply to a lost file"} <= exported


async def test_unknown_user_only_when_a_message_needs_it(world: World, server: Server, tmp_path: Any) -> None:
    admin = await world.user("sysadmin")
    day1 = [m for m in slack_fixture.GENERAL_DAY1 if m["text"] != "nobody"]
    path = slack_fixture.write_zip(str(tmp_path / "e.zip"), slack_fixture.files(**{"general/2024-01-01.json": day1}))
    report = await SlackImporter(server.app, path, "acme").run()
    assert (await admin.get("/users/username/slack-unknown-user")).status_code == 404
    assert "unknown_user_created" not in report.counts["users"] and "by_unknown_user" not in report.counts["messages"]
    # a later export with a message nobody wrote: now it is needed, and counted
    path = slack_fixture.write_zip(str(tmp_path / "f.zip"), slack_fixture.files())
    report = await SlackImporter(server.app, path, "acme").run()
    assert report.counts["users"]["unknown_user_created"] == 1 and report.counts["messages"]["by_unknown_user"] == 1
    nobody = (await edge_or_general(admin))["nobody"]
    assert nobody["user_id"] == (await by_name(admin, "slack-unknown-user"))["id"]


async def edge_or_general(admin: Client) -> dict[str, dict[str, Any]]:
    team = (await admin.get("/teams/name/acme")).json()
    general = await channel(admin, team["id"], "general")
    return {p["message"]: p for p in await posts_of(admin, general["id"])}


async def test_bots_without_a_system_admin(world: World, server: Server, tmp_path: Any) -> None:
    """Imported into a server nobody uses yet: the bots own themselves (and say so), the export carries
    them, and the import of that export accepts them."""
    path = slack_fixture.write_zip(str(tmp_path / "e.zip"), slack_fixture.files())
    report = await SlackImporter(server.app, path, "acme").run()
    warning = next(w for w in report.warnings if w.startswith("no system admin yet"))
    assert "github" in warning and "mmctl bot assign" in warning
    out = str(tmp_path / "bulk.zip")
    await BulkExporter(server.app, out).run()
    with zipfile.ZipFile(out) as zf:
        bots = {x["bot"]["username"]: x["bot"] for x in map(json.loads, zf.read("import.jsonl").splitlines())
                if x["type"] == "bot"}
    assert bots["github"]["owner"] == "github"
    await _wipe(server)
    server.app.core.caches.clear()
    back = await BulkImporter(server.app, out).run()
    assert back.counts["bot"]["created"] == len(bots)
    github = await server.app.store.users.get_by_username("github")
    assert (await server.app.store.bots.get(github.id)).owner_id == github.id


async def test_rerun_repairs_an_invalid_email_stored_before(world: World, server: Server, tmp_path: Any) -> None:
    """A server that imported the export before this was fixed has the invalid address as is: a re-run
    replaces it, so the server's bulk export imports again."""
    admin = await world.user("sysadmin")
    path = slack_fixture.write_zip(str(tmp_path / "e.zip"), slack_fixture.files())
    await SlackImporter(server.app, path, "acme").run()
    weird = await server.app.store.users.get_by_username("weird")
    weird.email = "tq2nr0wy2hfezy 3d"  # what the earlier importer stored
    await server.app.store.users.update(weird)
    server.app.core.caches.clear()
    report = await SlackImporter(server.app, path, "acme").run()
    assert report.counts["users"]["invalid_email_repaired"] == 1
    assert report.invalid_emails == [{"user": "weird", "email": "tq2nr0wy2hfezy 3d", "used": "u06@slack-import.invalid"}]
    assert (await by_name(admin, "weird"))["email"] == "u06@slack-import.invalid"
