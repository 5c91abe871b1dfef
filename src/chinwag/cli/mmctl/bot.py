"""`chinwag bot …`: bot accounts."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import Ctx, command

app = typer.Typer(help="Bot accounts.", no_args_is_help=True)


def line(b: dict[str, Any]) -> str:
    return f"{b['user_id']}: {b['username']} ({b.get('display_name', '')}){' (disabled)' if b.get('delete_at') else ''}"


@command(app, "create")
def create(c: Ctx, username: str = typer.Argument(..., help="The bot's username."),
           display_name: str = typer.Option("", "--display-name"),
           description: str = typer.Option("", "--description"),
           with_token: bool = typer.Option(False, "--with-token", help="Also generate an access token.")) -> None:
    """Create a bot."""
    b = c.client.post("/bots", {"username": username, "display_name": display_name,
                                "description": description})
    text = f"Created bot {b['username']}"
    if with_token:
        t = c.client.post(f"/users/{b['user_id']}/tokens", {"description": "default"})
        b["token"] = t
        text += f"\nToken: {t['token']}"
    c.out.item(b, text)


@command(app, "list")
def list_bots(c: Ctx, all_: bool = typer.Option(False, "--all", help="Include disabled bots."),
              orphaned: bool = typer.Option(False, "--orphaned", help="Only bots whose owner is deactivated.")
              ) -> None:
    """List bots."""
    bots = c.client.get("/bots", params={"page": 0, "per_page": 200, "include_deleted": str(all_).lower(),
                                         "only_orphaned": str(orphaned).lower()})
    c.out.items(bots, line)


def _bot_ids(c: Ctx, bots: list[str]) -> list[dict[str, Any]]:
    return [lookup.user(c.client, b) for b in bots]


@command(app, "disable")
def disable(c: Ctx, bots: list[str] = typer.Argument(..., help="Bot usernames or ids.")) -> None:
    """Disable bots."""
    done = [c.client.post(f"/bots/{u['id']}/disable") for u in _bot_ids(c, bots)]
    c.out.items(done, lambda b: f"Disabled bot {b['username']}")


@command(app, "enable")
def enable(c: Ctx, bots: list[str] = typer.Argument(..., help="Bot usernames or ids.")) -> None:
    """Enable bots."""
    done = [c.client.post(f"/bots/{u['id']}/enable") for u in _bot_ids(c, bots)]
    c.out.items(done, lambda b: f"Enabled bot {b['username']}")
