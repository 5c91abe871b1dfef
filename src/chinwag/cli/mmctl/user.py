"""`chinwag user …`: mmctl's user commands."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import Ctx, command, die

app = typer.Typer(help="Manage users.", no_args_is_help=True)


def line(u: dict[str, Any]) -> str:
    state = " (deactivated)" if u.get("delete_at") else ""
    return f"{u['id']}: {u['username']} ({u.get('email', '')}){state}"


def details(u: dict[str, Any]) -> str:
    return (f"id: {u['id']}\nusername: {u['username']}\nnickname: {u.get('nickname', '')}\n"
            f"position: {u.get('position', '')}\nfirst_name: {u.get('first_name', '')}\n"
            f"last_name: {u.get('last_name', '')}\nemail: {u.get('email', '')}\n"
            f"auth_service: {u.get('auth_service', '')}\nroles: {u.get('roles', '')}")


@command(app, "list")
def list_users(c: Ctx, page: int = typer.Option(0, "--page", help="Page number to fetch."),
               per_page: int = typer.Option(200, "--per-page", help="Users per page."),
               all_: bool = typer.Option(False, "--all", help="Fetch every user (pages through them)."),
               team: str = typer.Option("", "--team", help="Only members of this team."),
               inactive: bool = typer.Option(False, "--inactive", help="Only deactivated users.")) -> None:
    """List users."""
    params: dict[str, Any] = {"page": page, "per_page": per_page}
    if team:
        params["in_team"] = lookup.team(c.client, team)["id"]
    if inactive:
        params["inactive"] = "true"
    found: list[dict[str, Any]] = []
    while True:
        batch = c.client.get("/users", params=params)
        found += batch
        if not all_ or len(batch) < per_page:
            break
        params["page"] += 1
    c.out.items(found, line)


@command(app, "create")
def create(c: Ctx, email: str = typer.Option(..., "--email", help="Email of the new user."),
           username: str = typer.Option(..., "--username", help="Username of the new user."),
           password: str = typer.Option(..., "--password", help="Password of the new user."),
           nickname: str = typer.Option("", "--nickname"), firstname: str = typer.Option("", "--firstname"),
           lastname: str = typer.Option("", "--lastname"), locale: str = typer.Option("", "--locale"),
           system_admin: bool = typer.Option(False, "--system-admin", help="Make the user a system admin."),
           email_verified: bool = typer.Option(False, "--email-verified", help="Mark the email verified.")
           ) -> None:
    """Create a user."""
    body: dict[str, Any] = {"email": email, "username": username, "password": password, "nickname": nickname,
                            "first_name": firstname, "last_name": lastname}
    if locale:
        body["locale"] = locale
    if email_verified:
        body["email_verified"] = True
    u = c.client.post("/users", body)
    if system_admin:
        c.client.put(f"/users/{u['id']}/roles", {"roles": "system_user system_admin"})
        u["roles"] = "system_user system_admin"
    c.out.item(u, details)


@command(app, "search")
def search(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Find users by email, username or id."""
    found = []
    for arg in users:
        found.append(lookup.user(c.client, arg))
    if c.out.json:
        c.out.items(found, details)
    else:
        typer.echo("\n------------------------------\n".join(details(u) for u in found))


def _set_active(c: Ctx, users: list[str], active: bool) -> None:
    done = []
    for u in lookup.users(c.client, users):
        c.client.put(f"/users/{u['id']}/active", {"active": active})
        done.append({**u, "delete_at": 0 if active else 1})
    c.out.items(done, lambda u: f"{'Activated' if active else 'Deactivated'} user {u['username']}")


@command(app, "activate")
def activate(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Activate users."""
    _set_active(c, users, True)


@command(app, "deactivate")
def deactivate(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Deactivate users (their sessions end)."""
    _set_active(c, users, False)


@command(app, "promote")
def promote(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids of guests.")) -> None:
    """Promote guests to users."""
    done = []
    for u in lookup.users(c.client, users):
        c.client.post(f"/users/{u['id']}/promote")
        done.append({**u, "roles": "system_user"})
    c.out.items(done, lambda u: f"User {u['username']} promoted.")


@command(app, "demote")
def demote(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Demote users to guests (needs GuestAccountsSettings.Enable)."""
    done = []
    for u in lookup.users(c.client, users):
        c.client.post(f"/users/{u['id']}/demote")
        done.append({**u, "roles": "system_guest"})
    c.out.items(done, lambda u: f"User {u['username']} demoted.")


@command(app, "delete")
def delete(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids."),
           confirm: bool = typer.Option(False, "--confirm", help="Do not ask; required without a terminal.")
           ) -> None:
    """Permanently delete users and everything they posted (needs
    ServiceSettings.EnableAPIUserDeletion unless --local)."""
    found = lookup.users(c.client, users)
    if not confirm:
        if not typer.confirm(f"Permanently delete {len(found)} user(s)? This cannot be undone"):
            die("aborted")
    for u in found:
        c.client.delete(f"/users/{u['id']}", params={"permanent": "true"})
    c.out.items(found, lambda u: f"Deleted user {u['username']}")


@command(app, "change-password")
def change_password(c: Ctx, user: str = typer.Argument(..., help="Email, username or id."),
                    password: str = typer.Option(..., "--password", "-p", help="The new password."),
                    current: str = typer.Option("", "--current", "-c",
                                                help="The current password (when changing your own).")
                    ) -> None:
    """Change a user's password."""
    u = lookup.user(c.client, user)
    c.client.put(f"/users/{u['id']}/password", {"current_password": current, "new_password": password})
    c.out.item({"user_id": u["id"], "status": "OK"}, f"Password for user {u['username']} changed")


def _patch(c: Ctx, user: str, field: str, value: str) -> None:
    u = lookup.user(c.client, user)
    updated = c.client.put(f"/users/{u['id']}/patch", {field: value})
    c.out.item(updated, f"User {u['username']} updated: {field} is now {updated.get(field, value)}")


@command(app, "email")
def email(c: Ctx, user: str = typer.Argument(..., help="Email, username or id."),
          new_email: str = typer.Argument(..., help="The new email.")) -> None:
    """Change a user's email."""
    _patch(c, user, "email", new_email)


@command(app, "username")
def username(c: Ctx, user: str = typer.Argument(..., help="Email, username or id."),
             new_username: str = typer.Argument(..., help="The new username.")) -> None:
    """Change a user's username."""
    _patch(c, user, "username", new_username)


@command(app, "convert")
def convert(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids."),
            bot: bool = typer.Option(False, "--bot", help="Convert users to bots."),
            user: bool = typer.Option(False, "--user", help="Convert bots to users."),
            password: str = typer.Option("", "--password", help="Password for a bot becoming a user."),
            email_: str = typer.Option("", "--email", help="Email for a bot becoming a user.")) -> None:
    """Convert users to bots (--bot) or bots to users (--user)."""
    if bot == user:
        die("choose one of --bot or --user")
    done = []
    for u in lookup.users(c.client, users):
        if bot:
            done.append(c.client.post(f"/users/{u['id']}/convert_to_bot"))
        else:
            patch: dict[str, Any] = {"password": password} if password else {}
            if email_:
                patch["email"] = email_
            done.append(c.client.post(f"/bots/{u['id']}/convert_to_user", patch))
    c.out.items(done, lambda d: f"{d.get('username')} converted to a {'bot' if bot else 'user'}")
