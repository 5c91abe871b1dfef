"""`chinwag import …`: imports into the configured database and file store, also while the server runs."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import typer

from chinwag.platform.events import Event

import_cli = typer.Typer(help="Import data: a Slack export.", no_args_is_help=True)

ConfigOpt = typer.Option(None, "--config", "-c", help="Path to config.json (default: $MM_CONFIG or "
                                                         "./config/config.json).")


class StreamPublisher:
    """Events go to the cluster's shared event stream (Redis), where running servers pick them up."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def publish(self, event: Event) -> None:
        from chinwag.platform.hub import event_dict

        self.stream.publish(event_dict(event))


class NoPublisher:
    """With the embedded event stream a separate process cannot reach the server's clients."""

    def publish(self, event: Event) -> None:
        pass


async def _run_slack(config_path: str | None, path: str, team: str, dry_run: bool, report_path: str) -> int:
    from chinwag.app.app import App
    from chinwag.cli.main import fail, load
    from chinwag.importers.archive import ImportFailure, Progress
    from chinwag.importers.slack import SlackImporter
    from chinwag.server import file_backend, migrate_database, open_database
    from chinwag.store.sql.store import SqlStore

    cfg = load(config_path)
    db = open_database(cfg)
    stream: Any = None
    publisher: Any = NoPublisher()
    live = cfg.config.RedisSettings.Enable or cfg.config.ClusterSettings.Enable
    try:
        if not dry_run:
            await migrate_database(db)
        store = SqlStore(db)
        if live and not dry_run:
            from chinwag.bus.redis import RedisStream

            prefix = f"chinwag:{cfg.config.ClusterSettings.ClusterName or 'default'}"
            stream = RedisStream(cfg.config.RedisSettings.URL, prefix=prefix)
            await stream.start()
            publisher = StreamPublisher(stream)
        app = App(store, cfg, publisher, files=file_backend)
        await app.files.init()
        importer = SlackImporter(app, path, team, dry_run=dry_run, progress=Progress())
        try:
            report = await importer.run()
        except ImportFailure as e:
            fail(f"{e}\nNothing was imported.")
        if not live and not dry_run:
            report.warnings.append("the embedded event stream is per process: clients connected to a running "
                                   "server see the imported data after reloading (use RedisSettings for live "
                                   "updates)")
        typer.echo(report.summary())
        await asyncio.to_thread(_save, report_path, report.to_dict())
        typer.echo(f"Report saved to {report_path}")
        await app.close()
        await app.files.close()
        return 0
    finally:
        if stream is not None:
            await stream.close()
        await db.close()


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
    config: str | None = ConfigOpt,
) -> None:
    """Import a Slack workspace export: users, channels, DMs, messages, threads, reactions, files."""
    if not os.path.exists(export):
        typer.echo(f"Error: {export}: no such file", err=True)
        raise typer.Exit(1)
    report_path = report or os.path.splitext(export)[0] + "-import-report.json"
    asyncio.run(_run_slack(config, export, team, dry_run, report_path))
