"""Account self-service by email, as Mattermost's: password reset links (``/users/password/reset/send``,
``/users/password/reset``), email verification (``/users/email/verify/send``, ``/users/email/verify``, the
verification mail on sign-up when ``EmailSettings.RequireEmailVerification``), sign-up through an emailed team
invitation (``POST /users?t=``), and the system admin's account switches (revoke every session, change a
user's sign-in method).

Links are one-time tokens in the ``tokens`` table (Mattermost's Tokens: 64 characters, ``type`` and a JSON
``extra``); the mail goes through the email queue (``EmailNotificationService.enqueue_mail``)."""

from __future__ import annotations

import asyncio
import json
import secrets
import string
from typing import Any

from chinwag.app import account_mail
from chinwag.app.attempts import AttemptLimiter
from chinwag.app.audit import audit
from chinwag.app.cache import user_changed
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.email_notification import EmailNotificationService
from chinwag.app.passwords import hash_password
from chinwag.app.permissions import PermissionService
from chinwag.app.session import SessionService
from chinwag.app.team import TeamService
from chinwag.app.team_invite import INVITATION_EXPIRY_MS, TOKEN_GUEST_INVITATION, TOKEN_TEAM_INVITATION
from chinwag.app.user import UserService
from chinwag.app.validate import check_password
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.user import User, UserCreate
from chinwag.store.errors import NotFound, StoreError

#: Mattermost's model.TokenSize and token types
TOKEN_SIZE = 64
TOKEN_PASSWORD_RECOVERY = "password_recovery"
TOKEN_VERIFY_EMAIL = "verify_email"
#: Mattermost's PasswordRecoverExpiryTime (also the verification link's) and InvitationExpiryTime
LINK_EXPIRY_MS = 24 * 3600_000

_ALPHABET = string.ascii_lowercase + string.digits
#: the sign-in methods PUT /users/{id}/auth may set
AUTH_SERVICES = ("gitlab", "google", "office365", "openid", "saml", "ldap")


def new_token() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(TOKEN_SIZE))


def _bad_link(detail: str = "") -> AppError:
    return AppError("verifyUserEmail", "api.user.verify_email.bad_link.app_error", "Bad verify email link.", 400,
                    detail)


