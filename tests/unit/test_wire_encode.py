"""``encode`` writes wire structs through ``wire_dict`` (shallow, no deep copy of nested values): the JSON must be
exactly what the deep ``to_dict`` path gives, and encoding must not change the struct."""

from __future__ import annotations

import copy

import msgspec

from chinwag.model.channel import Channel
from chinwag.model.file import FileInfo
from chinwag.model.post import Post, PostList
from chinwag.model.user import User
from chinwag.model.wire import encode, to_jsonable


def _old(value: object) -> object:
    return msgspec.json.decode(msgspec.json.encode(to_jsonable(value)))


def _posts() -> list[Post]:
    action = {"id": "a1", "name": "Go", "integration": {"url": "http://hook.example/x", "context": {"s": 1}}}
    return [
        Post(id="p1", user_id="u1", channel_id="c1", message="plain", create_at=5),
        Post(id="p2", user_id="u1", channel_id="c1", message="with attachments", message_source="src",
             has_reactions=True, remote_id="r", is_following=False, participants=[{"id": "u2"}],
             props={"attachments": [{"text": "t", "actions": [action]}], "from_webhook": "true"},
             metadata={"files": [FileInfo(id="f1", name="a.png", extension="png")], "embeds": []},
             file_ids=["f1"]),
        Post(id="p3", user_id="u2", channel_id="c1", root_id="p1", props={"disable_group_highlight": True},
             is_following=True, reply_count=2),
    ]


def test_encode_gives_the_deep_path_json_and_leaves_the_struct_whole() -> None:
    posts = _posts()
    plist = PostList(order=[p.id for p in posts], posts={p.id: p for p in posts}, prev_post_id="p0",
                     matches={"p1": ["plain"]})
    before = copy.deepcopy(plist)
    values: list[object] = [*posts, plist, PostList(), [posts[0], {"k": posts[2]}],
                            User(id="u1", username="alice", email="a@example.com", notify_props={"push": "all"}),
                            Channel(id="c1", name="town-square", display_name="Town Square", team_id="t1"),
                            FileInfo(id="f1", name="a.png", extension="png", path="secret/a.png")]
    for v in values:
        assert msgspec.json.decode(encode(v)) == _old(v), v
    assert plist == before  # the action's integration is stripped in the JSON only
    assert "integration" not in encode(plist).decode() and "integration" in str(plist.posts["p2"].props)
    assert "secret" not in encode(values[-1]).decode()
