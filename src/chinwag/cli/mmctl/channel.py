"""`chinwag channel …`: mmctl's channel commands (channels named ``team:channel``)."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import Ctx, command, die

app = typer.Typer(help="Manage channels.", no_args_is_help=True)
users_app = typer.Typer(help="Channel membership.", no_args_is_help=True)
app.add_typer(users_app, name="users")


def line(ch: dict[str, Any]) -> str:
    kind = " (private)" if ch.get("type") == "P" else ""
    return f"{ch['name']}{kind}{' (archived)' if ch.get('delete_at') else ''}"


def _all(c: Ctx, path: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    page = 0
    while True:
        batch = c.client.get(path, params={"page": page, "per_page": 200})
        out += batch
        if len(batch) < 200:
            return out
        page += 1


@command(app, "list")
def list_channels(c: Ctx, teams: list[str] = typer.Argument(..., help="Team names or ids.")) -> None:
    """List the channels of teams: public, private and archived."""
    found: list[dict[str, Any]] = []
    for arg in teams:
        t = lookup.team(c.client, arg)
        for path in ("", "/private", "/deleted"):
            found += _all(c, f"/teams/{t['id']}/channels{path}")
    c.out.items(found, line)


@command(app, "create")
def create(c: Ctx, team: str = typer.Option(..., "--team", help="Team name or id."),
           name: str = typer.Option(..., "--name", help="Channel name (URL part)."),
           display_name: str = typer.Option(..., "--display-name", help="Channel display name."),
           private: bool = typer.Option(False, "--private", help="Create a private channel."),
           purpose: str = typer.Option("", "--purpose"), header: str = typer.Option("", "--header")) -> None:
    """Create a channel."""
    t = lookup.team(c.client, team)
    ch = c.client.post("/channels", {"team_id": t["id"], "name": name, "display_name": display_name,
                                     "type": "P" if private else "O", "purpose": purpose, "header": header})
    c.out.item(ch, f"New channel {ch['name']} successfully created")


@command(app, "archive")
def archive(c: Ctx, channels: list[str] = typer.Argument(..., help="team:channel names.")) -> None:
    """Archive channels."""
    found = [lookup.channel(c.client, a) for a in channels]
    for ch in found:
        c.client.delete(f"/channels/{ch['id']}")
    c.out.items(found, lambda ch: f"Archived channel {ch['name']}")


@command(app, "unarchive")
def unarchive(c: Ctx, channels: list[str] = typer.Argument(..., help="team:channel names.")) -> None:
    """Restore archived channels."""
    done = [c.client.post(f"/channels/{lookup.channel(c.client, a)['id']}/restore") for a in channels]
    c.out.items(done, lambda ch: f"Unarchived channel {ch['name']}")


@command(app, "rename")
def rename(c: Ctx, channel: str = typer.Argument(..., help="team:channel."),
           name: str = typer.Option("", "--name", help="The new name."),
           display_name: str = typer.Option("", "--display-name", help="The new display name.")) -> None:
    """Rename a channel."""
    if not name and not display_name:
        die("give --name and/or --display-name")
    ch = lookup.channel(c.client, channel)
    patch = {k: v for k, v in (("name", name), ("display_name", display_name)) if v}
    updated = c.client.put(f"/channels/{ch['id']}/patch", patch)
    c.out.item(updated, f"Channel {ch['name']} renamed to {updated['name']} ({updated['display_name']})")


@command(app, "move")
def move(c: Ctx, team: str = typer.Argument(..., help="Destination team name or id."),
         channels: list[str] = typer.Argument(..., help="team:channel names."),
         force: bool = typer.Option(False, "--force", help="Remove members who are not in the new team.")
         ) -> None:
    """Move channels to another team."""
    t = lookup.team(c.client, team)
    done = []
    for arg in channels:
        ch = lookup.channel(c.client, arg)
        done.append(c.client.post(f"/channels/{ch['id']}/move", {"team_id": t["id"], "force": force}))
    c.out.items(done, lambda ch: f"Moved channel {ch['name']} to team {t['name']}")


@command(app, "make-private")
def make_private(c: Ctx, channel: str = typer.Argument(..., help="team:channel.")) -> None:
    """Make a public channel private."""
    ch = lookup.channel(c.client, channel)
    updated = c.client.put(f"/channels/{ch['id']}/privacy", {"privacy": "P"})
    c.out.item(updated, f"Channel {ch['name']} is now private")


@command(users_app, "add")
def users_add(c: Ctx, channel: str = typer.Argument(..., help="team:channel."),
              users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Add users to a channel."""
    ch = lookup.channel(c.client, channel)
    done = []
    for u in lookup.users(c.client, users):
        m = c.client.post(f"/channels/{ch['id']}/members", {"user_id": u["id"]})
        done.append({**m, "username": u["username"]})
    c.out.items(done, lambda m: f"Added {m['username']} to channel {ch['name']}")


@command(users_app, "remove")
def users_remove(c: Ctx, channel: str = typer.Argument(..., help="team:channel."),
                 users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Remove users from a channel."""
    ch = lookup.channel(c.client, channel)
    done = []
    for u in lookup.users(c.client, users):
        c.client.delete(f"/channels/{ch['id']}/members/{u['id']}")
        done.append({"channel_id": ch["id"], "user_id": u["id"], "username": u["username"]})
    c.out.items(done, lambda m: f"Removed {m['username']} from channel {ch['name']}")
