"""Database connections: URL translation, SQLite pragmas, read and write transactions."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

_PG_KEEP = {"application_name", "options", "server_settings"}


def sqlalchemy_url(driver: str, datasource: str) -> tuple[str, dict[str, Any]]:
    """Mattermost DriverName/DataSource → SQLAlchemy URL and connect args."""
    if driver == "sqlite":
        path = datasource
        if path.startswith("file:"):
            path = path[len("file:") :].split("?", 1)[0]
        if path != ":memory:":
            path = os.path.abspath(path)
        return f"sqlite+aiosqlite:///{path}", {}
    u = urlparse(datasource)
    query = dict(parse_qsl(u.query))
    connect_args: dict[str, Any] = {}
    sslmode = query.pop("sslmode", "")
    if sslmode in ("require", "verify-ca", "verify-full"):
        connect_args["ssl"] = sslmode
    timeout = query.pop("connect_timeout", "")
    if timeout:
        connect_args["timeout"] = float(timeout)
    keep = {k: v for k, v in query.items() if k in _PG_KEEP}
    url = urlunparse(("postgresql+asyncpg", u.netloc, u.path, "", urlencode(keep), ""))
    return url, connect_args


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=OFF")
    cur.close()


class Database:
    """Owns the engine. Write transactions on SQLite are serialised by a lock (one writer)."""

    def __init__(self, driver: str, datasource: str, max_open: int = 20, echo: bool = False) -> None:
        self.driver = driver
        url, connect_args = sqlalchemy_url(driver, datasource)
        if driver == "sqlite":
            path = url.removeprefix("sqlite+aiosqlite:///")
            if path != ":memory:":
                os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            kw: dict[str, Any] = {"pool_size": 5, "max_overflow": 5}
        else:
            kw = {"pool_size": max(2, min(max_open, 40) // 2), "max_overflow": 0, "pool_pre_ping": False}
        self.engine: AsyncEngine = create_async_engine(url, echo=echo, connect_args=connect_args, **kw)
        # Reads run on their own pool in autocommit: no BEGIN/ROLLBACK round trips around a single
        # SELECT, and no isolation-level switching on every checkout.
        if driver == "sqlite":
            # one pool: SQLite reads are cheap and local, and a second pool's connections would
            # only add lock contention on the file
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            self.read_engine: AsyncEngine = self.engine
        else:
            self.read_engine = create_async_engine(
                url, echo=echo, connect_args=connect_args, isolation_level="AUTOCOMMIT", **kw
            )
        self._write_lock = asyncio.Lock() if driver == "sqlite" else None

    @property
    def is_sqlite(self) -> bool:
        return self.driver == "sqlite"

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.read_engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        if self._write_lock is not None:
            async with self._write_lock, self.engine.begin() as conn:
                yield conn
        else:
            async with self.engine.begin() as conn:
                yield conn

    async def ping(self) -> bool:
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
        return True

    async def close(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


def null_pool_engine(driver: str, datasource: str) -> AsyncEngine:
    url, connect_args = sqlalchemy_url(driver, datasource)
    return create_async_engine(url, connect_args=connect_args, poolclass=NullPool)
