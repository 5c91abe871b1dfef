"""`chinwag channel …`: mmctl's channel commands (channels named ``team:channel``), with its flags,
messages and output."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import ApiError, CliError, Ctx, command, confirm, die, raise_all
from chinwag.cli.mmctl.printer import go_quote as q

app = typer.Typer(help="Management of channels", no_args_is_help=True)
users_app = typer.Typer(help="Management of channel users", no_args_is_help=True)
app.add_typer(users_app, name="users")

PER_PAGE = 200


def _channels(c: Ctx, args: list[str]) -> list[tuple[str, dict[str, Any] | None]]:
    return [(a, lookup.channel_or_none(c.client, a)) for a in args]


def _pages(c: Ctx, path: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    page = 0
    while True:
        batch = c.client.get(path, params={"page": page, "per_page": PER_PAGE})
        if not batch:
            return out
        out += batch
        page += 1


@command(app, "create")
def create(c: Ctx, name: str = typer.Option("", "--name", help="Channel Name"),
           display_name: str = typer.Option("", "--display-name", help="Channel Display Name"),
           display_name_old: str = typer.Option("", "--display_name", hidden=True),
           team: str = typer.Option("", "--team", help="Team name or ID"),
           header: str = typer.Option("", "--header", help="Channel header"),
           purpose: str = typer.Option("", "--purpose", help="Channel purpose"),
           private: bool = typer.Option(False, "--private", help="Create a private channel.")) -> None:
    """Create a channel"""
    c.p.single = True
    if not name:
        die("name is required")
    display_name = display_name or display_name_old
    if not display_name:
        die("display Name is required")
    if not team:
        die("team is required")
    t = lookup.or_die(lookup.team_or_none(c.client, team), f"unable to find team: {team}")
    ch = c.client.post("/channels", {"team_id": t["id"], "name": name, "display_name": display_name,
                                     "header": header, "purpose": purpose, "type": "P" if private else "O"})
    c.p.print_t(f"New channel {ch['name']} successfully created", ch)


@command(app, "archive")
def archive(c: Ctx, channels: list[str] = typer.Argument(..., help="team:channel names or channel ids.")) -> None:
    """Archive channels"""
    errors: list[Exception] = []
    for arg, ch in _channels(c, channels):
        if ch is None:
            c.p.error(f"Unable to find channel '{arg}'")
            errors.append(CliError(f"unable to find channel {q(arg)}"))
            continue
        try:
            c.client.delete(f"/channels/{ch['id']}")
        except ApiError as e:
            c.p.error(f"Unable to archive channel '{ch['name']}' error: {e}")
            errors.append(CliError(f"unable to archive channel {q(ch['name'])}, error: {e}"))
    raise_all(errors)


@command(app, "list")
def list_channels(c: Ctx, teams: list[str] = typer.Argument(..., help="Team names or ids.")) -> None:
    """List all channels on specified teams."""
    errors: list[Exception] = []
    for arg in teams:
        t = lookup.team_or_none(c.client, arg)
        if t is None:
            e = CliError(f"unable to find team {q(arg)}")
            c.p.error(str(e))
            errors.append(e)
            continue
        for path, suffix, what in (("", "", "public"), ("/deleted", " (archived)", "archived"),
                                   ("/private", " (private)", "private")):
            try:
                found = _pages(c, f"/teams/{t['id']}/channels{path}")
            except ApiError as e:
                if what == "private" and not c.client.local:
                    found = [ch for ch in c.client.get(f"/users/me/teams/{t['id']}/channels")
                             if ch.get("type") == "P"]
                else:
                    c.p.error(f"unable to list {what} channels for {q(arg)}: {e}")
                    errors.append(e)
                    continue
            for ch in found:
                c.p.print_t(ch["name"] + suffix, ch)
    raise_all(errors)


def _unarchive(c: Ctx, channels: list[str]) -> None:
    for arg, ch in _channels(c, channels):
        if ch is None:
            c.p.error(f"Unable to find channel '{arg}'")
            continue
        try:
            c.client.post(f"/channels/{ch['id']}/restore")
        except ApiError as e:
            c.p.error(f"Unable to unarchive channel '{arg}'. Error: {e}")


@command(app, "unarchive")
def unarchive(c: Ctx, channels: list[str] = typer.Argument(..., help="team:channel names or channel ids.")
              ) -> None:
    """Unarchive some channels"""
    _unarchive(c, channels)


@command(app, "restore", hidden=True, deprecated=True)
def restore(c: Ctx, channels: list[str] = typer.Argument(..., help="team:channel names or channel ids.")) -> None:
    """Restore some channels (use "channel unarchive")"""
    _unarchive(c, channels)


@command(app, "make-private", hidden=True, deprecated=True)
def make_private(c: Ctx, channel: str = typer.Argument(..., help="team:channel.")) -> None:
    """Set a channel's type to private (use "channel modify --private")"""
    ch = lookup.or_die(lookup.channel_or_none(c.client, channel), f"unable to find channel {q(channel)}")
    if ch.get("type") != "O":
        die("you can only change the type of public channels")
    c.client.put(f"/channels/{ch['id']}/privacy", {"privacy": "P"})


