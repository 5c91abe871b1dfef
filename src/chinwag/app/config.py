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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog

from chinwag.app.background import BackgroundTasks
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.config import Config, ConfigError, ConfigStore, access
from chinwag.config.loader import convert_config, decode_config, to_dict, validate
from chinwag.config.schema import FAKE_SETTING, SECRET_SETTINGS
from chinwag.model import permissions
from chinwag.model.errors import AppError, permission_denied
from chinwag.model.ids import new_id
from chinwag.platform.events import Event

log = structlog.get_logger("chinwag.config")

CHANGED_EVENT = "_config_changed"
#: the ``systems`` row holding the latest config change: {"version", "node_id", "config"}
SHARED_KEY = "ConfigFile"
#: ``systems`` rows ``ConfigFileData:<name>`` hold the files kept beside config.json (the certificates the
#: System Console uploads), so every node has them; an empty value: the file was removed
FILE_KEY_PREFIX = "ConfigFileData:"
#: the names Mattermost gives the certificate files it stores beside config.json
KNOWN_CONFIG_FILES = ("saml-public.crt", "saml-private.key", "saml-idp.crt", "ldap-public.crt", "ldap-private.key")
#: the settings naming such a file
CONFIG_FILE_SETTINGS = (("SamlSettings", "IdpCertificateFile"), ("SamlSettings", "PublicCertificateFile"),
                        ("SamlSettings", "PrivateKeyFile"), ("LdapSettings", "PublicCertificateFile"),
                        ("LdapSettings", "PrivateKeyFile"))

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


