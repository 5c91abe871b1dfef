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


def _wire_classes() -> list[type]:
    import importlib
    import pkgutil

    import chinwag.model
    from chinwag.model.wire import Wire

    for mod in pkgutil.iter_modules(chinwag.model.__path__):
        importlib.import_module(f"chinwag.model.{mod.name}")
    seen: list[type] = []
    todo = [Wire]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


def _sample(cls: type, full: bool) -> object:
    """A value of ``cls``: required fields filled, and with ``full`` every field non-empty."""
    values: dict[str, object] = {}
    for f in msgspec.structs.fields(cls):
        if not (f.required or full):
            continue
        text = repr(f.type)
        if "Unset" in text and not f.required:
            continue
        # the outermost of these names in the type: ``dict[str, str] | None`` is a dict
        kinds = {"dict": {"k": "v"}, "list": [], "str": "x", "bool": True, "int": 7, "float": 7}
        found = [(text.find(k), k) for k in kinds if k in text]
        if found:
            values[f.name] = kinds[min(found)[1]]
    return msgspec.convert(values, cls, strict=False)


def test_every_wire_class_encodes_the_bytes_of_its_wire_dict() -> None:
    """``encode`` hands msgspec some structs as they are (no dict built): the bytes must be those of the
    dict path, for every wire class, with empty and with filled fields."""
    from chinwag.model.wire import _encoder

    classes = _wire_classes()
    assert len(classes) > 20
    checked = 0
    for cls in classes:
        for full in (False, True):
            try:
                v = _sample(cls, full)
            except (msgspec.ValidationError, TypeError):
                continue
            assert encode(v) == _encoder.encode(v.wire_dict()), cls  # type: ignore[attr-defined]
            assert encode([v, {"k": v}]) == _encoder.encode([v.wire_dict(), {"k": v.wire_dict()}]), cls  # type: ignore[attr-defined]
            assert msgspec.json.decode(encode(v)) == _old(v), cls
            checked += 1
    assert checked > 20
