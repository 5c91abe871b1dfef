"""The plugin host: installing, enabling, running and removing plugins (Mattermost's plugin
environment, with Python plugins).

- A bundle is a ``.tar.gz`` holding ``plugin.json`` (or ``plugin.yaml``) and the server code; uploaded
  bundles are kept in the file store at ``plugins/<id>.tar.gz`` (shared by the nodes), and every node
  unpacks them into ``PluginSettings.Directory/<id>``. Prepackaged plugins ship inside chinwag
  (``chinwag/plugin/bundled/``); an uploaded bundle with the same id takes their place.
- Which plugins run is ``PluginSettings.PluginStates.<id>.Enable`` (and ``PluginSettings.Enable``), in
  the config every node shares; each node reconciles what it runs with that on every config change and
  on ``_plugins_changed`` (a bundle was installed or removed somewhere).
- Each running plugin is its own process (``app/plugin_process.py``, ``chinwag/plugin/runner.py``) that
  the server talks to over a socket pair; hooks run under ``PluginHooks``' deadlines. A hook that raises or
  hangs is skipped, and the plugin — like one whose process died — is marked failed (state 4,
  FailedToStayRunning), its process killed, and started again with backoff.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import structlog

from chinwag import MATTERMOST_VERSION
from chinwag.app.background import BackgroundTasks
from chinwag.app.cluster_status import ClusterStatusService
from chinwag.app.config import ConfigService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.file import FileService
from chinwag.app.integration import IntegrationCore
from chinwag.app.outbound import OutboundRefused
from chinwag.app.permissions import PermissionService
from chinwag.app.plugin_api import PLUGIN_CLUSTER_EVENT, PluginAPI, PluginApiServices
from chinwag.app.plugin_hooks import PluginHooks
from chinwag.app.plugin_process import PluginProcess, RemotePlugin
from chinwag.model import permissions
from chinwag.model.errors import AppError
from chinwag.platform.events import Broadcast, Event
from chinwag.plugin.manifest import Manifest, ManifestError, parse_manifest, version_tuple

log = structlog.get_logger("chinwag.plugins")

READ_PLUGINS = "sysconsole_read_plugins"
WRITE_PLUGINS = "sysconsole_write_plugins"
CHANGED_EVENT = "_plugins_changed"
MARKETPLACE_VISITED = "FirstAdminVisitMarketplace"
BUNDLE_PREFIX = "plugins/"
BUNDLED_DIR = Path(__file__).resolve().parent.parent / "plugin" / "bundled"
MANIFEST_NAMES = ("plugin.json", "plugin.yaml", "plugin.yml")
#: the largest bundle accepted (Mattermost's default MaxFileSize for plugins is 50 MB)
MAX_BUNDLE_BYTES = 50 * 1024 * 1024

# Mattermost's PluginState values
NOT_RUNNING, STARTING, RUNNING, FAILED_TO_START, FAILED_TO_STAY_RUNNING, STOPPING = range(6)

@dataclass
class Installed:
    manifest: Manifest
    path: Path
    prepackaged: bool
    checksum: str = ""


@dataclass
class Running:
    installed: Installed
    state: int = NOT_RUNNING
    error: str = ""
    process: PluginProcess | None = None
    failures: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    restart: asyncio.TimerHandle | None = None


def _invalid_bundle(detail: str) -> AppError:
    return AppError("installPlugin", "app.plugin.extract.app_error",
                    "Encountered an error extracting the plugin bundle.", 400, detail)


def read_bundle(data: bytes) -> tuple[Manifest, str]:
    """The manifest of a ``.tar.gz`` bundle and the folder inside it that holds the manifest ("" for
    the top). Raises AppError (400) for anything that is not a valid bundle."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            members = {m.name.lstrip("./"): m for m in tar.getmembers()}
            for name in sorted(members, key=lambda n: n.count("/")):
                base = name.rsplit("/", 1)[-1]
                if base in MANIFEST_NAMES and name.count("/") <= 1 and members[name].isfile():
                    fh = tar.extractfile(members[name])
                    if fh is None:
                        break
                    manifest = parse_manifest(fh.read(), base)
                    return manifest, name.rsplit("/", 1)[0] if "/" in name else ""
    except (tarfile.TarError, OSError, EOFError) as e:
        raise _invalid_bundle(str(e)) from None
    except ManifestError as e:
        raise AppError("installPlugin", "app.plugin.manifest.app_error", "Unable to find or read the "
                       "plugin's manifest.", 400, str(e)) from None
    raise AppError("installPlugin", "app.plugin.manifest.app_error",
                   "Unable to find or read the plugin's manifest.", 400, "no plugin.json in the bundle")