def config_file_path(store: ConfigStore, name: str) -> Path:
    """Where a file named by a setting (``SamlSettings.IdpCertificateFile``…) lives: an absolute path as
    it is; a relative name beside config.json, as Mattermost's file config store keeps them (a relative
    path that only exists from the working directory, as earlier chinwag releases read it, still works)."""
    path = Path(name)
    if path.is_absolute():
        return path
    beside = store.path.parent / path
    if beside.exists() or not path.exists():
        return beside
    return path


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
        #: the plugins' secret settings ({plugin id: [lower-cased keys]}, from their settings_schema):
        #: a hook the composition root sets, since the plugin host sits above this service
        self.plugin_secrets: Callable[[], dict[str, list[str]]] = dict

    async def close(self) -> None:
        await self._background.cancel()

    async def drain(self) -> None:
        await self._background.drain()

    @property
    def store(self) -> ConfigStore:
        return self.core.config_store

    def _require(self, ctx: Ctx, where: str) -> None:
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)

    def _require_any(self, ctx: Ctx, kind: str, where: str) -> None:
        """Mattermost's SessionHasPermissionToAny(Sysconsole{Read,Write}Permissions)."""
        needed = permissions.SYSCONSOLE_READ if kind == "read" else permissions.SYSCONSOLE_WRITE
        if self.perms.is_system_admin(ctx) or any(self.perms.has_system(ctx, p) for p in needed):
            return
        raise permission_denied(where, f"userId={ctx.user_id}, permission=sysconsole_{kind}_*")

    def _filter(self, ctx: Ctx, data: dict[str, Any], kind: str) -> dict[str, Any] | None:
        """For a caller without manage_system: which settings they may ``kind``, as a predicate
        table. None when everything is allowed."""
        if self.perms.is_system_admin(ctx):
            return None
        has = lambda p: self.perms.has_system(ctx, p)  # noqa: E731
        return {section: {name: access.allowed(section, name, kind, has) for name in values}
                for section, values in data.items() if isinstance(values, dict)}

    def _out(self, ctx: Ctx, cfg: Config) -> dict[str, Any]:
        data = to_dict(cfg)
        if not ctx.local:
            data = mask(data)
            plugins = data.get("PluginSettings", {}).get("Plugins", {})
            for pid, keys in self.plugin_secrets().items():
                for key in keys:
                    if isinstance(plugins.get(pid), dict) and plugins[pid].get(key):
                        plugins[pid][key] = FAKE_SETTING
        readable = self._filter(ctx, data, "read")
        if readable is None:
            return data
        # Mattermost merges the readable fields into an empty config: the others read as null
        return {section: {name: (value if readable[section][name] else None) for name, value in values.items()}
                if isinstance(values, dict) else values for section, values in data.items()}

    def get(self, ctx: Ctx) -> dict[str, Any]:
        self._require_any(ctx, "read", "getConfig")
        return self._out(ctx, self.core.cfg)

    def environment(self, ctx: Ctx) -> dict[str, Any]:
        self._require_any(ctx, "read", "getEnvironmentConfig")
        env = dict(self.store.environment_map())
        if self.perms.is_system_admin(ctx):
            return env
        has = lambda p: self.perms.has_system(ctx, p)  # noqa: E731
        out: dict[str, Any] = {}
        for section, values in env.items():
            if isinstance(values, dict):
                kept = {k: v for k, v in values.items() if access.allowed(section, k, "read", has)}
                if kept:
                    out[section] = kept
        return out

    async def update(self, ctx: Ctx, data: Any) -> dict[str, Any]:
        self._require_any(ctx, "write", "updateConfig")
        return await self._save(ctx, "updateConfig", data)

    async def patch(self, ctx: Ctx, data: Any) -> dict[str, Any]:
        self._require_any(ctx, "write", "patchConfig")
        if not isinstance(data, dict):
            raise _invalid("patchConfig", "config: expected a JSON object")
        return await self._save(ctx, "patchConfig", merge(to_dict(self.core.cfg), data))

    async def reload(self, ctx: Ctx) -> None:
        self.perms.require_system(ctx, permissions.RELOAD_CONFIG, "configReload")
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
        self._desanitize_plugins(data, current)
        writable = self._filter(ctx, current, "write")
        if writable is not None:
            # a sub-admin changes only the settings their sysconsole_write_* permissions cover; every
            # other setting keeps its current value, whatever was sent (Mattermost's write filter)
            data = {section: {name: (data[section][name] if writable[section][name] and isinstance(
                        data.get(section), dict) and name in data[section] else value)
                              for name, value in values.items()} if isinstance(values, dict) else values
                    for section, values in current.items()}
        if not ctx.local:
            for section, setting in LOCAL_ONLY:
                settings = data.setdefault(section, {})
                if not isinstance(settings, dict):
                    raise _invalid(where, f"{section}: expected a JSON object")
                settings[setting] = current[section][setting]
        try:
            new = convert_config(data)
        except ConfigError as e:
            raise _invalid(where, str(e)) from None
        return self._out(ctx, await self._persist(where, new))

    async def apply(self, where: str, changes: dict[str, dict[str, Any]]) -> Config:
        """Change some settings on the server's own behalf (the certificate uploads set the file names they
        store): validated, refused when an ``MM_*`` variable pins one, saved and shared like an admin's save."""
        try:
            new = convert_config(merge(to_dict(self.core.cfg), changes))
        except ConfigError as e:
            raise _invalid(where, str(e)) from None
        return await self._persist(where, new)

    async def _persist(self, where: str, new: Config) -> Config:
        pinned = self.store.pinned_changes(new)
        if pinned:
            name = pinned[0]
            var = self.store.env_var(*name.split(".", 1))
            raise AppError(where, "app.config.env_override.app_error",
                           "{Name} is set by the environment variable {Var} and cannot be changed "
                           "through the API.", 400, ", ".join(pinned), {"Name": name, "Var": var})
        try:
            cfg = self.store.set_config(new)
        except ConfigError as e:
            raise _invalid(where, str(e)) from None
        except OSError as e:
            raise AppError(where, "app.config.save.app_error", f"Unable to save config.json: {e.strerror}",
                           500, str(e)) from None
        await self._share()
        return cfg

    # files kept beside config.json -------------------------------------------------------------

    def file_path(self, name: str) -> Path:
        return config_file_path(self.store, name)

    def has_file(self, name: str) -> bool:
        """Mattermost's HasConfigFile: a file by that name is there."""
        return bool(name) and self.file_path(name).is_file()

    async def set_file(self, name: str, data: bytes) -> None:
        """Store a file beside config.json (mode 0600) and in the database for the other nodes."""
        path = self.store.path.parent / name
        try:
            await asyncio.to_thread(_write_private, path, data)
        except OSError as e:
            raise AppError("AddSamlCertificate", "api.admin.add_certificate.saving.app_error",
                           "Could not save certificate file.", 500, str(e)) from None
        await self.core.store.system.set(FILE_KEY_PREFIX + name, data.decode("ascii"))

    async def remove_file(self, name: str) -> None:
        """Remove a file stored beside config.json, here and on the other nodes. As Mattermost, a file named
        by an absolute path is left alone (it may be on a mounted drive the admin manages)."""
        if not name or Path(name).is_absolute():
            return
        path = self.store.path.parent / name
        try:
            await asyncio.to_thread(path.unlink, missing_ok=True)
        except OSError as e:
            raise AppError("RemoveSamlFile", "api.admin.remove_certificate.delete.app_error",
                           "An error occurred while deleting the certificate.", 500, str(e)) from None
        if await self.core.store.system.get(FILE_KEY_PREFIX + name) is not None:
            await self.core.store.system.set(FILE_KEY_PREFIX + name, "")

    def _file_names(self) -> set[str]:
        cfg = to_dict(self.core.cfg)
        names = {cfg[section][setting] for section, setting in CONFIG_FILE_SETTINGS} | set(KNOWN_CONFIG_FILES)
        return {n for n in names if n and not Path(n).is_absolute() and "/" not in n and "\\" not in n}

    async def sync_files(self) -> None:
        """Take the files another node stored (or removed) beside its config.json."""
        if self.store.read_only:
            return
        for name in sorted(self._file_names()):
            value = await self.core.store.system.get(FILE_KEY_PREFIX + name)
            if value is None:
                continue
            path = self.store.path.parent / name
            try:
                if value == "":
                    await asyncio.to_thread(path.unlink, missing_ok=True)
                elif not path.is_file() or await asyncio.to_thread(path.read_bytes) != value.encode():
                    await asyncio.to_thread(_write_private, path, value.encode())
            except OSError as e:
                log.error("could not take a config file from another node", file=name, error=str(e))

    def _desanitize_plugins(self, data: dict[str, Any], current: dict[str, Any]) -> None:
        """A plugin's secret setting sent back as the fake value keeps its current value."""
        sent = (data.get("PluginSettings") or {}).get("Plugins")
        if not isinstance(sent, dict):
            return
        old = current["PluginSettings"]["Plugins"]
        for pid, keys in self.plugin_secrets().items():
            values = sent.get(pid)
            if isinstance(values, dict):
                for key in keys:
                    if values.get(key) == FAKE_SETTING:
                        values[key] = (old.get(pid) or {}).get(key, "")

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

    async def adopt_shared(self) -> None:
        """At start-up of a node that had no config file (a new pod, its config directory empty):
        take the cluster's latest config change from the database, so what admins changed in the
        System Console outlives the pods that were running then."""
        if await self.core.store.system.get(SHARED_KEY):
            await self._apply_shared()

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
        await self.sync_files()
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
