"""`chinwag backup create|restore`: one archive with the database (a consistent snapshot: SQLite's
online-backup API, or pg_dump), the stored files (local or S3) and config.json, taken while the
server keeps serving; restored into an empty instance (or over one with --force).

Restores work across database kinds: every archive carries the database as a SQLite file too (for a
SQLite server that is the backup itself; for PostgreSQL a copy made from the same snapshot as the
pg_dump), and a restore into the other kind copies it table by table (``store/sql/portable.py``),
so ids, password hashes, sessions and everything else come back unchanged."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import typer

from chinwag.config import ConfigError, ConfigStore
from chinwag.config.loader import to_dict

app = typer.Typer(help="Back up and restore the database, files and config.json.", no_args_is_help=True)
ConfigOpt = typer.Option(None, "--config", "-c", help="Path to config.json (default: $MM_CONFIG or "
                                                         "./config/config.json).")
FORMAT = 1
#: settings that say where *this* instance keeps its data: a restore keeps the target's own
LOCATION_SETTINGS = {"SqlSettings": ("DriverName", "DataSource", "DataSourceReplicas", "DataSourceSearchReplicas"),
                     "FileSettings": ("DriverName", "Directory", "AmazonS3AccessKeyId", "AmazonS3SecretAccessKey",
                                      "AmazonS3Bucket", "AmazonS3PathPrefix", "AmazonS3Region", "AmazonS3Endpoint"),
                     "ServiceSettings": ("ListenAddress", "LocalModeSocketLocation"),
                     "RedisSettings": ("URL",)}


def fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


def _load(config: str | None) -> ConfigStore:
    try:
        store = ConfigStore(config)
        store.load()
        return store
    except ConfigError as e:
        fail(str(e))


def sqlite_path(datasource: str) -> str:
    path = datasource[5:] if datasource.startswith("file:") else datasource
    return path.split("?", 1)[0]


def libpq_url(datasource: str) -> str:
    """The DataSource as pg_dump understands it (postgres:// URL without Mattermost-only options)."""
    u = urlparse(datasource)
    query = [(k, v) for k, v in parse_qsl(u.query) if k != "binary_parameters"]
    return urlunparse((u.scheme, u.netloc, u.path, "", urlencode(query), ""))


def _run(cmd: list[str], what: str) -> None:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        fail(f"{cmd[0]} is not installed (needed for {what})")
    if p.returncode != 0:
        fail(f"{what} failed: {(p.stderr or p.stdout).strip().splitlines()[-1] if (p.stderr or p.stdout) else p.returncode}")


def _db_names(cfg: ConfigStore) -> set[str]:
    """The SQLite database's files as paths inside FileSettings.Directory (default ./data holds both)."""
    sql, fs = cfg.config.SqlSettings, cfg.config.FileSettings
    if sql.DriverName != "sqlite" or fs.DriverName != "local":
        return set()
    root, base = Path(fs.Directory).resolve(), Path(sqlite_path(sql.DataSource)).resolve()
    names = set()
    for suffix in ("", "-wal", "-shm", "-journal"):
        f = Path(str(base) + suffix)
        if f.is_relative_to(root):
            names.add(f.relative_to(root).as_posix())
    return names


async def _file_list(cfg: ConfigStore, skip: set[str]) -> tuple[Any, list[str]]:
    from chinwag.server import file_backend

    backend = file_backend(cfg.config.FileSettings)
    return backend, [p for p in await backend.list_files("") if p not in skip]


@app.command("create")
def create(out: str = typer.Argument("", help="Archive to write (default: chinwag-backup-<time>.tar.gz)."),
           config: str | None = ConfigOpt) -> None:
    """Write one archive with the database, the files and config.json (the server may keep running)."""
    cfg = _load(config)
    out = out or time.strftime("chinwag-backup-%Y%m%d-%H%M%S.tar.gz")
    sql = cfg.config.SqlSettings
    portable = ""
    with tempfile.TemporaryDirectory(prefix="chinwag-backup-") as tmp:
        if sql.DriverName == "sqlite":
            src_path = sqlite_path(sql.DataSource)
            if not os.path.exists(src_path):
                fail(f"SqlSettings.DataSource: {src_path} does not exist")
            db_file, db_name = os.path.join(tmp, "db.sqlite"), "database/chinwag.sqlite"
            portable = db_name
            src, dst = sqlite3.connect(src_path), sqlite3.connect(db_file)
            try:
                src.backup(dst)  # SQLite's online backup: a consistent copy while writers go on
            finally:
                dst.close()
                src.close()
        else:
            db_file, db_name = os.path.join(tmp, "db.dump"), "database/postgres.dump"
            portable = "database/portable.sqlite"
            asyncio.run(_dump_postgres(cfg, db_file, os.path.join(tmp, "portable.sqlite")))
        extra = {portable: os.path.join(tmp, "portable.sqlite")} if portable != db_name else {}
        count = asyncio.run(_write_archive(cfg, out, db_file, db_name, portable, extra))
    typer.echo(f"Backup written to {out}: database ({sql.DriverName}), {count} files, config.json")


async def _dump_postgres(cfg: ConfigStore, dump_file: str, portable_file: str) -> None:
    """pg_dump and the portable SQLite copy, both from one exported snapshot (the same instant)."""
    import sqlalchemy as sa

    from chinwag.server import open_database
    from chinwag.store.sql.engine import Database
    from chinwag.store.sql.migrate import current_revision, upgrade
    from chinwag.store.sql.portable import copy_database, snapshot

    db = open_database(cfg)
    copy = Database("sqlite", portable_file)
    try:
        revision = await current_revision(db.engine)
        if revision is None:
            fail("the database has no schema yet (run 'chinwag db migrate' or start the server once)")
        await upgrade(copy.engine, revision)
        async with snapshot(db) as conn:
            snap = (await conn.execute(sa.text("SELECT pg_export_snapshot()"))).scalar_one()
            await asyncio.to_thread(_run, ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                                           f"--snapshot={snap}", "-f", dump_file, "-d",
                                           libpq_url(cfg.config.SqlSettings.DataSource)], "pg_dump")
            await copy_database(conn, copy)
    finally:
        await copy.close()
        await db.close()


