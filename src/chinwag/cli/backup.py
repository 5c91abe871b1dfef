"""`chinwag backup create|restore`: one archive with the database (a consistent snapshot: SQLite's
online-backup API, pg_dump, or mysqldump --single-transaction), the stored files (local or S3) and config.json, taken while the
server keeps serving; restored into an empty instance (or over one with --force).

Restores work across database kinds: every archive carries the database as a SQLite file too (for a
SQLite server that is the backup itself; for PostgreSQL a copy made from the same snapshot as the
pg_dump; for MySQL/MariaDB a copy from a consistent snapshot taken right after mysqldump's), and a restore into the other kind copies it table by table (``store/sql/portable.py``),
so ids, password hashes, sessions and everything else come back unchanged.

Nothing readable is left behind by a run that is stopped or killed: the working copy of the dump
lives in a private (0700) temporary directory, the archive is written 0600 from its first byte
under a hidden name next to the output and renamed only once complete, and a watchdog process
removes both when this process ends in any way (SIGKILL included). The archive's last member,
``checksums.json``, holds the SHA-256 of every other member: a restore refuses an archive that
lacks it or does not match it (truncated, damaged) before touching anything."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import typer

from chinwag.cli.common import ConfigOpt, fail, load
from chinwag.config import ConfigError, ConfigStore
from chinwag.config.loader import to_dict

app = typer.Typer(help="Back up and restore the database, files and config.json.", no_args_is_help=True)
FORMAT = 2  # 2: checksums.json as the last member
READABLE_FORMATS = (1, 2)
CHECKSUMS = "checksums.json"
#: settings that say where *this* instance keeps its data: a restore keeps the target's own
LOCATION_SETTINGS = {"SqlSettings": ("DriverName", "DataSource", "DataSourceReplicas", "DataSourceSearchReplicas"),
                     "FileSettings": ("DriverName", "Directory", "AmazonS3AccessKeyId", "AmazonS3SecretAccessKey",
                                      "AmazonS3Bucket", "AmazonS3PathPrefix", "AmazonS3Region", "AmazonS3Endpoint"),
                     "ServiceSettings": ("ListenAddress", "LocalModeSocketLocation"),
                     "RedisSettings": ("URL",)}


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
    sql, fs = cfg.effective.SqlSettings, cfg.effective.FileSettings
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

    backend = file_backend(cfg.effective.FileSettings)
    return backend, [p for p in await backend.list_files("") if p not in skip]


@app.command("create")
def create(out: str = typer.Argument("", help="Archive to write (default: chinwag-backup-<time>.tar.gz)."),
           config: str | None = ConfigOpt) -> None:
    """Write one archive with the database, the files and config.json (the server may keep running)."""
    cfg = load(config)
    out = out or time.strftime("chinwag-backup-%Y%m%d-%H%M%S.tar.gz")
    sql = cfg.effective.SqlSettings
    portable = ""
    partial = os.path.join(os.path.dirname(os.path.abspath(out)),
                           f".{os.path.basename(out)}.{os.getpid()}.partial")
    with _private_workspace("chinwag-backup-", partial) as tmp:
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
        elif sql.DriverName == "mysql":
            db_file, db_name = os.path.join(tmp, "db.sql"), "database/mysql.sql"
            portable = "database/portable.sqlite"
            asyncio.run(_dump_mysql(cfg, tmp, db_file, os.path.join(tmp, "portable.sqlite")))
        else:
            db_file, db_name = os.path.join(tmp, "db.dump"), "database/postgres.dump"
            portable = "database/portable.sqlite"
            asyncio.run(_dump_postgres(cfg, db_file, os.path.join(tmp, "portable.sqlite")))
        extra = {portable: os.path.join(tmp, "portable.sqlite")} if portable != db_name else {}
        count = asyncio.run(_write_archive(cfg, out, partial, db_file, db_name, portable, extra))
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
                                           libpq_url(cfg.effective.SqlSettings.DataSource)], "pg_dump")
            await copy_database(conn, copy)
    finally:
        await copy.close()
        await db.close()


def _mysql_client_args(datasource: str, tmp: str) -> list[str]:
    """Options for the mysql/mysqldump clients: the credentials go in a 0600 option file inside the
    private workspace (never on the command line, where ps would show the password)."""
    from chinwag.store.sql.engine import mysql_params

    p = mysql_params(datasource)
    lines = ["[client]", f"user={p['user']}", "default-character-set=utf8mb4"]
    if p["password"]:
        lines.append('password="' + p["password"].replace("\\", "\\\\").replace('"', '\\"') + '"')
    if p["socket"]:
        lines.append(f"socket={p['socket']}")
    else:
        lines += [f"host={p['host']}", "protocol=TCP"] + ([f"port={p['port']}"] if p["port"] else [])
    if p["query"].get("tls", "").lower() in ("true", "skip-verify", "preferred"):
        lines.append("ssl")
    opts = os.path.join(tmp, "client.cnf")
    fd = os.open(opts, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    return [f"--defaults-extra-file={opts}"]


def _mysql_tool(*names: str) -> str:
    for name in names:
        if shutil.which(name):
            return name
    return names[0]


async def _dump_mysql(cfg: ConfigStore, tmp: str, dump_file: str, portable_file: str) -> None:
    """mysqldump (one consistent InnoDB snapshot: --single-transaction, no table locks), then the
    portable SQLite copy from a consistent snapshot of its own."""
    from chinwag.server import open_database
    from chinwag.store.sql.engine import Database, mysql_params
    from chinwag.store.sql.migrate import current_revision, upgrade
    from chinwag.store.sql.portable import copy_database, snapshot

    source = cfg.effective.SqlSettings.DataSource
    db = open_database(cfg)
    copy = Database("sqlite", portable_file)
    try:
        revision = await current_revision(db.engine)
        if revision is None:
            fail("the database has no schema yet (run 'chinwag db migrate' or start the server once)")
        await upgrade(copy.engine, revision)
        args = _mysql_client_args(source, tmp)
        await asyncio.to_thread(_run, [_mysql_tool("mariadb-dump", "mysqldump"), *args, "--single-transaction",
                                       "--skip-lock-tables", "--no-tablespaces", "--hex-blob",
                                       "--default-character-set=utf8mb4", f"--result-file={dump_file}",
                                       mysql_params(source)["database"]], "mysqldump")
        async with snapshot(db) as conn:
            await copy_database(conn, copy)
    finally:
        await copy.close()
        await db.close()


def _restore_mysql(datasource: str, tmp: str, dump_file: str) -> None:
    """Load a mysqldump into this instance's database: first drop every table there (a restore over an
    instance with a newer schema must not keep tables the dump does not have), then run the dump."""
    from chinwag.store.sql.engine import mysql_params

    args = _mysql_client_args(datasource, tmp)
    name = mysql_params(datasource)["database"]
    client = _mysql_tool("mariadb", "mysql")
    listing = subprocess.run([client, *args, "--batch", "--skip-column-names", "-e",
                              "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
                              name], capture_output=True, text=True)
    if listing.returncode != 0:
        fail(f"mysql failed: {(listing.stderr or '').strip()}")
    drops = "".join(f"DROP TABLE IF EXISTS `{t}`;" for t in listing.stdout.split())
    with open(dump_file, "rb") as dump:
        p = subprocess.run([client, *args, name], input=b"SET FOREIGN_KEY_CHECKS=0;" + drops.encode()
                           + dump.read(), capture_output=True)
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()
        fail(f"restoring the MySQL dump failed: {err[-1] if err else p.returncode}")


# a separate process that outlives this one: it makes the temporary directory (so none exists
# without it) and, when this process ends without saying "done" (killed, even by SIGKILL), removes
# the directory and the unfinished archive
_WATCHDOG = """
import os, shutil, signal, sys, tempfile
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_IGN)
tmp = tempfile.mkdtemp(prefix=sys.argv[1])
sys.stdout.write(tmp + "\\n")
sys.stdout.flush()
said = sys.stdin.buffer.read()
if said != b"done":
    shutil.rmtree(tmp, ignore_errors=True)
    if sys.argv[2]:
        try:
            os.unlink(sys.argv[2])
        except OSError:
            pass