def extract_bundle(data: bytes, root: str, dest: Path) -> None:
    """Unpack the bundle's ``root`` folder into ``dest`` (replaced whole), refusing links and paths that
    leave it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=str(dest.parent)))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            prefix = root + "/" if root else ""
            for m in tar.getmembers():
                name = m.name.lstrip("./")
                if not name.startswith(prefix) or name == root:
                    continue
                rel = name[len(prefix):]
                if not rel or rel.startswith("/") or ".." in rel.split("/") or not (m.isfile() or m.isdir()):
                    continue
                target = tmp / rel
                if m.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                src = tar.extractfile(m)
                if src is not None:
                    target.write_bytes(src.read())
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _absolute(path: str) -> Path:
    """The plugin directory as an absolute path (plugin processes start in their own folder)."""
    return Path(path).absolute()


def read_manifest_dir(path: Path) -> Manifest:
    for name in MANIFEST_NAMES:
        if (path / name).is_file():
            return parse_manifest((path / name).read_bytes(), name)
    raise ManifestError(f"{path}: no plugin.json")


class PluginService:
    def __init__(self, core: AppCore, perms: PermissionService, config_api: ConfigService, files: FileService,
                 integrations: IntegrationCore, hooks: PluginHooks, api: PluginApiServices,
                 cluster: ClusterStatusService) -> None:
        self.core = core
        self.cluster = cluster
        self.perms = perms
        self.config_api = config_api
        self.files = files
        self.integrations = integrations
        self.hooks = hooks
        self.api_services = api
        self.installed: dict[str, Installed] = {}
        self.running: dict[str, Running] = {}
        #: seconds before the first restart of a failed plugin (doubled per failure, up to 60 s)
        self.restart_delay = 1.0
        #: seconds a plugin process has to start and say which hooks it implements
        self.start_timeout = 30.0
        #: how often (at most) a node looks whether a plugin job is due
        self.job_poll = 15.0
        self._jobs: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._lock = asyncio.Lock()
        self._background = BackgroundTasks("plugins")
        self._started = False
        hooks.on_failure = self._hook_failed

    # start, stop, cluster --------------------------------------------------------------------

    async def start(self) -> None:
        self._started = True
        await self.sync(read_bundles=True)
        if self.installed:
            await self.core.store.plugins.save_statuses(self.config_api.node_id, json.dumps(self._statuses()))

    async def close(self) -> None:
        self._started = False
        await self._background.cancel()
        async with self._lock:
            for pid in list(self.running):
                await self._deactivate(pid)
        await self.hooks.close()
        try:
            await self.core.store.plugins.forget_statuses(self.config_api.node_id)
        except Exception as e:  # the row of a node that is gone is ignored anyway
            log.warning("plugins: could not remove this node's statuses", error=repr(e))

    def config_changed(self, _cfg: object = None) -> None:
        """A config listener: reconcile what runs with PluginStates (this node's or another's change)."""
        if self._started:
            self._background.spawn(self.sync(), "plugins: apply a config change")

    def handle_internal(self, event: dict[str, Any]) -> None:
        if event.get("event") == PLUGIN_CLUSTER_EVENT:
            self._cluster_event(event.get("data") or {})
            return
        if event.get("event") == CHANGED_EVENT and self._started \
                and (event.get("data") or {}).get("node_id") != self.config_api.node_id:
            self._background.spawn(self.sync(read_bundles=True), "plugins: bundles changed")

    def _cluster_event(self, data: dict[str, Any]) -> None:
        """A plugin's cluster event from another node, for this node (or every node)."""
        me = self.config_api.node_id
        sender, target = str(data.get("from", "")), str(data.get("to", ""))
        if not self._started or sender == me or target not in ("", me):
            return
        try:
            payload = base64.b64decode(str(data.get("data", "")))
        except ValueError:
            return
        self.hooks.cluster_event(str(data.get("plugin_id", "")), sender, str(data.get("id", "")), payload)

    async def drain(self) -> None:
        await self._background.drain()
        await self.hooks.drain()

    # reading ---------------------------------------------------------------------------------

    def secret_settings(self) -> dict[str, list[str]]:
        """Each installed plugin's settings marked ``secret`` in its settings_schema (lower-cased keys):
        GET /config shows them masked, as Mattermost does."""
        out: dict[str, list[str]] = {}
        for pid, inst in self.installed.items():
            keys = [str(s["key"]).lower() for s in (inst.manifest.settings_schema or {}).get("settings") or []
                    if isinstance(s, dict) and s.get("key") and s.get("secret")]
            if keys:
                out[pid] = keys
        return out

    def _require_enabled(self, where: str) -> None:
        if not self.core.cfg.PluginSettings.Enable:
            raise AppError(where, "app.plugin.disabled.app_error", "Plugins have been disabled.", 501)

    def _info(self, inst: Installed) -> dict[str, Any]:
        return inst.manifest.to_dict()

    def plugins(self, ctx: Ctx) -> dict[str, list[dict[str, Any]]]:
        self._require_enabled("getPlugins")
        self.perms.require_system(ctx, READ_PLUGINS, "getPlugins")
        active: list[dict[str, Any]] = []
        inactive: list[dict[str, Any]] = []
        for pid, inst in sorted(self.installed.items()):
            r = self.running.get(pid)
            (active if r is not None and r.state == RUNNING else inactive).append(self._info(inst))
        return {"active": active, "inactive": inactive}

    async def statuses(self, ctx: Ctx) -> list[dict[str, Any]]:
        """Every live node's statuses, this node's first (Mattermost's getClusterPluginStatuses)."""
        self._require_enabled("getPluginStatuses")
        self.perms.require_system(ctx, READ_PLUGINS, "getPluginStatuses")
        out = self._statuses()
        live = await self.cluster.live_node_ids()
        for node, raw in sorted((await self.core.store.plugins.all_statuses()).items()):
            if node == self.config_api.node_id or node not in live:
                continue
            try:
                theirs = json.loads(raw)
            except ValueError:
                continue
            if isinstance(theirs, list):
                out += [s for s in theirs if isinstance(s, dict)]
        return out

    def _statuses(self) -> list[dict[str, Any]]:
        out = []
        for pid, inst in sorted(self.installed.items()):
            r = self.running.get(pid)
            m = inst.manifest
            out.append({"plugin_id": pid, "cluster_id": self.config_api.node_id, "plugin_path": str(inst.path),
                        "state": r.state if r else NOT_RUNNING, "error": r.error if r else "",
                        "name": m.name, "description": m.description, "version": m.version})
        return out

    def webapp(self) -> list[dict[str, Any]]:
        """The running plugins that have a web app bundle (the web app loads their JavaScript)."""
        self._require_enabled("getWebappPlugins")
        out = []
        for pid, r in sorted(self.running.items()):
            m = r.installed.manifest
            if r.state == RUNNING and m.webapp is not None and m.webapp.bundle_path:
                info = m.to_dict()
                info["webapp"] = {"bundle_path": f"/static/plugins/{pid}/{pid}_bundle.js"}
                out.append(info)
        return out

    def webapp_bundle(self, plugin_id: str) -> Path | None:
        r = self.running.get(plugin_id)
        if r is None or r.state != RUNNING or r.installed.manifest.webapp is None:
            return None
        path = (r.installed.path / r.installed.manifest.webapp.bundle_path).resolve()
        return path if r.installed.path.resolve() in path.parents and path.is_file() else None

    # the marketplace (chinwag has none) ----------------------------------------------------------

    def marketplace(self, ctx: Ctx, where: str) -> Any:
        """chinwag has no plugin marketplace: answered as a Mattermost with EnableMarketplace off."""
        self._require_enabled(where)
        self.perms.require_system(ctx, WRITE_PLUGINS if where.startswith("install") else READ_PLUGINS, where)
        raise AppError(where, "app.plugin.marketplace_disabled.app_error",
                       "Marketplace has been disabled. Please check your logs for details.", 501)

    async def marketplace_visited(self, ctx: Ctx) -> dict[str, str]:
        self._require_enabled("getMarketplaceVisitedByAdmin")
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "getMarketplaceVisitedByAdmin")
        value = await self.core.store.system.get(MARKETPLACE_VISITED)
        return {"name": MARKETPLACE_VISITED, "value": "true" if value == "true" else "false"}

    async def set_marketplace_visited(self, ctx: Ctx) -> None:
        self._require_enabled("setFirstAdminVisitMarketplaceStatus")
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, "setFirstAdminVisitMarketplaceStatus")
        await self.core.store.system.set(MARKETPLACE_VISITED, "true")

    # installing --------------------------------------------------------------------------------

    def _require_uploads(self, where: str) -> None:
        self._require_enabled(where)
        if not self.core.cfg.PluginSettings.EnableUploads:
            raise AppError(where, "app.plugin.upload_disabled.app_error",
                           "Plugins and/or plugin uploads have been disabled.", 501)

    async def upload(self, ctx: Ctx, data: bytes, force: bool) -> dict[str, Any]:
        where = "uploadPlugin"
        self._require_uploads(where)
        self.perms.require_system(ctx, WRITE_PLUGINS, where)
        return await self.install(data, force)

    async def install_from_url(self, ctx: Ctx, url: str, force: bool) -> dict[str, Any]:
        where = "installPluginFromUrl"
        self._require_uploads(where)
        self.perms.require_system(ctx, WRITE_PLUGINS, where)
        if not url:
            raise AppError(where, "api.plugin.install.download_failed.app_error",
                           "An error occurred while downloading the plugin.", 400, "no plugin_download_url")
        try:
            status, _headers, body = await self.integrations.http.request("GET", url, limit=MAX_BUNDLE_BYTES + 1)
        except (OutboundRefused, OSError, Exception) as e:
            raise AppError(where, "api.plugin.install.download_failed.app_error",
                           "An error occurred while downloading the plugin.", 400, str(e) or repr(e)) from None
        if status != 200:
            raise AppError(where, "api.plugin.install.download_failed.app_error",
                           "An error occurred while downloading the plugin.", 400, f"status {status}")
        return await self.install(body, force)

    async def install(self, data: bytes, force: bool) -> dict[str, Any]:
        """Check a bundle, keep it in the file store and unpack it here; every node follows."""
        where = "installPlugin"
        if len(data) > MAX_BUNDLE_BYTES:
            raise AppError(where, "app.plugin.install.too_large", "The plugin bundle is too large.", 413)
        manifest, _root = await asyncio.to_thread(read_bundle, data)
        if manifest.min_server_version and \
                version_tuple(manifest.min_server_version) > version_tuple(MATTERMOST_VERSION):
            raise AppError(where, "app.plugin.min_server_version.app_error",
                           f"The plugin requires a newer server (version {manifest.min_server_version}).", 400)
        async with self._lock:
            if manifest.id in self.installed and not force:
                raise AppError(where, "app.plugin.install_id.app_error",
                               "Unable to install plugin. A plugin with the same ID is already installed.", 400)
            await self.files.backend(where).write_file(f"{BUNDLE_PREFIX}{manifest.id}.tar.gz", data,
                                                       "application/gzip")
            await self._sync_locked(read_bundles=True)
        self.core.publish(Event(CHANGED_EVENT, {"node_id": self.config_api.node_id}))
        return manifest.to_dict()

    async def remove(self, ctx: Ctx, plugin_id: str) -> None:
        where = "removePlugin"
        self._require_enabled(where)
        self.perms.require_system(ctx, WRITE_PLUGINS, where)
        async with self._lock:
            inst = self.installed.get(plugin_id)
            if inst is None:
                raise _not_installed(where)
            if inst.prepackaged:
                raise AppError(where, "app.plugin.prepackaged.remove.app_error",
                               "A plugin that comes with chinwag cannot be removed; disable it instead.", 400)
            backend = self.files.backend(where)
            path = f"{BUNDLE_PREFIX}{plugin_id}.tar.gz"
            if await backend.exists(path):
                await backend.remove(path)
            await self._sync_locked(read_bundles=True)
        self.core.publish(Event(CHANGED_EVENT, {"node_id": self.config_api.node_id}))
        self._statuses_changed()

    # enabling ------------------------------------------------------------------------------------

    async def set_enabled(self, ctx: Ctx, plugin_id: str, enable: bool) -> None:
        where = "enablePlugin" if enable else "disablePlugin"
        self._require_enabled(where)
        self.perms.require_system(ctx, WRITE_PLUGINS, where)
        inst = self.installed.get(plugin_id)
        if inst is None:
            raise _not_installed(where)
        states = {k: dict(v) for k, v in self.core.cfg.PluginSettings.PluginStates.items()}
        states[plugin_id] = {**states.get(plugin_id, {}), "Enable": enable}
        patch: dict[str, Any] = {"PluginStates": states}
        if enable and plugin_id not in self.core.cfg.PluginSettings.Plugins and inst.manifest.defaults():
            patch["Plugins"] = {**self.core.cfg.PluginSettings.Plugins, plugin_id: inst.manifest.defaults()}
        await self.config_api.patch(Ctx(local=True, request_id=ctx.request_id), {"PluginSettings": patch})
        await self.sync()
        r = self.running.get(plugin_id)
        if enable and (r is None or r.state != RUNNING):
            raise AppError(where, "app.plugin.activate.app_error", "Unable to activate the plugin.", 500,
                           r.error if r else "")
        manifest = inst.manifest.to_dict()
        self.core.publish(Event("plugin_enabled" if enable else "plugin_disabled", {"manifest": manifest}))

    async def save_settings(self, plugin_id: str, settings: dict[str, Any]) -> None:
        """``PluginSettings.Plugins.<id>`` (a plugin saving its own configuration)."""
        plugins = {**self.core.cfg.PluginSettings.Plugins, plugin_id: settings}
        await self.config_api.patch(Ctx(local=True), {"PluginSettings": {"Plugins": plugins}})

    # reconciling ---------------------------------------------------------------------------------

    async def sync(self, read_bundles: bool = False) -> None:
        async with self._lock:
            await self._sync_locked(read_bundles)

    async def _sync_locked(self, read_bundles: bool = False) -> None:
        before = self._statuses()
        if read_bundles or not self.installed:
            await self._read_installed()
        ps = self.core.cfg.PluginSettings
        wanted = {pid for pid in self.installed
                  if ps.Enable and (ps.PluginStates.get(pid) or {}).get("Enable") is True}
        for pid in list(self.running):
            r = self.running[pid]
            inst = self.installed.get(pid)
            if pid not in wanted or inst is None or inst.checksum != r.installed.checksum \
                    or inst.path != r.installed.path:
                await self._deactivate(pid)
        for pid in sorted(wanted):
            current = self.running.get(pid)
            if current is None:
                await self._activate(self.installed[pid])
            elif current.state == RUNNING and current.process is not None:
                settings = dict(ps.Plugins.get(pid) or {})
                try:
                    await self._send_config(current)
                    if settings != current.settings:
                        current.settings = settings
                        await self.hooks.call(pid, "on_configuration_change",
                                              current.process.call("on_configuration_change"))
                except Exception as e:  # reported through the hooks' failure path, or a dead process
                    log.warning("plugin config change failed", plugin_id=pid, error=repr(e))
        if self._statuses() != before:
            self._statuses_changed()

    async def _read_installed(self) -> None:
        found: dict[str, Installed] = {}
        if BUNDLED_DIR.is_dir():
            for d in sorted(BUNDLED_DIR.iterdir()):
                if d.is_dir() and any((d / n).is_file() for n in MANIFEST_NAMES):
                    try:
                        m = read_manifest_dir(d)
                    except ManifestError as e:
                        log.error("prepackaged plugin unreadable", path=str(d), error=str(e))
                        continue
                    found[m.id] = Installed(m, d, True, f"prepackaged-{m.version}")
        local = _absolute(self.core.cfg.PluginSettings.Directory)
        try:
            backend = self.files.backend("installedPlugins")
            names = [n for n in await backend.list_files(BUNDLE_PREFIX) if n.endswith(".tar.gz")]
        except AppError:
            names = []
        for name in names:
            try:
                data = await backend.read_file(name)
                checksum = hashlib.sha256(data).hexdigest()
                manifest, root = await asyncio.to_thread(read_bundle, data)
                dest = local / manifest.id
                marker = dest / ".bundle-sha256"
                if not marker.is_file() or marker.read_text() != checksum:
                    await asyncio.to_thread(extract_bundle, data, root, dest)
                    marker.write_text(checksum)
                found[manifest.id] = Installed(manifest, dest, False, checksum)
            except (AppError, OSError, ManifestError) as e:
                log.error("plugin bundle unreadable", path=name, error=str(e))
        for gone in set(self.installed) - set(found):
            old = self.installed[gone]
            if not old.prepackaged and old.path.is_dir():
                await asyncio.to_thread(shutil.rmtree, old.path, True)
        self.installed = found

    async def _send_config(self, r: Running) -> None:
        """The copy of the config the plugin process reads synchronously (get_config & co.)."""
        if r.process is not None:
            cfg = self.core.cfg
            await r.process.call("config", msgspec.to_builtins(cfg),
                                 dict(cfg.PluginSettings.Plugins.get(r.installed.manifest.id) or {}),
                                 cfg.ServiceSettings.SiteURL.rstrip("/"))

    async def _activate(self, inst: Installed) -> None:
        """Start the plugin's process, hand it the config, run on_activate, then route hooks to it."""
        pid = inst.manifest.id
        r = self.running.get(pid) or Running(inst)
        r.installed, r.state, r.error = inst, STARTING, ""
        self.running[pid] = r
        process = PluginProcess(pid, inst.path, PluginAPI(self.api_services, pid), self._process_exited)
        r.process = process
        r.settings = dict(self.core.cfg.PluginSettings.Plugins.get(pid) or {})
        try:
            implements = await asyncio.wait_for(process.start(), self.start_timeout)
            await self._send_config(r)
            await asyncio.wait_for(process.call("on_activate"), self.hooks.background_timeout)
        except (TimeoutError, Exception) as e:
            await process.kill()
            r.process, r.state = None, FAILED_TO_START
            r.error = str(e) if isinstance(e, AppError) else process.error_text(f"the plugin failed to start ({e!r})")
            log.error("plugin failed to start", plugin_id=pid, error=r.error)
            return
        self.hooks.attach(pid, RemotePlugin(process), implements)
        r.state = RUNNING
        log.info("plugin activated", plugin_id=pid, version=inst.manifest.version, pid=process.proc.pid
                 if process.proc else 0)

    async def _deactivate(self, pid: str) -> None:
        r = self.running.pop(pid, None)
        if r is None:
            return
        if r.restart is not None:
            r.restart.cancel()
        self.hooks.detach(pid)
        self._stop_jobs(pid)
        if r.process is not None:
            r.state = STOPPING
            await r.process.stop()

    def _statuses_changed(self) -> None:
        """plugin_statuses_changed, to the system admins only (the statuses carry errors and paths, as
        Mattermost's event is marked sensitive)."""
        self._background.spawn(self._publish_statuses(self._statuses()), "plugins: statuses changed")

    async def _publish_statuses(self, statuses: list[dict[str, Any]]) -> None:
        await self.core.store.plugins.save_statuses(self.config_api.node_id, json.dumps(statuses))
        admins = await self.core.store.users.list_users(page=0, per_page=200, role="system_admin", active=True)
        if admins:
            self.core.publish(Event("plugin_statuses_changed", {"plugin_statuses": statuses},
                                    Broadcast(user_ids=[u.id for u in admins])))

    # failures and restarts -------------------------------------------------------------------------

    def _process_exited(self, process: PluginProcess, reason: str) -> None:
        r = self.running.get(process.plugin_id)
        if r is not None and r.process is process:
            self._hook_failed(process.plugin_id, reason)

    def _hook_failed(self, plugin_id: str, reason: str) -> None:
        """A hook raised, missed its deadline, or the process died: stop the process (it may be stuck),
        mark the plugin failed and start it again after a backoff."""
        r = self.running.get(plugin_id)
        if r is None or r.state != RUNNING:
            return
        r.failures += 1
        r.state, r.error = FAILED_TO_STAY_RUNNING, reason
        self.hooks.detach(plugin_id)
        process, r.process = r.process, None
        if process is not None:
            self._background.spawn(process.kill(), f"{plugin_id}: stop after a failure")
        delay = min(60.0, self.restart_delay * 2 ** (r.failures - 1))
        r.restart = asyncio.get_running_loop().call_later(delay, self._restart, plugin_id)
        log.error("plugin failed; restarting", plugin_id=plugin_id, reason=reason, delay=delay)
        self._statuses_changed()

    def _restart(self, plugin_id: str) -> None:
        self._background.spawn(self._restart_now(plugin_id), f"{plugin_id}: restart")

    async def _restart_now(self, plugin_id: str) -> None:
        async with self._lock:
            r = self.running.get(plugin_id)
            if r is None or r.state != FAILED_TO_STAY_RUNNING:
                return
            r.restart = None
            await self._activate(r.installed)
        self._statuses_changed()

    # scheduled jobs ------------------------------------------------------------------------------

    def schedule(self, plugin_id: str, name: str, every: float | None) -> None:
        """Start (or stop, ``every`` None) a plugin's job. Every node runs the loop; the job lease
        (``jobleases`` row ``plugin:<id>:<name>``) lets one node run each interval."""
        key = (plugin_id, name)
        old = self._jobs.pop(key, None)
        if old is not None:
            old.cancel()
        if every is not None:
            self._jobs[key] = asyncio.get_running_loop().create_task(self._job_loop(plugin_id, name, every))

    def _stop_jobs(self, plugin_id: str) -> None:
        for key in [k for k in self._jobs if k[0] == plugin_id]:
            self._jobs.pop(key).cancel()

    async def _job_loop(self, plugin_id: str, name: str, every: float) -> None:
        lease = f"plugin:{plugin_id}:{name}"
        node = self.config_api.node_id
        while True:
            await asyncio.sleep(min(every, self.job_poll))
            r = self.running.get(plugin_id)
            if r is None or r.state != RUNNING or r.process is None:
                continue
            now = self.core.now()
            try:
                claimed = await self.core.store.job_leases.claim(
                    lease, node, now, stale_before=now - int(max(2 * every, 60) * 1000),
                    due_before=now - int(every * 1000))
                if not claimed:
                    continue
                try:
                    await self.hooks.call(plugin_id, "on_scheduled_job", r.process.call("on_scheduled_job", name),
                                          self.hooks.background_timeout)
                finally:
                    await self.core.store.job_leases.finish(lease, node, self.core.now())
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the hook's failure is already reported; a database hiccup waits a turn
                log.warning("plugin job failed", plugin_id=plugin_id, job=name, error=repr(e))

    # HTTP ------------------------------------------------------------------------------------------

    async def serve_http(self, ctx: Ctx, plugin_id: str, request: Any) -> Any:
        if not self.core.cfg.PluginSettings.Enable:
            raise AppError("ServePluginRequest", "app.plugin.disabled.app_error", "Plugins have been disabled.",
                           501)
        return await self.hooks.serve_http(ctx, plugin_id, request)


def _not_installed(where: str) -> AppError:
    return AppError(where, "app.plugin.not_installed.app_error", "Plugin is not installed.", 404)

