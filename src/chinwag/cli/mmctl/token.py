"""`chinwag token …`: personal access tokens."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import Ctx, command

app = typer.Typer(help="Personal access tokens.", no_args_is_help=True)


def line(t: dict[str, Any]) -> str:
    return f"{t['id']}: {t.get('description', '')}{'' if t.get('is_active', True) else ' (disabled)'}"


@command(app, "generate")
def generate(c: Ctx, user: str = typer.Argument(..., help="Email, username or id."),
             description: str = typer.Argument(..., help="What the token is for.")) -> None:
    """Create a token for a user (shown once)."""
    u = lookup.user(c.client, user)
    t = c.client.post(f"/users/{u['id']}/tokens", {"description": description})
    c.out.item(t, f"{t['token']}: {description}")


@command(app, "list")
def list_tokens(c: Ctx, user: str = typer.Argument(..., help="Email, username or id."),
                active: bool = typer.Option(False, "--active", help="Only active tokens."),
                inactive: bool = typer.Option(False, "--inactive", help="Only disabled tokens.")) -> None:
    """List a user's tokens."""
    u = lookup.user(c.client, user)
    tokens = c.client.get(f"/users/{u['id']}/tokens", params={"page": 0, "per_page": 200})
    if active:
        tokens = [t for t in tokens if t.get("is_active")]
    if inactive:
        tokens = [t for t in tokens if not t.get("is_active")]
    c.out.items(tokens, line)


@command(app, "revoke")
def revoke(c: Ctx, token_ids: list[str] = typer.Argument(..., help="Token ids.")) -> None:
    """Revoke tokens."""
    for tid in token_ids:
        c.client.post("/users/tokens/revoke", {"token_id": tid})
    c.out.items([{"id": t, "status": "revoked"} for t in token_ids], lambda t: f"Revoked token {t['id']}")
