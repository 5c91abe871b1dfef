"""Migrations on SQLite and PostgreSQL: the migrated schema matches tables.py exactly, and every
revision downgrades and upgrades cleanly."""

from __future__ import annotations

import os
import tempfile
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from chinwag.store.sql import migrate
from chinwag.store.sql.engine import null_pool_engine
from chinwag.store.sql.tables import metadata
from tests.conftest import BACKENDS, PG_URL


@pytest.fixture(params=BACKENDS)
async def fresh_engine(request: pytest.FixtureRequest) -> Any:
    if request.param == "sqlite":
        engine = null_pool_engine("sqlite", os.path.join(tempfile.mkdtemp(prefix="chinwag-mig-"), "m.db"))
        yield engine
        await engine.dispose()
        return
    import asyncpg

    name = f"chinwag_mig_{uuid.uuid4().hex[:8]}"
    admin_url = PG_URL.replace("postgres://", "postgresql://", 1)
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    engine = null_pool_engine("postgres", PG_URL.rsplit("/", 1)[0] + "/" + name)
    yield engine
    await engine.dispose()
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


def _diffs(sync_conn: Any) -> list[Any]:
    # posts_fts* are SQLite's FTS5 search table and its shadow tables, and the pg_trgm index is
    # PostgreSQL's only (Index.ddl_if), both from migration 0005_search
    sqlite = sync_conn.dialect.name == "sqlite"

    def include(_obj: Any, name: Any, kind: str, _reflected: bool, _other: Any) -> bool:
        if kind == "table":
            return not str(name).startswith("posts_fts")
        return not (sqlite and kind == "index" and name == "idx_posts_searchtext_trgm")

    ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True, "include_object": include})
    return list(compare_metadata(ctx, metadata))


async def _tables(engine: Any) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))


async def test_upgrade_matches_tables_and_downgrades(fresh_engine: Any) -> None:
    await migrate.upgrade(fresh_engine)
    assert await migrate.current_revision(fresh_engine) == migrate.head_revision()
    async with fresh_engine.connect() as conn:
        assert await conn.run_sync(_diffs) == []
        indexes = await conn.run_sync(lambda c: {i["name"] for i in sa.inspect(c).get_indexes("fileinfo")})
    assert {"idx_fileinfo_postid_at", "idx_fileinfo_channel_id_create_at"} <= indexes
    await migrate.downgrade(fresh_engine, "0002_ws")
    assert "fileinfo" not in await _tables(fresh_engine)
    assert "posts" in await _tables(fresh_engine)
    await migrate.downgrade(fresh_engine, "base")
    assert "posts" not in await _tables(fresh_engine)
    await migrate.upgrade(fresh_engine)
    assert {"fileinfo", "posts", "wsevents"} <= await _tables(fresh_engine)
