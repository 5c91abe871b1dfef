"""Who is told, and how: the notify_props rules (pure)."""

from chinwag.app import notify_props
from chinwag.model.post import Post
from chinwag.model.user import Status


def _post(user_id: str = "sender", **kw: object) -> Post:
    return Post(id="p", create_at=1, update_at=1, user_id=user_id, channel_id="c", **kw)  # type: ignore[arg-type]


def test_push_levels_and_channel_overrides() -> None:
    p = _post()
    assert notify_props.push_wanted("u", {"push": "mention"}, {}, p, mentioned=True, is_gm=False)
    assert not notify_props.push_wanted("u", {"push": "mention"}, {}, p, mentioned=False, is_gm=False)
    assert notify_props.push_wanted("u", {"push": "all"}, {}, p, mentioned=False, is_gm=False)
    assert not notify_props.push_wanted("u", {"push": "all"}, {"push": "none"}, p, mentioned=True, is_gm=False)
    assert notify_props.push_wanted("u", {"push": "none"}, {"push": "all"}, p, mentioned=False, is_gm=False)
    # a group message is "all" for an account on "mention"
    assert notify_props.push_wanted("u", {"push": "mention"}, {"push": "default"}, p, mentioned=False, is_gm=True)
    # muted: only mentions
    assert not notify_props.push_wanted("u", {"push": "all"}, {"mark_unread": "mention"}, p, mentioned=False, is_gm=False)
    assert notify_props.push_wanted("u", {"push": "all"}, {"mark_unread": "mention"}, p, mentioned=True, is_gm=False)
    # never for system messages, nor for one's own post
    assert not notify_props.push_wanted("u", {"push": "all"}, {}, _post(type="system_join_channel"), True, False)
    assert not notify_props.push_wanted("sender", {"push": "all"}, {}, p, mentioned=False, is_gm=False)


def test_push_status() -> None:
    online, away, offline, dnd = (Status(user_id="u", status=s, last_activity_at=1000)
                                  for s in ("online", "away", "offline", "dnd"))
    assert notify_props.push_status_allows({"push_status": "online"}, online, "c", 2000)
    assert not notify_props.push_status_allows({"push_status": "online"}, online, "c", 2000, active_channel="c")
    assert notify_props.push_status_allows({"push_status": "online"}, online, "c", 10**9, active_channel="c")
    assert not notify_props.push_status_allows({"push_status": "away"}, online, "c", 2000)
    assert notify_props.push_status_allows({"push_status": "away"}, away, "c", 2000)
    assert notify_props.push_status_allows({"push_status": "away"}, offline, "c", 2000)
    assert not notify_props.push_status_allows({"push_status": "offline"}, away, "c", 2000)
    assert notify_props.push_status_allows({"push_status": "offline"}, offline, "c", 2000)
    assert not notify_props.push_status_allows({"push_status": "online"}, dnd, "c", 2000)


def test_email() -> None:
    assert notify_props.email_wanted({"email": "true"}, {})
    assert not notify_props.email_wanted({"email": "false"}, {})
    assert notify_props.email_wanted({"email": "false"}, {"email": "all"})
    assert not notify_props.email_wanted({"email": "true"}, {"email": "none"})
    assert not notify_props.email_wanted({"email": "true"}, {"mark_unread": "mention"})  # muted
    assert notify_props.email_status_allows(Status(user_id="u", status="away"))
    assert not notify_props.email_status_allows(Status(user_id="u", status="online"))


def test_comments_and_threads() -> None:
    assert notify_props.comment_mention({"comments": "root"}, is_root_author=True, participated=False)
    assert not notify_props.comment_mention({"comments": "root"}, is_root_author=False, participated=True)
    assert notify_props.comment_mention({"comments": "any"}, is_root_author=False, participated=True)
    assert not notify_props.comment_mention({"comments": "never"}, is_root_author=True, participated=True)
    assert notify_props.thread_level("desktop_threads", {"desktop_threads": "mention"}, {"desktop_threads": "all"}) == "all"
    assert notify_props.thread_level("push_threads", {}, {"push_threads": "default"}) == "all"
