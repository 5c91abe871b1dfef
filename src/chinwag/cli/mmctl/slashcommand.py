"""`chinwag command …`: custom slash commands."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import Ctx, command

app = typer.Typer(help="Custom slash commands.", no_args_is_help=True)


def line(cmd: dict[str, Any]) -> str:
    return f"{cmd['id']}: /{cmd['trigger']} ({cmd.get('display_name') or cmd.get('url', '')})"


@command(app, "list")
def list_commands(c: Ctx, teams: list[str] = typer.Argument(None, help="Team names or ids (default: all).")
                  ) -> None:
    """List custom slash commands."""
    if teams:
        team_ids = [lookup.team(c.client, t)["id"] for t in teams]
    else:
        team_ids = [t["id"] for t in c.client.get("/teams", params={"per_page": 200})]
    found: list[dict[str, Any]] = []
    for tid in team_ids:
        found += c.client.get("/commands", params={"team_id": tid, "custom_only": "true"})
    c.out.items(found, line)


@command(app, "create")
def create(c: Ctx, team: str = typer.Argument(..., help="Team name or id."),
           trigger_word: str = typer.Option(..., "--trigger-word", help="The word after the slash."),
           url: str = typer.Option(..., "--url", help="Where the command is sent."),
           creator: str = typer.Option(..., "--creator", help="Owner (email, username or id)."),
           title: str = typer.Option("", "--title", help="Display name."),
           description: str = typer.Option("", "--description"),
           get: bool = typer.Option(False, "--get", help="Send the command with GET instead of POST."),
           response_username: str = typer.Option("", "--response-username"),
           icon: str = typer.Option("", "--icon"),
           autocomplete: bool = typer.Option(False, "--autocomplete"),
           autocomplete_desc: str = typer.Option("", "--autocomplete-desc"),
           autocomplete_hint: str = typer.Option("", "--autocomplete-hint")) -> None:
    """Create a custom slash command."""
    method = "G" if get else "P"
    t = lookup.team(c.client, team)
    u = lookup.user(c.client, creator)
    cmd = c.client.post("/commands", {
        "team_id": t["id"], "trigger": trigger_word, "url": url, "creator_id": u["id"], "display_name": title,
        "description": description, "method": method, "username": response_username, "icon_url": icon,
        "auto_complete": autocomplete, "auto_complete_desc": autocomplete_desc,
        "auto_complete_hint": autocomplete_hint})
    c.out.item(cmd, f"Created command /{cmd['trigger']} ({cmd['id']})")


@command(app, "delete")
def delete(c: Ctx, command_ids: list[str] = typer.Argument(..., help="Command ids.")) -> None:
    """Delete custom slash commands."""
    for cid in command_ids:
        c.client.delete(f"/commands/{cid}")
    c.out.items([{"id": cid} for cid in command_ids], lambda d: f"Deleted command {d['id']}")
