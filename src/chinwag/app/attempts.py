"""Always-on limits on guessing: sign-in and password-reset attempts, per account and per client address,
whatever RateLimitSettings says. They come before any password is checked, so a flood of guesses costs
neither bcrypt time nor the account's lockout budget (MaximumLoginAttempts) faster than the limit allows.

Two ways to use it (``action`` is ``"login"``, ``"password_reset"`` or ``"verify_email"`` — add one to ``QUOTAS`` for a new
kind; ``account`` is what the request names, a login id or an email, compared in lower case):

- every request counts (sending a password-reset mail): ``await attempts.attempt(ctx, action, account)``
  at the top of the endpoint;
- only failures count (signing in): ``await attempts.guard(ctx, action, account)`` first, then
  ``await attempts.failed(ctx, action, account)`` when the secret was wrong.

A refusal is a 429 with Mattermost's error JSON and a ``Retry-After``. The budgets are shared across a
cluster through Redis."""

from __future__ import annotations

import hashlib

from chinwag.app.context import Ctx
from chinwag.app.core import service
from chinwag.bus.ratelimit import Quota, RateStore
from chinwag.model.errors import AppError

#: action → (per account, per address): ``burst + 1`` attempts at once, then ``per_sec`` a second
QUOTAS: dict[str, tuple[Quota, Quota]] = {
    # failed sign-ins: 20 then one every 6 s for an account (so the lockout after MaximumLoginAttempts,
    # 10 by default, answers first, as in Mattermost), 30 then one every 2 s for an address
    "login": (Quota(per_sec=1 / 6, burst=19), Quota(per_sec=1 / 2, burst=29)),
    # mails sent on request: 3 then one a minute for an address's inbox, 10 then three a minute per client
    "password_reset": (Quota(per_sec=1 / 60, burst=2), Quota(per_sec=1 / 20, burst=9)),
    "verify_email": (Quota(per_sec=1 / 60, burst=2), Quota(per_sec=1 / 20, burst=9)),
    # OAuth dynamic client registration (no account; anyone may call it): 20 then two a second per address
    "oauth_register": (Quota(per_sec=2, burst=19), Quota(per_sec=2, burst=19)),
}
ERROR_IDS = {
    "login": "api.user.login.rate_limited.app_error",
    "password_reset": "api.user.send_password_reset.rate_limited.app_error",
    "verify_email": "api.user.send_verification_email.rate_limited.app_error",
    "oauth_register": "api.oauth.register_oauth_client.rate_limited.app_error",
}


@service
class AttemptLimiter:
    store: RateStore

    async def attempt(self, ctx: Ctx, action: str, account: str) -> None:
        """Spend one attempt; 429 when the account's or the address's budget is spent."""
        await self._take(ctx, action, account, peek=False, refuse=True)

    async def guard(self, ctx: Ctx, action: str, account: str) -> None:
        """429 when the budget is spent, without spending any."""
        await self._take(ctx, action, account, peek=True, refuse=True)

    async def failed(self, ctx: Ctx, action: str, account: str) -> None:
        """Spend one attempt on a failure (the request itself is answered with its own error)."""
        await self._take(ctx, action, account, peek=False, refuse=False)

    @staticmethod
    def _keys(ctx: Ctx, action: str, account: str) -> list[tuple[str, Quota]]:
        per_account, per_address = QUOTAS[action]
        keys = []
        if account:
            digest = hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]
            keys.append((f"{action}:account:{digest}", per_account))
        if ctx.ip and not ctx.local:
            keys.append((f"{action}:address:{ctx.ip}", per_address))
        return keys

    async def _take(self, ctx: Ctx, action: str, account: str, *, peek: bool, refuse: bool) -> None:
        for key, quota in self._keys(ctx, action, account):
            decision = await self.store.take(key, quota, peek=peek)
            if refuse and not decision.allowed:
                raise AppError(
                    "checkAttempts", ERROR_IDS.get(action, f"api.{action}.rate_limited.app_error"),
                    "Too many attempts. Please wait a moment and try again.", 429,
                    f"action={action}", params={"retry_after": decision.retry_after_s},
                )
