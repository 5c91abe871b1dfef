"""How mmctl-style commands reach a server: over the local-mode unix socket (``--local``,
``MMCTL_LOCAL=true``, or automatically when no credentials are stored), or over HTTP(S) with the
token stored by ``auth login``. Errors become one line on stderr and exit code 1."""

from __future__ import annotations

import functools
import inspect
import json
import os
import stat
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx
import typer

DEFAULT_SOCKET = "/var/tmp/mattermost_local.socket"
TIMEOUT = 60.0


class CliError(Exception):
    """A problem to report on one line."""


def die(message: str) -> NoReturn:
    raise CliError(message)


# credentials -------------------------------------------------------------------------------


def credentials_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "chinwag" / "mmctl.json"


def load_credentials() -> dict[str, Any]:
    path = credentials_path()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {"credentials": {}}
    except (OSError, ValueError) as e:
        die(f"cannot read the credentials file {path}: {e}")
    if not isinstance(data, dict) or not isinstance(data.get("credentials"), dict):
        die(f"the credentials file {path} is not in the expected format")
    return data


def save_credentials(data: dict[str, Any]) -> None:
    """Written with mode 0600 in a 0700 directory: it holds session tokens (never passwords)."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def current_credentials() -> dict[str, Any] | None:
    for cred in load_credentials()["credentials"].values():
        if cred.get("active"):
            return dict(cred)
    return None


# the client --------------------------------------------------------------------------------


def _truthy(v: str | None) -> bool:
    return (v or "").strip().lower() in ("1", "true", "yes", "on")


def socket_path() -> str:
    """MMCTL_LOCAL_SOCKET_PATH, else the server config's LocalModeSocketLocation, else the default."""
    env = os.environ.get("MMCTL_LOCAL_SOCKET_PATH")
    if env:
        return env
    cfg_path = Path(os.environ.get("MM_CONFIG") or "./config/config.json")
    try:
        loc = json.loads(cfg_path.read_text())["ServiceSettings"]["LocalModeSocketLocation"]
        if isinstance(loc, str) and loc:
            return loc
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return DEFAULT_SOCKET


def check_socket(path: str) -> None:
    """As mmctl: the socket must exist, be a socket with mode 0600, and be ours (root excepted)."""
    try:
        st = os.stat(path)
    except OSError:
        die(f"socket file {path} doesn't exist, please check the server configuration for local mode")
    if not stat.S_ISSOCK(st.st_mode):
        die(f"{path} is not a socket")
    if st.st_mode & 0o777 != 0o600:
        die(f"invalid permissions {oct(st.st_mode & 0o777)} for the socket file {path}, expected 0600")
    uid = os.getuid()
    if uid != 0 and st.st_uid != uid:
        die(f"socket file {path} is owned by another user (uid {st.st_uid})")


class Client:
    def __init__(self, http: httpx.Client, local: bool, url: str) -> None:
        self.http = http
        self.local = local
        self.url = url

    def request(self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None,
                content: bytes | None = None, ok: Iterable[int] = (200, 201)) -> httpx.Response:
        try:
            r = self.http.request(method, "/api/v4" + path, json=json_body, params=params, content=content)
        except httpx.HTTPError as e:
            where = "the local socket" if self.local else self.url
            die(f"cannot reach the server at {where}: {e}")
        if r.status_code not in ok:
            die(error_text(r))
        return r

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw).json()

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, json_body=body, **kw).json()

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, json_body=body, **kw).json()

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw).json()

    def close(self) -> None:
        self.http.close()


def error_text(r: httpx.Response) -> str:
    try:
        body = r.json()
        message = body.get("message") or body.get("id")
        detail = body.get("detailed_error")
        return f"{message}{' (' + detail + ')' if detail else ''} [HTTP {r.status_code}]"
    except (ValueError, AttributeError):
        return f"the server answered HTTP {r.status_code}: {r.text[:200].strip()}"


def connect(local: bool) -> Client:
    local = local or _truthy(os.environ.get("MMCTL_LOCAL"))
    cred = None if local else current_credentials()
    if cred is None:
        path = socket_path()
        if not local and not os.path.exists(path):
            die("no credentials: log in with 'chinwag auth login URL --name NAME --username USER' "
                "or use --local on the server itself")
        check_socket(path)
        return Client(httpx.Client(transport=httpx.HTTPTransport(uds=path), base_url="http://_",
                                   timeout=TIMEOUT), True, path)
    url = str(cred["instance_url"]).rstrip("/")
    headers = {"Authorization": f"Bearer {cred['auth_token']}", "X-Requested-With": "XMLHttpRequest"}
    return Client(httpx.Client(base_url=url, headers=headers, timeout=TIMEOUT), False, url)


# output ------------------------------------------------------------------------------------


@dataclass
class Out:
    json: bool

    def item(self, data: Any, text: str | Callable[[Any], str]) -> None:
        """One result: the JSON object, or a line of text."""
        if self.json:
            typer.echo(json.dumps(data, indent=2))
        else:
            typer.echo(text(data) if callable(text) else text)

    def items(self, data: list[Any], line: Callable[[Any], str]) -> None:
        if self.json:
            typer.echo(json.dumps(data, indent=2))
        else:
            for d in data:
                typer.echo(line(d))


@dataclass
class Ctx:
    local: bool
    out: Out
    _client: Client | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = connect(self.local)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


LocalOpt = typer.Option(False, "--local", help="Talk to the server on this machine over its local-mode "
                        "unix socket (also MMCTL_LOCAL=true; socket from MMCTL_LOCAL_SOCKET_PATH).")
JsonOpt = typer.Option(False, "--json", help="Print the result as JSON.")
FormatOpt = typer.Option("plain", "--format", help="Output format: plain or json.")


def command(app: typer.Typer, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(c: Ctx, …)`` as ``name`` with the global flags (--local, --json, --format) added,
    and every CliError printed as one line with exit code 1."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(fn)
        params = list(sig.parameters.values())[1:]
        extra = [
            inspect.Parameter("local", inspect.Parameter.KEYWORD_ONLY, default=LocalOpt, annotation=bool),
            inspect.Parameter("json_output", inspect.Parameter.KEYWORD_ONLY, default=JsonOpt, annotation=bool),
            inspect.Parameter("output_format", inspect.Parameter.KEYWORD_ONLY, default=FormatOpt,
                              annotation=str),
        ]

        @functools.wraps(fn)
        def wrapper(*args: Any, local: bool = False, json_output: bool = False, output_format: str = "plain",
                    **kwargs: Any) -> None:
            if output_format not in ("plain", "json"):
                typer.echo("Error: --format must be plain or json", err=True)
                raise typer.Exit(1)
            c = Ctx(local=local, out=Out(json=json_output or output_format == "json"))
            try:
                fn(c, *args, **kwargs)
            except CliError as e:
                typer.echo(f"Error: {e}", err=True)
                raise typer.Exit(1) from None
            finally:
                c.close()

        hints = typing.get_type_hints(fn)
        hints.pop(next(iter(sig.parameters)), None)
        params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in params]
        wrapper.__annotations__ = {**hints, "local": bool, "json_output": bool, "output_format": str}
        wrapper.__signature__ = sig.replace(parameters=[*params, *extra])  # type: ignore[attr-defined]
        del wrapper.__wrapped__
        app.command(name)(wrapper)
        return fn

    return deco
