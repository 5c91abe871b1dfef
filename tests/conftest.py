"""Shared fixtures: a fresh database per backend (SQLite always, PostgreSQL when reachable; MySQL/MariaDB
for the store suites, and for every suite with CHINWAG_TEST_MYSQL_ALL=1), an in-process server, and HTTP
clients that speak to it through ASGI."""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlparse, urlunparse

import httpx
import pytest
import sqlalchemy as sa

from chinwag.config import ConfigStore
from chinwag.server import Server, build, migrate_database
from chinwag.store.sql.tables import metadata

PG_URL = os.environ.get("CHINWAG_TEST_POSTGRES", "")
REQUIRE_PG = os.environ.get("CHINWAG_REQUIRE_POSTGRES") == "1"


def _pg_available() -> bool:
    if not PG_URL:
        return False

    async def probe() -> bool:
        import asyncpg

        try:
            conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1), timeout=3)
        except Exception:
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


PG_OK = _pg_available()
if REQUIRE_PG and not PG_OK:
    raise RuntimeError(f"CHINWAG_REQUIRE_POSTGRES=1 but PostgreSQL is not reachable at {PG_URL!r}")

MYSQL_URL = os.environ.get("CHINWAG_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")
REQUIRE_MYSQL = os.environ.get("CHINWAG_REQUIRE_MYSQL") == "1"


def _mysql_admin_args() -> dict[str, Any]:
    u = urlparse(MYSQL_URL)
    return {"host": u.hostname or "127.0.0.1", "port": u.port or 3306, "user": u.username or "root",
            "password": u.password or ""}


def _mysql_available() -> bool:
    if not MYSQL_URL:
        return False

    async def probe() -> bool:
        import asyncmy

        try:
            conn = await asyncio.wait_for(asyncmy.connect(**_mysql_admin_args(), connect_timeout=3), 5)
        except Exception:
            return False
        conn.close()
        return True

    return asyncio.run(probe())


MYSQL_OK = _mysql_available()
if REQUIRE_MYSQL and not MYSQL_OK:
    raise RuntimeError(f"CHINWAG_REQUIRE_MYSQL=1 but MySQL/MariaDB is not reachable at {MYSQL_URL!r}")

MYSQL = pytest.param("mysql", marks=pytest.mark.skipif(
    not MYSQL_OK, reason=f"MySQL/MariaDB not reachable at {MYSQL_URL!r} (set CHINWAG_TEST_MYSQL)"))

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(
    not PG_OK, reason="PostgreSQL not reachable (set CHINWAG_TEST_POSTGRES)"))]
#: the store suites (tests/store) run on MySQL/MariaDB too; the API suites do with CHINWAG_TEST_MYSQL_ALL=1
STORE_BACKENDS = [*BACKENDS, MYSQL]
if os.environ.get("CHINWAG_TEST_MYSQL_ALL") == "1":
    BACKENDS = STORE_BACKENDS


class TestDatabase:
    def __init__(self, driver: str, datasource: str, drop: Any = None) -> None:
        self.driver = driver
        self.datasource = datasource
        self.drop = drop


async def create_pg_database(prefix: str = "chinwag_test") -> TestDatabase:
    """A new, empty PostgreSQL database on ``CHINWAG_TEST_POSTGRES``'s server."""
    import asyncpg

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    u = urlparse(PG_URL)
    url = urlunparse((u.scheme, u.netloc, "/" + name, "", u.query, ""))

    async def drop() -> None:
        conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1))
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    return TestDatabase("postgres", url, drop)


async def create_mysql_database(prefix: str = "chinwag_test") -> TestDatabase:
    """A new, empty MySQL/MariaDB database (utf8mb4); the DataSource in Mattermost's form."""
    import asyncmy

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    args = _mysql_admin_args()
    admin = await asyncmy.connect(**args)
    async with admin.cursor() as cur:
        await cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    admin.close()
    auth = args["user"] + (":" + args["password"] if args["password"] else "")
    dsn = f"{auth}@tcp({args['host']}:{args['port']})/{name}?charset=utf8mb4,utf8&readTimeout=30s&writeTimeout=30s"

    async def drop() -> None:
        conn = await asyncmy.connect(**args)
        async with conn.cursor() as cur:
            await cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()

    return TestDatabase("mysql", dsn, drop)


async def _open_database(kind: str) -> TestDatabase:
    if kind == "postgres":
        return await create_pg_database()
    if kind == "mysql":
        return await create_mysql_database()
    tmp = tempfile.mkdtemp(prefix="chinwag-test-")
    return TestDatabase("sqlite", os.path.join(tmp, "chinwag.db"))


@pytest.fixture(scope="session", params=BACKENDS)
async def database(request: pytest.FixtureRequest) -> AsyncIterator[TestDatabase]:
    db = await _open_database(request.param)
    yield db
    if db.drop:
        await db.drop()


@pytest.fixture(scope="session", params=STORE_BACKENDS)
async def store_database(request: pytest.FixtureRequest) -> AsyncIterator[TestDatabase]:
    """``database`` for the store suites: SQLite, PostgreSQL and MySQL/MariaDB."""
    db = await _open_database(request.param)
    yield db
    if db.drop:
        await db.drop()


