"""Audit records for sign-ins and account security changes: one structured log line each on the
``chinwag.audit`` logger (Mattermost's audit events: action, status, user, client IP, error id)."""

from __future__ import annotations

from typing import Any

import structlog

from chinwag.app.context import Ctx

_log = structlog.get_logger("chinwag.audit")


def audit(ctx: Ctx | None, action: str, status: str, **fields: Any) -> None:
    """``status`` is "success", "fail" or "attempt"; ``fields`` never carry passwords or tokens."""
    if ctx is not None:
        fields.setdefault("ip", ctx.ip)
        fields.setdefault("request_id", ctx.request_id)
        fields.setdefault("user_agent", ctx.user_agent)
        if ctx.user_id:
            fields.setdefault("actor_id", ctx.user_id)
    _log.info("audit", action=action, status=status, **fields)