@command(app, "modify")
def modify(c: Ctx, channel: str = typer.Argument(..., help="team:channel."),
           private: bool = typer.Option(False, "--private", help="Convert the channel to a private channel"),
           public: bool = typer.Option(False, "--public", help="Convert the channel to a public channel")) -> None:
    """Modify a channel's public/private type"""
    if public == private:
        die("you must specify only one of --public or --private")
    ch = lookup.or_die(lookup.channel_or_none(c.client, channel), f"unable to find channel {q(channel)}")
    if ch.get("type") not in ("O", "P"):
        die("you can only change the type of public/private channels")
    try:
        c.client.put(f"/channels/{ch['id']}/privacy", {"privacy": "P" if private else "O"})
    except ApiError as e:
        die(f"failed to update channel ({q(channel)}) privacy: {e}")


@command(app, "rename")
def rename(c: Ctx, channel: str = typer.Argument(..., help="team:channel."),
           name: str = typer.Option("", "--name", help="Channel Name"),
           display_name: str = typer.Option("", "--display-name", help="Channel Display Name"),
           display_name_old: str = typer.Option("", "--display_name", hidden=True)) -> None:
    """Rename channel"""
    display_name = display_name or display_name_old
    if not name and not display_name:
        die("require at least one flag to rename channel, either 'name' or 'display-name'")
    ch = lookup.or_die(lookup.channel_or_none(c.client, channel), f"unable to find channel from {q(channel)}")
    patch = {k: v for k, v in (("name", name), ("display_name", display_name)) if v}
    try:
        updated = c.client.put(f"/channels/{ch['id']}/patch", patch)
    except ApiError as e:
        die(f"cannot rename channel {q(ch['name'])}, error: {e}")
    c.p.print_t(f"'{updated['name']}' channel renamed", updated)


@command(app, "search")
def search(c: Ctx, channel: str = typer.Argument(..., help="Channel name."),
           team: str = typer.Option("", "--team", help="Team name or ID")) -> None:
    """Search a channel"""
    c.p.single = True
    found = None
    if team:
        t = lookup.or_die(lookup.team_or_none(c.client, team), f"team {team} was not found")
        try:
            found = c.client.get(f"/teams/{t['id']}/channels/name/{channel}")
        except ApiError as e:
            die(str(e))
    else:
        for t in c.client.get("/teams", params={"page": 0, "per_page": 9999}):
            r = c.client.http.get(f"/api/v4/teams/{t['id']}/channels/name/{channel}")
            found = r.json() if r.status_code == 200 else None
            if found is not None and found.get("name") == channel:
                break
        if found is None:
            die(f"channel {q(channel)} was not found in any team")
    archived = " (archived)" if found.get("delete_at") else ""
    c.p.print_t(f"Channel Name :{found['name']}, Display Name :{found['display_name']}, "
                f"Channel ID :{found['id']}{archived}", found)


