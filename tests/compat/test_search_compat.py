"""Search through the PyPI `mattermostdriver` against a real `chinwag serve`: posts
(`posts.search_for_team_posts`) and channels (`channels.search_channels`, `autocomplete_channels`)."""

from __future__ import annotations

import pytest

from tests.compat.conftest import LiveServer
from tests.compat.test_mattermostdriver import scene

pytestmark = pytest.mark.compat


def test_search_for_team_posts(live_server: LiveServer) -> None:
    s = scene(live_server, "owner", "member")
    owner, member = s.users["owner"], s.users["member"]
    tid = s.team["id"]
    town = owner.channels.get_channel_by_name(tid, "town-square")
    private = owner.channels.create_channel({"team_id": tid, "name": live_server.unique("priv"),
                                             "display_name": "Private", "type": "P"})
    p1 = owner.posts.create_post({"channel_id": town["id"], "message": "Redeployment of the Résumé service"})
    p2 = member.posts.create_post({"channel_id": town["id"], "message": "我们明天讨论中文搜索"})
    p3 = owner.posts.create_post({"channel_id": private["id"], "message": "deploy keys are in the vault"})

    def search(d: object, terms: str, **kw: object) -> dict:
        result = d.posts.search_for_team_posts(tid, {"terms": terms, "is_or_search": False, **kw})  # type: ignore[attr-defined]
        assert set(result) >= {"order", "posts", "matches"}
        return dict(result)

    r = search(member, "deploy")
    assert r["order"] == [p1["id"]] and r["posts"][p1["id"]]["message"] == p1["message"]
    assert r["matches"] == {p1["id"]: ["deploy"]}
    assert search(owner, "deploy")["order"] == [p3["id"], p1["id"]]
    assert search(owner, "resume from:" + owner.client.username)["order"] == [p1["id"]]
    assert search(member, "中文")["order"] == [p2["id"]]
    assert search(member, '"the résumé" -vault')["order"] == [p1["id"]]
    assert search(member, "vault")["order"] == []
    assert set(search(owner, "vault chinese 搜索", is_or_search=True)["order"]) == {p2["id"], p3["id"]}

    found = owner.channels.search_channels(tid, {"term": "town"})
    assert [c["id"] for c in found] == [town["id"]]
    auto = owner.channels.autocomplete_channels(tid, {"name": "priv"})
    assert [c["id"] for c in auto] == [private["id"]]
    assert member.channels.autocomplete_channels(tid, {"name": "priv"}) == []
