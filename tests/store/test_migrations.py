"""Migrations on SQLite, PostgreSQL and MySQL/MariaDB: the migrated schema matches tables.py exactly, and every
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
from tests.conftest import MYSQL_OK, PG_URL, STORE_BACKENDS, create_mysql_database


@pytest.fixture(params=STORE_BACKENDS)
async def fresh_engine(request: pytest.FixtureRequest) -> Any:
    if request.param == "sqlite":
        engine = null_pool_engine("sqlite", os.path.join(tempfile.mkdtemp(prefix="chinwag-mig-"), "m.db"))
        yield engine
        await engine.dispose()
        return
    if request.param == "mysql":
        made = await create_mysql_database("chinwag_mig")
        engine = null_pool_engine("mysql", made.datasource)
        yield engine
        await engine.dispose()
        await made.drop()
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
    not_pg = sync_conn.dialect.name != "postgresql"

    def include(_obj: Any, name: Any, kind: str, _reflected: bool, _other: Any) -> bool:
        if kind == "table":
            return not str(name).startswith("posts_fts")
        return not (not_pg and kind == "index" and name == "idx_posts_searchtext_trgm")

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


@pytest.mark.skipif(not MYSQL_OK, reason="needs MySQL/MariaDB (CHINWAG_TEST_MYSQL)")
async def test_mysql_database_becomes_utf8mb4_or_the_migration_says_what_to_do() -> None:
    """A latin1 database is switched to utf8mb4 with the binary collation; a user without ALTER on a
    latin1 database gets a MigrationError naming the statement to run."""
    import asyncmy

    from tests.conftest import _mysql_admin_args

    args = _mysql_admin_args()
    suffix = uuid.uuid4().hex[:8]
    names = {"latin": f"chinwag_cs_latin_{suffix}"}
    user = f"chinwag_lim_{suffix}"
    admin = await asyncmy.connect(**args)
    try:
        async with admin.cursor() as cur:
            await cur.execute(f"CREATE DATABASE `{names['latin']}` CHARACTER SET latin1")
            await cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'")
            await cur.execute(f"CREATE USER '{user}'@'localhost' IDENTIFIED BY 'pw'")
            for db in names.values():
                for host in ("%", "localhost"):
                    await cur.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, REFERENCES "
                                      f"ON `{db}`.* TO '{user}'@'{host}'")
        host = f"{args['host']}:{args['port']}"
        limited = null_pool_engine("mysql", f"{user}:pw@tcp({host})/{names['latin']}")
        with pytest.raises(migrate.MigrationError, match="CHARACTER SET utf8mb4"):
            await migrate.upgrade(limited)
        await limited.dispose()
        auth = args["user"] + (":" + args["password"] if args["password"] else "")
        owner = null_pool_engine("mysql", f"{auth}@tcp({host})/{names['latin']}")
        await migrate.upgrade(owner)
        async with owner.connect() as conn:
            got = (await conn.execute(sa.text(
                "SELECT DISTINCT character_set_name FROM information_schema.columns "
                "WHERE table_schema = DATABASE() AND character_set_name IS NOT NULL"))).scalars().all()
            collation = (await conn.execute(sa.text(
                "SELECT default_collation_name FROM information_schema.schemata WHERE schema_name = DATABASE()"
            ))).scalar_one()
        assert got == ["utf8mb4"] and collation.startswith("utf8mb4_") and collation.endswith("_bin")
        await owner.dispose()
    finally:
        async with admin.cursor() as cur:
            for db in names.values():
                await cur.execute(f"DROP DATABASE IF EXISTS `{db}`")
            await cur.execute(f"DROP USER IF EXISTS '{user}'@'%'")
            await cur.execute(f"DROP USER IF EXISTS '{user}'@'localhost'")
        admin.close()
