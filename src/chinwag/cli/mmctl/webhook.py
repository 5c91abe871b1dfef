"""`chinwag webhook …`: incoming and outgoing webhooks."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import Ctx, command, die

app = typer.Typer(help="Incoming and outgoing webhooks.", no_args_is_help=True)


def line(h: dict[str, Any]) -> str:
    kind = "Outgoing" if "trigger_words" in h else "Incoming"
    return f"{kind} webhook: {h['id']} ({h.get('display_name') or 'no name'})"


@command(app, "list")
def list_hooks(c: Ctx, teams: list[str] = typer.Argument(None, help="Team names or ids (default: all).")) -> None:
    """List webhooks."""
    team_ids = [lookup.team(c.client, t)["id"] for t in teams or []] or [""]
    hooks: list[dict[str, Any]] = []
    for tid in team_ids:
        params = {"page": 0, "per_page": 200, **({"team_id": tid} if tid else {})}
        hooks += c.client.get("/hooks/incoming", params=params)
        hooks += c.client.get("/hooks/outgoing", params=params)
    c.out.items(hooks, line)


@command(app, "create-incoming")
def create_incoming(c: Ctx, channel: str = typer.Option(..., "--channel", help="team:channel to post to."),
                    user: str = typer.Option(..., "--user", help="The hook's owner (email, username or id)."),
                    display_name: str = typer.Option("", "--display-name"),
                    description: str = typer.Option("", "--description"),
                    lock_to_channel: bool = typer.Option(False, "--lock-to-channel"),
                    icon: str = typer.Option("", "--icon", help="Icon URL."),
                    username: str = typer.Option("", "--username", help="Username shown on posts.")) -> None:
    """Create an incoming webhook."""
    ch = lookup.channel(c.client, channel)
    u = lookup.user(c.client, user)
    h = c.client.post("/hooks/incoming", {"channel_id": ch["id"], "user_id": u["id"], "display_name": display_name,
                                          "description": description, "channel_locked": lock_to_channel,
                                          "icon_url": icon, "username": username})
    c.out.item(h, f"Id: {h['id']}\nDisplay Name: {h.get('display_name', '')}")


@command(app, "create-outgoing")
def create_outgoing(c: Ctx, team: str = typer.Option(..., "--team", help="Team name or id."),
                    user: str = typer.Option(..., "--user", help="The hook's owner (email, username or id)."),
                    display_name: str = typer.Option(..., "--display-name"),
                    url: list[str] = typer.Option(..., "--url", help="Callback URL (repeatable)."),
                    trigger_word: list[str] = typer.Option(None, "--trigger-word", help="Trigger word (repeatable)."),
                    channel: str = typer.Option("", "--channel", help="Only this team:channel."),
                    description: str = typer.Option("", "--description"),
                    trigger_when: str = typer.Option("exact", "--trigger-when", help="exact or start."),
                    content_type: str = typer.Option("application/x-www-form-urlencoded", "--content-type"),
                    icon: str = typer.Option("", "--icon"), username: str = typer.Option("", "--username")
                    ) -> None:
    """Create an outgoing webhook."""
    if trigger_when not in ("exact", "start"):
        die("--trigger-when must be exact or start")
    t = lookup.team(c.client, team)
    u = lookup.user(c.client, user)
    body: dict[str, Any] = {"team_id": t["id"], "creator_id": u["id"], "display_name": display_name,
                            "description": description, "callback_urls": url, "trigger_words": trigger_word or [],
                            "trigger_when": 0 if trigger_when == "exact" else 1, "content_type": content_type,
                            "icon_url": icon, "username": username}
    if channel:
        body["channel_id"] = lookup.channel(c.client, channel)["id"]
    h = c.client.post("/hooks/outgoing", body)
    c.out.item(h, f"Id: {h['id']}\nDisplay Name: {h.get('display_name', '')}\nToken: {h.get('token', '')}")


@command(app, "delete")
def delete(c: Ctx, hook_ids: list[str] = typer.Argument(..., help="Webhook ids.")) -> None:
    """Delete webhooks (incoming or outgoing)."""
    done = []
    for hid in hook_ids:
        for kind in ("incoming", "outgoing"):
            r = c.client.http.delete(f"/api/v4/hooks/{kind}/{hid}")
            if r.status_code == 200:
                done.append({"id": hid, "kind": kind})
                break
        else:
            die(f"webhook {hid} not found")
    c.out.items(done, lambda h: f"Deleted {h['kind']} webhook {h['id']}")
