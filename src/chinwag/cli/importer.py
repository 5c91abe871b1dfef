"""`chinwag import …`: imports into the configured database and file store, also while the server runs."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import typer

from chinwag.platform.events import Event

import_cli = typer.Typer(help="Import data: a Slack export, Mattermost's bulk JSONL.", no_args_is_help=True)
export_cli = typer.Typer(help="Export data in Mattermost's bulk format.", no_args_is_help=True)

ConfigOpt = typer.Option(None, "--config", "-c", help="Path to config.json (default: $MM_CONFIG or "
                                                         "./config/config.json).")


class StreamPublisher:
    """Events go to the cluster's shared event stream (Redis), where running servers pick them up."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def publish(self, event: Event) -> None:
        from chinwag.platform.hub import event_dict

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

    def publish(self, event: Event) -> None:
        from chinwag.platform.hub import event_dict

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

    def publish(self, event: Event) -> None:
        pass


async def _with_app(config_path: str | None, write: bool, work: Any) -> Any:
    """Run ``work(app, live)`` against the configured database and file store."""
    from chinwag.app.app import App
    from chinwag.cli.main import load
    from chinwag.server import file_backend, migrate_database, open_database
    from chinwag.store.sql.store import SqlStore

    cfg = load(config_path)
    db = open_database(cfg)
    stream: Any = None
    publisher: Any = NoPublisher()
    live = cfg.config.RedisSettings.Enable or cfg.config.ClusterSettings.Enable
    try:
        if write:
            await migrate_database(db)
        if live and write:
            from chinwag.bus.redis import RedisStream

            prefix = f"chinwag:{cfg.config.ClusterSettings.ClusterName or 'default'}"
            stream = RedisStream(cfg.config.RedisSettings.URL, prefix=prefix)
            await stream.start()
            publisher = StreamPublisher(stream)
        elif write and cfg.config.ServiceSettings.EnableLocalMode:
            local = SocketPublisher(cfg.config.ServiceSettings.LocalModeSocketLocation)
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
                     workspace: str | None) -> None:
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
                                                   workspace=ws, root=root).run())
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


async def _run_bulk(config_path: str | None, path: str, validate: bool, report_path: str) -> None:
    from chinwag.importers.archive import ImportFailure, Progress
    from chinwag.importers.bulk import BulkImporter

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


async def _run_export(config_path: str | None, out: str) -> None:
    from chinwag.importers.archive import Progress
    from chinwag.importers.export import BulkExporter

    async def work(app: Any, live: bool) -> None:
        report = await BulkExporter(app, out, progress=Progress()).run()
        typer.echo(report.summary())
        typer.echo(f"Exported to {out}")

    await _with_app(config_path, False, work)


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
    config: str | None = ConfigOpt,
) -> None:
    """Import a Slack export (a workspace, or an Enterprise Grid org): users, channels, DMs, messages, threads,
    reactions, pins, files, custom emoji."""
    if not os.path.exists(export):
        typer.echo(f"Error: {export}: no such file", err=True)
        raise typer.Exit(1)
    report_path = report or os.path.splitext(export)[0] + "-import-report.json"
    asyncio.run(_run_slack(config, export, team, dry_run, report_path, workspace))


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
    config: str | None = ConfigOpt,
) -> None:
    """Export teams, channels, users, bots, posts, direct messages and attachments in Mattermost's bulk format."""
    asyncio.run(_run_export(config, out))
