"""/email/test: send a test message through the SMTP settings in the body (the System Console's form)."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.config import Config
from chinwag.web.api4 import api
from chinwag.web.handler import JSON_ERRORS, HandlerContext, check_json_values
from chinwag.web.responses import ok


@api.route("POST", "/email/test")
async def test_email(w: HandlerContext) -> Any:
    raw = await w.body()
    candidate: Config | None = None
    if raw.strip():
        check_json_values(raw, "config")
        try:
            candidate = msgspec.json.decode(raw, type=Config)
        except (msgspec.ValidationError, *JSON_ERRORS):
            candidate = None
    await w.app.email_test.send_test(w.ctx, candidate)
    return ok()
