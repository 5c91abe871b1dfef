"""A real SMTP server for tests (aiosmtpd in a thread): plain, STARTTLS or implicit TLS with a
self-signed certificate made on the spot, with or without AUTH; it keeps every message it gets."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed(directory: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1/localhost."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp.crt", directory / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert_path, key_path)
    return ctx


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.messages.append(msg)
        return "250 Message accepted"

    async def wait(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while len(self.messages) < count:
            if loop.time() > end:
                raise AssertionError(f"expected {count} mails, got {len(self.messages)}")
            await asyncio.sleep(0.05)
        with self.lock:
            return list(self.messages)


class SmtpServer:
    """``security``: "" (plain), "STARTTLS" or "TLS"; ``auth``: (username, password) to require."""

    def __init__(self, tmp: Path, security: str = "", auth: tuple[str, str] | None = None,
                 port: int = 0) -> None:
        self.inbox = Inbox()
        self.port = port or free_port()
        self.security = security
        self.auth = auth
        self.context = self_signed(tmp) if security else None
        self.controller: Controller | None = None

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (isinstance(data, LoginPassword) and self.auth is not None
              and (data.login.decode(), data.password.decode()) == self.auth)
        if ok:
            self.inbox.logins.append(data.login.decode())
        return AuthResult(success=ok)

    def start(self) -> SmtpServer:
        kw: dict[str, Any] = {}
        if self.security == "TLS":
            kw["ssl_context"] = self.context
        elif self.security == "STARTTLS":
            kw["tls_context"] = self.context
            kw["require_starttls"] = True
        if self.auth is not None:
            # aiosmtpd cannot tell an implicit-TLS session from plain text: TLS is not required there
            kw.update(authenticator=self._authenticate, auth_required=True,
                      auth_require_tls=self.security == "STARTTLS")
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     server_hostname="localhost", **kw)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def configure(self, settings: Any) -> None:
        """Point EmailSettings at this server."""
        settings.SMTPServer = "127.0.0.1"
        settings.SMTPPort = str(self.port)
        settings.ConnectionSecurity = self.security
        settings.SkipServerCertificateVerification = bool(self.security)
        settings.EnableSMTPAuth = self.auth is not None
        if self.auth is not None:
            settings.SMTPUsername, settings.SMTPPassword = self.auth
        settings.SMTPServerTimeout = 5
        settings.SendEmailNotifications = True
        settings.FeedbackName = "Chinwag"
        settings.FeedbackEmail = "noreply@example.com"
