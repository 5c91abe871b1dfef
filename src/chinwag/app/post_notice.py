"""PostNotice: one saved post as the notification work (mentions, email, push) sees it."""

from __future__ import annotations

from dataclasses import dataclass, field

from chinwag.model.channel import Channel
from chinwag.model.post import Post
from chinwag.model.user import User


@dataclass
class PostNotice:
    """What the background notification work needs about one saved post."""

    post: Post
    channel: Channel
    sender: User
    sender_name: str
    mentioned: list[str]
    #: followers of the thread (CRT) who are not mentioned, per channel: email / push wanted
    thread_email: list[str] = field(default_factory=list)
    thread_push: list[str] = field(default_factory=list)
