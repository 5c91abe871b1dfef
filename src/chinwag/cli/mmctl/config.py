"""`chinwag config …`: read and change the server configuration through the API (settings named
``Section.Setting`` as in mmctl; env-pinned settings are refused by the server)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from typing import Any

import msgspec
import typer

from chinwag.cli.mmctl.client import Ctx, command, die
from chinwag.config.schema import Config

app = typer.Typer(help="Configuration", no_args_is_help=True)


def _path(key: str) -> list[str]:
    parts = key.split(".")
    if not all(parts):
        die(f"invalid config key {key!r}: use Section.Setting, e.g. ServiceSettings.SiteURL")
    return parts


def _get(data: Any, key: str) -> Any:
    cur = data
    for part in _path(key):
        if not isinstance(cur, dict) or part not in cur:
            die("invalid key")
        cur = cur[part]
    return cur


def _convert(key: str, current: Any, values: list[str]) -> Any:
    if isinstance(current, list):
        return values
    if len(values) != 1:
        die(f"{key} takes one value")
    raw = values[0]
    if isinstance(current, bool):
        if raw.lower() not in ("true", "false"):
            die(f"{key} must be true or false, not {raw!r}")
        return raw.lower() == "true"
    if isinstance(current, int):
        try:
            return int(raw)
        except ValueError:
            die(f"{key} must be a whole number, not {raw!r}")
    if isinstance(current, dict):
        try:
            value = json.loads(raw)
        except ValueError:
            die(f"{key} must be a JSON object")
        if not isinstance(value, dict):
            die(f"{key} must be a JSON object")
        return value
    return raw


def _nested(key: str, value: Any) -> dict[str, Any]:
    out: Any = value
    for part in reversed(_path(key)):
        out = {part: out}
    return dict(out)


def _patch_value(cfg: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A patch for /config/patch: whole settings (the section's key under it), deeper keys merged in."""
    parts = _path(key)
    if len(parts) <= 2:
        return _nested(key, value)
    setting = json.loads(json.dumps(_get(cfg, ".".join(parts[:2]))))
    cur = setting
    for part in parts[2:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value
    return _nested(".".join(parts[:2]), setting)


@command(app, "get")
def get(c: Ctx, key: str = typer.Argument(..., help="Section.Setting, or a Section.")) -> None:
    """Print a setting's value (or a whole section) as JSON."""
    c.p.single = True
    c.p.format = "json"
    c.p.print_t("", _get(c.client.get("/config"), key))


@command(app, "set")
def set_(c: Ctx, key: str = typer.Argument(..., help="Section.Setting."),
         values: list[str] = typer.Argument(..., help="The value (several for a list setting).")) -> None:
    """Change a setting."""
    cfg = c.client.get("/config")
    value = _convert(key, _get(cfg, key), values)
    new = c.client.put("/config/patch", _patch_value(cfg, key, value))
    c.p.print_t("Value changed successfully", new)


@command(app, "show")
def show(c: Ctx) -> None:
    """Print the whole configuration (secrets masked unless --local)."""
    c.p.single = True
    c.p.format = "json"
    c.p.print_t("", c.client.get("/config"))


@command(app, "edit")
def edit(c: Ctx) -> None:
    """Edit the configuration in $EDITOR and save it."""
    editor = os.environ.get("EDITOR") or os.environ.get("VISUAL") or "vi"
    cfg = c.client.get("/config")
    fd, tmp = tempfile.mkstemp(prefix="chinwag-config-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(cfg, fh, indent=2)
        if subprocess.call([*shlex.split(editor), tmp]) != 0:
            die(f"the editor ({editor}) failed; nothing was changed")
        try:
            with open(tmp) as fh:
                edited = json.load(fh)
        except ValueError as e:
            die(f"the edited configuration is not valid JSON ({e}); nothing was changed")
    finally:
        os.unlink(tmp)
    new = c.client.put("/config", edited)
    c.p.print_t("Config updated successfully", new)


@command(app, "reset")
def reset(c: Ctx, keys: list[str] = typer.Argument(None, help="Section.Setting or Section names (default: all)."),
          confirm: bool = typer.Option(False, "--confirm", help="Do not ask.")) -> None:
    """Reset settings to their defaults (settings pinned by MM_* variables are left alone)."""
    defaults = msgspec.to_builtins(Config())
    cfg = c.client.get("/config")
    pinned = c.client.get("/config/environment")
    targets = keys or sorted(defaults)
    if not keys and not confirm and not typer.confirm("Reset the whole configuration to defaults?"):
        die("aborted")
    for key in targets:
        default = _get(defaults, key)
        parts = _path(key)
        if len(parts) == 1:
            for setting, value in default.items():
                if not pinned.get(key, {}).get(setting):
                    cfg[key][setting] = value
        elif len(parts) >= 2 and pinned.get(parts[0], {}).get(parts[1]):
            die(f"{key} is set by an environment variable and cannot be reset here")
        else:
            _get(cfg, ".".join(parts[:-1]))[parts[-1]] = default
    new = c.client.put("/config", cfg)
    c.p.print_t("Value/s reset successfully", new)


@command(app, "reload")
def reload(c: Ctx) -> None:
    """Make the server read its config.json again."""
    c.client.post("/config/reload")


@command(app, "migrate")
def migrate(c: Ctx, source: str = typer.Argument(..., metavar="FROM", help="The config.json to copy."),
            target: str = typer.Argument(..., metavar="TO", help="The config.json to write.")) -> None:
    """Copy a configuration to another config.json on the server's machine (local mode only, as mmctl).
    chinwag keeps its configuration in a file: database stores (postgres://…) are refused."""
    if not c.local:
        die("this command is only available in local mode. Please set the --local flag")
    c.client.post("/config/migrate", {"from": source, "to": target})


@command(app, "patch")
def patch(c: Ctx, path: str = typer.Argument(..., help="A JSON file with the settings to change.")) -> None:
    """Patch the config"""
    try:
        with open(path, "rb") as fh:
            changes = json.loads(fh.read())
    except OSError as e:
        die(f"open {path}: {e.strerror.lower() if e.strerror else e}")
    except ValueError as e:
        die(str(e))
    if not isinstance(changes, dict):
        die("json: cannot unmarshal into Go value of type model.Config")
    new = c.client.put("/config/patch", changes)
    c.p.print_t("Config patched successfully", new)


def update_assets_subpath(assets_dir: str, subpath: str) -> None:
    """Point the web app's asset URLs (``/assets/…``, ``/static/…``) at ``subpath``: in index.html (or
    root.html), manifest.json and the stylesheets, replacing the subpath they use now."""
    import re
    from pathlib import Path

    root = Path(assets_dir)
    index = next((root / n for n in ("index.html", "root.html") if (root / n).is_file()), None)
    if index is None:
        raise OSError(f"no index.html or root.html in {assets_dir}")
    new = "/" + subpath.strip("/") if subpath.strip("/") else ""
    found = re.search(r'(?:src|href)="(/[^"]*?)?/(assets|static)/', index.read_text())
    old = (found.group(1) or "") if found else ""
    if old == new:
        return
    pattern = re.compile(re.escape(old) + r"/(assets|static)/")
    for path in [index, *root.glob("manifest.json"), *root.rglob("*.css")]:
        text = path.read_text()
        path.write_text(pattern.sub(lambda m: f"{new}/{m.group(1)}/", text))


@app.command("subpath")
def subpath(assets_dir: str = typer.Option(..., "--assets-dir", "-a", help="directory of the Mattermost assets in "
                                           "the local filesystem"),
            path: str = typer.Option(..., "--path", "-p", help="path to update the assets with")) -> None:
    """Update the client asset loading to use the configured subpath (runs on the machine with the assets)"""
    from chinwag.cli.mmctl.flags import FLAGS
    from chinwag.cli.mmctl.printer import PRINTER

    PRINTER.format, PRINTER.quiet = FLAGS.output, FLAGS.quiet
    try:
        update_assets_subpath(assets_dir, path)
    except OSError as e:
        typer.echo(f"Error: failed to update assets subpath: {e}", err=True)
        raise typer.Exit(1) from None
    PRINTER.print("Config subpath successfully modified")
    PRINTER.flush()