"""


def _raise_exit(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _private_workspace(prefix: str, partial: str = "") -> Iterator[str]:
    """A 0700 temporary directory, removed on any exit: normal, error, SIGTERM/SIGHUP/SIGINT (turned
    into exceptions here), or SIGKILL (by the watchdog process). ``partial`` (an unfinished output
    file) is removed with it."""
    main = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, _raise_exit) for s in (signal.SIGTERM, signal.SIGHUP)} if main else {}
    watchdog: subprocess.Popen[bytes] | None = None
    tmp = ""
    try:
        watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG, prefix, partial], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, start_new_session=True)
        assert watchdog.stdout is not None
        tmp = watchdog.stdout.readline().decode().strip()
        if not tmp or not os.path.isdir(tmp):
            fail("could not create a temporary directory")
        yield tmp  # mode 0700 (mkdtemp)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        if partial:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
        if watchdog is not None and watchdog.stdin is not None:
            with contextlib.suppress(OSError):
                watchdog.stdin.write(b"done")
                watchdog.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                watchdog.wait(5)
        for s, handler in previous.items():
            signal.signal(s, handler)


class _HashingTar:
    """A tar.gz being written, with the SHA-256 of every member for the closing checksums.json."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.sums: dict[str, str] = {}

    def add_bytes(self, name: str, data: bytes) -> None:
        self.sums[name] = hashlib.sha256(data).hexdigest()
        _add_bytes(self.tar, name, data)

    def add_file(self, path: str, name: str) -> None:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        self.sums[name] = h.hexdigest()
        info = self.tar.gettarinfo(path, arcname=name)
        info.mode = 0o600
        with open(path, "rb") as f:
            self.tar.addfile(info, f)

    def finish(self) -> None:
        _add_bytes(self.tar, CHECKSUMS, json.dumps({"sha256": self.sums}, indent=1).encode())


