"""Audit records for sign-ins and account security changes (Mattermost's audits): each is one structured
log line on the ``chinwag.audit`` logger and, when it concerns a known user, a row in ``audits`` that the
user (or an admin) reads with ``GET /users/{id}/audits``.

A record's ``action`` is chinwag's name for the event (``login``, ``login_sso``, ``lockout``, ``logout``,
``mfa_activate``, ``mfa_deactivate``, ``switch_to_sso``, ``switch_to_email``, ``update_password``,
``update_roles``, ``ldap_sync_deactivate``); ``extra_info`` is the status ("success", "fail", "attempt")
followed by ``key=value`` details (service, error id …), never passwords or tokens."""

from __future__ import annotations

from typing import Any

import structlog

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.ids import new_id
from chinwag.model.user import Audit
from chinwag.store.errors import StoreError

_log = structlog.get_logger("chinwag.audit")

#: fields that have their own column (or are only for the log line)
_COLUMNS = frozenset({"user_id", "session_id", "ip", "request_id", "user_agent", "actor_id"})


async def audit(core: AppCore, ctx: Ctx | None, action: str, status: str, **fields: Any) -> None:
    """Log the event and store it for its user. Storing never fails the caller's operation."""
    if ctx is not None:
        fields.setdefault("ip", ctx.ip)
        fields.setdefault("request_id", ctx.request_id)
        fields.setdefault("user_agent", ctx.user_agent)
        if ctx.user_id:
            fields.setdefault("actor_id", ctx.user_id)
    _log.info("audit", action=action, status=status, **fields)
    user_id = str(fields.get("user_id") or "")
    if not user_id:  # nobody to show it to (a login name that matches no account)
        return
    session_id = str(fields.get("session_id") or "")
    if not session_id and ctx is not None and ctx.session is not None and ctx.session.user_id == user_id:
        session_id = ctx.session.id
    details = " ".join(f"{k}={v}" for k, v in fields.items() if k not in _COLUMNS and v not in (None, ""))
    actor = str(fields.get("actor_id") or "")
    if actor and actor != user_id:
        details = f"{details} by={actor}".strip()
    record = Audit(id=new_id(), create_at=core.now(), user_id=user_id, action=action,
                   extra_info=f"{status} {details}".strip()[:1024], ip_address=str(fields.get("ip") or "")[:64],
                   session_id=session_id)
    try:
        await core.store.audits.save(record)
    except StoreError as e:
        _log.warning("audit record not stored", action=action, user_id=user_id, error=repr(e))


@service
class AuditService:
    core: AppCore
    perms: PermissionService

    async def record(self, ctx: Ctx | None, action: str, status: str, **fields: Any) -> None:
        await audit(self.core, ctx, action, status, **fields)

    async def for_user(self, ctx: Ctx, user_id: str, page: int, per_page: int) -> list[Audit]:
        """GET /users/{id}/audits: the user's own records, or anyone's for an admin; newest first."""
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, "getUserAudits")
        return await self.core.store.audits.get_for_user(user_id, page=page, per_page=per_page)

    async def all_users(self, ctx: Ctx, page: int, per_page: int) -> list[Audit]:
        """GET /audits: everyone's records, newest first (``read_audits``)."""
        self.perms.require_system(ctx, permissions.READ_AUDITS, "getAudits")
        return await self.core.store.audits.get_for_user("", page=page, per_page=per_page)