def make_config(db: TestDatabase, tmpdir: str, **overrides: str) -> ConfigStore:
    env = {
        "MM_SQLSETTINGS_DRIVERNAME": db.driver,
        "MM_SQLSETTINGS_DATASOURCE": db.datasource,
        "MM_FILESETTINGS_DIRECTORY": os.path.join(tmpdir, "files"),
        "MM_SERVICESETTINGS_SITEURL": "http://localhost:8065",
        "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5",
        "MM_SERVICESETTINGS_ENABLEDEVELOPER": "true",
        **overrides,
    }
    store = ConfigStore(os.path.join(tmpdir, "config.json"), environ=env, read_only=True)
    store.load()
    return store


_migrated: set[str] = set()


async def _wipe(server: Server) -> None:
    engine = server.db.engine
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in metadata.sorted_tables)
            await conn.execute(sa.text(f"TRUNCATE {names}"))
        else:
            for t in metadata.sorted_tables:
                await conn.execute(t.delete())


@asynccontextmanager
async def running_server(database: TestDatabase, tmpdir: str, **overrides: str) -> AsyncIterator[Server]:
    """The in-process server on the test database (migrated once per database, emptied for each test) with
    the test settings and ``overrides`` (``MM_…`` variables)."""
    srv = build(make_config(database, tmpdir, **overrides))
    if database.datasource not in _migrated:
        await migrate_database(srv.db)
        _migrated.add(database.datasource)
    await _wipe(srv)
    await srv.start()
    try:
        yield srv
    finally:
        await srv.close()


@pytest.fixture
async def server(database: TestDatabase, tmp_path: Any) -> AsyncIterator[Server]:
    async with running_server(database, str(tmp_path)) as srv:
        yield srv


class Client:
    """A thin HTTP client for tests: JSON in, httpx.Response out; remembers its login token."""

    def __init__(self, srv: Server) -> None:
        self.srv = srv
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=srv.asgi),
                                      base_url="http://localhost:8065/api/v4")
        self.token = ""
        self.user: dict[str, Any] = {}

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        h.update(headers or {})
        return h

    async def request(self, method: str, path: str, json: Any = None, *, content: bytes | None = None,
                      headers: dict[str, str] | None = None, params: dict[str, Any] | None = None
                      ) -> httpx.Response:
        return await self.http.request(method, path, json=json, content=content,
                                       headers=self._headers(headers), params=params)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return await self.request("POST", path, json, **kw)

    async def put(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return await self.request("PUT", path, json, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kw)

    async def login(self, login_id: str, password: str = "password") -> dict[str, Any]:
        r = await self.post("/users/login", {"login_id": login_id, "password": password})
        assert r.status_code == 200, r.text
        self.token = r.headers["Token"]
        self.user = r.json()
        return self.user

    async def aclose(self) -> None:
        await self.http.aclose()


class World:
    """Builds users, teams and channels through the API."""

    def __init__(self, srv: Server) -> None:
        self.srv = srv
        self.clients: list[Client] = []
        self.admin: Client | None = None

    def client(self) -> Client:
        c = Client(self.srv)
        self.clients.append(c)
        return c

    async def user(self, username: str, *, password: str = "password", **fields: Any) -> Client:
        """Create a user (the first one becomes the system admin) and return a logged-in client."""
        creator = self.admin or self.client()
        body = {"username": username, "email": f"{username}@example.com", "password": password, **fields}
        r = await creator.post("/users", body)
        assert r.status_code == 201, r.text
        c = self.client() if self.admin else creator
        await c.login(username, password)
        if self.admin is None:
            self.admin = c
        return c

    async def team(self, owner: Client, name: str = "team1", **fields: Any) -> dict[str, Any]:
        r = await owner.post("/teams", {"name": name, "display_name": name.title(), "type": "O", **fields})
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def join(self, admin: Client, team: dict[str, Any], *members: Client) -> None:
        for m in members:
            r = await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": m.user["id"]})
            assert r.status_code == 201, r.text

    async def channel(self, owner: Client, team: dict[str, Any], name: str, type: str = "O",
                      **fields: Any) -> dict[str, Any]:
        r = await owner.post("/channels", {"team_id": team["id"], "name": name, "display_name": name.title(),
                                           "type": type, **fields})
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def post(self, author: Client, channel: dict[str, Any], message: str, **fields: Any) -> dict[str, Any]:
        r = await author.post("/posts", {"channel_id": channel["id"], "message": message, **fields})
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def aclose(self) -> None:
        for c in self.clients:
            await c.aclose()


@pytest.fixture
async def world(server: Server) -> AsyncIterator[World]:
    w = World(server)
    yield w
    await w.aclose()


def assert_error(r: httpx.Response, status: int, error_id: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text}"
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) >= {"id", "message", "detailed_error", "request_id", "status_code"}, body
    assert body["status_code"] == status
    assert body["request_id"] == r.headers["x-request-id"]
    if error_id:
        assert body["id"] == error_id, body
    return dict(body)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API runs its own event loop in the main thread, and
    async tests collected after it would find that loop instead of pytest-asyncio's."""
    items.sort(key=lambda item: "tests/e2e/" in item.nodeid)
