"""`chinwag roles …`: mmctl's roles commands: make users system admins or plain members."""

from __future__ import annotations

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import ApiError, CliError, Ctx, command, raise_all
from chinwag.cli.mmctl.printer import go_quote as q

app = typer.Typer(help="Manage user roles", no_args_is_help=True)


def _set(c: Ctx, users: list[str], admin: bool) -> None:
    errors: list[Exception] = []
    for arg in users:
        u = lookup.user_or_none(c.client, arg)
        if u is None:
            e = CliError(f"unable to find user {q(arg)}")
            errors.append(e)
            c.p.error(str(e))
            continue
        roles = u.get("roles", "").split()
        has = "system_admin" in roles
        if admin == has:
            continue
        roles = [*roles, "system_admin"] if admin else [r for r in roles if r != "system_admin"]
        try:
            c.client.put(f"/users/{u['id']}/roles", {"roles": " ".join(roles)})
        except ApiError as err:
            e = CliError(f"can't update roles for user {q(arg)}: {err}")
            errors.append(e)
            c.p.error(str(e))
            continue
        verb = "assigned to" if admin else "revoked for"
        c.p.print(f"System admin role {verb} user {q(arg)}. Current roles are: {', '.join(roles)}")
    raise_all(errors)


@command(app, "system-admin")
def system_admin(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Set a user as system admin"""
    _set(c, users, True)


@command(app, "member")
def member(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Remove system admin privileges"""
    _set(c, users, False)