@service
class AccountService:
    core: AppCore
    perms: PermissionService
    users: UserService
    teams: TeamService
    sessions: SessionService
    mail: EmailNotificationService
    attempts: AttemptLimiter

    async def _save_token(self, type_: str, extra: dict[str, str]) -> str:
        """A new link; expired ones of the same kind go first (Mattermost's token cleanup job)."""
        token, now = new_token(), self.core.now()
        await self.core.store.one_time_tokens.remove_older_than(type_, now - LINK_EXPIRY_MS)
        await self.core.store.one_time_tokens.save(token, type_, json.dumps(extra), now)
        return token

    async def _user_by_email(self, email: str) -> User | None:
        try:
            return await self.core.store.users.get_by_email(email)
        except NotFound:
            return None

    # password reset ------------------------------------------------------------------------

    async def send_password_reset(self, ctx: Ctx, email: str, site_url: str) -> None:
        """Mail a reset link to the account with this email. An unknown address answers the same as a known
        one; an SSO account is refused (400) unless ExperimentalEnableHardenedMode hides that too."""
        email = email.strip().lower()
        if not email:
            raise invalid_param("sendPasswordReset", "email")
        # always-on: per address and per account, known or not (429 api.user.send_password_reset.rate_limited)
        await self.attempts.attempt(ctx, "password_reset", email)
        user = await self._user_by_email(email)
        if user is None:
            return
        if user.auth_service and user.auth_service != "email":
            if self.core.cfg.ServiceSettings.ExperimentalEnableHardenedMode:
                return
            raise AppError("SendPasswordReset", "api.user.send_password_reset.sso.app_error",
                           "Unable to reset password for SSO accounts.", 400)
        token = await self._save_token(TOKEN_PASSWORD_RECOVERY, {"UserId": user.id, "Email": user.email})
        await self.mail.enqueue_mail(user.id, account_mail.password_reset(
            account_mail.translator_for(self.core.cfg, user), self.core.cfg, site_url, user.email, token))
        await audit(self.core, ctx, "send_password_reset", "success", user_id=user.id)

    async def _token(self, token: str, type_: str, expiry_ms: int, where: str, invalid_id: str,
                     broken_id: str, expired_id: str) -> dict[str, Any]:
        try:
            found_type, extra, created = await self.core.store.one_time_tokens.get(token)
        except NotFound:
            raise AppError(where, invalid_id, "The link provided is invalid.", 400) from None
        if found_type != type_:
            raise AppError(where, broken_id, "The link provided is of the wrong kind.", 400)
        if self.core.now() - created >= expiry_ms:
            raise AppError(where, expired_id, "The link has expired.", 400)
        data: dict[str, Any] = json.loads(extra or "{}")
        return data

    async def reset_password(self, ctx: Ctx, token: str, new_password: str, site_url: str) -> None:
        """POST /users/password/reset: the link's account gets the new password (PasswordSettings apply), the
        link is used up, and every session of the account ends."""
        where = "resetPassword"
        if len(token) != TOKEN_SIZE:
            raise invalid_param(where, "token")
        data = await self._token(token, TOKEN_PASSWORD_RECOVERY, LINK_EXPIRY_MS, "GetPasswordRecoveryToken",
                                 "api.user.reset_password.invalid_link.app_error",
                                 "api.user.reset_password.broken_token.app_error",
                                 "api.user.reset_password.link_expired.app_error")
        expired = AppError(where, "api.user.reset_password.link_expired.app_error",
                           "The password reset link has expired.", 400)
        try:
            user = await self.core.store.users.get(str(data.get("UserId", "")))
        except NotFound:
            raise expired from None
        if user.email != data.get("Email"):
            raise expired
        if user.auth_service and user.auth_service != "email":
            raise AppError("ResetPasswordFromCode", "api.user.reset_password.sso.app_error",
                           "Can't reset password for SSO accounts.", 400)
        check_password(new_password, self.core.cfg.PasswordSettings, where)
        try:  # single use: of two requests with the same link only one gets here
            await self.core.store.one_time_tokens.consume(token, TOKEN_PASSWORD_RECOVERY)
        except NotFound:
            raise AppError(where, "api.user.reset_password.invalid_link.app_error",
                           "The reset link provided is invalid.", 400) from None
        hashed = await asyncio.to_thread(hash_password, new_password)
        async with self.core.unit_of_work() as uow:
            await self.core.store.users.update_password(user.id, hashed, self.core.now(), uow.conn)
            await self.sessions.revoke_all(user.id, uow=uow)
            uow.publish(user_changed(user.id))  # last_password_update
        await audit(self.core, ctx, "update_password", "success", user_id=user.id, method="reset_link")
        await self.mail.enqueue_mail(user.id, account_mail.password_changed(
            account_mail.translator_for(self.core.cfg, user), self.core.cfg, site_url, user.email,
            account_mail.BY_RESET_LINK))

    # email verification --------------------------------------------------------------------

    async def send_verification(self, ctx: Ctx, email: str, site_url: str, redirect: str = "") -> None:
        """POST /users/email/verify/send: a verification link for the account with this email; nothing tells
        whether such an account exists."""
        email = email.strip().lower()
        if not email:
            raise invalid_param("sendVerificationEmail", "email")
        await self.attempts.attempt(ctx, "verify_email", email)
        user = await self._user_by_email(email)
        if user is None:
            return
        token = await self._save_token(TOKEN_VERIFY_EMAIL, {"UserId": user.id, "Email": user.email})
        await self.mail.enqueue_mail(
            user.id, account_mail.verify_email(
                account_mail.translator_for(self.core.cfg, user), self.core.cfg, site_url, user.email, token, redirect))

    async def verify_email(self, ctx: Ctx, token: str) -> None:
        """POST /users/email/verify: the link's address is verified; any problem with the link is Mattermost's
        ``api.user.verify_email.bad_link.app_error``."""
        if len(token) != TOKEN_SIZE:
            raise invalid_param("verifyUserEmail", "token")
        try:
            data = await self._token(token, TOKEN_VERIFY_EMAIL, LINK_EXPIRY_MS, "VerifyEmailFromToken",
                                     "api.user.verify_email.link_invalid.app_error",
                                     "api.user.verify_email.broken_token.app_error",
                                     "api.user.verify_email.link_expired.app_error")
            user = await self.core.store.users.get(str(data.get("UserId", "")))
        except AppError as e:
            raise _bad_link(e.id) from None
        except NotFound:
            raise _bad_link("user") from None
        email = str(data.get("Email", "")).lower()
        if not email:
            raise _bad_link("no address in the link")
        other = await self._user_by_email(email)
        if other is not None and other.id != user.id:
            raise _bad_link("the address is taken")
        try:
            await self.core.store.one_time_tokens.consume(token, TOKEN_VERIFY_EMAIL)
        except NotFound:
            raise _bad_link("used") from None
        if not user.email_verified or user.email != email:
            # Mattermost's VerifyUserEmail: the link's address (a changed one, too) becomes the account's
            user.email, user.email_verified, user.update_at = email, True, self.core.now()
            try:
                await self.users.save_changed(user)
            except StoreError:
                raise _bad_link("the address is taken") from None
        await audit(self.core, ctx, "verify_email", "success", user_id=user.id)

    async def email_change(self, user: User, new_email: str) -> None:
        """A user asked for a new address while verification is required: the link goes to the new address,
        which replaces the old one when it is followed (``POST /users/email/verify``)."""
        token = await self._save_token(TOKEN_VERIFY_EMAIL, {"UserId": user.id, "Email": new_email})
        await self.mail.enqueue_mail(user.id, account_mail.verify_email(
            account_mail.translator_for(self.core.cfg, user), self.core.cfg, self.core.cfg.ServiceSettings.SiteURL,
            new_email, token))

    async def after_signup(self, user: User, site_url: str, redirect: str = "") -> None:
        """The verification mail a new account gets when the server requires verified addresses."""
        if user.email_verified or user.is_bot or not self.core.cfg.EmailSettings.RequireEmailVerification:
            return
        token = await self._save_token(TOKEN_VERIFY_EMAIL, {"UserId": user.id, "Email": user.email})
        link = account_mail.verify_link(site_url, token, user.email, redirect)
        await self.mail.enqueue_mail(user.id, account_mail.welcome(
            account_mail.translator_for(self.core.cfg, user), self.core.cfg, site_url, user.email, link))

    # sign-up through an emailed invitation --------------------------------------------------

    async def create_with_token(self, ctx: Ctx, data: UserCreate, token: str) -> User:
        """POST /users?t=: Mattermost's CreateUserWithToken — the invitation's address becomes the account's
        (verified), the account joins the team, the invitation is used up."""
        where = "CreateUserWithToken"
        try:
            type_, extra, created = await self.core.store.one_time_tokens.get(token)
        except NotFound:
            raise AppError(where, "api.user.create_user.signup_link_invalid.app_error",
                           "The signup link does not appear to be valid.", 400) from None
        if type_ == TOKEN_GUEST_INVITATION:
            raise AppError(where, "api.user.create_user.guest_accounts.license.app_error",
                           "Your license does not support guest accounts.", 400)
        if type_ != TOKEN_TEAM_INVITATION:
            raise AppError(where, "api.user.create_user.signup_link_invalid.app_error",
                           "The signup link does not appear to be valid.", 400)
        if self.core.now() - created >= INVITATION_EXPIRY_MS:
            await self.core.store.one_time_tokens.consume(token, type_)
            raise AppError(where, "api.user.create_user.signup_link_expired.app_error",
                           "The signup link has expired.", 400)
        info: dict[str, str] = json.loads(extra or "{}")
        try:
            team = await self.core.store.teams.get(info.get("teamId", ""))
        except StoreError:
            raise AppError(where, "api.user.create_user.signup_link_invalid.app_error",
                           "The signup link does not appear to be valid.", 400) from None
        data.email = info.get("email", data.email)
        data.email_verified = True
        user = await self.users.create(ctx, data, from_invitation=True)
        await self.teams.join(team, user.id, actor_id=user.id)
        try:
            await self.core.store.one_time_tokens.consume(token, type_)
        except NotFound:
            pass
        return user

    # a system admin's switches ---------------------------------------------------------------

    async def revoke_all_sessions(self, ctx: Ctx) -> None:
        """POST /users/sessions/revoke/all: every session of every user (the caller's too)."""
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "revokeAllSessionsAllUsers")
        await self.sessions.revoke_everyone()
        await audit(self.core, ctx, "revoke_all_sessions", "success", user_id=ctx.user_id)

    async def update_auth(self, ctx: Ctx, user_id: str, auth_data: str | None, auth_service: str) -> dict[str, Any]:
        """PUT /users/{id}/auth: a system admin sets the sign-in method and its id (Mattermost's UserAuth); the
        password and failed attempts are cleared."""
        where = "updateUserAuth"
        if not self.perms.is_system_admin(ctx):
            raise AppError(where, "api.context.permissions.app_error",
                           "You do not have the appropriate permissions.", 403, "edit_other_users")
        if not auth_data or not auth_service or auth_service not in AUTH_SERVICES or len(auth_data) > 128:
            raise AppError(where, "api.user.update_user_auth.invalid_request",
                           "Invalid request: auth_data and auth_service are required.", 400)
        user = await self.users.get(user_id, where)
        try:
            other = await self.core.store.users.get_by_auth(auth_service, auth_data)
        except NotFound:
            other = None
        if other is not None and other.id != user.id:
            raise AppError(where, "app.user.update_auth_data.app_error",
                           "Another account already signs in with this id.", 400)
        async with self.core.unit_of_work() as uow:
            await self.users.set_auth(uow, user, auth_service, auth_data)
            uow.after_commit(lambda: self.sessions.invalidate_user(user.id))
        await audit(self.core, ctx, "update_user_auth", "success", user_id=user.id, auth_service=auth_service)
        return {"auth_data": auth_data, "auth_service": auth_service}
