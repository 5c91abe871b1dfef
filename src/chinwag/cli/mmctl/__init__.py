"""mmctl's command tree for `chinwag`: the same commands, flags and output, talking to a server over
its local-mode socket or over HTTP(S) with stored credentials."""

from __future__ import annotations

from typing import Any

import typer


def register(cli: typer.Typer) -> None:
    cli.rich_markup_mode = None  # plain click usage errors and help: "Error: …" on one line, like mmctl
    from chinwag.cli.mmctl import (
        auth,
        bot,
        channel,
        config,
        logs,
        post,
        roles,
        sampledata,
        slashcommand,
        system,
        team,
        token,
        user,
        webhook,
    )
    from chinwag.cli.mmctl.client import command

    for name, module in (("auth", auth), ("user", user), ("team", team), ("channel", channel), ("post", post),
                         ("roles", roles), ("token", token), ("bot", bot), ("webhook", webhook),
                         ("command", slashcommand), ("config", config), ("system", system)):
        cli.add_typer(module.app, name=name)
    command(cli, "sampledata")(sampledata.sampledata)
    command(cli, "logs")(logs.logs)


def register_server_command(group: str, name: str, fn: Any) -> None:
    """Add a command that runs in-process on the server's configuration to one of mmctl's groups."""
    import importlib

    module = importlib.import_module(f"chinwag.cli.mmctl.{group}")
    module.app.command(name)(fn)
