"""`chinwag post …`: mmctl's post commands: create, and list (with --follow over the WebSocket)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import typer

from chinwag.cli.mmctl import lookup
from chinwag.cli.mmctl.client import ApiError, CliError, Ctx, command, die

app = typer.Typer(help="Management of posts", no_args_is_help=True)

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def go_time(ms: int) -> str:
    """PostTimeFormat ("2006-01-02 15:04:05-07:00") in local time."""
    t = datetime.datetime.fromtimestamp(ms / 1000).astimezone()
    off = t.strftime("%z")
    return t.strftime(TIME_FORMAT) + f"{off[:3]}:{off[3:]}"


@command(app, "create")
def create(c: Ctx, channel: str = typer.Argument(..., help="team:channel or a channel id."),
           message: str = typer.Option("", "--message", "-m", help="Message for the post"),
           reply_to: str = typer.Option("", "--reply-to", "-r", help="Post id to reply to"),
           user: str = typer.Option("", "--user", help="Author, in local mode (chinwag; remote: you)")) -> None:
    """Create a post"""
    if not message:
        die("message cannot be empty")
    if reply_to:
        try:
            parent = c.client.get(f"/posts/{reply_to}")
        except ApiError as e:
            die(f"could not retrieve the reply-to post: {e}")
        reply_to = parent.get("root_id") or reply_to
    ch = lookup.or_die(lookup.channel_or_none(c.client, channel), f"Unable to find channel '{channel}'")
    body: dict[str, Any] = {"channel_id": ch["id"], "message": message, "root_id": reply_to}
    if user:
        body["user_id"] = lookup.user(c.client, user)["id"]
    try:
        c.client.post("/posts", body, params={"set_online": "false"})
    except ApiError as e:
        die(f"could not create post: {e}")


class PostPrinter:
    def __init__(self, c: Ctx, show_ids: bool, show_time: bool) -> None:
        self.c = c
        self.show_ids = show_ids
        self.show_time = show_time
        self.names: dict[str, str] = {}

    def __call__(self, p: dict[str, Any]) -> None:
        uid = p["user_id"]
        if uid not in self.names:
            try:
                self.names[uid] = self.c.client.get(f"/users/{uid}")["username"]
            except ApiError:
                pass
        name = self.names.get(uid, uid)
        if self.show_time:
            text = f"\x1b[32m{go_time(p['create_at'])}\x1b[0m \x1b[34;1m[{name}]\x1b[0m {p['message']}"
        elif self.show_ids:
            text = f"\x1b[31m{p['id']}\x1b[0m \x1b[34;1m[{name}]\x1b[0m {p['message']}"
        else:
            text = f"\x1b[34;1m[{name}]\x1b[0m {p['message']}"
        self.c.p.print_t(text, p)


@command(app, "list")
def list_posts(c: Ctx, channel: str = typer.Argument(..., help="team:channel or a channel id."),
               number: int = typer.Option(20, "--number", "-n", help="Number of messages to list"),
               show_ids: bool = typer.Option(False, "--show-ids", "-i", help="Show posts ids"),
               follow: bool = typer.Option(False, "--follow", "-f", help="Output appended data as new messages are "
                                           "posted to the channel"),
               since: str = typer.Option("", "--since", "-s", help="List messages posted after a certain time "
                                         "(ISO 8601)")) -> None:
    """List posts for a channel"""
    c.p.single = True
    ch = lookup.or_die(lookup.channel_or_none(c.client, channel), f"Unable to find channel '{channel}'")
    if since:
        try:
            when = datetime.datetime.strptime(since, "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            die(f"invalid since time '{since}'")
        pl = c.client.get(f"/channels/{ch['id']}/posts", params={"since": int(when.timestamp() * 1000)})
    else:
        pl = c.client.get(f"/channels/{ch['id']}/posts", params={"page": 0, "per_page": number})
    out = PostPrinter(c, show_ids, bool(since))
    for pid in reversed(pl["order"]):
        out(pl["posts"][pid])
    if not follow:
        return
    c.p.stat_entity = ""  # streaming: each post as it comes, no count
    c.p.flush()
    ws = websocket(c)
    try:
        while True:
            event = json.loads(ws.recv())
            if event.get("event") != "posted":
                continue
            try:
                post = json.loads(event["data"]["post"])
            except (KeyError, TypeError, ValueError) as e:
                c.p.error(f"Error parsing incoming post: {e}")
                continue
            if post.get("channel_id") == ch["id"]:
                out(post)
                c.p.flush()
    except KeyboardInterrupt:
        pass
    finally:
        ws.close()


def websocket(c: Ctx) -> Any:
    """A WebSocket connection with the stored credentials (as mmctl: not in local mode)."""
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    from chinwag.cli.mmctl.client import current_credentials, read_credentials

    cred = current_credentials()
    if cred is None:
        read_credentials()
        die('no current context available. please use the "auth set" command')
    url = str(cred["instanceUrl"]).rstrip("/").replace("http", "ws", 1) + "/api/v4/websocket"
    try:
        return connect(url, additional_headers={"Authorization": f"Bearer {cred['authToken']}"},
                       max_size=None)
    except (OSError, WebSocketException) as e:
        raise CliError(f"unable to create the websockets connection: {e}") from None
