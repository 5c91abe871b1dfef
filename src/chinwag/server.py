"""Composition root: config → store → adapters → platform → app → web."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import socket
import stat
from dataclasses import dataclass, field
from typing import Any

import structlog
from starlette.routing import WebSocketRoute

from chinwag import BUILD_NUMBER, MATTERMOST_VERSION
from chinwag.app.app import App
from chinwag.bus.base import EventStream, LocalPresence, Presence
from chinwag.bus.ratelimit import RateStore, RedisRateStore
from chinwag.config import ConfigStore
from chinwag.config.logfile import BACKUPS as LOG_BACKUPS
from chinwag.config.logfile import MAX_BYTES as LOG_MAX_BYTES
from chinwag.config.logfile import file_line, log_file_path
from chinwag.config.schema import FileSettings
from chinwag.filestore.base import FileBackend, FileBackendError
from chinwag.filestore.local import LocalBackend
from chinwag.filestore.s3 import S3Backend
from chinwag.importers.jobs import register as register_jobs
from chinwag.model.ids import new_id
from chinwag.platform import memprobe
from chinwag.platform.hub import Hub
from chinwag.platform.membership import MembershipCache
from chinwag.platform.stream import LocalStream
from chinwag.search.base import SearchEngine
from chinwag.search.sql import SqlSearchEngine
from chinwag.store.sql import migrate
from chinwag.store.sql.engine import Database
from chinwag.store.sql.store import SqlStore
from chinwag.web.asgi import create_app, version_id
from chinwag.web.durable import EventsDurable
from chinwag.web.metrics import Metrics
from chinwag.web.websocket import WebSocketFirst, make_endpoint

log = structlog.get_logger("chinwag.server")


@dataclass
class Server:
    config: ConfigStore
    app: App
    asgi: Any
    db: Database
    hub: Hub
    stream: EventStream
    metrics: Metrics | None = None
    started: bool = field(default=False)

    async def start(self) -> None:
        await self.app.system.init()
        await self.app.roles.init()
        if self.config.created:
            await self.app.config_api.adopt_shared()
        await self.app.config_api.sync_files()  # certificates stored while this node was away
        await self.app.store.status.reset_all()
        await self.app.files.init()
        await self.stream.start()
        await self.hub.start()
        self.app.ldap.start()
        await self.app.cluster.start()
        self.app.email_notifications.start()
        self.app.jobs.start()
        self.app.push_notifications.start()
        self.app.custom_statuses.start()
        self.app.post_reminders.start()
        self.app.start()  # the outbox relay; mention counts a stopped process left pending
        metrics = self.config.effective.MetricsSettings
        if metrics.Enable and self.metrics is not None:
            await self.metrics.start(metrics.ListenAddress)
        await self.app.plugins.start()
        self.started = True

    async def close(self) -> None:
        if self.metrics is not None:
            await self.metrics.stop()
        await self.app.close()
        if self.started:
            await self.hub.close()
            await self.stream.close()
            close = getattr(self.hub.presence, "close", None)
            if close is not None:
                await close()
        await self.app.files.close()
        await self.app.attempts.store.close()
        await self.db.close()


def open_database(config: ConfigStore) -> Database:
    sql = config.effective.SqlSettings
    return Database(sql.DriverName, sql.DataSource, max_open=sql.MaxOpenConns, echo=sql.Trace)


def search_engine(db: Database) -> SearchEngine:
    """The post search backend: the database's own (pg_trgm on PostgreSQL, FTS5 on SQLite, LIKE on MySQL)."""
    return SqlSearchEngine(db)


async def migrate_database(db: Database) -> None:
    await migrate.upgrade(db.engine)


def file_backend(settings: FileSettings) -> FileBackend:
    """The file store FileSettings.DriverName names: ``local`` (Directory) or ``amazons3``."""
    if settings.DriverName == "local":
        return LocalBackend(settings.Directory)
    if settings.DriverName == "amazons3":
        return S3Backend(settings)
    raise FileBackendError(f"FileSettings.DriverName {settings.DriverName!r} is not local or amazons3")


def open_stream(config: ConfigStore, store: SqlStore) -> EventStream:
    ws = config.effective.WebSocketSettings
    retention = ws.EventRetentionMinutes * 60_000
    redis = config.effective.RedisSettings
    if redis.Enable or config.effective.ClusterSettings.Enable:
        from chinwag.bus.redis import RedisStream

        prefix = f"chinwag:{config.effective.ClusterSettings.ClusterName or 'default'}"
        return RedisStream(redis.URL, prefix=prefix, retention_ms=retention, max_events=ws.MaxRetainedEvents)
    return LocalStream(store.events, retention_ms=retention, max_events=ws.MaxRetainedEvents)


