"""What the cluster tests share: two real server processes on one fresh PostgreSQL database and a Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

from tests.conftest import PG_OK, PG_URL
from tests.procs import ServerProcess, create_pg_database, workdir

SHARED_REDIS = "redis://127.0.0.1:6379/0"


def redis_ok() -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping())
    except Exception:
        return False


#: the skip marker of tests that need PostgreSQL and the shared Redis
needs_pg_and_redis = pytest.mark.skipif(not (PG_OK and redis_ok()), reason="needs PostgreSQL and Redis")


@contextmanager
def two_nodes(env: dict[str, str] | None = None, per_node: tuple[dict[str, str], dict[str, str]] = ({}, {}),
              wd: str = "") -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Nodes A and B of one cluster (a fresh database, a cluster name of their own on the Redis at
    ``MM_REDISSETTINGS_URL``, the shared one unless ``env`` says otherwise); ``env`` adds to both
    nodes' settings, ``per_node`` to each one's; ``wd``: their working directory (a new one by default).
    Stopped, and their database and Redis keys dropped, at
    the end. The database URL is ``a.env["MM_SQLSETTINGS_DATASOURCE"]``."""
    url, drop = create_pg_database(PG_URL)
    wd = wd or workdir()
    name = f"test-{uuid.uuid4().hex[:8]}"
    base = {"MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": url,
            "MM_FILESETTINGS_DIRECTORY": os.path.join(wd, "files"), "MM_REDISSETTINGS_ENABLE": "true",
            "MM_REDISSETTINGS_URL": SHARED_REDIS, "MM_CLUSTERSETTINGS_CLUSTERNAME": name,
            "MM_PASSWORDSETTINGS_MINIMUMLENGTH": "5", **(env or {})}
    a = b = None
    try:
        a = ServerProcess({**base, **per_node[0]}, wd).start()
        b = ServerProcess({**base, **per_node[1]}, wd).start()
        yield a, b
    finally:
        for node in (a, b):
            if node is not None:
                node.stop()
        drop()
        if base["MM_REDISSETTINGS_URL"] == SHARED_REDIS:
            r = redis.Redis()
            for key in r.scan_iter(f"chinwag:{name}:*"):
                r.delete(key)


@pytest.fixture
def cluster() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    with two_nodes() as nodes:
        yield nodes
