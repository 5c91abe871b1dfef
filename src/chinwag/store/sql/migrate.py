"""Run Alembic migrations on an async connection (works for SQLite, PostgreSQL and MySQL/MariaDB)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class MigrationError(Exception):
    """The database cannot be migrated as it is (the message says why and what to do)."""


class SchemaTooNew(MigrationError):
    pass


class MySQLCharsetError(MigrationError):
    """The MySQL database is not utf8mb4 and chinwag may not make it so."""


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _current(sync_conn: Any) -> str | None:
    rev: str | None = MigrationContext.configure(sync_conn).get_current_revision()
    return rev


def _check_known(rev: str | None) -> None:
    if rev is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    try:
        script.get_revision(rev)
    except Exception:
        raise SchemaTooNew(
            f"the database schema is at revision {rev}, which this version of chinwag does not know; "
            "it was migrated by a newer chinwag"
        ) from None


def _applied(sync_conn: Any) -> list[tuple[int, str]]:
    """The migrations applied to this database, newest first, numbered from 1 in the order they apply."""
    current = _current(sync_conn)
    if current is None:
        return []
    script = ScriptDirectory.from_config(alembic_config())
    try:
        chain = [rev.revision for rev in script.walk_revisions("base", current)]  # newest first
    except Exception:  # a revision this chinwag does not know (a newer one migrated the database)
        return []
    return [(len(chain) - i, name) for i, name in enumerate(chain)]


async def applied_migrations(engine: AsyncEngine) -> list[tuple[int, str]]:
    async with engine.connect() as conn:
        return await conn.run_sync(_applied)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def mysql_collation(sync_conn: Any) -> str:
    """The collation chinwag's MySQL tables use: utf8mb4, compared byte for byte without padding, as
    PostgreSQL and SQLite compare text (usernames, emails, team and channel names are stored lower-cased,
    so they are unique regardless of case as on the other databases; ``josé`` and ``jose`` stay two names)."""
    version = str(sync_conn.execute(sa.text("SELECT VERSION()")).scalar_one())
    return "utf8mb4_nopad_bin" if "mariadb" in version.lower() else "utf8mb4_0900_bin"


def _mysql_database_defaults(sync_conn: Any) -> None:
    """Make utf8mb4 the database's default, so that every table a migration creates (and every text
    column in it) is utf8mb4 whatever the server's own default (often latin1 or utf8mb3)."""
    name = sync_conn.execute(sa.text("SELECT DATABASE()")).scalar_one()
    if name is None:
        raise MySQLCharsetError("the MySQL DataSource names no database (…/database?params)")
    collation = mysql_collation(sync_conn)
    charset, current = sync_conn.execute(sa.text(
        "SELECT default_character_set_name, default_collation_name FROM information_schema.schemata "
        "WHERE schema_name = :n"), {"n": name}).one()
    if current == collation:
        return
    quoted = "`" + str(name).replace("`", "``") + "`"
    try:
        sync_conn.execute(sa.text(f"ALTER DATABASE {quoted} CHARACTER SET utf8mb4 COLLATE {collation}"))
    except sa.exc.DBAPIError as e:  # no ALTER privilege (which the migrations need anyway)
        raise MySQLCharsetError(
            f"the database {name} has the default collation {current} ({charset}), and chinwag needs utf8mb4: run "
            f"ALTER DATABASE {quoted} CHARACTER SET utf8mb4 COLLATE {collation} (or grant ALTER on it: the "
            "migrations need it too)") from e


async def upgrade(engine: AsyncEngine, target: str = "head") -> None:
    def run(sync_conn: Any) -> None:
        if sync_conn.dialect.name == "mysql":
            _mysql_database_defaults(sync_conn)
        _check_known(_current(sync_conn))
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, target)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def downgrade(engine: AsyncEngine, target: str) -> None:
    def run(sync_conn: Any) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.downgrade(cfg, target)

    async with engine.begin() as conn:
        await conn.run_sync(run)
