"""`chinwag permissions …`: mmctl's role and permission commands. `role show|assign|unassign` work on
the server's roles and the users' roles; `add|remove|reset` change a role's permissions through
`PATCH /roles/{id}/patch` (Mattermost's shape; the server gains editable roles separately)."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import ApiError, CliError, Ctx, command, die, raise_all

app = typer.Typer(help="Management of permissions", no_args_is_help=True)
role_app = typer.Typer(help="Management of roles", no_args_is_help=True)
app.add_typer(role_app, name="role")


def tabwrite(text: str, padding: int = 1) -> str:
    """Go's text/tabwriter (minwidth 0, tabwidth 0, padding 1, padchar ' ', no flags): cells end with a
    tab, the text after a line's last tab is not aligned; a column block is a run of lines that have a
    cell in that column."""
    lines = [line.split("\t") for line in text.split("\n")]
    widths: dict[tuple[int, int], int] = {}

    def fmt(line0: int, line1: int, col: int) -> None:
        i = line0
        while i < line1:
            if col >= len(lines[i]) - 1:
                i += 1
                continue
            j, width = i, 0
            while j < line1 and col < len(lines[j]) - 1:
                width = max(width, len(lines[j][col]) + padding)
                j += 1
            for k in range(i, j):
                widths[(k, col)] = width
            fmt(i, j, col + 1)
            i = j

    fmt(0, len(lines), 0)
    return "\n".join("".join(cell.ljust(widths[(n, col)]) for col, cell in enumerate(cells[:-1])) + cells[-1]
                     for n, cells in enumerate(lines))


def _b(v: Any) -> str:
    return "true" if v else "false"


def pretty_role(role: dict[str, Any]) -> str:
    perms = sorted(role.get("permissions") or [])
    console = any(p.startswith("sysconsole_") for p in perms)
    rows = []
    if console and role["name"] != "system_admin":
        rows += ["", "Property\tValue\tUsed by", "--------\t-----\t-------", f"Name\t{role['name']}\t",
                 f"DisplayName\t{role.get('display_name', '')}\t", f"BuiltIn\t{_b(role.get('built_in'))}\t",
                 f"SchemeManaged\t{_b(role.get('scheme_managed'))}\t"]
        rows += [f"{'Permissions' if i == 0 else ''}\t{p}\t" for i, p in enumerate(perms)]
    else:
        rows += ["", "Property\tValue", "--------\t-----", f"Name\t{role['name']}",
                 f"DisplayName\t{role.get('display_name', '')}", f"BuiltIn\t{_b(role.get('built_in'))}",
                 f"SchemeManaged\t{_b(role.get('scheme_managed'))}"]
        rows += [f"{'Permissions' if i == 0 else ''}\t{p}" for i, p in enumerate(perms)]
    return tabwrite("\n".join(rows) + "\n")


def _role(c: Ctx, name: str) -> dict[str, Any]:
    return dict(c.client.get(f"/roles/name/{name}"))


def _patch(c: Ctx, role: dict[str, Any], permissions: list[str]) -> dict[str, Any]:
    return dict(c.client.request("PATCH", f"/roles/{role['id']}/patch",
                                 json_body={"permissions": permissions}).json())


@command(app, "add")
def add(c: Ctx, role: str = typer.Argument(..., help="The role's name."),
        permissions: list[str] = typer.Argument(..., help="Permission ids.")) -> None:
    """Add permissions to a role (EE Only)"""
    r = _role(c, role)
    _patch(c, r, [*(r.get("permissions") or []), *permissions])


@command(app, "remove")
def remove(c: Ctx, role: str = typer.Argument(..., help="The role's name."),
           permissions: list[str] = typer.Argument(..., help="Permission ids.")) -> None:
    """Remove permissions from a role (EE Only)"""
    r = _role(c, role)
    _patch(c, r, [p for p in r.get("permissions") or [] if p not in permissions])


@command(app, "reset")
def reset(c: Ctx, role: str = typer.Argument(..., help="The role's name.")) -> None:
    """Reset the given role's permissions to the set that was originally released with (EE Only)"""
    from chinwag.model.permissions import DEFAULT_ROLES

    r = _role(c, role)
    if r["name"] not in DEFAULT_ROLES:
        die("no default permissions available for role")
    new = _patch(c, r, sorted(DEFAULT_ROLES[r["name"]]))
    c.p.print_t(pretty_role(new), None)


@command(role_app, "show")
def show(c: Ctx, role: str = typer.Argument(..., help="The role's name.")) -> None:
    """Show the role information"""
    c.p.print_t(pretty_role(_role(c, role)), None)


@command(role_app, "assign")
def assign(c: Ctx, role: str = typer.Argument(..., help="The role's name."),
           users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Assign users to role (EE Only)"""
    r = _role(c, role)
    errors: list[Exception] = []
    for arg in users:
        u = lookup.user_or_none(c.client, arg)
        if u is None:
            c.p.error(f"Couldn't find user '{arg}'.")
            errors.append(CliError(f"couldn't find user '{arg}'"))
            continue
        roles = u.get("roles", "").split()
        if r["name"] in roles:
            continue
        c.client.put(f"/users/{u['id']}/roles", {"roles": " ".join([*roles, r["name"]])})
    raise_all(errors)


@command(role_app, "unassign")
def unassign(c: Ctx, role: str = typer.Argument(..., help="The role's name."),
             users: list[str] = typer.Argument(..., help="Emails, usernames or ids.")) -> None:
    """Unassign users from role (EE Only)"""
    for arg in users:
        u = lookup.user_or_none(c.client, arg)
        if u is None:
            c.p.error(f"Couldn't find user '{arg}'.")
            continue
        roles = u.get("roles", "").split()
        kept = [x for x in roles if x != role]
        if len(kept) < len(roles):
            try:
                c.client.put(f"/users/{u['id']}/roles", {"roles": " ".join(kept)})
            except ApiError as e:
                die(str(e))
