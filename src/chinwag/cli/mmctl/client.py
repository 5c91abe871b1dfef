"""How mmctl-style commands reach a server: over the local-mode unix socket (``--local``,
``MMCTL_LOCAL=true``, or automatically when no credentials are stored), or over HTTP(S) with the
token stored by ``auth login``. Errors become one line on stderr and exit code 1."""

from __future__ import annotations

import functools
import inspect
import json
import os
import ssl
import stat
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

import httpx
import typer

from chinwag.cli.mmctl.printer import Printer

DEFAULT_SOCKET = "/var/tmp/mattermost_local.socket"
TIMEOUT = 60.0


class CliError(Exception):
    """A problem to report on one line."""


def die(message: str) -> NoReturn:
    raise CliError(message)


# credentials -------------------------------------------------------------------------------
# mmctl's credentials file: {"<name>": {"name", "username", "authToken", "authMethod", "instanceUrl",
# "active"}}, indented with four spaces, mode 0600. Its path is --config (or MMCTL_CONFIG), default
# $XDG_CONFIG_HOME/mmctl/config; chinwag's older $XDG_CONFIG_HOME/chinwag/mmctl.json is still read.

METHOD_PASSWORD, METHOD_TOKEN, METHOD_MFA = "P", "T", "M"
_KEYS = {"auth_token": "authToken", "auth_method": "authMethod", "instance_url": "instanceUrl"}


def _config_home() -> str:
    return os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")


def credentials_path() -> Path:
    from chinwag.cli.mmctl.flags import FLAGS

    if FLAGS.config:
        return Path(FLAGS.config.replace("$HOME", os.path.expanduser("~"), 1)
                    .replace("$XDG_CONFIG_HOME", _config_home(), 1))
    default = Path(_config_home()) / "mmctl" / "config"
    legacy = Path(_config_home()) / "chinwag" / "mmctl.json"
    if not default.exists() and legacy.exists():
        return legacy
    return default


def load_credentials() -> dict[str, dict[str, Any]]:
    """name → credentials (with mmctl's keys); FileNotFoundError when there is no file."""
    path = credentials_path()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise
    except OSError as e:
        die(f"there was a problem reading the credentials file: {e}")
    except ValueError as e:
        die(f"there was a problem parsing the credentials file: {e}")
    if isinstance(data, dict) and isinstance(data.get("credentials"), dict):
        data = data["credentials"]  # chinwag's older layout
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        die("there was a problem parsing the credentials file: not a map of credentials")
    return {name: {_KEYS.get(k, k): v for k, v in cred.items()} for name, cred in data.items()}


def read_credentials() -> dict[str, dict[str, Any]]:
    try:
        return load_credentials()
    except FileNotFoundError:
        die(f"cannot read user credentials, maybe you need to use login first: stat {credentials_path()}: "
            "no such file or directory")


def save_credentials(data: dict[str, dict[str, Any]]) -> None:
    """Written with mode 0600 in a 0700 directory: it holds session tokens (never passwords)."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=4)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def current_credentials() -> dict[str, Any] | None:
    try:
        creds = load_credentials()
    except FileNotFoundError:
        return None
    for cred in creds.values():
        if cred.get("active"):
            return dict(cred)
    return None


# the client --------------------------------------------------------------------------------


def socket_path() -> str:
    """MMCTL_LOCAL_SOCKET_PATH, else the server config's LocalModeSocketLocation, else the default."""
    from chinwag.cli.mmctl.flags import FLAGS

    if FLAGS.local_socket_path:
        return FLAGS.local_socket_path
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
                content: bytes | None = None, ok: Iterable[int] = (200, 201),
                headers: dict[str, str] | None = None) -> httpx.Response:
        try:
            r = self.http.request(method, "/api/v4" + path, json=json_body, params=params, content=content,
                                  headers=headers)
        except httpx.HTTPError as e:
            where = "the local socket" if self.local else self.url
            die(f"cannot reach the server at {where}: {e}")
        if r.status_code not in ok:
            raise ApiError(r)
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


