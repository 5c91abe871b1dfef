"""`chinwag command …`: mmctl's custom slash command commands (method GET unless --post, as mmctl)."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import ApiError, CliError, Ctx, command, die, raise_all
from chinwag.cli.mmctl.printer import go_value

app = typer.Typer(help="Management of slash commands", no_args_is_help=True)

SHOW_FIELDS = (("teamId", "team_id"), ("title", "display_name"), ("description", "description"),
               ("trigger-word", "trigger"), ("URL", "url"), ("creatorId", "creator_id"),
               ("response-username", "username"), ("iconURL", "icon_url"), ("autoComplete", "auto_complete"),
               ("autoCompleteDesc", "auto_complete_desc"), ("autoCompleteHint", "auto_complete_hint"),
               ("method", "method"))


def find(c: Ctx, arg: str) -> dict[str, Any] | None:
    """A command by id or ``team:trigger``."""
    if "/" in arg:
        return None
    parts = arg.split(":")
    if len(parts) == 2 and parts[1]:
        r = c.client.http.get(f"/api/v4/teams/name/{parts[0]}")
        if r.status_code == 200:
            team_id = r.json()["id"]
            r = c.client.http.get("/api/v4/commands", params={"team_id": team_id, "custom_only": "false"})
            for cmd in r.json() if r.status_code == 200 else []:
                if cmd.get("trigger") == parts[1] and cmd.get("id"):
                    arg = cmd["id"]  # the list hides some fields: read the command itself
                    break
    r = c.client.http.get(f"/api/v4/commands/{arg}")
    return dict(r.json()) if r.status_code == 200 else None


def _trigger(trigger: str) -> str:
    if trigger.startswith("/"):
        die("a trigger word cannot begin with a /")
    if " " in trigger:
        die("a trigger word must not contain spaces")
    return trigger


TitleOpt = typer.Option(None, "--title", help="Command Title")
DescriptionOpt = typer.Option(None, "--description", help="Command Description")
TriggerOpt = typer.Option(None, "--trigger-word", help="Command Trigger Word (required)")
UrlOpt = typer.Option(None, "--url", help="Command Callback URL (required)")
CreatorOpt = typer.Option(None, "--creator", help="Command Creator's username, email or id (required)")
ResponseUsernameOpt = typer.Option(None, "--response-username", help="Command Response Username")
IconOpt = typer.Option(None, "--icon", help="Command Icon URL")
AutocompleteOpt = typer.Option(None, "--autocomplete/--no-autocomplete", help="Show Command in autocomplete list")
AutocompleteDescOpt = typer.Option(None, "--autocompleteDesc", help="Short Command Description for autocomplete "
                                   "list")
AutocompleteHintOpt = typer.Option(None, "--autocompleteHint", help="Command Arguments displayed as help in "
                                   "autocomplete list")
PostOpt = typer.Option(None, "--post/--no-post", help="Use POST method for Callback URL")


@command(app, "create")
def create(c: Ctx, team: str = typer.Argument(..., help="Team name or id."),
           title: str | None = TitleOpt, description: str | None = DescriptionOpt,
           trigger_word: str | None = TriggerOpt, url: str | None = UrlOpt, creator: str | None = CreatorOpt,
           response_username: str | None = ResponseUsernameOpt, icon: str | None = IconOpt,
           autocomplete: bool | None = AutocompleteOpt, autocomplete_desc: str | None = AutocompleteDescOpt,
           autocomplete_hint: str | None = AutocompleteHintOpt, post: bool | None = PostOpt) -> None:
    """Create a custom slash command"""
    missing = [f'"{n}"' for n, v in (("creator", creator), ("trigger-word", trigger_word), ("url", url))
               if v is None]
    if missing:
        die(f"required flag(s) {', '.join(missing)} not set")
    c.p.single = True
    t = lookup.or_die(lookup.team_or_none(c.client, team), f"unable to find team '{team}'")
    u = lookup.or_die(lookup.user_or_none(c.client, creator or ""), f"unable to find user '{creator}'")
    body = {"creator_id": u["id"], "team_id": t["id"], "trigger": _trigger(trigger_word or ""),
            "method": "P" if post else "G", "username": response_username or "", "icon_url": icon or "",
            "auto_complete": bool(autocomplete), "auto_complete_desc": autocomplete_desc or "",
            "auto_complete_hint": autocomplete_hint or "", "display_name": title or "",
            "description": description or "", "url": url}
    try:
        cmd = c.client.post("/commands", body)
    except ApiError as e:
        die(f"unable to create command '{body['display_name']}'. {e}")
    c.p.print_t(f"created command {cmd['display_name']}", cmd)


@command(app, "list")
def list_commands(c: Ctx, teams: list[str] = typer.Argument(None, help="Team names or ids (default: all).")
                  ) -> None:
    """List all commands on specified teams."""
    if teams:
        found = [(a, lookup.team_or_none(c.client, a)) for a in teams]
    else:
        found = [(t["name"], t) for t in c.client.get("/teams", params={"page": 0, "per_page": 10000})]
    errors: list[Exception] = []
    for arg, t in found:
        if t is None:
            c.p.error(f"Unable to find team '{arg}'")
            errors.append(CliError(f"unable to find team '{arg}'"))
            continue
        try:
            cmds = c.client.get("/commands", params={"team_id": t["id"], "custom_only": "true"})
        except ApiError as e:
            c.p.error(f"Unable to list commands for '{t['id']}'")
            errors.append(CliError(f"unable to list commands for '{t['id']}': {e}"))
            continue
        for cmd in cmds:
            c.p.print_t(f"{cmd['id']}: {cmd['display_name']} (team: {t['name']})", cmd)
    raise_all(errors)


def _archive(c: Ctx, command_id: str) -> None:
    try:
        c.client.delete(f"/commands/{command_id}")
    except ApiError as e:
        die(f"Unable to archive command '{command_id}' error: {e}")
    c.p.print_t("Status: ok", {"status": "ok"})


@command(app, "archive")
def archive(c: Ctx, command_id: str = typer.Argument(..., help="The command's id.")) -> None:
    """Archive a slash command"""
    _archive(c, command_id)


@command(app, "delete", hidden=True, deprecated=True)
def delete(c: Ctx, command_id: str = typer.Argument(..., help="The command's id.")) -> None:
    """Delete a slash command (use "command archive")"""
    _archive(c, command_id)


@command(app, "modify")
def modify(c: Ctx, command_arg: str = typer.Argument(..., help="Command id or team:trigger."),
           title: str | None = TitleOpt, description: str | None = DescriptionOpt,
           trigger_word: str | None = TriggerOpt, url: str | None = UrlOpt, creator: str | None = CreatorOpt,
           response_username: str | None = ResponseUsernameOpt, icon: str | None = IconOpt,
           autocomplete: bool | None = AutocompleteOpt, autocomplete_desc: str | None = AutocompleteDescOpt,
           autocomplete_hint: str | None = AutocompleteHintOpt, post: bool | None = PostOpt) -> None:
    """Modify a slash command"""
    c.p.single = True
    cmd = find(c, command_arg)
    if cmd is None:
        die(f"unable to find command '{command_arg}'")
    for key, value in (("display_name", title), ("description", description), ("url", url),
                       ("username", response_username), ("icon_url", icon), ("auto_complete", autocomplete),
                       ("auto_complete_desc", autocomplete_desc), ("auto_complete_hint", autocomplete_hint)):
        if value is not None:
            cmd[key] = value
    if trigger_word is not None:
        cmd["trigger"] = _trigger(trigger_word)
    if creator is not None:
        u = lookup.or_die(lookup.user_or_none(c.client, creator), f"unable to find user '{creator}'")
        cmd["creator_id"] = u["id"]
    if post is not None:
        cmd["method"] = "P" if post else "G"
    try:
        new = c.client.put(f"/commands/{cmd['id']}", cmd)
    except ApiError as e:
        die(f"unable to modify command '{cmd['display_name']}'. {e}")
    c.p.print_t(f"modified command {new['display_name']}", new)


@command(app, "move")
def move(c: Ctx, team: str = typer.Argument(..., help="The destination team's name or id."),
         command_arg: str = typer.Argument(..., help="Command id or team:trigger.")) -> None:
    """Move a slash command to a different team"""
    c.p.single = True
    t = lookup.or_die(lookup.team_or_none(c.client, team), f"unable to find team '{team}'")
    cmd = find(c, command_arg)
    if cmd is None:
        die(f"unable to find command '{command_arg}'")
    try:
        c.client.put(f"/commands/{cmd['id']}/move", {"team_id": t["id"]})
    except ApiError as e:
        die(f"unable to move command '{cmd['id']}'. {e}")
    c.p.print_t("Status: ok", {"status": "ok"})


@command(app, "show")
def show(c: Ctx, command_arg: str = typer.Argument(..., help="Command id or team:trigger.")) -> None:
    """Show a custom slash command"""
    c.p.single = True
    cmd = find(c, command_arg)
    if cmd is None:
        die(f"unable to find command '{command_arg}'")
    c.p.print_t("\n".join(f"{label + ':':<20}{go_value(cmd.get(key, ''))}" for label, key in SHOW_FIELDS), cmd)
