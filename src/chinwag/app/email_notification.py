"""Email notifications: queued in the database after a post is saved, mailed by a job loop that runs
in every server process.

- Who: users the post mentions (DMs and group messages always), and with CRT the followers of the
  thread whose ``email_threads`` is "all" — if email is on for them in that channel (account
  ``email``, channel override, not muted), they are not online, not deactivated and not bots.
- When: at once, or — with EmailSettings.EnableEmailBatching — in one digest per user per interval
  (the ``notifications``/``email_interval`` preference in seconds; 900 when unset), sent at the next
  tick of ``EmailBatchingInterval`` (the digest cadence) after that.
- The queue (table ``emailnotifications``) is durable: a row is deleted only once its mail went out.
  A failed send is retried with exponential backoff (capped at 10 minutes) for up to a day; a node's claim on rows expires, so rows a dead
  node held are sent by another. An SMTP server that cannot be reached at all (refused, timed out)
  pauses the whole job on this node with the same backoff: the rest of the claimed mails are put
  back untried (not composed, their attempts unchanged), no rows are claimed until the pause ends, and
  then one mail probes the server — a down mail server costs one connection attempt per pause, not
  one (and a composed mail) per queued row. A post read (channel viewed past it) or deleted before its mail
  goes out is dropped."""

from __future__ import annotations

import asyncio
import secrets
from collections import defaultdict

import msgspec
import structlog

from chinwag.app import notify_props
from chinwag.app.background import WorkLoop
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.email_compose import EmailComposer, MailItem
from chinwag.app.post_notice import PostNotice
from chinwag.app.status import StatusService
from chinwag.mail.sender import MailError, OutgoingMail, SmtpSender
from chinwag.model.channel import Channel, ChannelMember
from chinwag.model.errors import AppError
from chinwag.model.ids import new_id
from chinwag.model.post import Post
from chinwag.model.user import User
from chinwag.store.errors import NotFound
from chinwag.store.sql.email_notification_store import EmailQueueItem

log = structlog.get_logger("chinwag.email")

PREF_CATEGORY = "notifications"
PREF_EMAIL_INTERVAL = "email_interval"
DEFAULT_BATCH_SECONDS = 900


def batch_seconds(pref: str | None) -> int:
    """The user's digest interval in seconds (0: no email at all)."""
    try:
        value = int(pref) if pref not in (None, "") else DEFAULT_BATCH_SECONDS
    except ValueError:
        return DEFAULT_BATCH_SECONDS
    return max(value, 0)


