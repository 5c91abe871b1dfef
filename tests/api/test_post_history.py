"""A post's edit history and restoring an earlier version (Mattermost's ``GET /posts/{id}/edit_history``
and ``POST /posts/{id}/restore/{restore_version_id}``): each edit of the text or files keeps the post as
it was, as a version only its author reads and may restore."""

from __future__ import annotations

import json
from typing import Any

from tests.api.helpers import NO_SUCH_ID, team_with
from tests.conftest import Client, World, assert_error
from tests.waiting import until


async def upload(c: Client, channel_id: str, name: str, body: bytes) -> dict[str, Any]:
    r = await c.http.post("/files", data={"channel_id": channel_id}, files={"files": (name, body, "text/plain")},
                          headers=c._headers(None))
    assert r.status_code == 201, r.text
    return dict(r.json()["file_infos"][0])


async def next_millisecond(world: World) -> None:
    """Each edit at a later time than the one before, so the versions' order (by edit time) is certain."""
    start = world.srv.app.core.now()
    await until(lambda: world.srv.app.core.now() > start)


async def test_edit_history_and_restore(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    ch = await world.channel(bob, t.team, "history")
    assert (await bob.post(f"/channels/{ch['id']}/members", {"user_id": carol.user["id"]})).status_code == 201
    seen: list[dict[str, Any]] = []
    world.srv.stream.subscribe(lambda _pos, ev: seen.append(ev))

    f1 = await upload(bob, ch["id"], "one.txt", b"one")
    post = await world.post(bob, ch, "first", file_ids=[f1["id"]])
    pid = post["id"]
    # never edited: no history (404); pinning is not an edit
    assert_error(await bob.get(f"/posts/{pid}/edit_history"), 404, "app.post.get.app_error")
    assert (await bob.post(f"/posts/{pid}/pin")).status_code == 200
    assert_error(await bob.get(f"/posts/{pid}/edit_history"), 404, "app.post.get.app_error")

    r = await bob.put(f"/posts/{pid}/patch", {"message": "second", "file_ids": []})
    assert r.status_code == 200, r.text
    await next_millisecond(world)
    r = await bob.put(f"/posts/{pid}", {"id": pid, "message": "third"})
    assert r.status_code == 200, r.text
    third_edit_at = r.json()["edit_at"]

    r = await bob.get(f"/posts/{pid}/edit_history")
    assert r.status_code == 200, r.text
    history = r.json()
    assert [h["message"] for h in history] == ["second", "first"]  # the latest edit first
    second, first = history
    for h in history:
        assert h["original_id"] == pid and h["id"] != pid and h["delete_at"] > 0
        assert h["channel_id"] == ch["id"] and h["user_id"] == bob.user["id"]
    assert first["edit_at"] == 0 and second["edit_at"] > 0
    assert first["file_ids"] == [f1["id"]] and [f["id"] for f in first["metadata"]["files"]] == [f1["id"]]
    assert second["file_ids"] == [] and second["metadata"]["files"] == []
    # the versions are not posts of the channel, not even deleted ones
    feed = (await bob.get(f"/channels/{ch['id']}/posts", params={"since": post["create_at"] - 1})).json()
    assert set(feed["posts"]) == {pid}
    feed = (await bob.get(f"/channels/{ch['id']}/posts")).json()
    assert set(feed["order"]) >= {pid} and not {h["id"] for h in history} & set(feed["posts"])
    search = (await bob.post(f"/teams/{t.team['id']}/posts/search", {"terms": "first"})).json()
    assert search["order"] == []
    # the file removed by the edit is gone from the post
    assert (await bob.get(f"/posts/{pid}")).json()["file_ids"] == []

    # only the author reads the history
    assert_error(await carol.get(f"/posts/{pid}/edit_history"), 403, "api.context.permissions.app_error")
    assert_error(await t.admin.get(f"/posts/{pid}/edit_history"), 403, "api.context.permissions.app_error")
    assert_error(await bob.get(f"/posts/{NO_SUCH_ID}/edit_history"), 403, "api.context.permissions.app_error")
    assert_error(await bob.get("/posts/nope/edit_history"), 400)
    assert_error(await world.client().get(f"/posts/{pid}/edit_history"), 401)

    # restoring the first version: its text and file back, itself an edit, post_edited sent
    await next_millisecond(world)
    seen.clear()
    r = await bob.post(f"/posts/{pid}/restore/{first['id']}")
    assert r.status_code == 200, r.text
    restored = r.json()
    assert restored["id"] == pid and restored["message"] == "first" and restored["file_ids"] == [f1["id"]]
    assert restored["edit_at"] >= third_edit_at and restored["is_pinned"] is True
    assert [f["id"] for f in restored["metadata"]["files"]] == [f1["id"]]
    edited = [e for e in seen if e["event"] == "post_edited"]
    assert len(edited) == 1 and json.loads(edited[0]["data"]["post"])["message"] == "first"
    assert edited[0]["broadcast"]["channel_id"] == ch["id"]
    got = (await carol.get(f"/posts/{pid}")).json()
    assert got["message"] == "first" and [f["id"] for f in got["metadata"]["files"]] == [f1["id"]]
    assert (await bob.get(f"/files/{f1['id']}/info")).status_code == 200
    history = (await bob.get(f"/posts/{pid}/edit_history")).json()
    assert [h["message"] for h in history] == ["third", "second", "first"]


async def test_restore_refusals(world: World) -> None:
    t = await team_with(world, "bob", "carol")
    bob, carol = t.members
    ch = await world.channel(bob, t.team, "history")
    assert (await bob.post(f"/channels/{ch['id']}/members", {"user_id": carol.user["id"]})).status_code == 201
    post = await world.post(bob, ch, "one")
    other = await world.post(bob, ch, "other")
    carols = await world.post(carol, ch, "carol's")
    for p, text in ((post, "two"), (other, "other 2"), (carols, "carol's 2")):
        author = carol if p is carols else bob
        assert (await author.put(f"/posts/{p['id']}/patch", {"message": text})).status_code == 200
    version = (await bob.get(f"/posts/{post['id']}/edit_history")).json()[0]
    others_version = (await bob.get(f"/posts/{other['id']}/edit_history")).json()[0]
    carols_version = (await carol.get(f"/posts/{carols['id']}/edit_history")).json()[0]

    # a version that is not this post's: 400
    assert_error(await bob.post(f"/posts/{post['id']}/restore/{others_version['id']}"), 400,
                 "app.post.restore_post_version.not_an_history_item.app_error")
    # a live post is no version of another, nor of itself: 400
    assert_error(await bob.post(f"/posts/{other['id']}/restore/{post['id']}"), 400,
                 "app.post.restore_post_version.not_an_history_item.app_error")
    assert_error(await bob.post(f"/posts/{post['id']}/restore/{post['id']}"), 400,
                 "app.post.restore_post_version.not_an_history_item.app_error")
    # someone else's version, an unknown one, an unknown post: 403 as Mattermost
    assert_error(await bob.post(f"/posts/{carols['id']}/restore/{carols_version['id']}"), 403,
                 "api.context.permissions.app_error")
    assert_error(await carol.post(f"/posts/{post['id']}/restore/{version['id']}"), 403,
                 "api.context.permissions.app_error")
    assert_error(await bob.post(f"/posts/{post['id']}/restore/{NO_SUCH_ID}"), 403, "api.context.permissions.app_error")
    assert_error(await bob.post(f"/posts/{NO_SUCH_ID}/restore/{version['id']}"), 403,
                 "api.context.permissions.app_error")
    assert_error(await bob.post(f"/posts/{post['id']}/restore/not-an-id"), 400, "api.context.invalid_url_param.app_error")
    assert_error(await world.client().post(f"/posts/{post['id']}/restore/{version['id']}"), 401)
    # past the edit time limit: 400
    world.srv.config.effective.ServiceSettings.PostEditTimeLimit = 1
    world.srv.app.core.now = lambda: post["create_at"] + 5000  # type: ignore[method-assign]
    assert_error(await bob.post(f"/posts/{post['id']}/restore/{version['id']}"), 400,
                 "api.post.update_post.permissions_time_limit.app_error")
    assert (await bob.get(f"/posts/{post['id']}")).json()["message"] == "two"
