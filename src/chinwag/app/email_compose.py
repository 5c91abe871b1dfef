"""The text of notification emails: one post, or a digest of several grouped by channel, with
links back to the posts (ServiceSettings.SiteURL) and to the notification settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chinwag.config import Config
from chinwag.mail.sender import OutgoingMail
from chinwag.mail.templates import render
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, Channel
from chinwag.model.post import Post
from chinwag.model.user import User

#: where the unsubscribe link points (the web UI's notification settings)
SETTINGS_PATH = "/settings/notifications"


@dataclass
class MailItem:
    """One post to tell a user about, with what its email needs."""

    post: Post
    channel: Channel
    sender: User
    team_name: str  # for links: the channel's team, or (DMs) one of the recipient's teams
    team_display: str


def _date(ms: int) -> str:
    t = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return f"{t:%B} {t.day}, {t.year}"


def _time(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%H:%M UTC")


class EmailComposer:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.site = cfg.ServiceSettings.SiteURL.rstrip("/")
        self.site_name = cfg.TeamSettings.SiteName or "chinwag"
        self.full = cfg.EmailSettings.EmailNotificationContentsType != "generic"

    def settings_url(self) -> str:
        return self.site + SETTINGS_PATH

    def post_url(self, item: MailItem) -> str:
        return f"{self.site}/{item.team_name}/pl/{item.post.id}"

    def channel_url(self, item: MailItem) -> str:
        if item.channel.type == CHANNEL_DIRECT:
            return f"{self.site}/{item.team_name}/messages/@{item.sender.username}"
        return f"{self.site}/{item.team_name}/channels/{item.channel.name}"

    def channel_label(self, item: MailItem) -> str:
        if item.channel.type == CHANNEL_DIRECT:
            return f"Direct message with @{item.sender.username}"
        return item.channel.display_name or item.channel.name

    def _message(self, item: MailItem) -> str:
        if self.full:
            return item.post.message or "(attachment)"
        if item.channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
            return f"@{item.sender.username} sent you a new message."
        return f"@{item.sender.username} mentioned you in a message."

    def single(self, to: User, item: MailItem) -> OutgoingMail:
        sender = f"@{item.sender.username}"
        date = _date(item.post.create_at)
        if item.channel.type == CHANNEL_DIRECT:
            subject = f"[{self.site_name}] New Direct Message from {sender} on {date}"
            title = f"{sender} sent you a direct message"
        elif item.channel.type == CHANNEL_GROUP:
            subject = f"[{self.site_name}] New Group Message from {sender} on {date}"
            title = f"{sender} sent you a group message"
        else:
            subject = f"[{self.site_name}] Notification in {item.team_display} on {date}"
            title = f"{sender} mentioned you in {self.channel_label(item)}"
        values = {
            "subject": subject,
            "title": title,
            "sender": sender,
            "channel": self.channel_label(item),
            "time": f"{date} {_time(item.post.create_at)}",
            "message": self._message(item),
            "post_url": self.post_url(item),
            "settings_url": self.settings_url(),
            "site_name": self.site_name,
        }
        return OutgoingMail(to.email, subject, render("notification.txt", values),
                            render("notification.html", values))

    def digest(self, to: User, items: list[MailItem], now: int) -> OutgoingMail:
        """One mail for several posts, grouped by channel in the order each channel first appears."""
        subject = f"[{self.site_name}] New Notifications for {_date(now)}"
        title = f"You have {len(items)} new notification{'s' if len(items) != 1 else ''}"
        groups: dict[str, list[MailItem]] = {}
        for item in items:
            groups.setdefault(item.channel.id, []).append(item)
        html_parts: list[str] = []
        text_parts: list[str] = []
        for group in groups.values():
            first = group[0]
            post_html = []
            post_text = []
            for item in group:
                values = {
                    "sender": f"@{item.sender.username}",
                    "time": _time(item.post.create_at),
                    "message": self._message(item),
                    "post_url": self.post_url(item),
                }
                post_html.append(render("digest_post.html", values))
                post_text.append(render("digest_post.txt", values))
            head = {"channel": self.channel_label(first), "channel_url": self.channel_url(first)}
            html_parts.append(render("digest_channel.html", head, {"posts": "".join(post_html)}))
            text_parts.append(render("digest_channel.txt", head, {"posts": "\n".join(post_text)}))
        values = {"subject": subject, "title": title, "settings_url": self.settings_url(),
                  "site_name": self.site_name}
        return OutgoingMail(
            to.email,
            subject,
            render("digest.txt", values, {"channels": "".join(text_parts)}),
            render("digest.html", values, {"channels": "".join(html_parts)}),
        )