def open_presence(config: ConfigStore) -> Presence:
    redis = config.effective.RedisSettings
    if redis.Enable or config.effective.ClusterSettings.Enable:
        from chinwag.bus.redis import RedisPresence

        prefix = f"chinwag:{config.effective.ClusterSettings.ClusterName or 'default'}"
        return RedisPresence(redis.URL, prefix, new_id())
    return LocalPresence()


def open_rate_store(config: ConfigStore) -> RateStore | None:
    """Rate limit budgets shared by every node through Redis when clustered (else each process keeps its
    own in memory)."""
    redis = config.effective.RedisSettings
    if redis.Enable or config.effective.ClusterSettings.Enable:
        prefix = f"chinwag:{config.effective.ClusterSettings.ClusterName or 'default'}"
        return RedisRateStore(redis.URL, prefix)
    return None


def build(config: ConfigStore) -> Server:
    db = open_database(config)
    store = SqlStore(db)
    stream = open_stream(config, store)
    membership = MembershipCache(store)
    hub = Hub(stream, membership, version=f"{MATTERMOST_VERSION}.{BUILD_NUMBER}",
              queue_size=config.effective.WebSocketSettings.SendQueueSize, presence=open_presence(config))
    rates = open_rate_store(config)
    app = App(store, config, hub, files=file_backend, search=search_engine(db), attempt_store=rates)
    hub.on_first_connect = app.realtime.connected
    app.analytics.connection_count = hub.connection_count
    hub.on_last_disconnect = app.realtime.disconnected
    hub.internal_handlers.append(app.sessions.handle_internal)
    hub.internal_handlers += [app.incoming.handle_internal, app.outgoing.handle_internal,
                              app.config_api.handle_internal, app.plugins.handle_internal]
    hub.observers.append(app.core.observe)
    register_jobs(app)  # import_process / export_process: the bulk importer and exporter
    endpoint = make_endpoint(app, hub, version_id(app))
    metrics = Metrics(app, hub)
    asgi = WebSocketFirst(create_app(app, extra_routes=[WebSocketRoute("/api/v4/websocket", endpoint)],
                                     rate_store=rates, observe=metrics.observe,
                                     events=EventsDurable(hub.flushed)), endpoint)
    return Server(config=config, app=app, asgi=asgi, db=db, hub=hub, stream=stream, metrics=metrics)


def tune_gc() -> None:
    """For a server process: objects made at start-up leave the collector's view and collections
    run less often, so fewer pauses land in the middle of requests (tail latency)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


class LifespanApp:
    """The ASGI entry point: runs the server's start/close on lifespan events, passes the rest."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.asgi = server.asgi
        #: opt-in heap reports on SIGUSR2 (CHINWAG_MEMPROBE_DIR; platform/memprobe.py)
        self.memprobe: memprobe.MemProbe | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.asgi(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.server.start()
                    tune_gc()
                    self.memprobe = memprobe.install_from_env(roots=[self.server])
                except Exception as e:
                    await send({"type": "lifespan.startup.failed", "message": str(e)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.server.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def worker_app() -> LifespanApp:
    """uvicorn factory for multi-process serving: each worker builds its own server from the same
    configuration (file named by $MM_CONFIG, plus MM_* overrides; `serve` has created it, and a
    config change through the API is saved by the worker that took it)."""
    config = ConfigStore(None)
    config.load()
    setup_logging(config, shared_file=True)
    return LifespanApp(build(config))


def _file_renderer(as_json: bool) -> Any:
    def render(_logger: Any, _name: str, ed: dict[str, Any]) -> str:
        record = ed.pop("_record")
        ed.pop("_from_structlog", None)
        ed.setdefault("level", record.levelname.lower())
        ed["logger"] = record.name
        ed["_epoch"] = record.created
        return file_line(ed, as_json)

    return render


def setup_logging(cfg: ConfigStore, shared_file: bool = False) -> None:
    """structlog and the standard library's logging both go to the console (LogSettings.EnableConsole,
    ConsoleLevel, ConsoleJson) and to the log file (EnableFile, FileLevel, FileJson, FileLocation) that
    ``GET /api/v4/logs`` reads. ``shared_file``: several processes write the file (no rotation here;
    it is reopened when logrotate moves it)."""
    import logging
    import logging.handlers
    import sys

    ls = cfg.effective.LogSettings
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    levels: list[int] = []
    stamp = structlog.processors.TimeStamper(fmt="iso")
    if ls.EnableConsole:
        console_level = getattr(logging, ls.ConsoleLevel.upper(), logging.INFO)
        # Tracebacks as plain text: structlog's default (rich, with every frame's locals and syntax
        # highlighting) takes the event loop for a good part of a second per traceback, so a burst of
        # errors (the database pool exhausted under load) starves the requests that would end it.
        renderer: Any = (structlog.processors.JSONRenderer() if ls.ConsoleJson
                         else structlog.dev.ConsoleRenderer(colors=ls.EnableColor,
                                                            exception_formatter=structlog.dev.plain_traceback))
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(console_level)
        console.setFormatter(structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        *([structlog.processors.format_exc_info] if ls.ConsoleJson else []), renderer],
            foreign_pre_chain=[structlog.processors.add_log_level, stamp]))
        root.addHandler(console)
        levels.append(console_level)
    if ls.EnableFile:
        path = log_file_path(ls)
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = (logging.handlers.WatchedFileHandler(path, encoding="utf-8") if shared_file else
                                    logging.handlers.RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES,
                                                                         backupCount=LOG_BACKUPS, encoding="utf-8"))
        file_level = getattr(logging, ls.FileLevel.upper(), logging.INFO)
        handler.setLevel(file_level)
        handler.setFormatter(structlog.stdlib.ProcessorFormatter(
            processors=[structlog.processors.format_exc_info, _file_renderer(ls.FileJson)]))
        root.addHandler(handler)
        levels.append(file_level)
    level = min(levels, default=logging.CRITICAL)
    root.setLevel(level)
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.stdlib.add_logger_name, stamp,
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )


