"""What every `chinwag` command module shares: the ``--config`` option, loading config.json, failing
with a message. The command modules import this, never ``cli.main`` (which imports them)."""

from __future__ import annotations

from typing import NoReturn

import typer

from chinwag.config import ConfigError, ConfigStore

ConfigOpt = typer.Option(None, "--config", "-c", help="Path to config.json (default: $MM_CONFIG or "
                                                         "./config/config.json).")


def fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


def load(config_path: str | None) -> ConfigStore:
    """The configuration at ``config_path`` (or the default place); exits with the error when it is bad."""
    try:
        store = ConfigStore(config_path)
        store.load()
        return store
    except ConfigError as e:
        fail(str(e))
