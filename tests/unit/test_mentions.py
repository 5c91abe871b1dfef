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
