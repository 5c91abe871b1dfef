"""`chinwag auth …`: log in to servers and keep their tokens (never passwords) in a 0600 file."""

from __future__ import annotations

from typing import Any

import httpx
import typer

from chinwag.cli.mmctl.client import (
    TIMEOUT,
    CliError,
    Ctx,
    command,
    credentials_path,
    die,
    error_text,
    load_credentials,
    save_credentials,
)

app = typer.Typer(help="Log in to servers (credentials stored per user, mode 0600).", no_args_is_help=True)


def _line(cred: dict[str, Any]) -> str:
    mark = "*" if cred.get("active") else " "
    return f"{mark} {cred['name']}  {cred['username']}  {cred['instance_url']}"


def _public(cred: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cred.items() if k != "auth_token"}


@command(app, "login")
def login(c: Ctx, url: str = typer.Argument(..., help="Server URL, e.g. https://chat.example.com"),
          name: str = typer.Option(..., "--name", "-n", help="A name for these credentials."),
          username: str = typer.Option("", "--username", "-u", help="Username or email."),
          password: str = typer.Option("", "--password", "-p", help="Password (asked for if not given)."),
          access_token: str = typer.Option("", "--access-token", "-a", help="Log in with a personal access "
                                           "token instead of a password."),
          mfa_token: str = typer.Option("", "--mfa-token", "-m", help="MFA code.")) -> None:
    """Log in and store the session token as the current credentials."""
    url = url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        url = "https://" + url
    try:
        with httpx.Client(base_url=url, timeout=TIMEOUT) as http:
            if access_token:
                r = http.get("/api/v4/users/me", headers={"Authorization": f"Bearer {access_token}"})
                token = access_token
            else:
                if not username:
                    die("give --username (or --access-token)")
                if not password:
                    password = typer.prompt("Password", hide_input=True)
                r = http.post("/api/v4/users/login", json={"login_id": username, "password": password,
                                                           "token": mfa_token})
                token = r.headers.get("Token", "")
    except httpx.HTTPError as e:
        die(f"cannot reach {url}: {e}")
    if r.status_code != 200:
        die(error_text(r))
    if not token:
        die(f"{url} did not return a session token (is it a Mattermost-compatible server?)")
    user = r.json()
    data = load_credentials()
    for cred in data["credentials"].values():
        cred["active"] = False
    cred = {"name": name, "username": user.get("username", username), "instance_url": url,
            "auth_method": "P" if access_token else "S", "auth_token": token, "active": True}
    data["credentials"][name] = cred
    save_credentials(data)
    c.out.item(_public(cred), f"credentials for {name}: {cred['username']}@{url} stored")


@command(app, "list")
def list_credentials(c: Ctx) -> None:
    """List stored credentials (* marks the current)."""
    creds = sorted(load_credentials()["credentials"].values(), key=lambda x: x["name"])
    if not creds and not c.out.json:
        raise CliError(f"no credentials stored (in {credentials_path()}); use 'chinwag auth login'")
    c.out.items([_public(x) for x in creds], _line)


@command(app, "current")
def current(c: Ctx) -> None:
    """Show the current credentials."""
    for cred in load_credentials()["credentials"].values():
        if cred.get("active"):
            c.out.item(_public(cred), f"current: {cred['name']} ({cred['username']}@{cred['instance_url']})")
            return
    die("no current credentials; use 'chinwag auth login' or 'chinwag auth switch'")


@command(app, "switch")
def switch(c: Ctx, name: str = typer.Argument(..., help="Credentials name.")) -> None:
    """Make other stored credentials current."""
    data = load_credentials()
    if name not in data["credentials"]:
        die(f"no credentials named {name}")
    for key, cred in data["credentials"].items():
        cred["active"] = key == name
    save_credentials(data)
    c.out.item(_public(data["credentials"][name]), f"switched to {name}")


def _forget(names: list[str]) -> list[dict[str, Any]]:
    data = load_credentials()
    gone = []
    for name in names:
        cred = data["credentials"].pop(name, None)
        if cred is None:
            die(f"no credentials named {name}")
        if cred.get("auth_method") == "S":  # end the session on the server (best effort)
            try:
                httpx.post(cred["instance_url"] + "/api/v4/users/logout", timeout=10,
                           headers={"Authorization": f"Bearer {cred['auth_token']}"})
            except httpx.HTTPError:
                pass
        gone.append(_public(cred))
    save_credentials(data)
    return gone


@command(app, "logout")
def logout(c: Ctx, all_: bool = typer.Option(False, "--all", help="Every stored server.")) -> None:
    """End the current session (or all) and forget its token."""
    data = load_credentials()
    names = list(data["credentials"]) if all_ else [n for n, x in data["credentials"].items() if x.get("active")]
    if not names:
        die("not logged in")
    gone = _forget(names)
    c.out.items(gone, lambda x: f"logged out of {x['name']} ({x['instance_url']})")


@command(app, "delete")
def delete(c: Ctx, names: list[str] = typer.Argument(..., help="Credentials names.")) -> None:
    """Forget stored credentials."""
    gone = _forget(names)
    c.out.items(gone, lambda x: f"deleted credentials {x['name']}")
