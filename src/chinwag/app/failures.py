"""Errors that are not a handler's own, turned into Mattermost's error JSON: a database outage is a 503
(clients retry; the log gets one line per outage, not a traceback per request), a value the database
cannot hold is the client's 400."""

from __future__ import annotations

import time

from chinwag.model.errors import AppError, invalid_param
from chinwag.store.errors import DatabaseUnavailable, is_out_of_range

DATABASE_UNAVAILABLE = "api.context.database_unavailable.app_error"
RETRY_AFTER_S = 5


def failure_error(exc: BaseException) -> AppError | None:
    if isinstance(exc, DatabaseUnavailable):
        return AppError("ServeHTTP", DATABASE_UNAVAILABLE,
                        "The database is unavailable at the moment. Please try again shortly.", 503,
                        str(exc), params={"retry_after": RETRY_AFTER_S})
    if is_out_of_range(exc):
        return invalid_param("ServeHTTP", "body", "value out of range")
    return None


class OutageLog:
    """Says "the database is unavailable" once, then how many requests it failed, every ``every``
    seconds while the outage lasts — not a traceback per request."""

    def __init__(self, every: float = 30.0) -> None:
        self.every = every
        self.last = float("-inf")
        self.suppressed = 0

    def should_log(self) -> tuple[bool, int]:
        now = time.monotonic()
        if now - self.last < self.every:
            self.suppressed += 1
            return False, 0
        count, self.suppressed, self.last = self.suppressed, 0, now
        return True, count
