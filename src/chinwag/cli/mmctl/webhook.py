"""`chinwag webhook …`: mmctl's incoming and outgoing webhook commands."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import ApiError, Ctx, command, die
from chinwag.cli.mmctl.printer import go_value

app = typer.Typer(help="Management of webhooks", no_args_is_help=True)

INCOMING_FIELDS = (("Id", "id"), ("CreateAt", "create_at"), ("UpdateAt", "update_at"), ("DeleteAt", "delete_at"),
                   ("UserId", "user_id"), ("ChannelId", "channel_id"), ("TeamId", "team_id"),
                   ("DisplayName", "display_name"), ("Description", "description"), ("Username", "username"),
                   ("IconURL", "icon_url"), ("ChannelLocked", "channel_locked"))
OUTGOING_FIELDS = (("Id", "id"), ("Token", "token"), ("CreateAt", "create_at"), ("UpdateAt", "update_at"),
                   ("DeleteAt", "delete_at"), ("CreatorId", "creator_id"), ("ChannelId", "channel_id"),
                   ("TeamId", "team_id"), ("TriggerWords", "trigger_words"), ("TriggerWhen", "trigger_when"),
                   ("CallbackURLs", "callback_urls"), ("DisplayName", "display_name"),
                   ("Description", "description"), ("ContentType", "content_type"), ("Username", "username"),
                   ("IconURL", "icon_url"))


def go_struct(hook: dict[str, Any], fields: tuple[tuple[str, str], ...]) -> str:
    """Go's %+v of the webhook struct."""
    return "{" + " ".join(f"{name}:{go_value(hook.get(key, ''))}" for name, key in fields) + "}"


def _get(c: Ctx, kind: str, hook_id: str) -> dict[str, Any] | None:
    r = c.client.http.get(f"/api/v4/hooks/{kind}/{hook_id}")
    return dict(r.json()) if r.status_code == 200 else None


def _call(c: Ctx, send: Callable[[], Any], failure: str) -> Any:
    """The API call ``send``; when it is refused, mmctl's ``failure`` line comes before the API's error."""
    try:
        return send()
    except ApiError:
        c.p.error(failure)
        raise


def _create(c: Ctx, kind: str, body: dict[str, Any], failure: str) -> None:
    h = _call(c, lambda: c.client.post(f"/hooks/{kind}", body), failure)
    c.p.print_t(f"Id: {h['id']}\nDisplay Name: {h['display_name']}", h)


def _to_modify(c: Ctx, kind: str, hook_id: str, channel: str, fields: dict[str, str], unable: str) -> dict[str, Any]:
    """The webhook to change, with the channel (when one is named) and the non-empty ``fields`` set in it;
    mmctl's messages for the two kinds differ only in ``unable``'s case."""
    h = _get(c, kind, hook_id)
    if h is None:
        die(f"{unable} to find webhook '{hook_id}'")
    if channel:
        ch = lookup.or_die(lookup.channel_or_none(c.client, channel), f"{unable} to find channel '{channel}'")
        h["channel_id"] = ch["id"]
    h.update({key: value for key, value in fields.items() if value})
    return h


def _modify(c: Ctx, kind: str, h: dict[str, Any], failure: str) -> None:
    new = _call(c, lambda: c.client.put(f"/hooks/{kind}/{h['id']}", h), failure)
    c.p.print_t(f"Webhook {new['id']} successfully updated", new)


@command(app, "list")
def list_hooks(c: Ctx, teams: list[str] = typer.Argument(None, help="Team names or ids (default: all).")) -> None:
    """List webhooks"""
    if teams:
        found = [(a, lookup.team_or_none(c.client, a)) for a in teams]
    else:
        found = [(t["name"], t) for t in c.client.get("/teams", params={"page": 0, "per_page": 200})]
    for arg, t in found:
        if t is None:
            c.p.error(f"Unable to find team '{arg}'")
            continue
        params = {"team_id": t["id"], "page": 0, "per_page": 200}
        try:
            for h in c.client.get("/hooks/incoming", params=params):
                c.p.print_t(f"Incoming:\t{h['display_name']} ({h['id']}", h)
        except ApiError:
            c.p.error(f"Unable to list incoming webhooks for '{t['id']}'")
        try:
            for h in c.client.get("/hooks/outgoing", params=params):
                c.p.print_t(f"Outgoing:\t {h['display_name']} ({h['id']})", h)
        except ApiError:
            c.p.error(f"Unable to list outgoing webhooks for '{t['id']}'")


@command(app, "create-incoming")
def create_incoming(c: Ctx, channel: str = typer.Option(..., "--channel", help="Channel ID (required)"),
                    user: str = typer.Option(..., "--user", help="User ID (required)"),
                    display_name: str = typer.Option("", "--display-name", help="Incoming webhook display name"),
                    description: str = typer.Option("", "--description", help="Incoming webhook description"),
                    icon: str = typer.Option("", "--icon", help="Icon URL"),
                    lock_to_channel: bool = typer.Option(False, "--lock-to-channel", help="Lock to channel")) -> None:
    """Create incoming webhook"""
    c.p.single = True
    ch = lookup.or_die(lookup.channel_or_none(c.client, channel), f"Unable to find channel '{channel}'")
    u = lookup.or_die(lookup.user_or_none(c.client, user), f"Unable to find user '{user}'")
    _create(c, "incoming", {"channel_id": ch["id"], "display_name": display_name, "description": description,
                            "icon_url": icon, "channel_locked": lock_to_channel, "username": u["username"],
                            "user_id": u["id"]}, "Unable to create webhook")


