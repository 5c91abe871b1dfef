"""`chinwag`: serve, and database schema management."""

from __future__ import annotations

import asyncio
from typing import Any

import typer

from chinwag.cli.backup import app as backup_cli
from chinwag.cli.common import ConfigOpt, fail, load
from chinwag.cli.importer import export_cli, import_cli
from chinwag.cli.mmctl import register as register_mmctl
from chinwag.cli.mmctl import register_ldap, register_server_command
from chinwag.cli.mmctl.flags import RootGroup
from chinwag.cli.mmctl.importexport import register as register_import_export
from chinwag.cli.search import search_cli
from chinwag.config import ConfigStore
from chinwag.config.loader import parse_listen_address

cli = typer.Typer(help="chinwag: a team chat server that speaks Mattermost's API.", no_args_is_help=True,
                  add_completion=False, cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
db_cli = typer.Typer(help="Database schema management.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
ldap_cli = typer.Typer(help="AD/LDAP (LdapSettings).", no_args_is_help=True)
cli.add_typer(ldap_cli, name="ldap")
file_cli = typer.Typer(help="File storage (FileSettings).", no_args_is_help=True)
cli.add_typer(file_cli, name="file")
cli.add_typer(search_cli, name="search")

register_import_export(import_cli, export_cli)  # mmctl's import/export commands over the REST job flow
cli.add_typer(import_cli, name="import")
cli.add_typer(export_cli, name="export")

__all__ = ["ConfigOpt", "cli", "fail", "load", "main"]


def setup_logging(cfg: ConfigStore, shared_file: bool = False) -> None:
    from chinwag.server import setup_logging as setup

    setup(cfg, shared_file)


@cli.command()
def serve(config: str | None = ConfigOpt,
          workers: int = typer.Option(0, "--workers", "-w", help="Worker processes (default: "
                                      "ServiceSettings.WorkerCount; more than one needs RedisSettings.Enable).")
          ) -> None:
    """Start the server (migrating the database first)."""
    import os

    import uvicorn

    from chinwag.web.uvicorn_compat import UnsupportedUvicorn, check_uvicorn

    try:
        check_uvicorn()
    except UnsupportedUvicorn as e:
        fail(str(e))
    from chinwag.server import LifespanApp, build, migrate_database
    from chinwag.store.sql.migrate import MigrationError
    from chinwag.web.http_protocol import OneWriteHttpProtocol
    from chinwag.web.ws_protocol import UVICORN_WS_OPTIONS

    cfg = load(config)
    host, port = parse_listen_address(cfg.effective.ServiceSettings.ListenAddress)
    count = workers or cfg.effective.ServiceSettings.WorkerCount
    try:
        setup_logging(cfg, shared_file=count > 1)
    except OSError as e:
        fail(f"LogSettings.FileLocation: cannot open the log file: {e}")
    if count > 1 and not (cfg.effective.RedisSettings.Enable or cfg.effective.ClusterSettings.Enable):
        fail("ServiceSettings.WorkerCount: more than one worker process needs RedisSettings.Enable "
             "(workers share events through Redis)")
    local_sock = open_local(cfg.effective.ServiceSettings.LocalModeSocketLocation, count) \
        if cfg.effective.ServiceSettings.EnableLocalMode else None
    server = build(cfg)

    async def prepare() -> None:
        try:
            await migrate_database(server.db)
        finally:
            await server.db.close()  # the pools belong to this event loop; the server runs on another

    try:
        asyncio.run(prepare())
    except MigrationError as e:
        fail(str(e))
    except OSError as e:
        fail(f"SqlSettings.DataSource: cannot connect to the database: {e}")
    except Exception as e:  # asyncpg/sqlite connection errors differ by driver
        fail(f"SqlSettings.DataSource: cannot open the database: {e.__class__.__name__}: {e}")

    options: dict[str, Any] = dict(
        host=host, port=port, log_level="warning", proxy_headers=True, **UVICORN_WS_OPTIONS,
        lifespan="on", timeout_graceful_shutdown=5, http=OneWriteHttpProtocol, loop="uvloop",
        # ServiceSettings.IdleTimeout (Mattermost's http.Server IdleTimeout, 60 s; 0 = its ReadTimeout, as
        # Go's): how long an idle keep-alive connection stays open. uvicorn's own default, 5 s, closed the
        # connection of every client that paused longer, and each of its next requests paid a new TCP
        # connection on both sides (#27: a tenth of a load generator's CPU was opening connections)
        timeout_keep_alive=keep_alive_s(cfg.effective.ServiceSettings.IdleTimeout,
                                        cfg.effective.ServiceSettings.ReadTimeout),
        log_config=None,  # uvicorn's own records go through our handlers (console and log file)
        # its access records are INFO, below the "warning" level set above, so never written; with the
        # access log on, uvicorn still formatted each one's arguments (the client's address, the path
        # percent-quoted) for every answer before the level dropped it
        access_log=False,
    )
    typer.echo(f"chinwag listening on http://{'localhost' if host == '0.0.0.0' else host}:{port}", err=True)
    if local_sock is not None:
        serve_local(server, options, local_sock)
    elif count > 1:
        os.environ["MM_CONFIG"] = str(cfg.path.resolve())
        uvicorn.run("chinwag.server:worker_app", factory=True, workers=count, **options)
    else:
        uvicorn.run(LifespanApp(server), **options)


def keep_alive_s(idle_timeout: int, read_timeout: int) -> int:
    """Seconds an idle HTTP connection is kept: ``IdleTimeout``, or ``ReadTimeout`` when it is 0 (Go's
    ``http.Server``), at least 1."""
    return max(1, idle_timeout if idle_timeout > 0 else read_timeout)


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

    path = server.config.effective.ServiceSettings.LocalModeSocketLocation
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
    from chinwag.store.sql.migrate import MigrationError

    cfg = load(config)
    db = open_database(cfg)

    async def run() -> None:
        try:
            await migrate_database(db)
        finally:
            await db.close()

    try:
        asyncio.run(run())
    except MigrationError as e:
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

    fs = load(config).effective.FileSettings
    where = (f"directory {fs.Directory}" if fs.DriverName == "local" else
             f"bucket {fs.AmazonS3Bucket!r} at {fs.AmazonS3Endpoint}")

    async def run() -> str:
        backend = file_backend(fs)
        try:
            await backend.test_connection()
            describe = getattr(backend, "describe", None)
            creds = describe().get("credentials") if describe is not None else None
            return f" (credentials: {creds})" if creds else ""
        finally:
            await backend.close()

    try:
        creds = asyncio.run(run())
    except FileBackendError as e:
        fail(f"FileSettings ({fs.DriverName}, {where}): {e}")
    typer.echo(f"File storage OK: {fs.DriverName}, {where}{creds}.")


def _with_app(config: str | None, fn: Any) -> Any:
    """Run ``fn(app)`` against the configured database (no listener, no background work)."""
    from chinwag.model.errors import AppError
    from chinwag.server import build

    server = build(load(config))

    async def run() -> Any:
        try:
            return await fn(server.app)
        finally:
            await server.close()

    try:
        return asyncio.run(run())
    except AppError as e:
        fail(f"{e.message} {e.detailed_error}".strip())


@ldap_cli.command("test")
def ldap_test(config: str | None = ConfigOpt) -> None:
    """Bind with LdapSettings.BindUsername and search BaseDN."""
    s = load(config).effective.LdapSettings
    found = _with_app(config, lambda app: app.ldap.test())
    typer.echo(f"AD/LDAP OK: bound to {s.LdapServer}:{s.LdapPort}, {'found' if found else 'no'} users under "
               f"{s.BaseDN}.")


@ldap_cli.command("sync")
def ldap_sync(config: str | None = ConfigOpt,
              include_removed_members: bool = typer.Option(False, "--include-removed-members", help="Include "
                                                           "members who left or were removed from a group-synced "
                                                           "team/channel (chinwag has no group-synced teams or "
                                                           "channels, so there are none)")) -> None:
    """Update every AD/LDAP user from the directory now; deactivate those no longer in it."""
    r = _with_app(config, lambda app: app.ldap.sync())
    typer.echo(f"AD/LDAP sync: {r.seen} in the directory, {r.updated} updated, {r.deactivated} deactivated, "
               f"{r.reactivated} reactivated.")


def user_migrate_auth(
    from_service: str = typer.Argument(..., help="email, gitlab, openid, saml or ldap"),
    to_service: str = typer.Argument(..., help="email, gitlab, openid, saml or ldap"),
    migration_options: str = typer.Argument("", help="as mmctl: to ldap, the match field (email or username); "
                                            "to saml, a JSON file {\"<email>\": \"<SAML username>\"}"),
    mapping: str = typer.Option("", "--mapping", help="JSON file {\"<email or username>\": \"<provider id>\"}"),
    match_field: str = typer.Option("email", "--match-field", help="match accounts by email or username"),
    dry_run: bool = typer.Option(False, "--dry-run", help="only list what would change"),
    force: bool = typer.Option(False, "--force", help="Migrate even if some accounts cannot be (no match in the "
                               "directory, or their id is already used): those are left as they are. Without it "
                               "nothing changes unless every account can move. (ldap only)"),
    auto: bool = typer.Option(False, "--auto", help="Automatically migrate all users. Assumes the usernames and "
                              "emails are identical between Mattermost and SAML services. (saml only)"),
    confirm: bool = typer.Option(False, "--confirm", help="Confirm you really want to proceed with auto migration. "
                                 "(saml only)"),
    config: str | None = ConfigOpt,
) -> None:
    """Move accounts to another sign-in method (email → ldap by the directory; ldap ↔ saml; any with --mapping)."""
    import json

    ids = None
    if to_service == "ldap" and migration_options:
        match_field = migration_options
    if to_service == "saml" and migration_options and not auto:
        mapping = migration_options
    if auto:
        if to_service != "saml":
            fail("--auto is for migrations to saml")
        if not confirm and not typer.confirm(
                f"You are about to perform an automatic \"{from_service} to saml\" migration. This must only be done "
                f"if your current Mattermost users with {from_service} auth have the same username and email in "
                "your SAML service. Do you want to proceed with automatic migration anyway?"):
            fail("aborted")
    if mapping:
        try:
            with open(mapping, encoding="utf-8") as f:
                ids = json.load(f)
        except (OSError, ValueError) as e:
            fail(f"{mapping}: {e}")
        if not isinstance(ids, dict) or not all(isinstance(v, str) for v in ids.values()):
            fail(f"{mapping}: expected a JSON object of login → provider id strings")

    async def run(app: Any) -> Any:
        mapped = ids
        if auto:
            source = "" if from_service == "email" else from_service
            mapped = {u.email: u.email for u in await app.store.users.list_by_auth_service(source)}
        if to_service == "ldap" and not force and not dry_run:
            trial = await app.auth_migration.run(from_service, to_service, match_field=match_field, mapping=mapped,
                                                 dry_run=True)
            if trial.skipped:
                return trial
        return await app.auth_migration.run(from_service, to_service, match_field=match_field, mapping=mapped,
                                            dry_run=dry_run)

    r = _with_app(config, run)
    if to_service == "ldap" and not force and not dry_run and r.skipped:
        fail(f"{len(r.skipped)} account(s) cannot be migrated (no match, or the id is already used): "
             f"{' '.join(r.skipped)}; nothing was changed (use --force to migrate the others)")
    verb = "would migrate" if dry_run else "migrated"
    typer.echo(f"{verb} {len(r.migrated)}: {' '.join(r.migrated) or '-'}")
    typer.echo(f"skipped {len(r.skipped)} (no match or id already used): {' '.join(r.skipped) or '-'}")
    if not dry_run:
        typer.echo("Successfully migrated accounts.")


@cli.command()
def version() -> None:
    """Print chinwag's version."""
    from chinwag import MATTERMOST_VERSION, __version__

    typer.echo(f"chinwag {__version__} (Mattermost API {MATTERMOST_VERSION})")


cli.add_typer(backup_cli, name="backup")
register_mmctl(cli)  # mmctl's command tree: auth, user, team, channel, … (cli/mmctl/)
# `user migrate-auth` works on the server's own configuration and database (it may consult LDAP), so it
# joins mmctl's `user` group from here
register_server_command("user", "migrate-auth", user_migrate_auth)
register_ldap(ldap_cli)  # mmctl's `ldap idmigrate` (REST)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
