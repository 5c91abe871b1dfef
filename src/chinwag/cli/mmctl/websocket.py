"""`chinwag websocket`: mmctl's websocket command, the server's events as JSON lines until CTRL+C."""

from __future__ import annotations

import json
from typing import Any

import typer

from chinwag.cli.mmctl.client import Ctx
from chinwag.cli.mmctl.post import websocket as connect


def event_json(event: dict[str, Any]) -> str:
    """model.WebSocketEvent's JSON: event, data (keys sorted, as Go marshals a map), broadcast, seq."""
    ordered = {"event": event.get("event", ""), "data": dict(sorted((event.get("data") or {}).items())),
               "broadcast": event.get("broadcast"), "seq": event.get("seq", 0)}
    return json.dumps(ordered, separators=(",", ":"), ensure_ascii=False).replace("<", "\\u003c") \
        .replace(">", "\\u003e").replace("&", "\\u0026")


def websocket(c: Ctx) -> None:
    """Display websocket in a human-readable format"""
    ws = connect(c)
    typer.echo("Press CTRL+C to exit")
    try:
        while True:
            message = json.loads(ws.recv())
            if "event" in message:
                typer.echo(event_json(message))
    except KeyboardInterrupt:
        pass
    finally:
        ws.close()
