"""The load test's SMTP sink: a real SMTP server in a helper process that accepts and counts what the
server under test mails (load-test-ng's deployments give the server an Inbucket for this)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from bench.loadtest.smtp_sink import SmtpSink


def test_the_sink_accepts_and_counts_mail_and_gives_the_servers_settings() -> None:
    sink = SmtpSink().start()
    try:
        assert sink.counts() == {"messages": 0, "recipients": 0, "bytes": 0}
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "noreply@example.com", "a@example.com", "mentioned"
        msg.set_content("hello")
        with smtplib.SMTP(sink.host, sink.port, timeout=10) as s:
            s.send_message(msg)
            s.send_message(msg, to_addrs=["a@example.com", "b@example.com"])
        counts = sink.counts()
        assert counts["messages"] == 2
        assert counts["recipients"] == 3
        assert counts["bytes"] > 2 * len("hello")
        env = sink.env()
        assert env["MM_EMAILSETTINGS_SMTPSERVER"] == sink.host
        assert env["MM_EMAILSETTINGS_SMTPPORT"] == str(sink.port)
        assert env["MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS"] == "true"
    finally:
        sink.stop()
    assert sink.pid is None
