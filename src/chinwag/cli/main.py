"""`chinwag`: serve, and database schema management."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any, NoReturn

import typer

from chinwag.cli.backup import app as backup_cli
from chinwag.cli.mmctl import register as register_mmctl
from chinwag.config import ConfigError, ConfigStore
from chinwag.config.loader import parse_listen_address

cli = typer.Typer(help="chinwag: a team chat server that speaks Mattermost's API.", no_args_is_help=True,
                  add_completion=False)
db_cli = typer.Typer(help="Database schema management.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
file_cli = typer.Typer(help="File storage (FileSettings).", no_args_is_help=True)
cli.add_typer(file_cli, name="file")

ConfigOpt = typer.Option(None, "--config", "-c", help="Path to config.json (default: $MM_CONFIG or "
                                                         "./config/config.json).")


def fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


def load(config_path: str | None) -> ConfigStore:
    try:
        store = ConfigStore(config_path)
        store.load()
        return store
    except ConfigError as e:
        fail(str(e))
        raise  # unreachable


def setup_logging(cfg: ConfigStore) -> None:
    import structlog

    level = getattr(logging, cfg.config.LogSettings.ConsoleLevel.upper(), logging.INFO)
    renderer: Any = (structlog.processors.JSONRenderer() if cfg.config.LogSettings.ConsoleJson
                     else structlog.dev.ConsoleRenderer(colors=cfg.config.LogSettings.EnableColor))
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso"), renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )
    logging.basicConfig(level=level, stream=sys.stderr, format="%(message)s")


@cli.command()
def serve(config: str | None = ConfigOpt,
          workers: int = typer.Option(0, "--workers", "-w", help="Worker processes (default: "
                                      "ServiceSettings.WorkerCount; more than one needs RedisSettings.Enable).")
          ) -> None:
    """Start the server (migrating the database first)."""
    import os

    import uvicorn

    from chinwag.server import LifespanApp, build, migrate_database
    from chinwag.store.sql.migrate import SchemaTooNew

    cfg = load(config)
    setup_logging(cfg)
    host, port = parse_listen_address(cfg.config.ServiceSettings.ListenAddress)
    count = workers or cfg.config.ServiceSettings.WorkerCount
    if count > 1 and not (cfg.config.RedisSettings.Enable or cfg.config.ClusterSettings.Enable):
        fail("ServiceSettings.WorkerCount: more than one worker process needs RedisSettings.Enable "
             "(workers share events through Redis)")
    local_sock = open_local(cfg.config.ServiceSettings.LocalModeSocketLocation, count) \
        if cfg.config.ServiceSettings.EnableLocalMode else None
    server = build(cfg)

    async def prepare() -> None:
        try:
            await migrate_database(server.db)
        finally:
            await server.db.close()  # the pools belong to this event loop; the server runs on another

    try:
        asyncio.run(prepare())
    except SchemaTooNew as e:
        fail(str(e))
    except OSError as e:
        fail(f"SqlSettings.DataSource: cannot connect to the database: {e}")
    except Exception as e:  # asyncpg/sqlite connection errors differ by driver
        fail(f"SqlSettings.DataSource: cannot open the database: {e.__class__.__name__}: {e}")

    options: dict[str, Any] = dict(
        host=host, port=port, log_level="warning", proxy_headers=True, ws="websockets-sansio",
        ws_max_size=8192, ws_per_message_deflate=False, ws_ping_interval=30, ws_ping_timeout=60,
        lifespan="on", timeout_graceful_shutdown=5, http="httptools", loop="uvloop",
    )
    typer.echo(f"chinwag listening on http://{'localhost' if host == '0.0.0.0' else host}:{port}", err=True)
    if local_sock is not None:
        serve_local(server, options, local_sock)
    elif count > 1:
        os.environ["MM_CONFIG"] = str(cfg.path.resolve())
        uvicorn.run("chinwag.server:worker_app", factory=True, workers=count, **options)
    else:
        uvicorn.run(LifespanApp(server), **options)


def open_local(path: str, workers: int) -> Any:
    """The local-mode unix socket (ServiceSettings.EnableLocalMode), checked before anything starts."""
    from chinwag.server import UnsafeSocketPath, open_local_socket

    if workers > 1:
        fail("ServiceSettings.EnableLocalMode: local mode needs a single worker process "
             "(ServiceSettings.WorkerCount 1)")
    try:
        return open_local_socket(path)
    except UnsafeSocketPath as e:
        fail(str(e))


def serve_local(server: Any, options: dict[str, Any], sock: Any) -> None:
    """Serve TCP and the local-mode unix socket from one process and one event loop."""
    import uvloop

    from chinwag.server import close_local_socket, serve_all

    path = server.config.config.ServiceSettings.LocalModeSocketLocation
    typer.echo(f"chinwag local mode on unix socket {path}", err=True)
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(serve_all(server, options, sock, path))
    finally:
        close_local_socket(sock, path)


@db_cli.command("migrate")
def db_migrate(config: str | None = ConfigOpt) -> None:
    """Bring the database schema up to date."""
    from chinwag.server import migrate_database, open_database
    from chinwag.store.sql.migrate import SchemaTooNew

    cfg = load(config)
    db = open_database(cfg)

    async def run() -> None:
        try:
            await migrate_database(db)
        finally:
            await db.close()

    try:
        asyncio.run(run())
    except SchemaTooNew as e:
        fail(str(e))
    typer.echo("Database schema is up to date.")


@db_cli.command("version")
def db_version(config: str | None = ConfigOpt) -> None:
    """Show the database schema revision and the newest this chinwag knows."""
    from chinwag.server import open_database
    from chinwag.store.sql.migrate import current_revision, head_revision

    cfg = load(config)
    db = open_database(cfg)

    async def run() -> str | None:
        try:
            return await current_revision(db.engine)
        finally:
            await db.close()

    current = asyncio.run(run())
    typer.echo(f"database: {current or '(empty)'}\nlatest:   {head_revision()}")


@db_cli.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'."),
                 config: str | None = ConfigOpt) -> None:
    """Move the schema back to an older revision."""
    from chinwag.server import open_database
    from chinwag.store.sql.migrate import downgrade

    cfg = load(config)
    db = open_database(cfg)

    async def run() -> None:
        try:
            await downgrade(db.engine, revision)
        finally:
            await db.close()

    asyncio.run(run())
    typer.echo(f"Database schema downgraded to {revision}.")


@file_cli.command("test")
def file_test(config: str | None = ConfigOpt) -> None:
    """Check the file storage settings: reach the storage, write, read back and remove a test file."""
    from chinwag.filestore.base import FileBackendError
    from chinwag.server import file_backend

    fs = load(config).config.FileSettings
    where = (f"directory {fs.Directory}" if fs.DriverName == "local" else
             f"bucket {fs.AmazonS3Bucket!r} at {fs.AmazonS3Endpoint}")

    async def run() -> None:
        backend = file_backend(fs)
        try:
            await backend.test_connection()
        finally:
            await backend.close()

    try:
        asyncio.run(run())
    except FileBackendError as e:
        fail(f"FileSettings ({fs.DriverName}, {where}): {e}")
    typer.echo(f"File storage OK: {fs.DriverName}, {where}.")


@cli.command()
def version() -> None:
    """Print chinwag's version."""
    from chinwag import MATTERMOST_VERSION, __version__

    typer.echo(f"chinwag {__version__} (Mattermost API {MATTERMOST_VERSION})")


cli.add_typer(backup_cli, name="backup")
register_mmctl(cli)  # mmctl's command tree: auth, user, team, channel, … (cli/mmctl/)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
