"""Database connections: URL translation, SQLite pragmas, read and write transactions."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlparse, urlunparse

import msgspec
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chinwag.store.errors import DatabaseUnavailable, StoreError, is_unavailable
from chinwag.store.sql import mysql_dialect

_PG_KEEP = {"application_name", "options", "server_settings"}

#: Mattermost's MySQL DataSource (Go's go-sql-driver DSN): ``user:pass@tcp(host:3306)/db?params``,
#: also ``user:pass@unix(/run/mysqld/mysqld.sock)/db`` and ``user@/db`` (the local default)
_GO_DSN = re.compile(r"^(?:(?P<userinfo>.*)@)?(?:(?P<proto>[a-z0-9]+)(?:\((?P<addr>[^)]*)\))?)?/(?P<db>[^?]*)"
                     r"(?:\?(?P<query>.*))?$")


def mysql_params(datasource: str) -> dict[str, Any]:
    """Mattermost's MySQL DataSource (the Go DSN form) or a ``mysql://``/``mariadb://`` URL → its
    parts: ``user``, ``password``, ``host``, ``port`` (None: the default), ``socket`` (a Unix socket
    path, or ``""``), ``database`` and the remaining ``query`` parameters."""
    host: str | None = None
    port: int | None = None
    socket = ""
    if "://" in datasource:
        u = urlparse(datasource)
        if u.scheme.split("+", 1)[0] not in ("mysql", "mariadb"):
            raise ValueError(f"not a MySQL DataSource: scheme {u.scheme!r}")
        user, password = unquote(u.username or ""), unquote(u.password or "")
        host, port = u.hostname or "127.0.0.1", u.port
        database = unquote(u.path.lstrip("/"))
        query = dict(parse_qsl(u.query))
        socket = query.pop("unix_socket", "")
    else:
        m = _GO_DSN.match(datasource)
        if m is None:
            raise ValueError("not a MySQL DataSource: expected user:password@tcp(host:port)/database?params")
        user, _, password = (m["userinfo"] or "").partition(":")
        proto, addr = m["proto"] or "tcp", m["addr"] or ""
        if proto == "unix":
            socket = addr
        elif proto == "tcp":
            h, _, p = addr.rpartition(":") if addr.rsplit(":", 1)[-1].isdigit() else (addr, "", "")
            host = (h or "127.0.0.1").strip("[]")
            port = int(p) if p else None
        else:
            raise ValueError(f"not a MySQL DataSource: protocol {proto!r} (tcp or unix)")
        database = m["db"]
        query = dict(parse_qsl(m["query"] or "", keep_blank_values=True))
    return {"user": user, "password": password, "host": host or ("" if socket else "127.0.0.1"), "port": port,
            "socket": socket, "database": database, "query": query}


def _mysql_url(datasource: str) -> tuple[str, dict[str, Any]]:
    """An asyncmy URL and connect args for a MySQL DataSource (see :func:`mysql_params`). The
    connection always speaks utf8mb4 (a ``charset`` list such as ``utf8mb4,utf8`` is accepted, and
    anything but utf8mb4 in it is ignored: emoji and supplementary CJK need four bytes)."""
    p = mysql_params(datasource)
    query, socket = p["query"], p["socket"]
    # sessions in UTC: FROM_UNIXTIME and NOW() mean the same on every server, whatever its time zone
    connect_args: dict[str, Any] = {"init_command": "SET time_zone = '+00:00'"}
    for key in ("timeout", "connect_timeout"):
        if query.get(key):
            connect_args["connect_timeout"] = _seconds(query[key])
    if query.get("readTimeout"):
        connect_args["read_timeout"] = _seconds(query["readTimeout"])
    tls = query.get("tls", query.get("ssl", "")).lower()
    if tls in ("true", "skip-verify", "preferred", "required", "1"):
        import ssl

        ctx = ssl.create_default_context()
        if tls != "true":
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        connect_args["ssl"] = ctx
    q: dict[str, str] = {"charset": "utf8mb4"}
    if socket:
        q["unix_socket"] = socket
    url = sa.engine.URL.create(mysql_dialect.DRIVER, username=p["user"] or None, password=p["password"] or None,
                               host=None if socket else p["host"], port=None if socket else p["port"],
                               database=p["database"] or None, query=q)
    return url.render_as_string(hide_password=False), connect_args


def _seconds(value: str) -> float:
    """A Go duration (``30s``, ``500ms``, ``1m``) or plain seconds."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", value.strip())
    if m is None:
        raise ValueError(f"not a duration: {value!r}")
    return float(m[1]) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m[2]]


def sqlalchemy_url(driver: str, datasource: str) -> tuple[str, dict[str, Any]]:
    """Mattermost DriverName/DataSource → SQLAlchemy URL and connect args."""
    if driver == "mysql":
        return _mysql_url(datasource)
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


