"""`chinwag system …`: mmctl's system commands: version, status, and the server's busy state."""

from __future__ import annotations

from typing import Any

import typer

from chinwag.cli.mmctl.client import ApiError, Ctx, command, die

app = typer.Typer(help="System management", no_args_is_help=True)

STATUS_TEMPLATE = (("Server status", "status"), ("Android Latest Version", "AndroidLatestVersion"),
                   ("Android Minimum Version", "AndroidMinVersion"),
                   ("Desktop Latest Version", "DesktopLatestVersion"),
                   ("Desktop Minimum Version", "DesktopMinVersion"), ("Ios Latest Version", "IosLatestVersion"),
                   ("Ios Minimum Version", "IosMinVersion"), ("Database Status", "database_status"),
                   ("Filestore Status", "filestore_status"))


@command(app, "getbusy")
def getbusy(c: Ctx) -> None:
    """Get the current busy state"""
    c.p.single = True
    try:
        sbs = c.client.get("/server_busy")
    except ApiError as e:
        die(f"unable to get busy state: {e}")
    c.p.print_t(f"busy:{'true' if sbs.get('busy') else 'false'} expires:{sbs.get('expires_ts', '')}", sbs)


@command(app, "setbusy")
def setbusy(c: Ctx, seconds: int = typer.Option(3600, "--seconds", "-s", help="Number of seconds until server is "
                                                "automatically marked as not busy.")) -> None:
    """Set the busy state to true"""
    c.p.single = True
    if seconds <= 0:
        die("seconds must be a number > 0")
    try:
        c.client.post("/server_busy", params={"seconds": str(seconds)})
    except ApiError as e:
        die(f"unable to set busy state: {e}")
    c.p.print_t("Busy state set", {"status": "ok"})


@command(app, "clearbusy")
def clearbusy(c: Ctx) -> None:
    """Clears the busy state"""
    c.p.single = True
    try:
        c.client.delete("/server_busy")
    except ApiError as e:
        die(f"unable to clear busy state: {e}")
    c.p.print_t("Busy state cleared", {"status": "ok"})


@command(app, "version")
def version(c: Ctx) -> None:
    """Prints the remote server version"""
    c.p.single = True
    try:
        r = c.client.request("GET", "/system/ping")
    except ApiError as e:
        die(f"unable to fetch server version: {e}")
    ver = r.headers.get("X-Version-Id", "")
    c.p.print_t(f"Server version {ver}", {"version": ver})


@command(app, "status")
def status(c: Ctx) -> None:
    """Prints the status of the server"""
    c.p.single = True
    try:
        data: dict[str, Any] = c.client.get("/system/ping", params={"get_server_status": "true"})
    except ApiError as e:
        die(f"unable to fetch server status: {e}")
    c.p.print_t("\n".join(f"{label}: {data.get(key, '<no value>')}" for label, key in STATUS_TEMPLATE), data)


@command(app, "ping", hidden=True)
def ping(c: Ctx) -> None:
    """Check that the server answers (chinwag)"""
    c.p.single = True
    data = c.client.get("/system/ping")
    c.p.print_t(data.get("status", "?"), data)
