"""Find users, teams and channels the way mmctl does: by email, username or id; by team name or id;
channels as ``team:channel`` (name or id)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chinwag.cli.mmctl.client import Client, die


def _try(c: Client, path: str) -> dict[str, Any] | None:
    r = c.http.get("/api/v4" + path)
    if r.status_code == 200:
        data = r.json()
        return data if isinstance(data, dict) else None
    if r.status_code in (400, 404):
        return None
    from chinwag.cli.mmctl.client import error_text

    die(error_text(r))


def user(c: Client, arg: str) -> dict[str, Any]:
    found = None
    if "@" in arg:
        found = _try(c, f"/users/email/{quote(arg)}")
    if found is None:
        found = _try(c, f"/users/username/{quote(arg.lstrip('@'))}")
    if found is None and len(arg) == 26:
        found = _try(c, f"/users/{arg}")
    if found is None:
        die(f"user {arg} not found")
    return found


def users(c: Client, args: list[str]) -> list[dict[str, Any]]:
    return [user(c, a) for a in args]


def team(c: Client, arg: str) -> dict[str, Any]:
    found = _try(c, f"/teams/name/{quote(arg)}")
    if found is None and len(arg) == 26:
        found = _try(c, f"/teams/{arg}")
    if found is None:
        die(f"team {arg} not found")
    return found


def channel(c: Client, arg: str) -> dict[str, Any]:
    """``team:channel`` (names or ids), or a bare channel id."""
    team_arg, sep, chan = arg.partition(":")
    if not sep:
        found = _try(c, f"/channels/{arg}") if len(arg) == 26 else None
        if found is None:
            die(f"channel {arg} not found (use team:channel)")
        return found
    t = team(c, team_arg)
    found = _try(c, f"/teams/{t['id']}/channels/name/{quote(chan)}?include_deleted=true")
    if found is None and len(chan) == 26:
        found = _try(c, f"/channels/{chan}")
    if found is None:
        die(f"channel {chan} not found in team {team_arg}")
    return found
