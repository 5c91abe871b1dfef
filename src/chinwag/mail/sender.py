"""Sending mail over SMTP as EmailSettings say: no security, implicit TLS ("TLS") or STARTTLS,
optional AUTH, and certificate checks that can be skipped for self-signed servers."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib

from chinwag.config.schema import EmailSettings

SECURITY_NONE = ""
SECURITY_TLS = "TLS"
SECURITY_STARTTLS = "STARTTLS"


class MailError(Exception):
    """The mail could not be handed to the SMTP server (it may be retried). ``unreachable``: the server
    could not be reached at all (refused, timed out, name unknown, connection lost) — any other mail
    would fail the same way now."""

    def __init__(self, message: str, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


@dataclass
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str


class SmtpSender:
    """Sends one message per call, reading EmailSettings at each send (config reloads apply)."""

    def __init__(self, settings: Callable[[], EmailSettings]) -> None:
        self._settings = settings
        self._contexts: dict[bool, ssl.SSLContext] = {}

    def _tls_context(self, skip_verification: bool) -> ssl.SSLContext:
        """The TLS context, made once per verification setting: making one loads the system's CA
        certificates (milliseconds — it was made for every message, TLS or not)."""
        context = self._contexts.get(skip_verification)
        if context is None:
            context = ssl.create_default_context()
            if skip_verification:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._contexts[skip_verification] = context
        return context

    def build(self, mail: OutgoingMail) -> EmailMessage:
        s = self._settings()
        msg = EmailMessage()
        msg["From"] = formataddr((s.FeedbackName, s.FeedbackEmail))
        msg["To"] = mail.to
        msg["Subject"] = mail.subject
        if s.ReplyToAddress:
            msg["Reply-To"] = s.ReplyToAddress
        msg["Message-ID"] = make_msgid(domain=(s.FeedbackEmail.rsplit("@", 1)[-1] or None))
        msg["Auto-Submitted"] = "auto-generated"
        msg["Precedence"] = "bulk"
        msg.set_content(mail.text)
        msg.add_alternative(mail.html, subtype="html")
        return msg

    async def send(self, mail: OutgoingMail) -> None:
        s = self._settings()
        security = (s.ConnectionSecurity or "").upper()
        if security not in (SECURITY_NONE, SECURITY_TLS, SECURITY_STARTTLS):
            raise MailError(f"EmailSettings.ConnectionSecurity {s.ConnectionSecurity!r} is not '', TLS or STARTTLS")
        try:
            port = int(s.SMTPPort)
        except ValueError:
            raise MailError(f"EmailSettings.SMTPPort {s.SMTPPort!r} is not a number") from None
        context = self._tls_context(bool(s.SkipServerCertificateVerification)) if security else None
        try:
            message = self.build(mail)
        except (ValueError, TypeError) as e:  # a header the email package refuses (a malformed address)
            raise MailError(f"the message cannot be built: {e}") from e
        try:
            await aiosmtplib.send(
                message,
                hostname=s.SMTPServer,
                port=port,
                username=s.SMTPUsername if s.EnableSMTPAuth else None,
                password=s.SMTPPassword if s.EnableSMTPAuth else None,
                use_tls=security == SECURITY_TLS,
                start_tls=security == SECURITY_STARTTLS,
                validate_certs=not s.SkipServerCertificateVerification,
                tls_context=context,
                timeout=float(s.SMTPServerTimeout or 10),
            )
        except (aiosmtplib.SMTPException, OSError) as e:
            unreachable = isinstance(e, (OSError, aiosmtplib.SMTPConnectError, aiosmtplib.SMTPConnectTimeoutError,
                                         aiosmtplib.SMTPServerDisconnected))
            raise MailError(f"{type(e).__name__}: {e}", unreachable=unreachable) from e
