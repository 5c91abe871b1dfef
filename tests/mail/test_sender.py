"""The SMTP sender against a real SMTP server: plain, STARTTLS and implicit TLS, with and without
AUTH; certificate checks on unless skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from chinwag.config.schema import EmailSettings
from chinwag.mail.sender import MailError, OutgoingMail, SmtpSender
from tests.smtp import SmtpServer

MAIL = OutgoingMail("carol@example.com", "Hello", "plain body", "<p>html body</p>")


@pytest.mark.parametrize("security", ["", "STARTTLS", "TLS"])
@pytest.mark.parametrize("auth", [None, ("mailer", "s3cret")])
async def test_send(tmp_path: Path, security: str, auth: tuple[str, str] | None) -> None:
    smtp = SmtpServer(tmp_path, security, auth).start()
    try:
        settings = EmailSettings()
        smtp.configure(settings)
        await SmtpSender(lambda: settings).send(MAIL)
        (msg,) = await smtp.inbox.wait(1)
        assert msg["To"] == "carol@example.com" and msg["Subject"] == "Hello"
        assert msg["From"] == "Chinwag <noreply@example.com>"
        assert msg.get_body(("plain",)).get_content().strip() == "plain body"  # type: ignore[union-attr]
        assert msg.get_body(("html",)).get_content().strip() == "<p>html body</p>"  # type: ignore[union-attr]
        assert smtp.inbox.logins == ([auth[0]] if auth else [])
    finally:
        smtp.stop()


async def test_wrong_password_and_unverified_certificate_fail(tmp_path: Path) -> None:
    smtp = SmtpServer(tmp_path, "TLS", ("mailer", "s3cret")).start()
    try:
        settings = EmailSettings()
        smtp.configure(settings)
        settings.SMTPPassword = "wrong"
        with pytest.raises(MailError):
            await SmtpSender(lambda: settings).send(MAIL)
        settings.SMTPPassword = "s3cret"
        settings.SkipServerCertificateVerification = False  # self-signed: refused
        with pytest.raises(MailError):
            await SmtpSender(lambda: settings).send(MAIL)
        assert smtp.inbox.messages == []
    finally:
        smtp.stop()


async def test_server_down_is_a_mail_error(tmp_path: Path) -> None:
    settings = EmailSettings()
    SmtpServer(tmp_path).configure(settings)  # never started
    with pytest.raises(MailError):
        await SmtpSender(lambda: settings).send(MAIL)
    settings.ConnectionSecurity = "SSL3"
    with pytest.raises(MailError, match="ConnectionSecurity"):
        await SmtpSender(lambda: settings).send(MAIL)
