"""`chinwag team …`: mmctl's team commands."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import Ctx, command, die

app = typer.Typer(help="Manage teams.", no_args_is_help=True)
users_app = typer.Typer(help="Team membership.", no_args_is_help=True)
app.add_typer(users_app, name="users")


def line(t: dict[str, Any]) -> str:
    return f"{t['name']}{' (archived)' if t.get('delete_at') else ''}"


@command(app, "list")
def list_teams(c: Ctx) -> None:
    """List all teams."""
    teams: list[dict[str, Any]] = []
    page = 0
    while True:
        batch = c.client.get("/teams", params={"page": page, "per_page": 200, "include_deleted": "true"})
        teams += batch
        if len(batch) < 200:
            break
        page += 1
    c.out.items(teams, line)


@command(app, "create")
def create(c: Ctx, name: str = typer.Option(..., "--name", help="Team name (URL part)."),
           display_name: str = typer.Option(..., "--display-name", help="Team display name."),
           private: bool = typer.Option(False, "--private", help="Invite-only team."),
           email: str = typer.Option("", "--email", help="Administrator email.")) -> None:
    """Create a team."""
    body = {"name": name, "display_name": display_name, "type": "I" if private else "O", "email": email}
    t = c.client.post("/teams", body)
    c.out.item(t, f"New team {t['name']} successfully created")


def _confirm(confirm: bool, what: str) -> None:
    if not confirm and not typer.confirm(f"{what}? This cannot be undone"):
        die("aborted")


@command(app, "delete")
def delete(c: Ctx, teams: list[str] = typer.Argument(..., help="Team names or ids."),
           confirm: bool = typer.Option(False, "--confirm", help="Do not ask.")) -> None:
    """Permanently delete teams with their channels and posts (needs
    ServiceSettings.EnableAPITeamDeletion unless --local)."""
    found = [lookup.team(c.client, t) for t in teams]
    _confirm(confirm, f"Permanently delete {len(found)} team(s)")
    for t in found:
        c.client.delete(f"/teams/{t['id']}", params={"permanent": "true"})
    c.out.items(found, lambda t: f"Deleted team '{t['name']}'")


@command(app, "archive")
def archive(c: Ctx, teams: list[str] = typer.Argument(..., help="Team names or ids."),
            confirm: bool = typer.Option(False, "--confirm", help="Do not ask.")) -> None:
    """Archive teams (they can be restored)."""
    found = [lookup.team(c.client, t) for t in teams]
    if not confirm and not typer.confirm(f"Archive {len(found)} team(s)?"):
        die("aborted")
    for t in found:
        c.client.delete(f"/teams/{t['id']}")
    c.out.items(found, lambda t: f"Archived team '{t['name']}'")


@command(app, "restore")
def restore(c: Ctx, teams: list[str] = typer.Argument(..., help="Team names or ids.")) -> None:
    """Restore archived teams."""
    done = [c.client.post(f"/teams/{lookup.team(c.client, t)['id']}/restore") for t in teams]
    c.out.items(done, lambda t: f"Restored team '{t['name']}'")


@command(users_app, "add")
def users_add(c: Ctx, team: str = typer.Argument(..., help="Team name or id."),
              users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Add users to a team."""
    t = lookup.team(c.client, team)
    done = []
    for u in lookup.users(c.client, users):
        done.append(c.client.post(f"/teams/{t['id']}/members", {"team_id": t["id"], "user_id": u["id"]}))
        done[-1]["username"] = u["username"]
    c.out.items(done, lambda m: f"Added {m['username']} to team {t['name']}")


@command(users_app, "remove")
def users_remove(c: Ctx, team: str = typer.Argument(..., help="Team name or id."),
                 users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Remove users from a team."""
    t = lookup.team(c.client, team)
    done = []
    for u in lookup.users(c.client, users):
        c.client.delete(f"/teams/{t['id']}/members/{u['id']}")
        done.append({"team_id": t["id"], "user_id": u["id"], "username": u["username"]})
    c.out.items(done, lambda m: f"Removed {m['username']} from team {t['name']}")