class ApiError(CliError):
    """An error answer from the server, printed as Mattermost's Go client prints an AppError:
    ``<message>[, <detailed_error>]`` (mmctl prefixes its own context)."""

    def __init__(self, r: httpx.Response) -> None:
        self.status = r.status_code
        self.id = ""
        try:
            body = r.json()
            self.id = str(body.get("id") or "")
            message = str(body.get("message") or body.get("id") or "")
            detail = str(body.get("detailed_error") or "")
            text = f": {message}, {detail}" if detail else f": {message}"
        except (ValueError, AttributeError):
            text = f"the server answered HTTP {r.status_code}: {r.text[:200].strip()}"
        super().__init__(text)


def error_text(r: httpx.Response) -> str:
    return str(ApiError(r))


def _tls_context() -> ssl.SSLContext | bool:
    from chinwag.cli.mmctl.flags import FLAGS

    if not (FLAGS.insecure_tls_version or FLAGS.insecure_sha1_intermediate):
        return True
    ctx = ssl.create_default_context()
    if FLAGS.insecure_tls_version:
        ctx.minimum_version = ssl.TLSVersion.TLSv1  # as mmctl's --insecure-tls-version: TLS 1.0 and 1.1
    if FLAGS.insecure_sha1_intermediate or FLAGS.insecure_tls_version:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # certificates signed with SHA-1 (and old protocols)
    return ctx


def http_client(url: str, headers: dict[str, str] | None = None) -> httpx.Client:
    return httpx.Client(base_url=url, headers=headers or {}, timeout=TIMEOUT, verify=_tls_context())


def connect(local: bool = False) -> Client:
    from chinwag.cli.mmctl.flags import FLAGS
    from chinwag.cli.mmctl.printer import PRINTER

    local = local or FLAGS.local
    cred = None if local else current_credentials()
    if cred is None:
        path = socket_path()
        if not local and not os.path.exists(path):
            read_credentials()  # mmctl's "cannot read user credentials, maybe you need to use login first"
            die("no current context available. please use the \"auth set\" command")
        check_socket(path)
        PRINTER.server_addr = "local instance"
        return Client(httpx.Client(transport=httpx.HTTPTransport(uds=path), base_url="http://_",
                                   timeout=TIMEOUT), True, path)
    url = str(cred["instanceUrl"]).rstrip("/")
    headers = {"Authorization": f"Bearer {cred['authToken']}", "X-Requested-With": "XMLHttpRequest"}
    client = Client(http_client(url, headers), False, url)
    check_version(client)
    PRINTER.server_addr = url + "/api/v4"
    return client


def check_version(client: Client) -> None:
    """As mmctl: the server's major version must be ours and its minor version at least ours; with
    --strict a mismatch stops the command, otherwise it is a warning (unless --suppress-warnings)."""
    from chinwag import MATTERMOST_VERSION
    from chinwag.cli.mmctl.flags import FLAGS
    from chinwag.cli.mmctl.printer import PRINTER

    try:
        r = client.http.get("/api/v4/system/ping")
    except httpx.HTTPError as e:
        die(f"cannot reach the server at {client.url}: {e}")
    server = ".".join(r.headers.get("X-Version-Id", "").split(".")[:3])
    try:
        s_major, s_minor = (int(x) for x in server.split(".")[:2])
        m_major, m_minor = (int(x) for x in MATTERMOST_VERSION.split(".")[:2])
    except ValueError:
        return
    if s_major == m_major and m_minor <= s_minor:
        return
    if FLAGS.strict:
        PRINTER.error(f"ERROR: server version {server} doesn't match with mmctl version {MATTERMOST_VERSION}. "
                      "Strict flag is set, so the command will not be run")
        raise CliError("")
    if not FLAGS.suppress_warnings:
        PRINTER.warning(f"server version {server} doesn't match mmctl version {MATTERMOST_VERSION}")


