"""`chinwag import …`: imports into the configured database and file store, also while the server runs."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import msgspec
import typer

from chinwag.cli.common import ConfigOpt, load
from chinwag.platform.events import Event

import_cli = typer.Typer(help="Import data: a Slack export, Mattermost's bulk JSONL, a running Mattermost's database.",
                         no_args_is_help=True)
export_cli = typer.Typer(help="Export data in Mattermost's bulk format.", no_args_is_help=True)



class StreamPublisher:
    """Events go to the cluster's shared event stream (Redis), where running servers pick them up."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def publish(self, event: Event, done: str = "") -> None:
        from chinwag.platform.events import event_dict

        self.stream.publish(event_dict(event))


class SocketPublisher:
    """The embedded event stream is per process, but a server running on this machine with local mode
    takes our events through its unix socket (``POST /system/local_events``), so its clients see the
    import as it happens. Events are handed over in batches a fraction of a second apart."""

    def __init__(self, socket_path: str) -> None:
        import httpx

        self.client = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(uds=socket_path),
                                        base_url="http://localhost/api/v4", timeout=30)
        self.buffer: list[dict[str, Any]] = []
        self.task: asyncio.Task[None] | None = None
        self.failed = ""

    async def reachable(self) -> bool:
        try:
            return (await self.client.get("/system/ping")).status_code == 200
        except Exception:
            return False

    def publish(self, event: Event, done: str = "") -> None:
        from chinwag.platform.events import event_dict

        self.buffer.append(event_dict(event))
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._soon())

    async def _soon(self) -> None:
        await asyncio.sleep(0.2)
        self.task = None
        await self.flush()

    async def flush(self) -> None:
        while self.buffer:
            batch, self.buffer = self.buffer[:1000], self.buffer[1000:]
            try:
                r = await self.client.post("/system/local_events", json={"events": batch})
                if r.status_code != 200:
                    self.failed = f"{r.status_code} {r.text[:200]}"
            except Exception as e:  # the server stopped: the data is saved, clients reload
                self.failed = str(e)

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
        await self.flush()
        await self.client.aclose()


class NoPublisher:
    """With the embedded event stream a separate process cannot reach the server's clients."""

    def publish(self, event: Event, done: str = "") -> None:
        pass


async def _with_app(config_path: str | None, write: bool, work: Any) -> Any:
    """Run ``work(app, live)`` against the configured database and file store."""
    from chinwag.app.app import App
    from chinwag.server import file_backend, migrate_database, open_database
    from chinwag.store.sql.store import SqlStore

    cfg = load(config_path)
    db = open_database(cfg)
    stream: Any = None
    publisher: Any = NoPublisher()
    live = cfg.effective.RedisSettings.Enable or cfg.effective.ClusterSettings.Enable
    try:
        if write:
            await migrate_database(db)
        if live and write:
            from chinwag.bus.redis import RedisStream

            prefix = f"chinwag:{cfg.effective.ClusterSettings.ClusterName or 'default'}"
            stream = RedisStream(cfg.effective.RedisSettings.URL, prefix=prefix)
            await stream.start()
            publisher = StreamPublisher(stream)
        elif write and cfg.effective.ServiceSettings.EnableLocalMode:
            local = SocketPublisher(cfg.effective.ServiceSettings.LocalModeSocketLocation)
            if await local.reachable():
                publisher, live = local, True
            else:
                await local.close()
        app = App(SqlStore(db), cfg, publisher, files=file_backend)
        await app.files.init()
        try:
            return await work(app, live)
        finally:
            await app.close()
            await app.files.close()
    finally:
        if stream is not None:
            await stream.close()
        if isinstance(publisher, SocketPublisher):
            await publisher.close()
        await db.close()


