"""`chinwag system …`: server health and version."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl.client import Ctx, command, die

app = typer.Typer(help="Server health and version.", no_args_is_help=True)


@command(app, "ping")
def ping(c: Ctx) -> None:
    """Check that the server answers."""
    data = c.client.get("/system/ping")
    c.out.item(data, data.get("status", "?"))


@command(app, "version")
def version(c: Ctx) -> None:
    """Print the server's version."""
    r = c.client.request("GET", "/system/ping")
    parts = r.headers.get("X-Version-Id", "").split(".")
    ver = ".".join(parts[:3]) if len(parts) >= 3 else "unknown"
    c.out.item({"version": ver, "build": parts[3] if len(parts) > 3 else "",
                "version_id": r.headers.get("X-Version-Id", "")}, f"Server version {ver}")


@command(app, "status")
def status(c: Ctx) -> None:
    """Print the server, database and file store health; exit 1 if anything is unhealthy."""
    r = c.client.request("GET", "/system/ping", params={"get_server_status": "true"}, ok=(200, 500))
    data: dict[str, Any] = r.json()
    c.out.item(data, "\n".join(f"{k}: {data[k]}" for k in ("status", "database_status", "filestore_status")
                               if k in data))
    if data.get("status") != "OK":
        die("the server is unhealthy")
