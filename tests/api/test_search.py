"""Post search over HTTP on both databases: Mattermost's syntax, substrings, CJK/Thai, accents,
ranking, permissions, edited and deleted posts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.helpers import Team, channel_named, team_with
from tests.conftest import Client, World, assert_error


class Corpus:
    def __init__(self, t: Team, chans: dict[str, dict[str, Any]], posts: dict[str, dict[str, Any]]) -> None:
        self.t = t
        self.chans = chans
        self.posts = posts

    def ids(self, *keys: str) -> set[str]:
        return {self.posts[k]["id"] for k in keys}


async def _corpus(world: World) -> Corpus:
    t = await team_with(world, "bob", "carol", "dave")
    bob, carol, dave = t.members
    town = await channel_named(bob, t.id, "town-square")
    dev = await world.channel(bob, t.team, "dev")
    await bob.post(f"/channels/{dev['id']}/members", {"user_ids": [carol.user["id"]]})
    secret = await world.channel(dave, t.team, "secret", type="P")
    dm = (await bob.post("/channels/direct", [bob.user["id"], carol.user["id"]])).json()
    specs = {
        "deploy": (bob, dev, "We deploy the server on Friday"),
        "redeploy": (carol, dev, "Redeployment of the API failed, rolling back"),
        "resume": (carol, town, "Please send your Résumé to HR"),
        "code": (bob, dev, "call foo.bar() then check the_result"),
        "zh": (carol, town, "我们明天讨论中文搜索的问题"),
        "ja": (bob, town, "東京でミーティングがあります"),
        "th": (carol, dev, "ประชุมทีมที่กรุงเทพ"),
        "tag": (bob, town, "Release notes #launch are ready"),
        "tagx": (bob, town, "Nothing about #launchpad here"),
        "short": (carol, dev, "go is a nice language"),
        "dm": (bob, dm, "private note about the deploy key"),
        "secret": (dave, secret, "the deploy password is hunter2"),
    }
    posts = {k: await world.post(a, ch, msg) for k, (a, ch, msg) in specs.items()}
    return Corpus(t, {"town": town, "dev": dev, "secret": secret, "dm": dm}, posts)


async def _search(c: Client, team_id: str, terms: str, **kw: Any) -> dict[str, Any]:
    r = await c.post(f"/teams/{team_id}/posts/search", {"terms": terms, "is_or_search": False, **kw})
    assert r.status_code == 200, r.text
    body = dict(r.json())
    assert set(body["order"]) == set(body["posts"]) and set(body["matches"]) == set(body["order"])
    return body


async def _found(c: Client, team_id: str, terms: str, **kw: Any) -> set[str]:
    return set((await _search(c, team_id, terms, **kw))["order"])


@pytest.fixture
async def corpus(world: World) -> Corpus:
    return await _corpus(world)


async def test_words_substrings_and_accents(corpus: Corpus) -> None:
    bob = corpus.t.members[0]
    tid = corpus.t.id
    # a word finds itself and words containing it; private DM included for its member
    assert await _found(bob, tid, "deploy") == corpus.ids("deploy", "redeploy", "dm")
    assert await _found(bob, tid, "eploymen") == corpus.ids("redeploy")
    # case and accents folded both ways
    assert await _found(bob, tid, "resume") == corpus.ids("resume")
    assert await _found(bob, tid, "RÉSUMÉ") == corpus.ids("resume")
    # several words: all of them, or any with is_or_search
    assert await _found(bob, tid, "deploy friday") == corpus.ids("deploy")
    assert await _found(bob, tid, "friday résumé") == set()
    assert await _found(bob, tid, "friday résumé", is_or_search=True) == corpus.ids("deploy", "resume")
    # short words match whole words only
    assert await _found(bob, tid, "go") == corpus.ids("short")
    # code: punctuation is its own token, underscores are part of words
    assert await _found(bob, tid, "foo.bar") == corpus.ids("code")
    assert await _found(bob, tid, "the_result") == corpus.ids("code")
    assert await _found(bob, tid, "the_") == corpus.ids("code")


async def test_phrase_prefix_exclusion_hashtag(corpus: Corpus) -> None:
    bob = corpus.t.members[0]
    tid = corpus.t.id
    assert await _found(bob, tid, '"deploy the server"') == corpus.ids("deploy")
    assert await _found(bob, tid, '"the server deploy"') == set()
    # prefix: at the start of a word only
    assert await _found(bob, tid, "redeploy*") == corpus.ids("redeploy")
    assert await _found(bob, tid, "eploy*") == set()
    assert await _found(bob, tid, "deplo*") == corpus.ids("deploy", "dm")
    # exclusions, of words and phrases
    assert await _found(bob, tid, "deploy -friday") == corpus.ids("redeploy", "dm")
    assert await _found(bob, tid, 'deploy -"rolling back"') == corpus.ids("deploy", "dm")
    # hashtags match exactly
    assert await _found(bob, tid, "#launch") == corpus.ids("tag")
    assert await _found(bob, tid, "#LaunchPad") == corpus.ids("tagx")
    body = await _search(bob, tid, "deploy server")
    assert body["matches"][corpus.posts["deploy"]["id"]] == ["deploy", "server"]


async def test_cjk_and_thai_substrings(corpus: Corpus) -> None:
    bob = corpus.t.members[0]
    tid = corpus.t.id
    assert await _found(bob, tid, "中文") == corpus.ids("zh")
    assert await _found(bob, tid, "讨论中文") == corpus.ids("zh")
    assert await _found(bob, tid, "搜索") == corpus.ids("zh")
    assert await _found(bob, tid, "东京") == set()
    assert await _found(bob, tid, "東京") == corpus.ids("ja")
    assert await _found(bob, tid, "ミーティング") == corpus.ids("ja")
    assert await _found(bob, tid, "กรุงเทพ") == corpus.ids("th")
    assert await _found(bob, tid, "ทีม") == corpus.ids("th")


async def test_from_in_and_dates(corpus: Corpus, world: World) -> None:
    bob, carol, _dave = corpus.t.members
    tid = corpus.t.id
    assert await _found(bob, tid, "deploy from:carol") == corpus.ids("redeploy")
    assert await _found(bob, tid, "deploy from:@bob") == corpus.ids("deploy", "dm")
    assert await _found(bob, tid, "deploy -from:bob") == corpus.ids("redeploy")
    assert await _found(bob, tid, "from:carol in:dev") == corpus.ids("redeploy", "th", "short")
    assert await _found(bob, tid, "deploy in:dev") == corpus.ids("deploy", "redeploy")
    assert await _found(bob, tid, "deploy -in:dev") == corpus.ids("dm")
    assert await _found(bob, tid, "deploy in:@carol") == corpus.ids("dm")
    assert await _found(bob, tid, "deploy in:town-square in:@carol") == corpus.ids("dm")
    assert await _found(bob, tid, "deploy from:nobody") == set()
    assert await _found(bob, tid, "deploy in:no-such-channel") == set()
    # dates in the searcher's time zone
    created = corpus.posts["deploy"]["create_at"]
    day = datetime.fromtimestamp(created / 1000, UTC)
    today = day.strftime("%Y-%m-%d")
    assert corpus.posts["deploy"]["id"] in await _found(bob, tid, f"deploy on:{today}")
    assert await _found(bob, tid, f"deploy before:{today}") == set()
    assert await _found(bob, tid, f"deploy after:{today}") == set()
    assert corpus.posts["deploy"]["id"] in await _found(bob, tid, "deploy after:2001-01-01 before:2200-01-01")
    # a zone 14 hours east puts the post on the next day when it was written after 10:00 UTC
    east = 14 * 3600
    local_day = datetime.fromtimestamp(created / 1000 + east, UTC).strftime("%Y-%m-%d")
    assert corpus.posts["deploy"]["id"] in await _found(bob, tid, f"deploy on:{local_day}",
                                                         time_zone_offset=east)
    # carol sees the DM too, from either side
    assert corpus.posts["dm"]["id"] in await _found(carol, tid, "deploy in:@bob")


async def test_in_group_message_by_names(corpus: Corpus, world: World) -> None:
    bob, carol, dave = corpus.t.members
    tid = corpus.t.id
    ids = [bob.user["id"], carol.user["id"], dave.user["id"]]
    gm = (await bob.post("/channels/group", ids)).json()
    post = await world.post(carol, gm, "group deploy plan")
    names = [carol.user["username"], dave.user["username"]]
    assert await _found(bob, tid, f"deploy in:{names[0]},{names[1]}") == {post["id"]}
    assert await _found(bob, tid, f"deploy in:@{names[1]},@{names[0]}") == {post["id"]}
    assert await _found(bob, tid, f"deploy in:{gm['name']}") == {post["id"]}
    assert post["id"] not in await _found(bob, tid, f"deploy -in:{names[0]},{names[1]}")
    # the searcher's own name may be given too; a group the searcher is not in finds nothing
    assert await _found(dave, tid, f"deploy in:{bob.user['username']},{names[0]},{names[1]}") == {post["id"]}
    assert await _found(bob, tid, f"deploy in:{names[0]},nobody") == set()


async def test_permissions_and_archived_channels(corpus: Corpus, world: World) -> None:
    bob, carol, dave = corpus.t.members
    tid = corpus.t.id
    # never a private channel or DM the searcher is not in
    assert corpus.posts["secret"]["id"] not in await _found(bob, tid, "deploy")
    assert await _found(bob, tid, "hunter2") == set()
    assert await _found(bob, tid, "hunter2 in:secret") == set()
    assert await _found(dave, tid, "hunter2") == corpus.ids("secret")
    assert corpus.posts["dm"]["id"] not in await _found(dave, tid, "deploy")
    # only channels the searcher is a member of (dave never joined dev)
    assert await _found(dave, tid, "redeployment") == set()
    # a team the searcher is not in
    outsider = await world.user("eve")
    r = await outsider.post(f"/teams/{tid}/posts/search", {"terms": "deploy"})
    assert_error(r, 403)
    # archived channels only with include_deleted_channels
    r = await bob.delete(f"/channels/{corpus.chans['dev']['id']}")
    assert r.status_code == 200, r.text
    assert await _found(bob, tid, "deploy") == corpus.ids("dm")
    assert await _found(bob, tid, "deploy", include_deleted_channels=True) == corpus.ids("deploy", "redeploy", "dm")
    # every team: /posts/search
    r = await carol.post("/posts/search", {"terms": "résumé"})
    assert r.status_code == 200 and r.json()["order"] == [corpus.posts["resume"]["id"]]


async def test_edited_and_deleted_posts(corpus: Corpus) -> None:
    bob = corpus.t.members[0]
    tid = corpus.t.id
    pid = corpus.posts["deploy"]["id"]
    r = await bob.put(f"/posts/{pid}/patch", {"message": "We ship the kubernetes cluster on Monday"})
    assert r.status_code == 200, r.text
    assert pid not in await _found(bob, tid, "friday")
    assert await _found(bob, tid, "kubernetes") == {pid}
    r = await bob.delete(f"/posts/{pid}")
    assert r.status_code == 200
    assert await _found(bob, tid, "kubernetes") == set()


async def test_ranking_and_paging(world: World) -> None:
    t = await team_with(world, "bob")
    bob = t.members[0]
    ch = await world.channel(bob, t.team, "rank")
    whole = await world.post(bob, ch, "the build is green")
    inside = await world.post(bob, ch, "rebuilding the cache")
    newer_whole = await world.post(bob, ch, "another build done")
    # whole words before parts of words; newer first among equals
    body = await _search(bob, t.id, "build")
    assert body["order"] == [newer_whole["id"], whole["id"], inside["id"]]
    page0 = await _search(bob, t.id, "build", page=0, per_page=2)
    page1 = await _search(bob, t.id, "build", page=1, per_page=2)
    assert page0["order"] == body["order"][:2] and page0["has_next"] is True
    assert page1["order"] == body["order"][2:] and page1["has_next"] is False
    # system messages are not searched
    assert not (await _search(bob, t.id, "joined"))["order"]


async def test_bad_requests(world: World) -> None:
    t = await team_with(world, "bob")
    bob = t.members[0]
    assert_error(await bob.post(f"/teams/{t.id}/posts/search", {"terms": ""}), 400)
    assert_error(await bob.post(f"/teams/{t.id}/posts/search", {"terms": "x", "page": -1}), 400)
    assert_error(await bob.post(f"/teams/{t.id}/posts/search", {"terms": 5}), 400,
                 "api.post.search_posts.invalid_body.app_error")
    assert_error(await bob.post("/teams/nope/posts/search", {"terms": "x"}), 400)
    r = await bob.post(f"/teams/{t.id}/posts/search", {"terms": "-"})
    assert r.status_code == 200 and r.json()["order"] == []


async def test_reindex_picks_up_posts_written_directly(corpus: Corpus, world: World) -> None:
    """Posts written straight into the table (an import) are found after a reindex."""
    from chinwag.store.sql.tables import posts

    bob = corpus.t.members[0]
    tid = corpus.t.id
    row = {**{c.name: c.server_default.arg if c.server_default is not None else None for c in posts.c},
           "id": "imported0000000000000000ab", "createat": 1, "updateat": 1, "userid": bob.user["id"],
           "channelid": corpus.chans["dev"]["id"], "message": "Imported changelog über alles",
           "props": {}, "fileids": [], "ispinned": False, "hasreactions": False}
    row = {k: (int(v) if k in ("editat", "deleteat") else v) for k, v in row.items()}
    async with world.srv.db.write() as conn:
        await conn.execute(posts.insert().values(**row))
    assert await _found(bob, tid, "changelog") == set()
    indexed = await world.srv.app.search.engine.reindex()
    assert indexed == len(corpus.posts) + 1 + (await _count_system_posts(world))
    assert await _found(bob, tid, "changelog uber") == {"imported0000000000000000ab"}
    # idempotent
    await world.srv.app.search.engine.reindex()
    assert await _found(bob, tid, "ALLES") == {"imported0000000000000000ab"}


async def _count_system_posts(world: World) -> int:
    import sqlalchemy as sa

    from chinwag.store.sql.tables import posts

    async with world.srv.db.read() as conn:
        return int((await conn.execute(
            sa.select(sa.func.count()).select_from(posts).where(posts.c.type.like("system%")))).scalar_one())