@asynccontextmanager
async def _outage() -> AsyncIterator[None]:
    """A connection that cannot be had or is lost becomes DatabaseUnavailable (the app answers 503)."""
    try:
        yield
    except (StoreError, DatabaseUnavailable):
        raise
    except Exception as e:
        if is_unavailable(e):
            raise DatabaseUnavailable(f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from e
        raise


_decode_json = msgspec.json.Decoder().decode


def json_loads(raw: str | bytes) -> Any:
    """JSON columns as read (every post's props and metadata, users' notify props): msgspec's decoder,
    1.7× as fast as ``json.loads`` on a post's props; what it refuses and ``json.loads`` takes (a number
    beyond a double, which PostgreSQL's jsonb can hold; a lone surrogate) goes to ``json.loads`` as before."""
    try:
        return _decode_json(raw)
    except msgspec.DecodeError:
        return json.loads(raw)


class FairGate:
    """First come, first served in front of a pool of ``size`` connections. SQLAlchemy's asyncio queue pool
    lets a newcomer take a connection given back while earlier waiters are still waking (``get_nowait`` before
    waiting), and a woken waiter that lost it waits again at the back: under a burst (a few hundred users
    signing in) a request could wait the pool's whole 30 s with connections free — the 503s of the load test's
    ramp (#27). Requests queue here instead, in arrival order (asyncio's Semaphore lets nobody overtake a
    waiter), so the pool itself never has one. The wait has the pool's timeout and its error."""

    __slots__ = ("_sem", "_timeout")

    def __init__(self, size: int, timeout: float = 30.0) -> None:
        self._sem = asyncio.Semaphore(size)
        self._timeout = timeout

    async def __aenter__(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._sem.acquire()
        except TimeoutError:
            raise sa.exc.TimeoutError(
                f"no database connection free within {self._timeout:.0f} s (pool limit reached)") from None

    async def __aexit__(self, *exc: object) -> None:
        self._sem.release()


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
        kw["json_deserializer"] = json_loads
        write_kw: dict[str, Any] = {}
        if driver == "mysql":
            # READ COMMITTED as on PostgreSQL (InnoDB's REPEATABLE READ takes gap locks that turn
            # concurrent inserts into deadlocks), and connections renewed before the server's
            # wait_timeout closes them
            write_kw["isolation_level"] = "READ COMMITTED"
            kw["pool_recycle"] = 3600
        self.engine: AsyncEngine = create_async_engine(url, echo=echo, connect_args=connect_args, **kw, **write_kw)
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
        # SQLite's pool may overflow (and its writers queue on the lock); the others' fixed pools get a fair queue
        size = kw["pool_size"]
        self._write_gate: FairGate | contextlib.nullcontext[None] = \
            contextlib.nullcontext() if driver == "sqlite" else FairGate(size)
        self._read_gate: FairGate | contextlib.nullcontext[None] = \
            contextlib.nullcontext() if driver == "sqlite" else FairGate(size)

    @property
    def is_sqlite(self) -> bool:
        return self.driver == "sqlite"

    @property
    def is_mysql(self) -> bool:
        return self.driver == "mysql"

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with _outage(), self._read_gate, self.read_engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        if self._write_lock is not None:
            async with _outage(), self._write_lock, self.engine.begin() as conn:
                yield conn
        else:
            async with _outage(), self._write_gate, self.engine.begin() as conn:
                yield conn

    @asynccontextmanager
    async def write_one(self) -> AsyncIterator[AsyncConnection]:
        """For a single write statement, atomic by itself: on PostgreSQL a connection of the write pool
        in autocommit, without the BEGIN and COMMIT round trips around it; elsewhere a write transaction
        (SQLite's writers are serialised by the lock)."""
        if self.driver in ("sqlite", "mysql"):
            async with self.write() as conn:
                yield conn
            return
        async with _outage(), self._write_gate, self.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    @asynccontextmanager
    async def write_in(self, conn: AsyncConnection | None) -> AsyncIterator[AsyncConnection]:
        """The caller's transaction (a unit of work) when given, else a write transaction of its own."""
        if conn is not None:
            yield conn
        else:
            async with self.write() as own:
                yield own

    async def ping(self) -> bool:
        async with self._write_gate, self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
        return True

    async def recycle(self) -> None:
        """Close the pooled connections (those in use close when they are given back); later work opens new
        ones (Mattermost's RecycleDBConnections)."""
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()

    async def close(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()


def null_pool_engine(driver: str, datasource: str) -> AsyncEngine:
    url, connect_args = sqlalchemy_url(driver, datasource)
    kw: dict[str, Any] = {"isolation_level": "READ COMMITTED"} if driver == "mysql" else {}
    return create_async_engine(url, connect_args=connect_args, poolclass=NullPool, **kw)
