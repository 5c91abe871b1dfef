"""The config API: read (secrets masked), replace, patch and reload config.json, on every node.

A change is validated, refused if it touches a setting an ``MM_*`` environment variable pins,
written to this node's config.json (pinned settings keep the file's values) and to the shared
database (``systems`` row ``ConfigFile``: the file's values, a version and the node that wrote them),
then announced by the internal event ``_config_changed``, which carries only the version and the
node id — no setting, so no secret, travels through the event stream (Redis). Every other node reads
the row and applies it under its own environment, writing its own file. Settings read per request take effect at once;
``ListenAddress``, ``SqlSettings`` and the Redis bus need a restart, as in Mattermost.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import structlog

from chinwag.app.background import BackgroundTasks
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.config import Config, ConfigError, ConfigStore
from chinwag.config.loader import convert_config, decode_config, to_dict, validate
from chinwag.config.schema import FAKE_SETTING, SECRET_SETTINGS
from chinwag.model import permissions as P
from chinwag.model.errors import AppError
from chinwag.model.ids import new_id
from chinwag.platform.events import Event

log = structlog.get_logger("chinwag.config")

CHANGED_EVENT = "_config_changed"
#: the ``systems`` row holding the latest config change: {"version", "node_id", "config"}
SHARED_KEY = "ConfigFile"

#: settings only local mode (the unix socket) may change, as Mattermost's updateConfig keeps them
LOCAL_ONLY = (("PluginSettings", "EnableUploads"), ("PluginSettings", "RequirePluginSignature"),
              ("ServiceSettings", "EnableLocalMode"), ("ServiceSettings", "LocalModeSocketLocation"))


def mask(data: dict[str, Any]) -> dict[str, Any]:
    """Mattermost's Sanitize: secret settings that are set read as the fake value."""
    out = copy.deepcopy(data)
    for section, setting in SECRET_SETTINGS:
        value = out.get(section, {}).get(setting)
        if isinstance(value, list):
            out[section][setting] = [FAKE_SETTING for _ in value]
        elif value:
            out[section][setting] = FAKE_SETTING
    return out


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """``patch`` over ``base``, section by section (maps inside a setting are replaced whole)."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key].update(value)
        else:
            out[key] = value
    return out


class ConfigService:
    def __init__(self, core: AppCore, perms: PermissionService) -> None:
        self.core = core
        self.perms = perms
        self.node_id = new_id()
        self._background = BackgroundTasks("config")

    async def close(self) -> None:
        await self._background.cancel()

    async def drain(self) -> None:
        await self._background.drain()

    @property
    def store(self) -> ConfigStore:
        return self.core.config_store

    def _require(self, ctx: Ctx, where: str) -> None:
        self.perms.require_system(ctx, P.MANAGE_SYSTEM, where)

    def _out(self, ctx: Ctx, cfg: Config) -> dict[str, Any]:
        data = to_dict(cfg)
        return data if ctx.local else mask(data)

    def get(self, ctx: Ctx) -> dict[str, Any]:
        self._require(ctx, "getConfig")
        return self._out(ctx, self.core.cfg)

    def environment(self, ctx: Ctx) -> dict[str, Any]:
        self._require(ctx, "getEnvironmentConfig")
        return dict(self.store.environment_map())

    async def update(self, ctx: Ctx, data: Any) -> dict[str, Any]:
        self._require(ctx, "updateConfig")
        return await self._save(ctx, "updateConfig", data)

    async def patch(self, ctx: Ctx, data: Any) -> dict[str, Any]:
        self._require(ctx, "patchConfig")
        if not isinstance(data, dict):
            raise _invalid("patchConfig", "config: expected a JSON object")
        return await self._save(ctx, "patchConfig", merge(to_dict(self.core.cfg), data))

    async def reload(self, ctx: Ctx) -> None:
        self._require(ctx, "configReload")
        try:
            self.store.reload()
        except ConfigError as e:
            raise _invalid("configReload", str(e)) from None
        await self._share()

    async def migrate(self, ctx: Ctx, source: Any, target: Any) -> None:
        """Mattermost's ``POST /config/migrate`` (local mode only): copy a configuration from one store
        to another. chinwag keeps its configuration in a file, so both ends are config.json files on the
        server's machine (relative paths from the server's working directory); the source is checked
        as the server would check it before anything is written, and the target is written whole
        (mode 0600). Writing over this server's own file applies it as a reload would."""
        where = "migrateConfig"
        if not ctx.local:
            raise AppError(where, "api.context.local_mode_only.app_error",
                           "This action is only available in local mode.", 403)
        if not isinstance(source, str) or not source or not isinstance(target, str) or not target:
            raise _invalid(where, "from and to: the paths of two config.json files")
        for name, value in (("from", source), ("to", target)):
            if "://" in value:
                raise AppError(where, "app.config.migrate.database_store.app_error",
                               f"{name}: chinwag keeps its configuration in a config.json file; a database "
                               f"configuration store ({value.split('://', 1)[0]}://…) is not supported.", 400)
        own = await asyncio.to_thread(self._migrate_files, where, source, target)
        if own is not None:  # the target is this server's config.json: apply it as a reload would
            try:
                self.store.set_file_config(to_dict(own))
            except ConfigError as e:
                raise _invalid(where, str(e)) from None
            await self._share()

    def _migrate_files(self, where: str, source: str, target: str) -> Config | None:
        """The file work of ``migrate`` (in a thread). Returns the source's config when the target is
        this server's own config.json (the caller applies it), else writes the target."""
        src, dst = Path(source).absolute(), Path(target).absolute()
        if src.resolve() == dst.resolve():
            raise _invalid(where, "from and to are the same file")
        try:
            raw = src.read_bytes()
        except OSError as e:
            raise AppError(where, "app.config.migrate.read.app_error", f"{source}: cannot read: {e.strerror}",
                           400) from None
        try:
            cfg = decode_config(raw, source)
            validate(cfg)
        except ConfigError as e:
            raise _invalid(where, str(e)) from None
        if dst.resolve() == self.store.path.resolve():
            return cfg
        if not dst.parent.is_dir():
            raise AppError(where, "app.config.migrate.write.app_error",
                           f"{target}: the directory {dst.parent} does not exist", 400)
        try:
            _write_private(dst, json.dumps(to_dict(cfg), indent=4).encode() + b"\n")
        except OSError as e:
            raise AppError(where, "app.config.migrate.write.app_error", f"{target}: cannot write: {e.strerror}",
                           400) from None
        return None

    async def _save(self, ctx: Ctx, where: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise _invalid(where, "config: expected a JSON object")
        current = to_dict(self.core.cfg)
        data = self._desanitize(data, current)
        if not ctx.local:
            for section, setting in LOCAL_ONLY:
                data.setdefault(section, {})[setting] = current[section][setting]
        try:
            new = convert_config(data)
        except ConfigError as e:
            raise _invalid(where, str(e)) from None
        pinned = self.store.pinned_changes(new)
        if pinned:
            name = pinned[0]
            var = self.store.env_var(*name.split(".", 1))
            raise AppError(where, "app.config.env_override.app_error",
                           f"{name} is set by the environment variable {var} and cannot be changed "
                           "through the API.", 400, ", ".join(pinned))
        try:
            cfg = self.store.set_config(new)
        except ConfigError as e:
            raise _invalid(where, str(e)) from None
        except OSError as e:
            raise AppError(where, "app.config.save.app_error", f"Unable to save config.json: {e.strerror}",
                           500, str(e)) from None
        await self._share()
        return self._out(ctx, cfg)

    @staticmethod
    def _desanitize(data: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """Mattermost's Desanitize: a secret sent back as the fake value keeps its current value."""
        data = copy.deepcopy(data)
        for section, setting in SECRET_SETTINGS:
            sec = data.get(section)
            if not isinstance(sec, dict) or setting not in sec:
                continue
            value, old = sec[setting], current[section][setting]
            if value == FAKE_SETTING:
                sec[setting] = old
            elif isinstance(value, list) and isinstance(old, list):
                sec[setting] = [old[i] if v == FAKE_SETTING and i < len(old) else v for i, v in enumerate(value)]
        return data

    async def _share(self) -> None:
        """Put this node's file values in the database and tell the other nodes a new version is there."""
        version = new_id()
        await self.core.store.system.set(SHARED_KEY, json.dumps(
            {"version": version, "node_id": self.node_id, "config": to_dict(self.store.file_config)}))
        self.core.publish(Event(CHANGED_EVENT, {"node_id": self.node_id, "version": version}))

    def handle_internal(self, event: dict[str, Any]) -> None:
        """Another node changed the config: read it from the database (in the background)."""
        if event.get("event") != CHANGED_EVENT:
            return
        data = event.get("data") or {}
        if data.get("node_id") == self.node_id:
            return
        self._background.spawn(self._apply_shared(), "apply a config change from another node")

    async def _apply_shared(self) -> None:
        """Take the latest shared change (whichever node made it last) under this node's environment."""
        raw = await self.core.store.system.get(SHARED_KEY)
        try:
            shared = json.loads(raw) if raw else None
        except ValueError:
            shared = None
        if not isinstance(shared, dict) or not isinstance(shared.get("config"), dict):
            log.error("the shared config change in the database is unreadable")
            return
        if shared.get("node_id") == self.node_id:
            return  # our own change is the latest
        try:
            self.store.set_file_config(shared["config"])
        except (ConfigError, OSError) as e:
            log.error("could not apply the config from another node", error=str(e))


def _write_private(path: Path, data: bytes) -> None:
    """Write ``path`` whole (a temporary file renamed over it), readable by the server's user only."""
    fd, tmp = tempfile.mkstemp(prefix=".config.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _invalid(where: str, message: str) -> AppError:
    return AppError(where, "model.config.is_valid.app_error", message, 400)