async def _finish(report: Any, report_path: str, live: bool, wrote: bool) -> None:
    if not live and wrote:
        report.warnings.append("the embedded event stream is per process: clients connected to a running "
                               "server see the imported data after reloading (use RedisSettings, or the server's "
                               "local mode, for live updates)")
    typer.echo(report.summary())
    if report_path:
        await asyncio.to_thread(_save, report_path, report.to_dict())
        typer.echo(f"Report saved to {report_path}")


def _fail(e: Exception, extra: str = "") -> None:
    typer.echo(f"Error: {e}{extra}", err=True)
    raise typer.Exit(1)


async def _run_slack(config_path: str | None, path: str, team: str, dry_run: bool, report_path: str,
                     workspace: str | None, bot_owner: str = "") -> None:
    from chinwag.importers.archive import ImportFailure, Progress, SafeZip
    from chinwag.importers.slack import SlackImporter, team_name_for
    from chinwag.importers.slack_plan import grid_workspaces

    try:
        zf = SafeZip(path, marker="channels.json")
        workspaces = grid_workspaces(zf)
        zf.close()
    except ImportFailure as e:
        _fail(e, "\nNothing was imported.")
    # a workspace export, or one workspace of an Enterprise Grid export with the org-level conversations,
    # goes into --team; a whole Grid export puts each workspace into a team named after it and the
    # org-level conversations (shared channels, DMs, group DMs) into --team
    runs: list[tuple[str, str | None, bool]] = [(team, workspace, True)]
    if workspaces and workspace is None:
        runs = [(team_name_for(ws), ws, False) for ws in workspaces] + [(team, None, True)]

    async def work(app: Any, live: bool) -> None:
        reports = []
        for team_name, ws, root in runs:
            if len(runs) > 1:
                typer.echo(f"== workspace {ws} → team {team_name}" if ws else f"== org-level conversations → team "
                           f"{team_name}", err=True)
            try:
                reports.append(await SlackImporter(app, path, team_name, dry_run=dry_run, progress=Progress(),
                                                   workspace=ws, root=root, bot_owner=bot_owner).run())
            except ImportFailure as e:
                if not reports:
                    _fail(e, "\nNothing was imported.")
                before = ", ".join(r[1] or "" for r in runs[:len(reports)])
                _fail(e, f"\nNothing of this workspace was imported (the ones before it were: {before}).")
        if len(reports) == 1:
            await _finish(reports[0], report_path, live, not dry_run)
            return
        for r in reports[:-1]:
            typer.echo(r.summary())
        await _finish(reports[-1], "", live, not dry_run)
        if report_path:
            data = {"workspaces": {(ws or "org-level"): r.to_dict() for (_, ws, _), r in zip(runs, reports, strict=True)}}
            await asyncio.to_thread(_save, report_path, data)
            typer.echo(f"Report saved to {report_path}")

    await _with_app(config_path, not dry_run, work)


async def _validate_without_schema(config_path: str | None, path: str, report_path: str) -> bool:
    """``import bulk --validate`` on a database that was never migrated: the file is checked on its own
    (references must be to earlier lines), nothing is created. False when the database has a schema."""
    from chinwag.importers.archive import ImportFailure, Progress, Report
    from chinwag.importers.bulk import validate_file, validation_failure
    from chinwag.server import open_database
    from chinwag.store.sql import migrate

    cfg = load(config_path)
    sql = cfg.effective.SqlSettings
    no_file = sql.DriverName == "sqlite" and not sql.DataSource.startswith(("file:", ":memory:")) \
        and not await asyncio.to_thread(os.path.exists, sql.DataSource)  # (connecting would create the file)
    db = open_database(cfg)
    try:
        if not no_file and await migrate.current_revision(db.engine) is not None:
            return False
    finally:
        await db.close()
    report = Report(source=path, dry_run=True, action="Validated")
    try:
        zf, parsed = await validate_file(path, (set(), set(), set()), Progress(), report)
    except ImportFailure as e:
        _fail(e, "\nNothing was imported.")
    if zf is not None:
        zf.close()
    if parsed.errors:
        for err in parsed.errors[:50]:
            typer.echo(f"line {err.line}: {err.field}: {err.error}", err=True)
        _fail(validation_failure(path, parsed.errors), "\nNothing was imported.")
    report.warnings.append("the database has no schema yet (never migrated): references were checked against "
                           "the file's own lines only")
    await _finish(report, report_path, True, False)
    typer.echo("The file is valid.")
    return True


