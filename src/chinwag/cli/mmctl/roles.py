"""`chinwag roles …`: make users system admins or plain members."""

from __future__ import annotations

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import Ctx, command

app = typer.Typer(help="System roles.", no_args_is_help=True)


def _set(c: Ctx, users: list[str], admin: bool) -> None:
    done = []
    for u in lookup.users(c.client, users):
        roles = [r for r in u.get("roles", "").split() if r != "system_admin"]
        if "system_user" not in roles:
            roles.insert(0, "system_user")
        if admin:
            roles.append("system_admin")
        c.client.put(f"/users/{u['id']}/roles", {"roles": " ".join(roles)})
        done.append({**u, "roles": " ".join(roles)})
    c.out.items(done, lambda u: f"{u['username']}: {'system admin' if admin else 'member'} ({u['roles']})")


@command(app, "system-admin")
def system_admin(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Give users the system admin role."""
    _set(c, users, True)


@command(app, "member")
def member(c: Ctx, users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Take the system admin role away (users stay members)."""
    _set(c, users, False)