class LocalModeApp:
    """Local mode (ServiceSettings.EnableLocalMode): the API on a unix socket, every request
    trusted with full permissions and no session, as Mattermost's APILocal routes."""

    def __init__(self, asgi: Any) -> None:
        self.asgi = asgi

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return
        await self.asgi({**scope, "chinwag.local": True}, receive, send)


class UnsafeSocketPath(Exception):
    """The local-mode socket path is not safe to listen on (one line naming the setting)."""


def _unsafe(path: str, why: str) -> UnsafeSocketPath:
    return UnsafeSocketPath(f"ServiceSettings.LocalModeSocketLocation: {path}: {why}")


def open_local_socket(path: str) -> socket.socket:
    """Bind the local-mode unix socket with mode 0600, refusing unsafe places: a directory others
    may write to without the sticky bit (they could swap the socket), a socket someone else owns,
    something that is not a socket, or a socket another server is still listening on."""
    if not path:
        raise _unsafe(path, "no path set")
    parent = os.path.dirname(os.path.abspath(path))
    try:
        pst = os.stat(parent)
    except OSError as e:
        raise _unsafe(path, f"directory {parent} is not usable: {e.strerror}") from None
    if pst.st_mode & stat.S_IWOTH and not pst.st_mode & stat.S_ISVTX:
        raise _unsafe(path, f"directory {parent} is world-writable without the sticky bit")
    if pst.st_uid not in (0, os.getuid()) and pst.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise _unsafe(path, f"directory {parent} belongs to another user who lets others write to it")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        if not stat.S_ISSOCK(st.st_mode):
            raise _unsafe(path, "exists and is not a socket")
        if st.st_uid != os.getuid():
            raise _unsafe(path, f"the socket belongs to another user (uid {st.st_uid})")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
        except OSError:
            os.unlink(path)  # our own stale socket from a previous run
        else:
            raise _unsafe(path, "another server is listening on it")
        finally:
            probe.close()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        sock.bind(path)
    except OSError as e:
        sock.close()
        raise _unsafe(path, f"cannot listen: {e.strerror}") from None
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    sock.listen(128)
    sock.setblocking(False)
    return sock


def close_local_socket(sock: socket.socket, path: str) -> None:
    """Close the socket and remove its file if it is still the one this process made."""
    with contextlib.suppress(OSError):
        st = os.lstat(path)
        if stat.S_ISSOCK(st.st_mode) and st.st_uid == os.getuid():
            os.unlink(path)
    sock.close()


async def serve_all(server: Server, options: dict[str, Any], local_sock: socket.socket | None,
                    local_path: str = "") -> None:
    """Run the TCP server, and the local-mode server on ``local_sock`` (same process, same loop,
    same App) once the main server has started; both stop together on SIGTERM/SIGINT, and the
    socket file is removed."""
    import uvicorn

    main = uvicorn.Server(uvicorn.Config(LifespanApp(server), **options))
    if local_sock is None:
        await main.serve()
        return
    sock = local_sock
    local_opts = {k: v for k, v in options.items() if k not in ("host", "port", "lifespan", "proxy_headers")}
    local = uvicorn.Server(uvicorn.Config(LocalModeApp(server.asgi), lifespan="off", **local_opts))

    async def run_local() -> None:
        while not main.started:
            if main.should_exit:
                return
            await asyncio.sleep(0.05)
        task = asyncio.create_task(local._serve(sockets=[sock]))  # no signal capture of its own
        while not main.should_exit and not task.done():  # noqa: ASYNC110  (uvicorn sets a plain flag)
            await asyncio.sleep(0.1)
        local.should_exit = True
        await task
        close_local_socket(sock, local_path)  # before uvicorn re-raises the stopping signal

    await asyncio.gather(main.serve(), run_local())