@command(app, "modify-incoming")
def modify_incoming(c: Ctx, hook_id: str = typer.Argument(..., help="The webhook's id."),
                    channel: str = typer.Option("", "--channel", help="Channel ID"),
                    display_name: str = typer.Option("", "--display-name", help="Incoming webhook display name"),
                    description: str = typer.Option("", "--description", help="Incoming webhook description"),
                    icon: str = typer.Option("", "--icon", help="Icon URL"),
                    lock_to_channel: bool = typer.Option(False, "--lock-to-channel", help="Lock to channel")) -> None:
    """Modify incoming webhook"""
    c.p.single = True
    h = _to_modify(c, "incoming", hook_id, channel,
                   {"display_name": display_name, "description": description, "icon_url": icon}, "Unable")
    h["channel_locked"] = lock_to_channel
    _modify(c, "incoming", h, "Unable to modify incoming webhook")


def _trigger_when(value: str, what: str) -> int:
    if value == "exact":
        return 0
    if value == "start":
        return 1
    die(f"invalid {what} parameter")


@command(app, "create-outgoing")
def create_outgoing(c: Ctx, team: str = typer.Option(..., "--team", help="Team name or ID (required)"),
                    channel: str = typer.Option("", "--channel", help="Channel name or ID"),
                    user: str = typer.Option(..., "--user", help="User username, email, or ID (required)"),
                    display_name: str = typer.Option(..., "--display-name", help="Outgoing webhook display name "
                                                     "(required)"),
                    description: str = typer.Option("", "--description", help="Outgoing webhook description"),
                    trigger_word: list[str] = typer.Option(..., "--trigger-word", help="Word to trigger webhook "
                                                           "(required)"),
                    trigger_when: str = typer.Option("exact", "--trigger-when", help="When to trigger webhook "
                                                     "(exact: for first word matches a trigger word exactly, start: "
                                                     "for first word starts with a trigger word)"),
                    icon: str = typer.Option("", "--icon", help="Icon URL"),
                    url: list[str] = typer.Option(..., "--url", help="Callback URL (required)"),
                    content_type: str = typer.Option("", "--content-type", help="Content-type")) -> None:
    """Create outgoing webhook"""
    c.p.single = True
    t = lookup.or_die(lookup.team_or_none(c.client, team), f"Unable to find team: {team}")
    u = lookup.or_die(lookup.user_or_none(c.client, user), f"Unable to find user: {user}")
    body: dict[str, Any] = {"creator_id": u["id"], "username": u["username"], "team_id": t["id"],
                            "trigger_words": trigger_word, "trigger_when": _trigger_when(trigger_when, "trigger when"),
                            "callback_urls": url, "display_name": display_name, "description": description,
                            "content_type": content_type, "icon_url": icon}
    if channel:
        ch = lookup.channel_or_none(c.client, channel)
        if ch is not None:
            body["channel_id"] = ch["id"]
    _create(c, "outgoing", body, "Unable to create outgoing webhook")


@command(app, "modify-outgoing")
def modify_outgoing(c: Ctx, hook_id: str = typer.Argument(..., help="The webhook's id."),
                    channel: str = typer.Option("", "--channel", help="Channel name or ID"),
                    display_name: str = typer.Option("", "--display-name", help="Outgoing webhook display name"),
                    description: str = typer.Option("", "--description", help="Outgoing webhook description"),
                    trigger_word: list[str] = typer.Option([], "--trigger-word", help="Word to trigger webhook"),
                    trigger_when: str = typer.Option("", "--trigger-when", help="When to trigger webhook (exact: "
                                                     "for first word matches a trigger word exactly, start: for "
                                                     "first word starts with a trigger word)"),
                    icon: str = typer.Option("", "--icon", help="Icon URL"),
                    url: list[str] = typer.Option([], "--url", help="Callback URL"),
                    content_type: str = typer.Option("", "--content-type", help="Content-type")) -> None:
    """Modify outgoing webhook"""
    c.p.single = True
    h = _to_modify(c, "outgoing", hook_id, channel, {"display_name": display_name, "description": description,
                                                     "icon_url": icon, "content_type": content_type}, "unable")
    if trigger_word:
        h["trigger_words"] = trigger_word
    if trigger_when:
        h["trigger_when"] = _trigger_when(trigger_when, "trigger-when")
    if url:
        h["callback_urls"] = url
    _modify(c, "outgoing", h, "Unable to modify outgoing webhook")


@command(app, "delete")
def delete(c: Ctx, hook_id: str = typer.Argument(..., help="The webhook's id.")) -> None:
    """Delete webhooks"""
    c.p.single = True
    for kind in ("incoming", "outgoing"):
        h = _get(c, kind, hook_id)
        if h is not None:
            _call(c, partial(c.client.delete, f"/hooks/{kind}/{hook_id}"), f"Unable to delete webhook '{hook_id}'")
            c.p.print_t(f"Webhook {h['id']} successfully deleted", h)
            return
    die(f"Webhook with id '{hook_id}' not found")


@command(app, "show")
def show(c: Ctx, hook_id: str = typer.Argument(..., help="The webhook's id.")) -> None:
    """Show a webhook"""
    c.p.single = True
    for kind, fields in (("incoming", INCOMING_FIELDS), ("outgoing", OUTGOING_FIELDS)):
        h = _get(c, kind, hook_id)
        if h is not None:
            c.p.print_t(go_struct(h, fields), h)
            return
    die(f"Webhook with id '{hook_id}' not found")