def batch_tick(due_ms: int, interval_seconds: int) -> int:
    """When a digest due at ``due_ms`` goes out: at the next tick of EmailSettings.EmailBatchingInterval
    (seconds, counted from the epoch so every node agrees), like Mattermost's batching job that looks
    for due digests once per interval."""
    step = max(interval_seconds, 0) * 1000
    return -(-due_ms // step) * step if step else due_ms


class EmailNotificationService:
    def __init__(
        self,
        core: AppCore,
        directory: Directory,
        statuses: StatusService,
        sender: SmtpSender | None = None,
    ) -> None:
        self.core = core
        self.directory = directory
        self.statuses = statuses
        self.sender = sender or SmtpSender(lambda: core.cfg.EmailSettings)
        self.node_id = new_id()
        self.claim_ttl_ms = 5 * 60_000
        self.retry_base_ms = 5_000
        self.retry_max_ms = 10 * 60_000
        #: a mail still failing this long after its post is given up (logged)
        self.give_up_ms = 24 * 3600_000
        self.users_per_claim = 50
        #: the SMTP server could not be reached: no mail is tried before this time (ms) on this node
        self.smtp_down_until = 0
        self._smtp_pause_ms = 0
        self.loop = WorkLoop("email", lambda: self.run_once(in_loop=True), poll_seconds=1.0,
                             lease=core.poll_lease)
        self._in_loop = False
        #: mails the SMTP server took / refused (or could not be reached for), by this process
        self.sent = 0
        self.failed = 0

    # queueing ------------------------------------------------------------------------------------

    async def enqueue_for_post(self, notice: PostNotice, members: dict[str, tuple[User, ChannelMember]]) -> int:
        """Queue the emails a saved post calls for; how many were queued."""
        items = await self.plan_for_post(notice, members)
        await self.core.store.email_notifications.enqueue(items)
        if items:
            self.loop.wake()
        return len(items)

    async def plan_for_post(self, notice: PostNotice,
                            members: dict[str, tuple[User, ChannelMember]]) -> list[EmailQueueItem]:
        """The queue rows of the emails a saved post calls for (reads only; the caller writes them)."""
        s = self.core.cfg.EmailSettings
        if not s.SendEmailNotifications:
            return []
        candidates = [u for u in dict.fromkeys([*notice.mentioned, *notice.thread_email])
                      if u != notice.sender.id and u in members]
        wanted: list[str] = []
        for uid in candidates:
            user, member = members[uid]
            if user.delete_at or user.is_bot or not user.email:
                continue
            if notify_props.email_wanted(user.notify_props, member.notify_props):
                wanted.append(uid)
        if not wanted:
            return []
        statuses = await self.statuses.get_many(wanted)
        wanted = [st.user_id for st in statuses if notify_props.email_status_allows(st)]
        now = self.core.now()
        store = self.core.store
        send_at = dict.fromkeys(wanted, now)
        digest = s.EnableEmailBatching
        if digest and wanted:
            prefs = await store.preferences.values_for(wanted, PREF_CATEGORY, PREF_EMAIL_INTERVAL)
            scheduled = await store.email_notifications.digest_send_at(wanted)
            for uid in list(wanted):
                seconds = batch_seconds(prefs.get(uid))
                if seconds == 0:
                    wanted.remove(uid)
                    continue
                send_at[uid] = scheduled.get(uid) or batch_tick(notice.post.create_at + seconds * 1000,
                                                                s.EmailBatchingInterval)
        # queue row ids stay inside the server: 26 hex characters are much cheaper than new_id()
        return [EmailQueueItem(secrets.token_hex(13), uid, notice.post.id, notice.channel.id, now, send_at[uid],
                               digest) for uid in wanted]

    # the job loop --------------------------------------------------------------------------------

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        """Stop the loop. Its flag matters: a cancellation that lands inside the SMTP client may
        come back as an SMTP error instead of CancelledError."""
        await self.loop.stop()

    async def run_once(self, in_loop: bool = False) -> int:
        """Claim due rows and mail them; how many rows were handled."""
        self._in_loop = in_loop
        now = self.core.now()
        if now < self.smtp_down_until:  # the mail server was unreachable: the rows wait in the queue
            return 0
        store = self.core.store.email_notifications
        claimed = await store.claim(self.node_id, now, now - self.claim_ttl_ms, self.users_per_claim)
        by_user: dict[str, list[EmailQueueItem]] = defaultdict(list)
        for item in claimed:
            by_user[item.user_id].append(item)
        for uid, items in by_user.items():
            if in_loop and self.loop.stopping:  # unsent claims expire and another node (or the next start) sends them
                break
            if self.smtp_down_until > now:  # it became unreachable meanwhile: the rest waits, untried
                await store.postpone(self.node_id, [i.id for i in items], self.smtp_down_until)
                continue
            await self._send_user(uid, items)
        return len(claimed)

    def _unreachable(self) -> None:
        """The SMTP server could not be reached: pause this node's mail, twice as long as last time (the
        retry backoff's base and cap), until a send succeeds again."""
        self._smtp_pause_ms = min(max(self._smtp_pause_ms * 2, self.retry_base_ms), self.retry_max_ms)
        self.smtp_down_until = self.core.now() + self._smtp_pause_ms

    async def enqueue_mail(self, user_id: str, mail: OutgoingMail) -> None:
        """Queue one account mail (password reset, verification, invitation): the message is stored whole, so
        it survives a restart and is retried like the notifications; ``user_id`` is whom it concerns."""
        now = self.core.now()
        body = msgspec.json.encode({"to": mail.to, "subject": mail.subject, "text": mail.text, "html": mail.html})
        await self.core.store.email_notifications.enqueue(
            [EmailQueueItem(secrets.token_hex(13), user_id, "", "", now, now, False, 0, body.decode())])
        self.loop.wake()

    async def _send_user(self, user_id: str, items: list[EmailQueueItem]) -> None:
        account = [i for i in items if i.mail]
        if account:
            await self._deliver(user_id, [([i], OutgoingMail(**msgspec.json.decode(i.mail))) for i in account])
            items = [i for i in items if not i.mail]
            if not items:
                return
        store = self.core.store
        try:
            user = await store.users.get(user_id)
        except NotFound:
            await store.email_notifications.done(self.node_id, [i.id for i in items])
            return
        live: list[tuple[EmailQueueItem, MailItem]] = []
        drop: list[str] = []
        for item in items:
            mail_item = None if user.delete_at else await self._still_unread(user, item)
            if mail_item is None:
                drop.append(item.id)
            else:
                live.append((item, mail_item))
        await store.email_notifications.done(self.node_id, drop)
        composer = EmailComposer(self.core.cfg)
        digests = [x for x in live if x[0].digest]
        singles = [x for x in live if not x[0].digest]
        batches: list[tuple[list[EmailQueueItem], OutgoingMail]] = [
            ([q], composer.single(user, m)) for q, m in singles
        ]
        if digests:
            limit = max(self.core.cfg.EmailSettings.EmailBatchingBufferSize, 1)
            shown = [m for _, m in digests][-limit:]
            batches.append(([q for q, _ in digests], composer.digest(user, shown, self.core.now())))
        await self._deliver(user_id, batches)

    async def _deliver(self, user_id: str, batches: list[tuple[list[EmailQueueItem], OutgoingMail]]) -> None:
        store = self.core.store
        for n, (queued, mail) in enumerate(batches):
            if self.smtp_down_until > self.core.now():
                await store.email_notifications.postpone(
                    self.node_id, [q.id for b, _ in batches[n:] for q in b], self.smtp_down_until)
                return
            try:
                await self.sender.send(mail)
            except MailError as e:
                self.failed += 1
                task = asyncio.current_task()
                if self._in_loop and (self.loop.stopping or (task is not None and task.cancelling())):
                    raise asyncio.CancelledError from e
                attempts = max(q.attempts for q in queued)
                if self.core.now() - min(q.create_at for q in queued) > self.give_up_ms:
                    await store.email_notifications.done(self.node_id, [q.id for q in queued])
                    log.error("email notification given up", user_id=user_id, attempts=attempts + 1, error=str(e))
                    continue
                delay = min(self.retry_base_ms * (2 ** attempts), self.retry_max_ms)
                if e.unreachable:
                    self._unreachable()
                    delay = max(delay, self.smtp_down_until - self.core.now())
                await store.email_notifications.retry(
                    self.node_id, [q.id for q in queued], self.core.now() + delay, str(e))
                log.warning("email notification not sent", user_id=user_id, attempts=attempts + 1, error=str(e))
                continue
            self.sent += 1
            self._smtp_pause_ms = self.smtp_down_until = 0
            await store.email_notifications.done(self.node_id, [q.id for q in queued])

    async def _still_unread(self, user: User, item: EmailQueueItem) -> MailItem | None:
        """The post to mail, or None when it is gone, its channel was read past it, or the user
        left the channel."""
        store = self.core.store
        try:
            post: Post = await store.posts.get(item.post_id)
            member = await store.channels.get_member(item.channel_id, user.id)
            channel: Channel = await self.directory.channel(item.channel_id)
            sender = await self.directory.user(post.user_id)
        except NotFound:
            return None
        except AppError as e:  # from the service lookups: the channel or the sender is gone
            log.info("email notification dropped", post_id=item.post_id, error=repr(e))
            return None
        if post.delete_at or member.last_viewed_at >= post.create_at:
            return None
        team_name, team_display = await self._team_for(channel, user)
        return MailItem(post, channel, sender, team_name, team_display)

    async def _team_for(self, channel: Channel, user: User) -> tuple[str, str]:
        store = self.core.store
        if channel.team_id:
            team = await store.teams.get(channel.team_id)
            return team.name, team.display_name
        teams = await store.teams.list_for_user(user.id)
        if teams:
            return teams[0].name, teams[0].display_name
        return "", ""
