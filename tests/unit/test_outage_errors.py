"""Which database errors are an outage (503 database unavailable) rather than a bug (500)."""

from __future__ import annotations

import asyncpg
import sqlalchemy.exc as sa_exc

from chinwag.store.errors import is_unavailable


class _AdaptedError(Exception):
    """Stands for SQLAlchemy's asyncpg adapter error, which carries the driver's error as its cause."""


def test_no_connection_slot_left_on_the_server_is_an_outage() -> None:
    driver = asyncpg.TooManyConnectionsError("sorry, too many clients already")
    adapted = _AdaptedError("sorry, too many clients already")
    adapted.__cause__ = driver
    assert is_unavailable(sa_exc.DBAPIError("connect", None, adapted))
    assert is_unavailable(driver)


def test_a_statement_error_is_not_an_outage() -> None:
    assert not is_unavailable(sa_exc.DBAPIError("SELECT", None, _AdaptedError("column x does not exist")))
    assert not is_unavailable(sa_exc.OperationalError("SELECT", None, Exception("no such table: posts")))
    assert is_unavailable(sa_exc.OperationalError("SELECT", None, Exception("database is locked")))
