"""`chinwag auth …`: mmctl's credentials commands: log in to servers and keep their tokens (never
passwords) in mmctl's credentials file (mode 0600)."""

from __future__ import annotations

from typing import Any

import httpx
import typer

from chinwag.cli.mmctl.client import (
    METHOD_MFA,
    METHOD_PASSWORD,
    METHOD_TOKEN,
    CliError,
    Ctx,
    command,
    credentials_path,
    die,
    error_text,
    http_client,
    load_credentials,
    read_credentials,
    save_credentials,
)

app = typer.Typer(help="Manages the credentials of the remote Mattermost instances", no_args_is_help=True)


def _secret(path: str, what: str) -> str:
    try:
        with open(path) as fh:
            return fh.read().strip()
    except OSError as e:
        die(f"could not read the {what}: open {path}: {(e.strerror or str(e)).lower()}")


def _login(url: str, username: str, password: str, mfa: str) -> tuple[str, dict[str, Any]]:
    try:
        with http_client(url) as http:
            r = http.post("/api/v4/users/login", json={"login_id": username, "password": password, "token": mfa})
    except httpx.HTTPError as e:
        die(f"could not initiate client: {e}")
    if r.status_code != 200:
        die(f"could not initiate client: {error_text(r)}")
    token = r.headers.get("Token", "")
    if not token:
        die(f"could not initiate client: {url} did not return a session token")
    return token, r.json()