async def _run_bulk(config_path: str | None, path: str, validate: bool, report_path: str) -> None:
    from chinwag.importers.archive import ImportFailure, Progress
    from chinwag.importers.bulk import BulkImporter

    if validate and await _validate_without_schema(config_path, path, report_path):
        return

    async def work(app: Any, live: bool) -> None:
        importer = BulkImporter(app, path, validate_only=validate, progress=Progress())
        try:
            report = await importer.run()
        except ImportFailure as e:
            for err in importer.errors[:50]:
                typer.echo(f"line {err.line}: {err.field}: {err.error}", err=True)
            _fail(e, "\nNothing was imported.")
        await _finish(report, report_path, live, not validate)
        if validate:
            typer.echo("The file is valid.")

    await _with_app(config_path, not validate, work)


async def _run_export(config_path: str | None, out: str, report_path: str) -> None:
    from chinwag.importers.archive import Progress
    from chinwag.importers.export import BulkExporter

    async def work(app: Any, live: bool) -> None:
        report = await BulkExporter(app, out, progress=Progress()).run()
        await _finish(report, report_path, True, False)

    await _with_app(config_path, False, work)


def mattermost_files(data_dir: str | None, mm_config: str | None) -> Any:
    """Where the source's files are: its data directory, or the file store its config.json names (its
    FileSettings: a local Directory or an S3 bucket, read with chinwag's own backends)."""
    from chinwag.config.schema import FileSettings
    from chinwag.filestore.local import LocalBackend
    from chinwag.server import file_backend

    if data_dir:
        if not os.path.isdir(data_dir):
            raise ValueError(f"--data-dir {data_dir}: no such directory")
        return LocalBackend(data_dir)
    if mm_config:
        with open(mm_config) as fh:
            settings = json.load(fh).get("FileSettings") or {}
        fs = msgspec.convert(settings, FileSettings)
        if fs.DriverName == "local" and not os.path.isabs(fs.Directory):
            # Mattermost's default ./data/ is relative to its installation (config/ is one level down)
            fs.Directory = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(mm_config))), fs.Directory)
        return file_backend(fs)
    return None


async def _run_mattermost(config_path: str | None, url: str, files: Any, dry_run: bool, report_path: str,
                          batch: int, mm_config: dict[str, Any] | None = None) -> None:
    from chinwag.importers.archive import ImportFailure, Progress
    from chinwag.importers.mattermost import MattermostImporter

    async def work(app: Any, live: bool) -> None:
        try:
            report = await MattermostImporter(app, url, files=files, dry_run=dry_run, progress=Progress(),
                                              batch=batch, config=mm_config).run()
        except ImportFailure as e:
            _fail(e, "\nNothing more was imported (a re-run continues where this one stopped).")
        await _finish(report, report_path, live, not dry_run)

    try:
        # the schema is brought up to date even for a dry run: it compares the source with chinwag's rows
        await _with_app(config_path, True, work)
    finally:
        if files is not None:
            await files.close()


def _save(path: str, data: dict[str, Any]) -> None:
    with open(path, "w") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)


