"""The config API: read (secrets masked), replace, patch and reload config.json, on every node.

A change is validated, refused if it touches a setting an ``MM_*`` environment variable pins,
written to this node's config.json (pinned settings keep the file's values), and published as the
internal event ``_config_changed`` carrying the file's values; every other node applies them under
its own environment and writes its own file. Settings read per request take effect at once;
``ListenAddress``, ``SqlSettings`` and the Redis bus need a restart, as in Mattermost.
"""

from __future__ import annotations

import copy
from typing import Any

import structlog

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.config import Config, ConfigError, ConfigStore
from chinwag.config.loader import convert_config, to_dict
from chinwag.config.schema import FAKE_SETTING, SECRET_SETTINGS
from chinwag.model import permissions as P
from chinwag.model.errors import AppError
from chinwag.model.ids import new_id
from chinwag.platform.events import Event

log = structlog.get_logger("chinwag.config")

CHANGED_EVENT = "_config_changed"

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
        self._publish()

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
        self._publish()
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

    def _publish(self) -> None:
        self.core.publish(Event(CHANGED_EVENT, {"node_id": self.node_id,
                                                "config": to_dict(self.store.file_config)}))

    def handle_internal(self, event: dict[str, Any]) -> None:
        """Another node changed the config: take its file values under this node's environment."""
        if event.get("event") != CHANGED_EVENT:
            return
        data = event.get("data") or {}
        if data.get("node_id") == self.node_id or not isinstance(data.get("config"), dict):
            return
        try:
            self.store.set_file_config(data["config"])
        except (ConfigError, OSError) as e:
            log.error("could not apply the config from another node", error=str(e))


def _invalid(where: str, message: str) -> AppError:
    return AppError(where, "model.config.is_valid.app_error", message, 400)