def _check_token(url: str, token: str) -> None:
    try:
        with http_client(url) as http:
            r = http.get("/api/v4/users/me", headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as e:
        die(f"could not initiate client: {e}")
    if r.status_code != 200:
        die(f"could not initiate client: {error_text(r)}")


def _store(cred: dict[str, Any], activate: bool) -> None:
    try:
        data = load_credentials()
    except FileNotFoundError:
        data = {}
        cred["active"] = True
    data[cred["name"]] = cred
    if activate:
        for name, other in data.items():
            other["active"] = name == cred["name"]
    save_credentials(data)


@command(app, "login")
def login(c: Ctx, url: str = typer.Argument(..., help="Server URL, e.g. https://chat.example.com"),
          name: str = typer.Option("", "--name", "-n", help="Name for the credentials"),
          username: str = typer.Option("", "--username", "-u", help="Username for the credentials"),
          access_token: str = typer.Option("", "--access-token", "-a", hidden=True,
                                           help="Access token to use instead of username/password"),
          access_token_file: str = typer.Option("", "--access-token-file", "-t", help="Access token file to be "
                                                "read to use instead of username/password"),
          mfa_token: str = typer.Option("", "--mfa-token", "-m", help="MFA token for the credentials"),
          password: str = typer.Option("", "--password", "-p", hidden=True, help="Password for the credentials"),
          password_file: str = typer.Option("", "--password-file", "-f", help="Password file to be read for the "
                                            "credentials"),
          no_activate: bool = typer.Option(False, "--no-activate", help="If present, it won't activate the "
                                           "credentials after login")) -> None:
    """Login into an instance and store credentials"""
    if password and password_file:
        die("cannot use two passwords at the same time")
    if password_file:
        password = _secret(password_file, "password")
    if access_token and access_token_file:
        die("cannot use two access tokens at the same time")
    if access_token_file:
        access_token = _secret(access_token_file, "access-token")
    url = url.rstrip("/")
    if not name:
        name = typer.prompt("Connection name").strip()
    if access_token and username:
        die("you must use --access-token or --username, but not both")
    if not access_token and not username:
        username = typer.prompt("Username").strip()
    if username and not password:
        password = typer.prompt("Password", hide_input=True)
    if username:
        token, _ = _login(url, username, password, mfa_token)
        method = METHOD_MFA if mfa_token else METHOD_PASSWORD
    else:
        _check_token(url, access_token)
        token, username, method = access_token, "Personal Access Token", METHOD_TOKEN
    cred = {"name": name, "username": username, "authToken": token, "authMethod": method, "instanceUrl": url,
            "active": False}
    _store(cred, not no_activate)
    c.p.print(f"\n  credentials for \"{name}\": \"{username}@{url}\" stored\n")


@command(app, "current")
def current(c: Ctx) -> None:
    """Show the currently stored user credentials"""
    for cred in read_credentials().values():
        if cred.get("active"):
            c.p.print(f"\n  found credentials for \"{cred['name']}\": \"{cred['username']}@{cred['instanceUrl']}\"\n")
            return
    die('no current context available. please use the "auth set" command')


@command(app, "set")
def set_(c: Ctx, name: str = typer.Argument(..., help="The credentials' name.")) -> None:
    """Set an credentials to use in the following commands"""
    data = read_credentials()
    if name not in {x.get("name", k) for k, x in data.items()}:
        die(f"cannot find credentials for server \"{name}\"")
    for key, cred in data.items():
        cred["active"] = cred.get("name", key) == name
    save_credentials(data)
    c.p.print(f"Credentials for server \"{name}\" set as active")


@command(app, "switch", hidden=True)
def switch(c: Ctx, name: str = typer.Argument(..., help="The credentials' name.")) -> None:
    """Set an credentials to use (chinwag's older name for "auth set")"""
    set_(c, name)


@command(app, "list")
def list_credentials(c: Ctx) -> None:
    """Print a list of the registered credentials"""
    data = read_credentials()
    if not data:
        die("there are no registered credentials, maybe you need to use login first")
    creds = sorted(data.values(), key=lambda x: x["name"])
    w_name = max(len(x["name"]) for x in creds)
    w_user = max(len(x["username"]) for x in creds)
    w_url = max(len(x["instanceUrl"]) for x in creds)
    c.p.print(f"\n    | Active | {'Name':>{w_name}} | {'Username':>{w_user}} | {'InstanceURL':>{w_url}} |")
    c.p.print(f"    |{'-' * 8}|{'-' * (w_name + 2)}|{'-' * (w_user + 2)}|{'-' * (w_url + 2)}|")
    for x in creds:
        mark = "*" if x.get("active") else " "
        c.p.print(f"    |      {mark} | {x['name']:>{w_name}} | {x['username']:>{w_user}} | "
                  f"{x['instanceUrl']:>{w_url}} |")
    c.p.print("")


@command(app, "renew")
def renew(c: Ctx, name: str = typer.Argument(..., help="The credentials' name."),
          password: str = typer.Option("", "--password", "-p", hidden=True, help="Password for the credentials"),
          password_file: str = typer.Option("", "--password-file", "-f", help="Password file to be read for the "
                                            "credentials"),
          access_token: str = typer.Option("", "--access-token", "-a", hidden=True,
                                           help="Access token to use instead of username/password"),
          access_token_file: str = typer.Option("", "--access-token-file", "-t", help="Access token file to be "
                                                "read to use instead of username/password"),
          mfa_token: str = typer.Option("", "--mfa-token", "-m", help="MFA token for the credentials")) -> None:
    """Renews the credentials for a given server"""
    c.p.single = True
    if password and password_file:
        die("cannot use two passwords at the same time")
    if password_file:
        password = _secret(password_file, "password")
    if access_token and access_token_file:
        die("cannot use two access tokens at the same time")
    if access_token_file:
        access_token = _secret(access_token_file, "access-token")
    data = read_credentials()
    cred = next((x for x in data.values() if x.get("name") == name), None)
    if cred is None:
        die(f"couldn't find credentials for connection \"{name}\"")
    method = cred.get("authMethod")
    if method in (METHOD_PASSWORD, METHOD_MFA) and not password:
        password = typer.prompt("Password", hide_input=True)
    if method == METHOD_PASSWORD:
        cred["authToken"], _ = _login(cred["instanceUrl"], cred["username"], password, "")
    elif method == METHOD_TOKEN:
        if not access_token:
            die("requires the --access-token parameter to be set")
        _check_token(cred["instanceUrl"], access_token)
        cred["authToken"] = access_token
    elif method == METHOD_MFA:
        if not mfa_token:
            die("requires the --mfa-token parameter to be set")
        cred["authToken"], _ = _login(cred["instanceUrl"], cred["username"], password, mfa_token)
    else:
        die(f"invalid auth method \"{method}\"")
    _store(cred, False)
    c.p.print_t(f"Credentials for server \"{name}\" successfully renewed", cred)


def _end_session(cred: dict[str, Any]) -> None:
    if cred.get("authMethod") in (METHOD_PASSWORD, METHOD_MFA, "S"):  # end the session on the server
        try:
            with http_client(cred["instanceUrl"]) as http:
                http.post("/api/v4/users/logout", headers={"Authorization": f"Bearer {cred['authToken']}"},
                          timeout=10)
        except httpx.HTTPError:
            pass


@command(app, "delete")
def delete(c: Ctx, names: list[str] = typer.Argument(..., help="Credentials names.")) -> None:
    """Delete an credentials by its name"""
    data = read_credentials()
    for name in names:
        if name not in data:
            die(f"cannot find credentials for server name \"{name}\"")
        data.pop(name)
    save_credentials(data)


@command(app, "clean")
def clean(c: Ctx) -> None:
    """Clean the currently stored credentials"""
    try:
        credentials_path().unlink()
    except FileNotFoundError:
        pass
    except OSError as e:
        raise CliError(str(e)) from None


@command(app, "logout", hidden=True)
def logout(c: Ctx, all_: bool = typer.Option(False, "--all", help="Every stored server.")) -> None:
    """End the current session (or all) on the server and forget its token (chinwag)"""
    data = read_credentials()
    names = list(data) if all_ else [n for n, x in data.items() if x.get("active")]
    if not names:
        die("not logged in")
    for name in names:
        _end_session(data.pop(name))
    save_credentials(data)
