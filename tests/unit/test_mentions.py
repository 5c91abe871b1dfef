"""Mention and hashtag parsing."""

from chinwag.app.mentions import parse_hashtags, parse_mentions


def test_usernames_and_specials() -> None:
    m = parse_mentions("hey @Alice and @bob.smith, see @channel! (@here)")
    assert m.usernames == {"alice", "bob.smith"}
    assert m.channel and m.here
    assert parse_mentions("@all hands").channel


def test_code_is_not_a_mention() -> None:
    m = parse_mentions("`@alice` and\n```\n@bob @channel\n```\n@carol")
    assert m.usernames == {"carol"} and not m.channel


def test_punctuation_and_emails() -> None:
    m = parse_mentions("mail bob@example.com, ping @dave. thanks @erin-")
    assert "example.com" not in m.usernames and "dave" in m.usernames and "erin" in m.usernames


def test_hashtags() -> None:
    assert parse_hashtags("release #v2release and #deploy-prod, not `#code`") == "#v2release #deploy-prod"


# mention keys: words, first names, custom keys ------------------------------------------------------

from chinwag.app.mentions import keys_match, message_words, user_keys  # noqa: E402


def _mentions(message: str, username: str = "bob", first: str = "", **props: str) -> bool:
    return keys_match(message_words(message), user_keys(username, first, props))


def test_username_key_word_boundaries() -> None:
    assert _mentions("hi @bob")
    assert _mentions("hi @BOB!") and _mentions("(@bob)") and _mentions("@bob, @bob: @bob.")
    assert not _mentions("hi @bobby") and not _mentions("hi @bo") and not _mentions("mail x@bob")
    assert not _mentions("hi bob")  # plain username only when it is a mention key


def test_custom_keys_case_insensitive_and_punctuation() -> None:
    props = {"mention_keys": "bob,@bob, Deploy ,on-call"}
    assert _mentions("Bob, look", **props) and _mentions("who is ON-CALL?", **props)
    assert _mentions("the deploy.", **props) and _mentions("deploy's log", **props)
    assert not _mentions("deployment done", **props) and not _mentions("bobcat", **props)


def test_first_name_is_case_sensitive_and_opt_in() -> None:
    assert _mentions("thanks Robert!", first="Robert", first_name="true")
    assert not _mentions("thanks robert", first="Robert", first_name="true")
    assert not _mentions("thanks Robert", first="Robert", first_name="false")


def test_keys_in_code_are_not_mentions() -> None:
    props = {"mention_keys": "deploy"}
    assert not _mentions("`@bob` and `deploy`", **props)
    assert not _mentions("```\n@bob deploy\n```", **props)
    assert not _mentions("```python\nprint('@bob')", **props)  # unclosed block runs to the end
    assert _mentions("`code` then @bob", **props)
