"""Multi-factor authentication with TOTP (RFC 6238, 30 s steps, 6 digits, as Mattermost and the
authenticator apps use): enrolment with a secret and a QR code, activation with a first code,
verification at login. A code's time step is recorded when used, so it cannot be replayed."""

from __future__ import annotations

import base64
import hmac
import io

import pyotp
import qrcode

from chinwag.app.audit import audit
from chinwag.app.cache import user_changed
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service, store_error
from chinwag.app.directory import Directory
from chinwag.app.permissions import PermissionService
from chinwag.app.session import SessionService
from chinwag.model import permissions
from chinwag.model.errors import AppError, permission_denied
from chinwag.store.errors import NotFound, StoreError

STEP_S = 30
#: codes from one step before or after the current one are accepted (clock drift)
WINDOW = 1


def bad_code(where: str, detail: str = "") -> AppError:
    return AppError(where, "api.user.check_user_mfa.bad_code.app_error", "Invalid MFA token.", 401, detail)


def qr_png(uri: str) -> bytes:
    img = qrcode.make(uri, box_size=6, border=2)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()


@service
class MfaService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    sessions: SessionService

    def _require_enabled(self, where: str) -> None:
        if not self.core.cfg.ServiceSettings.EnableMultifactorAuthentication:
            raise AppError(where, "mfa.mfa_disabled.app_error",
                           "Multi-factor authentication has been disabled on this server.", 501)

    async def _auth(self, user_id: str, where: str):  # type: ignore[no-untyped-def]
        try:
            return await self.core.store.users.get_auth(user_id)
        except StoreError as e:
            raise store_error(where, e, "user") from None

    async def generate(self, ctx: Ctx, user_id: str) -> dict[str, str]:
        """POST /users/{id}/mfa/generate: a new secret (stored, not yet active) and its QR code."""
        where = "GenerateMfaSecret"
        self._require_enabled(where)
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        auth = await self._auth(user_id, where)
        user = auth.user
        if user.auth_service not in ("", "ldap") or user.is_bot:
            raise AppError(where, "api.user.generate_mfa_secret.email_only.app_error",
                           "Multi-factor authentication is for email/password and AD/LDAP sign-in only.", 400)
        if user.mfa_active:
            raise AppError(where, "api.user.generate_mfa_secret.already_active.app_error",
                           "Multi-factor authentication is already active; deactivate it first.", 400)
        secret = pyotp.random_base32(32)
        await self.core.store.users.update_mfa(user_id, False, secret, self.core.now())
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.email,
                                                  issuer_name=self.core.cfg.TeamSettings.SiteName)
        return {"secret": secret, "qr_code": base64.b64encode(qr_png(uri)).decode()}

    async def update(self, ctx: Ctx, user_id: str, activate: bool, code: str) -> None:
        """PUT /users/{id}/mfa: activate with a code from the generated secret, or deactivate."""
        where = "UpdateMfa"
        self.perms.require_self_or_any(ctx, user_id, where, permissions.EDIT_OTHER_USERS,
                                       permissions.SYSCONSOLE_WRITE_USERS)
        auth = await self._auth(user_id, where)
        if not activate:
            await self.core.store.users.update_mfa(user_id, False, "", self.core.now())
            self._changed(user_id)
            await audit(self.core, ctx, "mfa_deactivate", "success", user_id=user_id)
            return
        self._require_enabled(where)
        if ctx.user_id != user_id:
            raise permission_denied(where)
        if auth.user.mfa_active:
            return
        if not auth.mfa_secret:
            raise AppError(where, "api.user.update_mfa.no_secret.app_error",
                           "Generate a secret with /users/{user_id}/mfa/generate first.", 400)
        try:
            await self.verify(user_id, auth.mfa_secret, code, where)
        except AppError as e:
            raise AppError(where, "mfa.activate.bad_token.app_error", "Invalid MFA token.", 401,
                           e.detailed_error) from None
        await self.core.store.users.update_mfa(user_id, True, auth.mfa_secret, self.core.now())
        await self.core.store.users.use_mfa_step(user_id, self._step_of(auth.mfa_secret, code))
        self._changed(user_id)
        await audit(self.core, ctx, "mfa_activate", "success", user_id=user_id)

    def _changed(self, user_id: str) -> None:
        """Every node drops the user (``mfa_active``) and the user's cached sessions."""
        self.core.publish(user_changed(user_id))
        self.sessions.invalidate_user_everywhere(user_id)

    def _step_of(self, secret: str, code: str) -> int:
        totp = pyotp.TOTP(secret)
        now_s = self.core.now() // 1000
        for offset in range(-WINDOW, WINDOW + 1):
            at = now_s + offset * STEP_S
            if hmac.compare_digest(totp.at(at), code):
                return at // STEP_S
        return -1

    async def verify(self, user_id: str, secret: str, code: str, where: str = "checkUserMfa") -> None:
        """A valid code whose time step has not been used before, else 401."""
        code = code.strip().replace(" ", "")
        if not secret or not code.isdigit() or len(code) != 6:
            raise bad_code(where, "missing or malformed code")
        step = self._step_of(secret, code)
        if step < 0:
            raise bad_code(where, "wrong code")
        if not await self.core.store.users.use_mfa_step(user_id, step):
            raise bad_code(where, "this code was already used")

    async def required_for(self, login_id: str) -> bool:
        """POST /users/mfa: does this login need a code (False for unknown logins, as Mattermost)."""
        if not self.core.cfg.ServiceSettings.EnableMultifactorAuthentication:
            return False
        email = self.core.cfg.EmailSettings
        try:
            auth = await self.core.store.users.get_for_login(login_id, email.EnableSignInWithUsername,
                                                             email.EnableSignInWithEmail)
        except NotFound:
            return False
        return auth.user.mfa_active

    async def require_enrolled(self, ctx: Ctx) -> None:
        """EnforceMultifactorAuthentication (GuestAccountsSettings' for guests only): email and LDAP users
        without MFA may only reach the MFA setup."""
        cfg = self.core.cfg.ServiceSettings
        for_guests = self.core.cfg.GuestAccountsSettings.EnforceMultifactorAuthentication
        if not (cfg.EnableMultifactorAuthentication and (cfg.EnforceMultifactorAuthentication or for_guests)):
            return
        session = ctx.session
        if session is None or session.is_oauth or session.props.get("type") == "UserAccessToken":
            return
        user = await self.directory.user(session.user_id)
        if user.mfa_active or user.auth_service not in ("", "ldap") or user.is_bot:
            return
        if not cfg.EnforceMultifactorAuthentication and not user.is_guest():
            return
        raise AppError("MfaRequired", "api.context.mfa_required.app_error",
                       "Multi-factor authentication is required on this server.", 403)