# output ------------------------------------------------------------------------------------


class Out:
    """The older helpers over the printer: ``item`` for a command with one result (mmctl's "single"),
    ``items`` for a list."""

    def __init__(self, printer: Printer) -> None:
        self.p = printer

    @property
    def json(self) -> bool:
        return self.p.format == "json"

    def item(self, data: Any, text: str | Callable[[Any], str]) -> None:
        self.p.single = True
        self.p.print_t(text, data)

    def items(self, data: list[Any], line: Callable[[Any], str]) -> None:
        for d in data:
            self.p.print_t(line, d)


class Ctx:
    def __init__(self, local: bool, printer: Printer) -> None:
        self.local = local
        self.p = printer
        self.out = Out(printer)
        self._client: Client | None = None

    @property
    def json(self) -> bool:
        return self.p.format == "json"

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = connect(self.local)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def local_only(c: Ctx) -> None:
    if not c.local:
        typer.echo("This command can only be run in local mode", err=True)
        raise typer.Exit(1)


def command(app: typer.Typer, name: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(c: Ctx, …)`` as ``name``: the global flags (flags.py) decide the connection and the
    output; results go through mmctl's printer; a CliError is printed as "Error: …" with exit code 1."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(fn)
        params = list(sig.parameters.values())[1:]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            from chinwag.cli.mmctl.flags import FLAGS
            from chinwag.cli.mmctl.printer import PRINTER

            PRINTER.format = FLAGS.output
            PRINTER.quiet = FLAGS.quiet
            PRINTER.pager = not FLAGS.disable_pager
            PRINTER.no_stat, PRINTER.short_stat = FLAGS.no_stat, FLAGS.short_stat
            ctx = click_context()
            if ctx is not None and ctx.info_name == "list" and ctx.parent is not None \
                    and ctx.parent.info_name != "auth":
                PRINTER.stat_entity = str(ctx.parent.info_name)
            c = Ctx(local=FLAGS.local, printer=PRINTER)
            try:
                fn(c, *args, **kwargs)
            except CliError as e:
                PRINTER.flush(failed=True)
                if str(e):
                    typer.echo(f"Error: {e}", err=True)
                raise typer.Exit(1) from None
            finally:
                c.close()
            PRINTER.flush()

        hints = typing.get_type_hints(fn)
        hints.pop(next(iter(sig.parameters)), None)
        params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in params]
        wrapper.__annotations__ = hints
        wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        del wrapper.__wrapped__
        app.command(name, **kw)(wrapper)
        return fn

    return deco


def click_context() -> Any:
    from typer._click.globals import get_current_context

    return get_current_context(silent=True)


class MultiError(CliError):
    """hashicorp/go-multierror's text, which mmctl returns for commands that go on after a failure."""

    def __init__(self, errors: list[Exception]) -> None:
        self.errors = errors
        points = "\n\t".join(f"* {e}" for e in errors)
        n = len(errors)
        super().__init__(f"{n} error{'s' if n != 1 else ''} occurred:\n\t{points}\n\n")


def raise_all(errors: list[Exception]) -> None:
    if errors:
        raise MultiError(errors)


def confirm(question: str, db_confirmation: bool) -> None:
    """mmctl's getConfirmation: needs a terminal; asks about a backup first when ``db_confirmation``."""
    import sys

    if not sys.stdin.isatty():
        raise CliError("could not proceed, either enable --confirm flag or use an interactive shell to "
                       "complete operation: this is not an interactive shell")
    if db_confirmation and typer.prompt("Have you performed a database backup? (no/yes)", default="no") != "yes":
        raise CliError("aborted")
    typer.echo("WARNING: This operation is not reversible.")
    if typer.prompt(f"{question} (no/yes)", default="no") != "yes":
        raise CliError("aborted")
