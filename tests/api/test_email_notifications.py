"""Email notifications end to end: a post → the queue → the job loop → a real SMTP server."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chinwag.app.email_compose import EmailComposer
from chinwag.server import Server
from chinwag.store.sql.email_notification_store import EmailQueueItem
from tests.api.helpers import Team, team_with
from tests.conftest import World
from tests.smtp import SmtpServer


class Clock:
    """The app clock moved forward by hand (on top of the tests' distinct-milliseconds clock)."""

    def __init__(self, srv: Server) -> None:
        self.base = srv.app.core.now
        self.offset = 0
        srv.app.core.now = self

    def __call__(self) -> int:
        return self.base() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += int(seconds * 1000)


@pytest.fixture
async def smtp(tmp_path: Path, server: Server) -> AsyncIterator[SmtpServer]:
    s = SmtpServer(tmp_path).start()
    s.configure(server.config.effective.EmailSettings)
    yield s
    s.stop()


def body(msg: EmailMessage, kind: str = "plain") -> str:
    part = msg.get_body((kind,))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


async def talk(world: World) -> tuple[Team, dict[str, Any]]:
    t = await team_with(world, "bob", "carol", "dave")
    bob, carol, dave = t.members
    ch = await world.channel(bob, t.team, "talk")
    r = await bob.post(f"/channels/{ch['id']}/members", {"user_ids": [carol.user["id"], dave.user["id"]]})
    assert r.status_code == 201, r.text
    return t, ch


async def settle(srv: Server) -> int:
    """Finish the background notification work, then run the email job once."""
    await srv.app.notifications.drain()
    return await srv.app.email_notifications.run_once()


async def test_mention_to_offline_user_is_mailed(world: World, smtp: SmtpServer) -> None:
    t, ch = await talk(world)
    bob = t.members[0]
    post = await world.post(bob, ch, "@carol can you review <this>?")
    (msg,) = await smtp.inbox.wait(1)  # sent by the server's own job loop
    assert msg["To"] == "carol@example.com"
    assert msg["Subject"].startswith("[chinwag] Notification in Team1 on ")
    text, html = body(msg), body(msg, "html")
    link = f"http://localhost:8065/{t.team['name']}/pl/{post['id']}"
    assert "@bob mentioned you in Talk" in text and "@carol can you review <this>?" in text and link in text
    assert "@carol can you review &lt;this&gt;?" in html and f'href="{link}"' in html
    assert "http://localhost:8065/settings/notifications" in text
    assert 'href="http://localhost:8065/settings/notifications"' in html
    for _ in range(100):  # the loop deletes the row once the server took the mail
        if not await world.srv.app.store.email_notifications.pending():
            break
        await asyncio.sleep(0.05)
    assert await world.srv.app.store.email_notifications.pending() == []


async def test_generic_contents_and_direct_messages(world: World, smtp: SmtpServer) -> None:
    world.srv.config.effective.EmailSettings.EmailNotificationContentsType = "generic"
    await world.srv.app.email_notifications.stop()
    t, _ = await talk(world)
    bob, carol, _ = t.members
    dm = (await bob.post("/channels/direct", [bob.user["id"], carol.user["id"]])).json()
    await world.post(bob, dm, "the secret plan")
    assert await settle(world.srv) == 1
    (msg,) = await smtp.inbox.wait(1)
    assert msg["Subject"].startswith("[chinwag] New Direct Message from @bob on ")
    assert "secret" not in body(msg) and "secret" not in body(msg, "html")
    assert "@bob sent you a new message." in body(msg)


async def test_no_mail_when_online_muted_off_or_read(world: World, smtp: SmtpServer) -> None:
    srv = world.srv
    await srv.app.email_notifications.stop()
    t, ch = await talk(world)
    bob, carol, dave = t.members
    # dave is online: no mail; carol muted the channel: no mail
    r = await dave.put(f"/users/{dave.user['id']}/status", {"user_id": dave.user["id"], "status": "online"})
    assert r.status_code == 200
    r = await carol.put(f"/channels/{ch['id']}/members/me/notify_props", {"mark_unread": "mention"})
    assert r.status_code == 200
    await world.post(bob, ch, "@carol @dave hello")
    assert await settle(srv) == 0
    # email turned off for the account: none either
    await carol.put(f"/channels/{ch['id']}/members/me/notify_props", {"mark_unread": "all"})
    r = await carol.put("/users/me/patch", {"notify_props": {"email": "false", "mention_keys": "@carol"}})
    assert r.status_code == 200
    await world.post(bob, ch, "@carol again")
    assert await settle(srv) == 0
    # away: mailed, unless she reads the channel before the mail goes out
    await carol.put("/users/me/patch", {"notify_props": {"email": "true", "mention_keys": "@carol"}})
    await carol.put(f"/users/{carol.user['id']}/status", {"user_id": carol.user["id"], "status": "away"})
    await world.post(bob, ch, "@carol once more")
    await srv.app.notifications.drain()
    assert len(await srv.app.store.email_notifications.pending(carol.user["id"])) == 1
    r = await carol.post("/channels/members/me/view", {"channel_id": ch["id"]})
    assert r.status_code == 200
    assert await srv.app.email_notifications.run_once() == 1  # handled: dropped, not mailed
    assert await srv.app.store.email_notifications.pending() == []
    await world.post(bob, ch, "@carol last one")
    assert await settle(srv) == 1
    msgs = await smtp.inbox.wait(1)
    assert len(msgs) == 1 and "@carol last one" in body(msgs[0])


async def test_one_digest_per_interval(world: World, smtp: SmtpServer) -> None:
    srv = world.srv
    await srv.app.email_notifications.stop()
    srv.config.effective.EmailSettings.EnableEmailBatching = True
    clock = Clock(srv)
    t, ch = await talk(world)
    bob, carol, dave = t.members
    other = await world.channel(dave, t.team, "other")
    await dave.post(f"/channels/{other['id']}/members", {"user_ids": [carol.user["id"]]})
    r = await carol.put(f"/users/{carol.user['id']}/preferences", [
        {"user_id": carol.user["id"], "category": "notifications", "name": "email_interval", "value": "900"}])
    assert r.status_code == 200, r.text
    # each post's email work runs after it (in the background): let it land before the next post,
    # or a later mention may not yet see the digest time the first one set
    await world.post(bob, ch, "@carol first")
    await srv.app.notifications.drain()
    clock.advance(60)
    await world.post(dave, other, "@carol second")
    await srv.app.notifications.drain()
    await world.post(bob, ch, "@carol third")
    assert await settle(srv) == 0  # not due yet
    clock.advance(14 * 60 + srv.config.effective.EmailSettings.EmailBatchingInterval)  # due at the next batching tick
    assert await settle(srv) == 3
    (msg,) = await smtp.inbox.wait(1)
    assert msg["Subject"].startswith("[chinwag] New Notifications for ")
    text = body(msg)
    assert "You have 3 new notifications" in text
    # grouped by channel: Talk (first and third), then Other
    assert text.index("== Talk") < text.index("@carol first") < text.index("@carol third") < text.index(
        "== Other") < text.index("@carol second")
    # the next mention starts a new interval
    await world.post(bob, ch, "@carol fourth")
    clock.advance(60)
    assert await settle(srv) == 0
    clock.advance(15 * 60)
    assert await settle(srv) == 1
    assert len(await smtp.inbox.wait(2)) == 2


async def test_batching_interval_is_the_digest_cadence(world: World, smtp: SmtpServer) -> None:
    """EmailBatchingInterval: due digests go out at its ticks (counted from the epoch, so all nodes
    agree); mentions until that tick join the same digest."""
    srv = world.srv
    await srv.app.email_notifications.stop()
    s = srv.config.effective.EmailSettings
    s.EnableEmailBatching = True
    s.EmailBatchingInterval = 600
    clock = Clock(srv)
    t, ch = await talk(world)
    bob, carol, _ = t.members
    await carol.put(f"/users/{carol.user['id']}/preferences", [
        {"user_id": carol.user["id"], "category": "notifications", "name": "email_interval", "value": "30"}])
    first = await world.post(bob, ch, "@carol first")
    tick = -(-(first["create_at"] + 30_000) // 600_000) * 600_000
    await srv.app.notifications.drain()
    (row,) = await srv.app.store.email_notifications.pending()
    assert row.send_at == tick and row.send_at % 600_000 == 0
    clock.advance((tick - 5000 - srv.app.core.now()) / 1000)  # 5 s before the tick: nothing goes out
    await world.post(bob, ch, "@carol second")
    assert await settle(srv) == 0
    clock.advance((tick - srv.app.core.now()) / 1000)
    assert await settle(srv) == 2
    (msg,) = await smtp.inbox.wait(1)
    assert "You have 2 new notifications" in body(msg)


async def test_mail_goes_out_after_an_smtp_outage(world: World, tmp_path: Path) -> None:
    srv = world.srv
    await srv.app.email_notifications.stop()
    clock = Clock(srv)
    smtp = SmtpServer(tmp_path)  # configured, but not running yet
    smtp.configure(srv.config.effective.EmailSettings)
    t, ch = await talk(world)
    bob = t.members[0]
    await world.post(bob, ch, "@carol while the mail server is down")
    assert await settle(srv) == 1
    (row,) = await srv.app.store.email_notifications.pending()
    assert row.attempts == 1  # kept, to be retried after a backoff
    assert await settle(srv) == 0
    smtp.start()
    try:
        clock.advance(5)
        assert await settle(srv) == 1
        (msg,) = await smtp.inbox.wait(1)
        assert "while the mail server is down" in body(msg)
        assert await srv.app.store.email_notifications.pending() == []
    finally:
        smtp.stop()


async def test_an_unreachable_mail_server_pauses_the_job_instead_of_trying_every_row(world: World,
                                                                                      tmp_path: Path) -> None:
    """A refused SMTP connection pauses this node's mail job (the retry backoff): the other claimed mails
    are put back untried, with their attempts unchanged, nothing is claimed during the pause, and mail
    flows again once the server is back."""
    srv = world.srv
    service = srv.app.email_notifications
    await service.stop()
    clock = Clock(srv)
    smtp = SmtpServer(tmp_path)  # configured, but not running: connections are refused
    smtp.configure(srv.config.effective.EmailSettings)
    tries: list[str] = []
    send = service.sender.send

    async def counted(mail: Any) -> None:
        tries.append(mail.to)
        await send(mail)

    service.sender.send = counted  # type: ignore[method-assign]
    t, ch = await talk(world)
    bob = t.members[0]
    await world.post(bob, ch, "@carol @dave while the mail server is down")
    assert await settle(srv) == 2
    assert len(tries) == 1  # one connection refused: the other mail is not even composed
    rows = await srv.app.store.email_notifications.pending()
    assert sorted(r.attempts for r in rows) == [0, 1]
    assert all(r.send_at >= service.smtp_down_until > srv.app.core.now() for r in rows)
    clock.advance(2)
    assert await settle(srv) == 0  # paused: nothing claimed, nothing tried
    assert len(tries) == 1
    clock.advance(4)  # the pause is over and the server still down: one probe, a longer pause
    first_pause = service.smtp_down_until
    assert await settle(srv) == 2
    assert len(tries) == 2
    assert service.smtp_down_until - srv.app.core.now() > 5_000 and service.smtp_down_until > first_pause
    smtp.start()
    try:
        clock.advance(11)
        assert await settle(srv) == 2
        assert len(tries) == 4
        await smtp.inbox.wait(2)
        assert await srv.app.store.email_notifications.pending() == []
        assert service.smtp_down_until == 0
    finally:
        smtp.stop()


async def test_a_dead_nodes_claim_expires(world: World, smtp: SmtpServer) -> None:
    """A node claims a row and dies before sending it: once the claim is stale another node sends the
    mail. (Two real server processes sharing the queue: tests/cluster/test_email_cluster.py.)"""
    srv = world.srv
    await srv.app.email_notifications.stop()
    node = srv.app.email_notifications
    clock = Clock(srv)
    t, ch = await talk(world)
    bob = t.members[0]
    await world.post(bob, ch, "@carol are you there?")
    await srv.app.notifications.drain()
    now = srv.app.core.now()
    claimed = await srv.app.store.email_notifications.claim("dead-node", now, now - 1000, 10)
    assert [c.post_id for c in claimed] == [(await srv.app.store.email_notifications.pending())[0].post_id]
    assert await node.run_once() == 0  # the claim is live
    clock.advance(node.claim_ttl_ms / 1000 + 1)
    assert await node.run_once() == 1
    (msg,) = await smtp.inbox.wait(1)
    assert "are you there?" in body(msg) and msg["To"] == "carol@example.com"


async def test_mails_are_in_the_recipients_language(world: World, smtp: SmtpServer) -> None:
    """A Russian reader gets a Russian mail (dates as written there, in their time zone), a Chinese
    reader a Chinese one; a digest counts with Russian plurals."""
    srv = world.srv
    await srv.app.email_notifications.stop()
    t, ch = await talk(world)
    bob, carol, dave = t.members
    r = await carol.put("/users/me/patch", {"locale": "ru", "timezone": {
        "useAutomaticTimezone": "false", "manualTimezone": "Europe/Moscow", "automaticTimezone": ""}})
    assert r.status_code == 200, r.text
    assert (await dave.put("/users/me/patch", {"locale": "zh-CN"})).status_code == 200
    post = await world.post(bob, ch, "@carol @dave привет <всем>")
    assert await settle(srv) == 2
    mails = {m["To"]: m for m in await smtp.inbox.wait(2)}
    ru, zh = mails["carol@example.com"], mails["dave@example.com"]
    assert ru["Subject"].startswith("[chinwag] Уведомление в команде Team1, ") and ru["Subject"].endswith("\u202fг.")
    text, html = body(ru), body(ru, "html")
    assert "@bob упоминает вас в канале Talk" in text and "Открыть сообщение: " in text
    assert "Вы получили это письмо от chinwag, потому что так настроены ваши уведомления." in text
    assert '<html lang="ru">' in html and "привет &lt;всем&gt;" in html
    assert '<a href="http://localhost:8065/settings/notifications">Измените настройки уведомлений</a>' in html
    moscow = dt.datetime.fromtimestamp(post["create_at"] / 1000, ZoneInfo("Europe/Moscow"))
    assert f"{moscow:%H:%M}" in text
    assert zh["Subject"].startswith("[chinwag] ") and "年" in zh["Subject"] and "在 Team1 中的通知" in zh["Subject"]
    assert "@bob 在 Talk 中提到了您" in body(zh) and '<html lang="zh-CN">' in body(zh, "html")
    # a digest: "5 новых уведомлений", "2 новых уведомления", "1 новое уведомление", "21 новое уведомление"
    composer = EmailComposer(srv.config.effective)
    user = await srv.app.directory.user(carol.user["id"])
    item = (await srv.app.email_notifications._still_unread(user, EmailQueueItem(
        "q", user.id, post["id"], ch["id"], 0, 0, True)))
    assert item is not None
    for n, words in ((1, "новое уведомление"), (2, "новых уведомления"), (5, "новых уведомлений"),
                     (21, "новое уведомление"), (22, "новых уведомления"), (11, "новых уведомлений")):
        mail = composer.digest(user, [item] * n, post["create_at"])
        assert f"У вас {n} {words}" in mail.text, mail.text
        assert mail.subject.startswith("[chinwag] Новые уведомления за ")
