"""`chinwag team …`: mmctl's team commands, with its flags, messages and output."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import ApiError, CliError, Ctx, command, confirm, die, raise_all

app = typer.Typer(help="Management of teams", no_args_is_help=True)
users_app = typer.Typer(help="Management of team users", no_args_is_help=True)
app.add_typer(users_app, name="users")

API_LIMIT = 200


@command(app, "create")
def create(c: Ctx, name: str = typer.Option("", "--name", help="Team Name"),
           display_name: str = typer.Option("", "--display-name", help="Team Display Name"),
           display_name_old: str = typer.Option("", "--display_name", hidden=True),
           private: bool = typer.Option(False, "--private", help="Create a private team."),
           email: str = typer.Option("", "--email", help="Administrator Email (anyone with this email is "
                                     "automatically a team admin)")) -> None:
    """Create a team"""
    c.p.single = True
    if not name:
        die("name is required")
    display_name = display_name or display_name_old
    if not display_name:
        die("display Name is required")
    body = {"name": name, "display_name": display_name, "email": email, "type": "I" if private else "O",
            "allow_open_invite": not private}
    try:
        t = c.client.post("/teams", body)
    except ApiError as e:
        die(f"Team creation failed: {e}")
    c.p.print_t(f"New team {t['name']} successfully created", t)


def _teams(c: Ctx, args: list[str]) -> list[tuple[str, dict[str, Any] | None]]:
    return [(a, lookup.team_or_none(c.client, a)) for a in args]


@command(app, "delete")
def delete(c: Ctx, teams: list[str] = typer.Argument(..., help="Team names or ids."),
           confirm_: bool = typer.Option(False, "--confirm", help="Confirm you really want to delete the team and "
                                         "a DB backup has been performed.")) -> None:
    """Delete teams"""
    if not confirm_:
        confirm("Are you sure you want to delete the teams specified?  All data will be permanently deleted?", True)
    errors: list[Exception] = []
    for arg, t in _teams(c, teams):
        if t is None:
            c.p.error(f"Unable to find team '{arg}'")
            errors.append(CliError(f"unable to find team {arg}"))
            continue
        try:
            c.client.delete(f"/teams/{t['id']}", params={"permanent": "true"})
        except ApiError as e:
            c.p.error(f"Unable to delete team '{t['name']}' error: {e}")
            errors.append(CliError(f"unable to delete team {t['name']} error: {e}"))
            continue
        c.p.print_t(f"Deleted team '{t['name']}'", t)
    raise_all(errors)


@command(app, "archive")
def archive(c: Ctx, teams: list[str] = typer.Argument(..., help="Team names or ids."),
            confirm_: bool = typer.Option(False, "--confirm", help="Confirm you really want to archive the team and "
                                          "a DB backup has been performed.")) -> None:
    """Archive teams"""
    if not confirm_:
        confirm("Are you sure you want to archive the specified teams?", True)
    for arg, t in _teams(c, teams):
        if t is None:
            c.p.error(f"Unable to find team '{arg}'")
            continue
        try:
            c.client.delete(f"/teams/{t['id']}")
        except ApiError as e:
            c.p.error(f"Unable to archive team '{t['name']}' error: {e}")
            continue
        c.p.print_t(f"Archived team '{t['name']}'", t)


@command(app, "restore")
def restore(c: Ctx, teams: list[str] = typer.Argument(..., help="Team names or ids.")) -> None:
    """Restore some teams"""
    errors: list[Exception] = []
    for arg, t in _teams(c, teams):
        if t is None:
            errors.append(CliError(f"unable to find team '{arg}'"))
            c.p.error(f"Unable to find team '{arg}'")
            continue
        try:
            r = c.client.post(f"/teams/{t['id']}/restore")
        except ApiError as e:
            errors.append(CliError(f"unable to restore team '{t['name']}' error: {e}"))
            c.p.error(f"Unable to restore team '{t['name']}' error: {e}")
            continue
        c.p.print_t(f"Restored team '{r['name']}'", r)
    raise_all(errors)


@command(app, "list")
def list_teams(c: Ctx) -> None:
    """List all teams"""
    page = 0
    while True:
        batch = c.client.get("/teams", params={"page": page, "per_page": API_LIMIT, "include_deleted": "true"})
        for t in batch:
            c.p.print_t(f"{t['name']} (archived)" if t.get("delete_at") else t["name"], t)
        if len(batch) < API_LIMIT:
            break
        page += 1


@command(app, "search")
def search(c: Ctx, terms: list[str] = typer.Argument(..., help="Team names, display names or ids.")) -> None:
    """Search for teams"""
    found: list[dict[str, Any]] = []
    for term in terms:
        batch = c.client.post("/teams/search", {"term": term})
        if isinstance(batch, dict):  # the paged form
            batch = batch.get("teams") or []
        if not batch:
            c.p.error(f"Unable to find team '{term}'")
            continue
        found += batch
    seen: set[str] = set()
    unique = []
    for t in found:
        if t["name"] not in seen:
            seen.add(t["name"])
            unique.append(t)
    for t in sorted(unique, key=lambda t: t["name"]):
        c.p.print_t(f"{t['name']}: {t['display_name']} ({t['id']})", t)


@command(app, "rename")
def rename(c: Ctx, team: str = typer.Argument(..., help="Team name or id."),
           display_name: str = typer.Option("", "--display-name", help="Team Display Name"),
           display_name_old: str = typer.Option("", "--display_name", hidden=True)) -> None:
    """Rename team"""
    new = display_name_old or display_name
    if not new:
        die("display name is required")
    t = lookup.or_die(lookup.team_or_none(c.client, team),
                      f"Unable to find team '{team}', to see the all teams try 'team list' command")
    try:
        c.client.put(f"/teams/{t['id']}", {**t, "display_name": new})
    except ApiError as e:
        die(f"Cannot rename team '{team}', error : {e}")
    c.p.print(f"'{team}' team renamed")


@command(app, "modify")
def modify(c: Ctx, teams: list[str] = typer.Argument(..., help="Team names or ids."),
           private: bool = typer.Option(False, "--private", help="Modify team to be private."),
           public: bool = typer.Option(False, "--public", help="Modify team to be public.")) -> None:
    """Modify teams' privacy setting to public or private"""
    if private == public:
        die("must specify one of --private or --public")
    for arg, t in _teams(c, teams):
        if t is None:
            c.p.error(f"Unable to find team '{arg}'")
            continue
        try:
            updated = c.client.put(f"/teams/{t['id']}/privacy", {"privacy": "O" if public else "I"})
        except ApiError as e:
            c.p.error(f"Unable to modify team '{t['name']}' error: {e}")
            continue
        c.p.print_t(f"Modified team '{updated['name']}'", updated)


