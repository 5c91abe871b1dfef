"""mmctl's command tree for `chinwag` (also installed as `mmctl`): the same commands, flags and output,
talking to a server over its local-mode socket or over HTTP(S) with stored credentials."""

from __future__ import annotations

from typing import Any

import typer


def _global_flags(
    local: bool = typer.Option(False, "--local", help="allows communicating with the server through a unix "
                               "socket (MMCTL_LOCAL; socket MMCTL_LOCAL_SOCKET_PATH)"),
    json_: bool = typer.Option(False, "--json", help="the output format will be in json format (MMCTL_JSON)"),
    format_: str = typer.Option("plain", "--format", help="the format of the command output [plain, json]"),
    quiet: bool = typer.Option(False, "--quiet", help="prevent mmctl to generate output for the commands"),
    strict: bool = typer.Option(False, "--strict", help="will only run commands if the mmctl version matches "
                                "the server one"),
    insecure_sha1_intermediate: bool = typer.Option(False, "--insecure-sha1-intermediate",
                                                    help="allows to use insecure TLS protocols, such as SHA-1"),
    insecure_tls_version: bool = typer.Option(False, "--insecure-tls-version",
                                              help="allows to use TLS versions 1.0 and 1.1"),
    disable_pager: bool = typer.Option(False, "--disable-pager", help="disables paged output"),
    suppress_warnings: bool = typer.Option(False, "--suppress-warnings", help="disables printing warning "
                                           "messages"),
    config: str = typer.Option("$XDG_CONFIG_HOME/mmctl/config", "--config", help="path to the configuration "
                               "file (the stored credentials; for the server commands, their own --config is "
                               "config.json)"),
) -> None:
    """chinwag: a team chat server that speaks Mattermost's API, and mmctl's commands to manage it.
    The flags here are accepted anywhere on the command line, as mmctl's."""


def register(cli: typer.Typer) -> None:
    cli.rich_markup_mode = None  # plain click usage errors and help, like mmctl
    cli.callback()(_global_flags)
    from chinwag.cli.mmctl import (
        admin,
        auth,
        bot,
        channel,
        config,
        logs,
        permissions,
        post,
        roles,
        sampledata,
        slashcommand,
        system,
        team,
        token,
        user,
        webhook,
        websocket,
    )
    from chinwag.cli.mmctl.client import command

    for name, module in (("auth", auth), ("user", user), ("team", team), ("channel", channel), ("post", post),
                         ("roles", roles), ("token", token), ("bot", bot), ("webhook", webhook),
                         ("command", slashcommand), ("config", config), ("system", system)):
        cli.add_typer(module.app, name=name)
    for name, group in (("permissions", permissions.app), ("license", admin.license_app),
                        ("saml", admin.saml_app), ("extract", admin.extract_app), ("group", admin.group_app),
                        ("plugin", admin.plugin_app), ("completion", admin.completion_app)):
        cli.add_typer(group, name=name)
    command(cli, "sampledata")(sampledata.sampledata)
    command(cli, "logs")(logs.logs)
    command(cli, "integrity")(admin.integrity)
    command(cli, "websocket")(websocket.websocket)
    cli.command("docs")(admin.docs)


def register_server_command(group: str, name: str, fn: Any) -> None:
    """Add a command that runs in-process on the server's configuration to one of mmctl's groups."""
    import importlib

    module = importlib.import_module(f"chinwag.cli.mmctl.{group}")
    module.app.command(name)(fn)


def register_ldap(ldap_cli: typer.Typer) -> None:
    from chinwag.cli.mmctl import admin
    from chinwag.cli.mmctl.client import command

    command(ldap_cli, "idmigrate")(admin.ldap_idmigrate)
