"""`chinwag search`: the post search index."""

from __future__ import annotations

import asyncio
import time

import typer

from chinwag.cli.common import fail, load

search_cli = typer.Typer(help="Post search index.", no_args_is_help=True)


@search_cli.command("reindex")
def reindex(config: str | None = typer.Option(None, "--config", "-c", help="Path to config.json.")) -> None:
    """Rebuild the search index from every post (after an import that wrote posts directly, or
    when the index is suspect). Safe while the server runs; new posts are indexed as they come."""
    from chinwag.server import migrate_database, open_database, search_engine
    from chinwag.store.sql.migrate import MigrationError

    cfg = load(config)
    db = open_database(cfg)
    started = time.monotonic()

    def progress(n: int) -> None:
        typer.echo(f"\r{n} posts", nl=False)

    async def run() -> int:
        try:
            await migrate_database(db)
            engine = search_engine(db)
            return await engine.reindex(progress)
        finally:
            await db.close()

    try:
        done = asyncio.run(run())
    except MigrationError as e:
        fail(str(e))
        return
    typer.echo(f"\rIndexed {done} posts in {time.monotonic() - started:.1f}s.")