@import_cli.command("slack")
def import_slack(
    export: str = typer.Argument(..., help="The Slack export (.zip)."),
    team: str = typer.Option(..., "--team", help="Team name to import into (created when missing)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the export and report; write nothing."),
    report: str = typer.Option("", "--report", help="Where to save the JSON report "
                               "(default: EXPORT-import-report.json)."),
    workspace: str | None = typer.Option(None, "--workspace", help="Enterprise Grid export: import only this "
                                         "workspace (its folder under teams/) with the org-level conversations "
                                         "into --team. Without it every workspace goes into a team named after "
                                         "it and the org-level conversations into --team."),
    bot_owner: str = typer.Option("", "--bot-owner", help="Username of the user who owns the bots the import "
                                  "creates (default: the first active system admin)."),
    config: str | None = ConfigOpt,
) -> None:
    """Import a Slack export (a workspace, or an Enterprise Grid org): users, channels, DMs, messages, threads,
    reactions, pins, files, custom emoji."""
    if not os.path.exists(export):
        typer.echo(f"Error: {export}: no such file", err=True)
        raise typer.Exit(1)
    report_path = report or os.path.splitext(export)[0] + "-import-report.json"
    asyncio.run(_run_slack(config, export, team, dry_run, report_path, workspace, bot_owner))


@import_cli.command("bulk")
def import_bulk(
    path: str = typer.Argument(..., help="Mattermost bulk import: a .jsonl file, or a .zip with one .jsonl "
                               "and attachments under data/."),
    validate: bool = typer.Option(False, "--validate", help="Only check every line; write nothing."),
    report: str = typer.Option("", "--report", help="Where to save the JSON report."),
    config: str | None = ConfigOpt,
) -> None:
    """Import Mattermost's bulk format (version, team, channel, user, bot, post, direct_channel, direct_post)."""
    if not os.path.exists(path):
        typer.echo(f"Error: {path}: no such file", err=True)
        raise typer.Exit(1)
    asyncio.run(_run_bulk(config, path, validate, report))


@export_cli.command("bulk")
def export_bulk(
    out: str = typer.Argument(..., help="The .zip to write (import.jsonl plus data/)."),
    report: str = typer.Option("", "--report", help="Where to save the JSON report."),
    config: str | None = ConfigOpt,
) -> None:
    """Export teams, channels, users, bots, posts, direct messages and attachments in Mattermost's bulk format."""
    asyncio.run(_run_export(config, out, report))


@import_cli.command("mattermost")
def import_mattermost(
    source: str = typer.Option(..., "--from", help="Mattermost's database: postgres://user:pass@host/db or "
                               "mysql://user:pass@host/db (Mattermost's own MySQL DSN works too). Read only."),
    data_dir: str | None = typer.Option(None, "--data-dir", help="Mattermost's data directory (FileSettings."
                                        "Directory), where its files, emoji and profile pictures are."),
    mm_config: str | None = typer.Option(None, "--mattermost-config", help="Mattermost's config.json: its "
                                         "FileSettings say where its files are (a local directory or S3), its "
                                         "GitLab plugin settings the key of the accounts connected there "
                                         "(default: the configuration in Mattermost's database, if it is there)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read the source, count what would be added, check "
                                 "for name clashes and missing files; write nothing."),
    report: str = typer.Option("", "--report", help="Where to save the JSON report "
                               "(default: mattermost-import-report.json)."),
    batch: int = typer.Option(5000, "--batch", min=100, max=50_000, help="Rows per transaction."),
    config: str | None = ConfigOpt,
) -> None:
    """Migrate a running Mattermost: users (with their passwords, MFA and SSO), teams, channels, read state,
    posts, threads, reactions, pins, flags, preferences, emoji, files, webhooks, slash commands, bots and
    access tokens, all with their ids. Re-runs add only what changed."""
    try:
        source_config = None
        if mm_config:
            with open(mm_config) as fh:
                source_config = json.load(fh)
            if not isinstance(source_config, dict):
                raise ValueError(f"--mattermost-config {mm_config}: not a Mattermost config.json (a JSON object)")
        files = mattermost_files(data_dir, mm_config)
    except (OSError, ValueError, msgspec.ValidationError) as e:
        typer.echo(f"Error: {e}", err=True)
        raise typer.Exit(1) from None
    asyncio.run(_run_mattermost(config, source, files, dry_run, report or "mattermost-import-report.json", batch,
                                source_config))
