"""`chinwag token …`: mmctl's personal access token commands."""

from __future__ import annotations

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import ApiError, Ctx, command, die
from chinwag.cli.mmctl.printer import go_quote as q

app = typer.Typer(help="manage users' access tokens", no_args_is_help=True)


def generate_token(c: Ctx, user: str, description: str) -> None:
    u = lookup.or_die(lookup.user_or_none(c.client, user),
                      f"could not retrieve user information of {q(user)}")
    try:
        t = c.client.post(f"/users/{u['id']}/tokens", {"description": description})
    except ApiError as e:
        die(f"could not create token for {q(user)}: {e}")
    c.p.print_t(f"{t['token']}: {t['description']}", t)


@command(app, "generate")
def generate(c: Ctx, user: str = typer.Argument(..., help="Email, username or id."),
             description: str = typer.Argument(..., help="What the token is for.")) -> None:
    """Generate token for a user"""
    generate_token(c, user, description)


@command(app, "list")
def list_tokens(c: Ctx, user: str = typer.Argument(..., help="Email, username or id."),
                page: int = typer.Option(0, "--page", help="Page number to fetch for the list of users"),
                per_page: int = typer.Option(200, "--per-page", help="Number of users to be fetched"),
                all_: bool = typer.Option(False, "--all", help="Fetch all tokens. --page flag will be ignore if "
                                          "provided"),
                active: bool = typer.Option(True, "--active/--no-active", help="List only active tokens"),
                inactive: bool = typer.Option(False, "--inactive", help="List only inactive tokens")) -> None:
    """List users tokens"""
    if all_:
        page, per_page = 0, 9999
    u = lookup.or_die(lookup.user_or_none(c.client, user),
                      f"could not retrieve user information of {q(user)}")
    try:
        tokens = c.client.get(f"/users/{u['id']}/tokens", params={"page": page, "per_page": per_page})
    except ApiError as e:
        die(f"could not retrieve tokens for user {q(user)}: {e}")
    if not tokens:
        die(f"there are no tokens for the {q(user)}")
    for t in tokens:
        if (t.get("is_active") and not inactive) or (not t.get("is_active") and not active):
            c.p.print_t(f"{t['id']}: {t['description']}", t)


@command(app, "revoke")
def revoke(c: Ctx, token_ids: list[str] = typer.Argument(..., help="Token ids.")) -> None:
    """Revoke tokens for a user"""
    for tid in token_ids:
        try:
            c.client.post("/users/tokens/revoke", {"token_id": tid})
        except ApiError as e:
            die(f"could not revoke token {q(tid)}: {e}")