async def _write_archive(cfg: ConfigStore, out: str, partial: str, db_file: str, db_name: str, portable: str,
                         extra: dict[str, str]) -> int:
    backend, paths = await _file_list(cfg, _db_names(cfg))
    manifest = {"format": FORMAT, "created_at": int(time.time() * 1000), "driver": cfg.effective.SqlSettings.DriverName,
                "database": db_name, "portable": portable, "files": len(paths), "checksums": CHECKSUMS}
    try:
        # 0600 from the first byte (O_EXCL: never someone else's file), under a hidden name
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        fail(f"cannot write {partial}: {e.strerror}")
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                out_tar = _HashingTar(tar)
                out_tar.add_bytes("manifest.json", json.dumps(manifest, indent=2).encode())
                out_tar.add_bytes("config.json", json.dumps(to_dict(cfg.file_config), indent=4).encode())
                out_tar.add_file(db_file, db_name)
                for name, path in extra.items():
                    out_tar.add_file(path, name)
                for path in paths:
                    try:
                        data = await backend.read_file(path)
                    except Exception:  # removed while we were copying: a file of a deleted post
                        continue
                    out_tar.add_bytes("files/" + path, data)
                out_tar.finish()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, out)
    finally:
        await backend.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
    return len(paths)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _verify(archive: str, root: Path, manifest: dict[str, Any]) -> None:
    """Every member the archive's checksums.json lists is there with its SHA-256, and nothing else."""
    if manifest.get("format") == 1:
        typer.echo("Warning: this archive (format 1) carries no checksums; it cannot be checked for "
                   "truncation", err=True)
        return
    try:
        sums: dict[str, str] = json.loads((root / CHECKSUMS).read_text())["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        fail(f"{archive}: the archive is incomplete (no {CHECKSUMS} at its end: truncated, or its backup "
             "never finished); nothing was restored")
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {CHECKSUMS}
    if present != set(sums):
        fail(f"{archive}: the archive does not match its checksums ({len(set(sums) - present)} members missing, "
             f"{len(present - set(sums))} unexpected); nothing was restored")
    for name, digest in sums.items():
        if _sha256(root / name) != digest:
            fail(f"{archive}: {name} does not match its checksum (the archive is damaged); nothing was restored")


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
    cfg = load(config)
    sql = cfg.effective.SqlSettings
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as e:
        fail(f"{archive}: not a chinwag backup archive ({e})")
    with tar, _private_workspace("chinwag-restore-") as tmp:
        try:
            manifest = json.loads(_member(tar, "manifest.json").read())
        except (KeyError, ValueError, AttributeError):
            fail(f"{archive}: not a chinwag backup archive (no manifest.json)")
        except (EOFError, OSError, tarfile.TarError, zlib.error):
            fail(f"{archive}: the archive is truncated or damaged; nothing was restored")
        if manifest.get("format") not in READABLE_FORMATS:
            fail(f"{archive}: backup format {manifest.get('format')} is not supported")
        across = manifest["driver"] != sql.DriverName
        if across and not manifest.get("portable"):
            fail(f"the backup holds a {manifest['driver']} database without a portable copy (made by an older "
                 f"chinwag) but SqlSettings.DriverName is {sql.DriverName}; restore into the same kind of "
                 "database, or move across kinds with 'chinwag export bulk' and 'chinwag import bulk'")
        if not force and asyncio.run(_user_count(cfg)) > 0:
            fail("this instance already has data (users in the database); use --force to overwrite it")
        try:
            tar.extractall(tmp, filter="data")
        except (EOFError, OSError, tarfile.TarError, zlib.error) as e:
            fail(f"{archive}: the archive is truncated or damaged ({e or type(e).__name__}); nothing was restored")
        _verify(archive, Path(tmp), manifest)
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
        elif sql.DriverName == "mysql":
            _restore_mysql(sql.DataSource, tmp, db_file)
        else:
            _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                  "-d", libpq_url(sql.DataSource), db_file], "pg_restore")
        asyncio.run(_forget_connections(cfg))
        count = asyncio.run(_restore_files(cfg, _extracted_files(Path(tmp) / "files")))
        _restore_config(cfg, Path(tmp) / "config.json")
    typer.echo(f"Restored {archive}: database, {count} files, config.json")


async def _forget_connections(cfg: ConfigStore) -> None:
    """The restored event history ends where the backup was taken; clients may have seen later
    events. Without their resume checkpoints every client starts afresh (hello) instead of resuming
    over a history that was rewound."""
    import sqlalchemy as sa

    from chinwag.server import open_database

    db = open_database(cfg)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(sa.text("DELETE FROM wsconnections"))
    finally:
        await db.close()


def _member(tar: tarfile.TarFile, name: str) -> IO[bytes]:
    f = tar.extractfile(name)
    if f is None:
        raise KeyError(name)
    return f


async def _restore_across(cfg: ConfigStore, portable_file: str) -> int:
    """Copy the backup's SQLite database into this instance's database of another kind."""
    from chinwag.server import migrate_database, open_database
    from chinwag.store.sql.engine import Database
    from chinwag.store.sql.migrate import MigrationError
    from chinwag.store.sql.portable import copy_database, snapshot

    src, dst = Database("sqlite", portable_file), open_database(cfg)
    try:
        try:
            await migrate_database(src)  # a backup from an older chinwag: bring its copy to this schema
            await migrate_database(dst)
        except MigrationError as e:
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

    backend = file_backend(cfg.effective.FileSettings)
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
