"""Slack payload decoding and markup translation (pure functions of chinwag.model.slack)."""

from __future__ import annotations

import pytest

from chinwag.model import slack


@pytest.mark.parametrize(("value", "expected"), [
    (5, "5"), (1.5, "1.5"), (True, "true"), (123456, "123456"), (1234567, "1.234567e+06"), (1e8, "1e+08"),
    (0.00001, "1e-05"), (-2.25, "-2.25"), ([1, "a"], "[1 a]"), ({"b": 1, "a": 2}, "map[a:2 b:1]"), (None, "<nil>"),
])
def test_go_value_string(value: object, expected: str) -> None:
    assert slack.go_value_string(value) == expected


def test_markup() -> None:
    assert slack.links_to_markdown("see <https://a.example/x?y=1|the docs> and <https://b.example>") == \
        "see [the docs](https://a.example/x?y=1) and <https://b.example>"
    assert slack.expand_announcements("<!channel> <!here|here> <!everyone> <!all> <!subteam^S1|@devs>") == \
        "@channel @here @all @all @devs"
    assert slack.expand_announcements("in <#C024BE7LR|general>") == "in ~general"
    assert slack.user_refs("hi <@abc> and <@U1|bob>") == {"abc", "U1"}
    assert slack.replace_user_refs("hi <@abc> <@zzz>", {"abc": "alice"}) == "hi @alice <@zzz>"


def test_control_characters_are_escaped_on_retry() -> None:
    raw = b'{"text": "line1\nline2\ttab"}'
    assert slack.decode_json_lenient(raw) == {"text": "line1\nline2\ttab"}
    with pytest.raises(slack.PayloadError):
        slack.decode_json_lenient(b"{nope")


def test_parse_incoming_types() -> None:
    req = slack.parse_incoming({"text": "t", "attachments": [None, {"fields": [{"value": 2, "short": "TRUE"}]}],
                                "priority": {"priority": "urgent", "requested_ack": True}})
    assert req.attachments is not None and req.attachments[0]["fields"] == [
        {"title": "", "value": "2", "short": True}]
    assert req.priority == {"priority": "urgent", "requested_ack": True}
    assert slack.parse_incoming({"text": "t"}).attachments is None
    for bad in ({"text": 1}, {"attachments": {}}, {"attachments": [{"id": "x"}]}, {"props": []},
                {"priority": {"requested_ack": "yes"}}, []):
        with pytest.raises(slack.PayloadError):
            slack.parse_incoming(bad)


def test_split_runes() -> None:
    assert slack.split_runes("", 3) == [""]
    assert slack.split_runes("abcdefg", 3) == ["abc", "def", "g"]
    assert slack.split_runes("abcdef", 3) == ["abc", "def"]
