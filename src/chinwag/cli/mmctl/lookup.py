"""Find users, teams and channels the way mmctl does: users by email, username or id; teams by id or
name; channels as ``team:channel`` (name or id) or a bare channel id. The ``*_or_none`` forms are mmctl's
lenient lookups (nothing found → None); the others raise mmctl's "<type> <arg> not found"."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote, unquote

from chinwag.cli.mmctl.client import ApiError, Client, CliError, die


class NotFound(CliError):
    def __init__(self, kind: str, arg: str) -> None:
        super().__init__(f"{kind} {arg} not found")


T = TypeVar("T")


def or_die(found: T | None, message: str) -> T:
    """What a ``*_or_none`` lookup found, or mmctl's ``message`` and exit status 1 when it found nothing."""
    if found is None:
        die(message)
    return found


def _try(c: Client, path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The entity, or None when the server answers 404 or 400 (other errors are raised)."""
    try:
        data = c.get(path, params=params)
    except ApiError as e:
        if e.status in (400, 404):
            return None
        raise
    return data if isinstance(data, dict) else None


def _quiet(c: Client, path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
    try:
        return _try(c, path, params)
    except ApiError:
        return None


def _dots(arg: str) -> bool:
    return ".." in unquote(arg)


def _slash(arg: str) -> bool:
    return "/" in unquote(arg)


def _user(c: Client, arg: str, fetch: Any) -> dict[str, Any] | None:
    found = None
    if not _dots(arg):
        found = fetch(c, f"/users/email/{quote(arg, safe='@+')}")
    if not _slash(arg):
        if found is None:
            found = fetch(c, f"/users/username/{quote(arg)}")
        if found is None:
            found = fetch(c, f"/users/{quote(arg)}")
    return found


def user_or_none(c: Client, arg: str) -> dict[str, Any] | None:
    return _user(c, arg, _quiet)


def user(c: Client, arg: str) -> dict[str, Any]:
    found = _user(c, arg, _try)
    if found is None:
        raise NotFound("user", arg)
    return found


def users(c: Client, args: list[str]) -> tuple[list[dict[str, Any]], list[CliError]]:
    """mmctl's getUsersFromArgs: the users found and an error for each argument that was not."""
    found, errors = [], []
    for arg in args:
        try:
            found.append(user(c, arg))
        except CliError as e:
            errors.append(e)
    return found, errors


def team_or_none(c: Client, arg: str) -> dict[str, Any] | None:
    if _dots(arg) or _slash(arg):
        return None
    return _quiet(c, f"/teams/{quote(arg)}") or _quiet(c, f"/teams/name/{quote(arg)}")


def team(c: Client, arg: str) -> dict[str, Any]:
    if _dots(arg) or _slash(arg):
        raise CliError(f"invalid argument \"{arg}\"")
    found = _try(c, f"/teams/{quote(arg)}") or _try(c, f"/teams/name/{quote(arg)}")
    if found is None:
        raise NotFound("team", arg)
    return found


def _split(arg: str) -> tuple[str, str]:
    team_arg, sep, chan = arg.partition(":")
    return (team_arg, chan) if sep else ("", arg)


def channel_or_none(c: Client, arg: str) -> dict[str, Any] | None:
    team_arg, chan = _split(arg)
    if (not team_arg and not chan) or _dots(chan) or _slash(chan):
        return None
    found = None
    if team_arg:
        t = team_or_none(c, team_arg)
        if t is None:
            return None
        found = _quiet(c, f"/teams/{t['id']}/channels/name/{quote(chan)}", {"include_deleted": "true"})
    return found or _quiet(c, f"/channels/{quote(chan)}")


def channel(c: Client, arg: str) -> dict[str, Any]:
    team_arg, chan = _split(arg)
    if not team_arg and not chan:
        raise CliError(f"invalid channel argument \"{arg}\"")
    if _dots(chan) or _slash(chan):
        raise CliError('invalid channel argument. Cannot contain ".." nor "/"')
    found = None
    if team_arg:
        t = team(c, team_arg)
        found = _try(c, f"/teams/{t['id']}/channels/name/{quote(chan)}", {"include_deleted": "true"})
    found = found or _try(c, f"/channels/{quote(chan)}")
    if found is None:
        raise NotFound("channel", arg)
    return found