async def _write_archive(cfg: ConfigStore, out: str, db_file: str, db_name: str, portable: str,
                         extra: dict[str, str]) -> int:
    backend, paths = await _file_list(cfg, _db_names(cfg))
    manifest = {"format": FORMAT, "created_at": int(time.time() * 1000), "driver": cfg.config.SqlSettings.DriverName,
                "database": db_name, "portable": portable, "files": len(paths)}
    tmp_out = out + ".partial"
    try:
        with tarfile.open(tmp_out, "w:gz") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
            _add_bytes(tar, "config.json", json.dumps(to_dict(cfg.file_config), indent=4).encode())
            tar.add(db_file, arcname=db_name)
            for name, path in extra.items():
                tar.add(path, arcname=name)
            for path in paths:
                try:
                    data = await backend.read_file(path)
                except Exception:  # removed while we were copying: a file of a deleted post
                    continue
                _add_bytes(tar, "files/" + path, data)
        os.chmod(tmp_out, 0o600)
        os.replace(tmp_out, out)
    finally:
        await backend.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_out)
    return len(paths)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


async def _user_count(cfg: ConfigStore) -> int:
    import sqlalchemy as sa

    from chinwag.server import open_database

    db = open_database(cfg)
    try:
        async with db.engine.connect() as conn:
            return int((await conn.execute(sa.text("SELECT count(*) FROM users"))).scalar_one())
    except Exception:  # no schema yet: an empty instance
        return 0
    finally:
        await db.close()


