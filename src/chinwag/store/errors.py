"""Store errors, mapped to AppError by the app layer."""

from __future__ import annotations


class StoreError(Exception):
    pass


class NotFound(StoreError):
    def __init__(self, what: str, key: str = "") -> None:
        super().__init__(f"{what} not found: {key}")
        self.what = what
        self.key = key


class Conflict(StoreError):
    """A unique constraint would be broken (e.g. a taken username or channel name)."""

    def __init__(self, what: str, field: str = "") -> None:
        super().__init__(f"{what} conflicts on {field}")
        self.what = what
        self.field = field


class InvalidInput(StoreError):
    pass


class DatabaseUnavailable(Exception):
    """The database did not answer (see ``is_unavailable``). Not a StoreError: the services that map
    store errors to their own answers let it pass, and the request is answered 503."""


def is_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or used (refused or dropped connections, a pool that gave
    no connection in time, a SQLite file that cannot be opened): an outage, not a bug or bad input.
    Only asked about exceptions raised while talking to the database (``Database.read``/``write``)."""
    import sqlalchemy.exc as sa_exc

    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.InterfaceError | sa_exc.DisconnectionError):
        return True
    if isinstance(exc, sa_exc.OperationalError):
        text = str(exc.orig or exc).lower()
        # SQLite's "database is locked" after busy_timeout is an outage too; a syntax or schema error
        # (also OperationalError on SQLite: "no such table") is not
        return not any(s in text for s in ("no such table", "no such column", "syntax error", "unknown column",
                                           "doesn't exist", "deadlock"))
    if isinstance(exc, ConnectionError | TimeoutError | OSError):
        return True
    try:
        import asyncpg
    except ImportError:  # pragma: no cover
        return False
    driver = (asyncpg.PostgresConnectionError | asyncpg.CannotConnectNowError | asyncpg.TooManyConnectionsError
              | asyncpg.InterfaceError)
    # SQLAlchemy wraps the driver's error (DBAPIError → its adapter's error → asyncpg's), e.g. "sorry, too
    # many clients already" when the server has no connection slot left
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            break
        if isinstance(seen, driver):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


def is_out_of_range(exc: BaseException) -> bool:
    """A value the database cannot store that slipped past validation: an integer beyond 64 bits, a NUL
    character in text (PostgreSQL: "invalid byte sequence for encoding UTF8: 0x00")."""
    import sqlalchemy.exc as sa_exc

    if isinstance(exc, OverflowError | sa_exc.DataError):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and "invalid byte sequence" in str(exc)