@command(app, "move")
def move(c: Ctx, team: str = typer.Argument(..., help="Destination team name or id."),
         channels: list[str] = typer.Argument(..., help="team:channel names or channel ids."),
         force: bool = typer.Option(False, "--force", help="Remove users that are not members of target team "
                                    "before moving the channel.")) -> None:
    """Moves channels to the specified team"""
    t = lookup.or_die(lookup.team_or_none(c.client, team), f"unable to find destination team {q(team)}")
    errors: list[Exception] = []
    for arg, ch in _channels(c, channels):
        if ch is None:
            errors.append(CliError(f"unable to find channel {q(arg)}"))
            continue
        if ch["team_id"] == t["id"]:
            continue
        try:
            new = c.client.post(f"/channels/{ch['id']}/move", {"team_id": t["id"], "force": force})
        except ApiError as e:
            errors.append(CliError(f"unable to move channel {q(ch['name'])}: {e}"))
            continue
        c.p.print_t(f"Moved channel {new['name']} to {q(t['name'])} ({new['team_id']}) from {ch['team_id']}.", new)
    raise_all(errors)


@command(app, "delete")
def delete(c: Ctx, channels: list[str] = typer.Argument(..., help="team:channel names or channel ids."),
           confirm_: bool = typer.Option(False, "--confirm", help="Confirm you really want to delete the channel and "
                                         "a DB backup has been performed.")) -> None:
    """Delete channels"""
    if not confirm_:
        confirm("Are you sure you want to delete the channels specified? All data will be permanently deleted?",
                True)
    errors: list[Exception] = []
    for arg, ch in _channels(c, channels):
        if ch is None:
            errors.append(CliError(f"unable to find channel '{arg}'"))
            continue
        try:
            c.client.delete(f"/channels/{ch['id']}", params={"permanent": "true"})
        except ApiError as e:
            errors.append(CliError(f"unable to delete channel '{q(ch['name'])}' error: {e}"))
            continue
        c.p.print_t(f"Deleted channel '{ch['name']}'", ch)
    raise_all(errors)


@command(users_app, "add")
def users_add(c: Ctx, channel: str = typer.Argument(..., help="team:channel."),
              users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Add users to channel"""
    ch = lookup.or_die(lookup.channel_or_none(c.client, channel), f"unable to find channel {q(channel)}")
    for arg in users:
        u = lookup.user_or_none(c.client, arg)
        if u is None:
            c.p.error(f"Can't find user '{arg}'")
            continue
        try:
            c.client.post(f"/channels/{ch['id']}/members", {"user_id": u["id"]})
        except ApiError as e:
            c.p.error(f"Unable to add '{arg}' to {ch['name']}. Error: {e}")


@command(users_app, "remove")
def users_remove(c: Ctx, channel: str = typer.Argument(..., help="team:channel."),
                 users: list[str] = typer.Argument(None, help="Emails, usernames or ids."),
                 all_users: bool = typer.Option(False, "--all-users", help="Remove all users from the indicated "
                                                "channel.")) -> None:
    """Remove users from channel"""
    users = users or []
    if all_users and users:
        die("individual users must not be specified in conjunction with the --all-users flag")
    if not all_users and not users:
        die("you must specify some users to remove from the channel, or use the --all-users flag to remove them all")
    ch = lookup.or_die(lookup.channel_or_none(c.client, channel), f"unable to find channel {q(channel)}")
    if not all_users:
        for arg in users:
            u = lookup.user_or_none(c.client, arg)
            if u is None:
                c.p.error(f"Can't find user '{arg}'")
                continue
            try:
                c.client.delete(f"/channels/{ch['id']}/members/{u['id']}")
            except ApiError as e:
                c.p.error(f"Unable to remove '{arg}' from {ch['name']}. Error: {e}")
        return
    try:
        members = c.client.get(f"/channels/{ch['id']}/members", params={"page": 0, "per_page": 10000})
    except ApiError as e:
        c.p.error(f"Unable to remove all users from {ch['name']}. Error: {e}")
        die(f"unable to remove all users from {q(ch['name'])}: {e}")
    errors: list[Exception] = []
    for m in members:
        try:
            c.client.delete(f"/channels/{ch['id']}/members/{m['user_id']}")
        except ApiError as e:
            errors.append(CliError(f"unable to remove {q(m['user_id'])} from {q(ch['name'])} Error: {e}"))
            c.p.error(f"Unable to remove '{m['user_id']}' from {ch['name']}. Error: {e}")
    raise_all(errors)