@app.command("restore")
def restore(archive: str = typer.Argument(..., help="An archive from 'chinwag backup create'."),
            force: bool = typer.Option(False, "--force", help="Overwrite an instance that already has data."),
            config: str | None = ConfigOpt) -> None:
    """Restore the database, files and config.json into this instance (stop the server first). The
    target keeps its own database, file-storage and listen settings."""
    cfg = _load(config)
    sql = cfg.config.SqlSettings
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as e:
        fail(f"{archive}: not a chinwag backup archive ({e})")
    with tar, tempfile.TemporaryDirectory(prefix="chinwag-restore-") as tmp:
        try:
            manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        except (KeyError, ValueError, AttributeError):
            fail(f"{archive}: not a chinwag backup archive (no manifest.json)")
        if manifest.get("format") != FORMAT:
            fail(f"{archive}: backup format {manifest.get('format')} is not supported")
        across = manifest["driver"] != sql.DriverName
        if across and not manifest.get("portable"):
            fail(f"the backup holds a {manifest['driver']} database without a portable copy (made by an older "
                 f"chinwag) but SqlSettings.DriverName is {sql.DriverName}; restore into the same kind of "
                 "database, or move across kinds with 'chinwag export bulk' and 'chinwag import bulk'")
        if not force and asyncio.run(_user_count(cfg)) > 0:
            fail("this instance already has data (users in the database); use --force to overwrite it")
        tar.extractall(tmp, filter="data")
        db_file = os.path.join(tmp, manifest["database"])
        if across:
            tables = asyncio.run(_restore_across(cfg, os.path.join(tmp, manifest["portable"])))
            typer.echo(f"Copied the {manifest['driver']} backup into {sql.DriverName}: {tables} rows")
        elif sql.DriverName == "sqlite":
            target = sqlite_path(sql.DataSource)
            os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
            for suffix in ("-wal", "-shm", "-journal"):
                if os.path.exists(target + suffix):
                    os.unlink(target + suffix)
            shutil.copyfile(db_file, target + ".restoring")
            os.replace(target + ".restoring", target)
        else:
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                  "-d", libpq_url(sql.DataSource), db_file], "pg_restore")
        count = asyncio.run(_restore_files(cfg, _extracted_files(Path(tmp) / "files")))
        _restore_config(cfg, Path(tmp) / "config.json")
    typer.echo(f"Restored {archive}: database, {count} files, config.json")


async def _restore_across(cfg: ConfigStore, portable_file: str) -> int:
    """Copy the backup's SQLite database into this instance's database of another kind."""
    from chinwag.server import migrate_database, open_database
    from chinwag.store.sql.engine import Database
    from chinwag.store.sql.migrate import SchemaTooNew
    from chinwag.store.sql.portable import copy_database, snapshot

    src, dst = Database("sqlite", portable_file), open_database(cfg)
    try:
        try:
            await migrate_database(src)  # a backup from an older chinwag: bring its copy to this schema
            await migrate_database(dst)
        except SchemaTooNew as e:
            fail(str(e))
        async with snapshot(src) as conn:
            counts = await copy_database(conn, dst)
    finally:
        await src.close()
        await dst.close()
    return sum(counts.values())


def _extracted_files(root: Path) -> list[tuple[str, Path]]:
    if not root.exists():
        return []
    return [(p.relative_to(root).as_posix(), p) for p in sorted(root.rglob("*")) if p.is_file()]


async def _restore_files(cfg: ConfigStore, files: list[tuple[str, Path]]) -> int:
    from chinwag.server import file_backend

    backend = file_backend(cfg.config.FileSettings)
    try:
        for name, path in files:
            await backend.write_file(name, await asyncio.to_thread(path.read_bytes))
    finally:
        await backend.close()
    return len(files)


def _restore_config(cfg: ConfigStore, path: Path) -> None:
    try:
        restored = json.loads(path.read_text())
    except (OSError, ValueError):
        fail("the backup's config.json is missing or unreadable")
    own = to_dict(cfg.file_config)
    for section, settings in LOCATION_SETTINGS.items():
        for setting in settings:
            restored.setdefault(section, {})[setting] = own[section][setting]
    try:
        cfg.set_file_config(restored)
    except ConfigError as e:
        fail(f"the backup's config.json: {e}")
