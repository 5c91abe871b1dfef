"""`chinwag post …`: create and list posts."""

from __future__ import annotations

import datetime
from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import Ctx, command, die

app = typer.Typer(help="Create and list posts.", no_args_is_help=True)


@command(app, "create")
def create(c: Ctx, channel: str = typer.Argument(..., help="team:channel."),
           message: str = typer.Option(..., "--message", "-m", help="The message."),
           reply_to: str = typer.Option("", "--reply-to", help="Id of the post to reply to."),
           user: str = typer.Option("", "--user", help="Author (needed with --local; default: you).")) -> None:
    """Post a message to a channel."""
    ch = lookup.channel(c.client, channel)
    body: dict[str, Any] = {"channel_id": ch["id"], "message": message, "root_id": reply_to}
    if user:
        body["user_id"] = lookup.user(c.client, user)["id"]
    elif c.client.local:
        die("--user is needed in local mode (there is no logged-in user)")
    p = c.client.post("/posts", body)
    c.out.item(p, f"Posted {p['id']} to {ch['name']}")


@command(app, "list")
def list_posts(c: Ctx, channel: str = typer.Argument(..., help="team:channel."),
               number: int = typer.Option(20, "--number", "-n", help="How many of the newest posts."),
               since: str = typer.Option("", "--since", help="Only posts since this ISO 8601 time.")) -> None:
    """Print a channel's newest posts, oldest first."""
    ch = lookup.channel(c.client, channel)
    params: dict[str, Any] = {"page": 0, "per_page": max(1, min(number, 200))}
    if since:
        try:
            when = datetime.datetime.fromisoformat(since)
        except ValueError:
            die(f"--since: {since!r} is not an ISO 8601 time")
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
        params = {"since": int(when.timestamp() * 1000)}
    pl = c.client.get(f"/channels/{ch['id']}/posts", params=params)
    posts = [pl["posts"][i] for i in reversed(pl["order"])]
    names: dict[str, str] = {}
    if posts and not c.out.json:
        ids = sorted({p["user_id"] for p in posts})
        names = {u["id"]: u["username"] for u in c.client.post("/users/ids", ids)}

    def line(p: dict[str, Any]) -> str:
        reply = "  ↳ " if p.get("root_id") else ""
        return f"{p['id']}: {reply}[{names.get(p['user_id'], p['user_id'])}] {p['message']}"

    c.out.items(posts, line)
