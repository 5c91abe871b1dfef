"""``POST /email/test``: send a test message to the admin through given (unsaved) SMTP settings.

As Mattermost's ``TestEmail``: the SMTP server is required; a masked password stands for the saved one
only while server, port and username are the saved ones (otherwise it must be typed again); a send
that fails answers 500 ``app.admin.test_email.failure`` with the SMTP error. chinwag sends through the
settings in the request (the System Console's unsaved form), falling back to the saved ones when the
body carries none, so an admin can test before pressing Save.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import msgspec

from chinwag import i18n
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.config import Config
from chinwag.config.schema import FAKE_SETTING, EmailSettings
from chinwag.i18n import N_
from chinwag.mail.sender import MailError, OutgoingMail, SmtpSender
from chinwag.model import permissions
from chinwag.model.errors import AppError

SUBJECT = N_("{site} - Testing Email Settings")
BODY = N_("It appears your {site} email is set up correctly!")

SenderFactory = Callable[[EmailSettings], SmtpSender]


def _sender(settings: EmailSettings) -> SmtpSender:
    return SmtpSender(lambda: settings)


class EmailTestService:
    def __init__(self, core: AppCore, perms: PermissionService, sender: SenderFactory = _sender) -> None:
        self.core = core
        self.perms = perms
        self.sender = sender

    async def send_test(self, ctx: Ctx, candidate: Config | None) -> None:
        where = "testEmail"
        self.perms.require_system(ctx, permissions.TEST_EMAIL, where)
        saved = self.core.cfg.EmailSettings
        s = msgspec.convert(msgspec.to_builtins((candidate or self.core.cfg).EmailSettings), EmailSettings)
        if not s.SMTPServer:
            raise AppError(where, "api.admin.test_email.missing_server", "SMTP Server is required", 400,
                           "Invalid or missing SMTPServer parameter in request URL or body.")
        if s.SMTPPassword == FAKE_SETTING:
            if (s.SMTPServer, s.SMTPPort, s.SMTPUsername) != (saved.SMTPServer, saved.SMTPPort, saved.SMTPUsername):
                raise AppError(where, "api.admin.test_email.reenter_password",
                               "There has been a change in SMTP server, port, or username. Please re-enter "
                               "the SMTP password to test connection.", 400)
            s.SMTPPassword = saved.SMTPPassword
        if not ctx.user_id:
            raise AppError(where, "api.context.session_expired.app_error", "Invalid or expired session, please "
                           "login again.", 401)
        user = await self.core.store.users.get(ctx.user_id)
        site = self.core.cfg.TeamSettings.SiteName or "chinwag"
        t = i18n.translator(i18n.pick(user.locale, self.core.cfg.LocalizationSettings.DefaultServerLocale))
        text = t(BODY, {"site": site})
        mail = OutgoingMail(to=user.email, subject=t(SUBJECT, {"site": site}), text=text,
                            html=f"<p>{escape(text)}</p>")
        try:
            await self.sender(s).send(mail)
        except MailError as e:
            raise AppError(where, "app.admin.test_email.failure", "Connection unsuccessful: {Error}", 500,
                           str(e), {"Error": str(e)}) from None
