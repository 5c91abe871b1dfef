"""Which posts pass through the plugins, as in Mattermost: system messages are created through the
app's CreatePost, so MessageWillBePosted may change or reject them (a rejected one is not posted, the
change it announces stands); the bulk importer writes posts without hooks, as Mattermost's does."""

from __future__ import annotations

import json
from typing import Any

from chinwag.importers.bulk import BulkImporter
from chinwag.server import Server
from tests.api.helpers import team_with
from tests.conftest import World
from tests.plugins.test_plugin_runtime import install, settle

WATCH = """
    import json
    from chinwag.plugin import Plugin

    class Watch(Plugin):
        async def message_will_be_posted(self, c, post):
            if "blocked" in post.message:
                return None, "blocked"
            post.message += " [seen]"
            return post, ""

        async def message_has_been_posted(self, c, post):
            while True:
                old = await self.api.kv_get("log")
                items = json.loads(old) if old else []
                if await self.api.kv_compare_and_set("log", old, json.dumps(items + [post.type]).encode()):
                    return
"""


async def test_system_posts_pass_through_hooks_and_imports_do_not(world: World, server: Server,
                                                                  tmp_path: Any) -> None:
    t = await team_with(world, "bob", "carol", "blockedann")
    admin, bob, carol, ann = t.admin, t.members[0], t.members[1], t.members[2]
    await install(admin, "com.example.watch", WATCH)
    channel = await world.channel(bob, t.team, "watched")

    async def posts() -> list[dict[str, Any]]:
        data = (await bob.get(f"/channels/{channel['id']}/posts")).json()
        return [data["posts"][i] for i in reversed(data["order"])]

    # a join, an add and a header change: each system post through the hook
    r = await carol.post(f"/channels/{channel['id']}/members", {"user_id": carol.user["id"]})
    assert r.status_code == 201, r.text
    r = await bob.put(f"/channels/{channel['id']}/patch", {"header": "new header"})
    assert r.status_code == 200, r.text
    await settle(world)
    by_type = {p["type"]: p["message"] for p in await posts()}
    assert by_type["system_join_channel"] == "@carol joined the channel. [seen]"
    assert by_type["system_header_change"] == "@bob updated the channel header to: new header [seen]"
    log = json.loads(await world.srv.app.store.plugins.get("com.example.watch", "log", 0) or b"[]")
    assert "system_join_channel" in log and "system_header_change" in log

    # a rejected system post is not made; the change it announces is
    before = len(await posts())
    r = await bob.put(f"/channels/{channel['id']}/patch", {"header": "blocked header"})
    assert r.status_code == 200, r.text
    assert (await bob.get(f"/channels/{channel['id']}")).json()["header"] == "blocked header"
    await settle(world)
    assert len(await posts()) == before
    # a membership change whose post is rejected still happens
    r = await ann.post(f"/channels/{channel['id']}/members", {"user_id": ann.user["id"]})
    assert r.status_code == 201, r.text
    assert await world.srv.app.store.channels.is_member(channel["id"], ann.user["id"])
    r = await ann.delete(f"/channels/{channel['id']}/members/{ann.user['id']}")
    assert r.status_code == 200, r.text
    assert not await world.srv.app.store.channels.is_member(channel["id"], ann.user["id"])
    await settle(world)
    assert len(await posts()) == before
    log = json.loads(await world.srv.app.store.plugins.get("com.example.watch", "log", 0) or b"[]")

    # the bulk importer does not call the hooks
    lines = [{"type": "version", "version": 1},
             {"type": "post", "post": {"team": t.team["name"], "channel": "watched", "user": "bob",
                                       "message": "imported, blocked words and all", "create_at": 1700000000000}}]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    await BulkImporter(server.app, str(path)).run()
    await settle(world)
    assert any(p["message"] == "imported, blocked words and all" for p in await posts())
    after = json.loads(await world.srv.app.store.plugins.get("com.example.watch", "log", 0) or b"[]")
    assert after == log  # no MessageHasBeenPosted for the imported post
