"""The text of notification emails: one post, or a digest of several grouped by channel, with
links back to the posts (ServiceSettings.SiteURL) and to the notification settings. Each mail is in
its recipient's language (the user's ``locale``, else LocalizationSettings.DefaultServerLocale), with
dates and times as people there write them, in the recipient's time zone."""

from __future__ import annotations

import html
from dataclasses import dataclass

from chinwag import i18n
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


@dataclass
class _Reader:
    """Whom a mail is for: their language and time zone."""

    t: i18n.Translator
    tz: str


class EmailComposer:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.site = cfg.ServiceSettings.SiteURL.rstrip("/")
        self.site_name = cfg.TeamSettings.SiteName or "chinwag"
        self.full = cfg.EmailSettings.EmailNotificationContentsType != "generic"

    def reader(self, to: User) -> _Reader:
        locale = i18n.pick(to.locale, self.cfg.LocalizationSettings.DefaultServerLocale)
        return _Reader(i18n.translator(locale), i18n.user_timezone(to.timezone))

    def settings_url(self) -> str:
        return self.site + SETTINGS_PATH

    def post_url(self, item: MailItem) -> str:
        return f"{self.site}/{item.team_name}/pl/{item.post.id}"

    def channel_url(self, item: MailItem) -> str:
        if item.channel.type == CHANNEL_DIRECT:
            return f"{self.site}/{item.team_name}/messages/@{item.sender.username}"
        return f"{self.site}/{item.team_name}/channels/{item.channel.name}"

    def channel_label(self, r: _Reader, item: MailItem) -> str:
        if item.channel.type == CHANNEL_DIRECT:
            return r.t("Direct message with @{username}", {"username": item.sender.username})
        return item.channel.display_name or item.channel.name

    def _message(self, r: _Reader, item: MailItem) -> str:
        if self.full:
            return item.post.message or r.t("(attachment)")
        values = {"username": item.sender.username}
        if item.channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
            return r.t("@{username} sent you a new message.", values)
        return r.t("@{username} mentioned you in a message.", values)

    def _common(self, r: _Reader, subject: str, title: str) -> tuple[dict[str, str], dict[str, str]]:
        """The values every template shares: (escaped when HTML, raw HTML)."""
        why = r.t("You are receiving this email from {site} because of your notification settings.",
                  {"site": self.site_name})
        change = r.t("{link}Change your notification settings{end} to stop these emails.")
        link = f'<a href="{html.escape(self.settings_url())}">'
        values = {
            "lang": r.t.locale,
            "subject": subject,
            "title": title,
            "view_message": r.t("View message"),
            "footer_text": why + "\n" + r.t("Change them to stop these emails: {url}", {"url": self.settings_url()}),
            "settings_url": self.settings_url(),
            "site_name": self.site_name,
        }
        raw = {"footer_html": html.escape(why) + "\n" + html.escape(change).replace("{link}", link)
               .replace("{end}", "</a>")}
        return values, raw

    def single(self, to: User, item: MailItem) -> OutgoingMail:
        r = self.reader(to)
        values = {"site": self.site_name, "sender": f"@{item.sender.username}",
                  "date": r.t.date(item.post.create_at, r.tz)}
        if item.channel.type == CHANNEL_DIRECT:
            subject = r.t("[{site}] New Direct Message from {sender} on {date}", values)
            title = r.t("{sender} sent you a direct message", values)
        elif item.channel.type == CHANNEL_GROUP:
            subject = r.t("[{site}] New Group Message from {sender} on {date}", values)
            title = r.t("{sender} sent you a group message", values)
        else:
            subject = r.t("[{site}] Notification in {team} on {date}", {**values, "team": item.team_display})
            title = r.t("{sender} mentioned you in {channel}", {**values, "channel": self.channel_label(r, item)})
        common, raw = self._common(r, subject, title)
        common.update({
            "sender": values["sender"],
            "channel": self.channel_label(r, item),
            "time": f"{values['date']} {r.t.time(item.post.create_at, r.tz)}",
            "message": self._message(r, item),
            "post_url": self.post_url(item),
        })
        return OutgoingMail(to.email, subject, render("notification.txt", common, raw),
                            render("notification.html", common, raw))

    def digest(self, to: User, items: list[MailItem], now: int) -> OutgoingMail:
        """One mail for several posts, grouped by channel in the order each channel first appears."""
        r = self.reader(to)
        subject = r.t("[{site}] New Notifications for {date}", {"site": self.site_name, "date": r.t.date(now, r.tz)})
        title = r.t.ngettext("You have {n} new notification", "You have {n} new notifications", len(items))
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
                    "time": r.t.time(item.post.create_at, r.tz),
                    "message": self._message(r, item),
                    "post_url": self.post_url(item),
                    "view_message": r.t("View message"),
                }
                post_html.append(render("digest_post.html", values))
                post_text.append(render("digest_post.txt", values))
            head = {"channel": self.channel_label(r, first), "channel_url": self.channel_url(first)}
            html_parts.append(render("digest_channel.html", head, {"posts": "".join(post_html)}))
            text_parts.append(render("digest_channel.txt", head, {"posts": "\n".join(post_text)}))
        common, raw = self._common(r, subject, title)
        return OutgoingMail(
            to.email,
            subject,
            render("digest.txt", common, {**raw, "channels": "".join(text_parts)}),
            render("digest.html", common, {**raw, "channels": "".join(html_parts)}),
        )