@command(users_app, "add")
def users_add(c: Ctx, team: str = typer.Argument(..., help="Team name or id."),
              users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Add users to team"""
    t = lookup.or_die(lookup.team_or_none(c.client, team), f"Unable to find team '{team}'")
    errors: list[Exception] = []
    for arg in users:
        u = lookup.user_or_none(c.client, arg)
        if u is None:
            e = CliError(f"can't find user '{arg}'")
            c.p.error(str(e))
            errors.append(e)
            continue
        try:
            c.client.post(f"/teams/{t['id']}/members", {"team_id": t["id"], "user_id": u["id"]})
        except ApiError as e:
            c.p.error(f"Unable to add '{arg}' to {t['name']}. Error: {e}")
    raise_all(errors)


@command(users_app, "remove")
def users_remove(c: Ctx, team: str = typer.Argument(..., help="Team name or id."),
                 users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Remove users from team"""
    t = lookup.or_die(lookup.team_or_none(c.client, team), f"Unable to find team '{team}'")
    errors: list[Exception] = []
    for arg in users:
        u = lookup.user_or_none(c.client, arg)
        try:
            if u is None:
                raise CliError(f"can't find user '{arg}'")
            try:
                c.client.delete(f"/teams/{t['id']}/members/{u['id']}")
            except ApiError as e:
                raise CliError(f"unable to remove '{arg}' from {t['name']}. Error: {e}") from None
        except CliError as e:
            c.p.error(str(e))
            errors.append(e)
    raise_all(errors)
