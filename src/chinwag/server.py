"""Composition root: config → store → adapters → platform → app → web."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog

from chinwag.app.app import App
from chinwag.config import ConfigStore
from chinwag.config.schema import FileSettings
from chinwag.filestore.base import FileBackend, FileBackendError
from chinwag.filestore.local import LocalBackend
from chinwag.filestore.s3 import S3Backend
from chinwag.platform.events import Publisher, RecordingPublisher
from chinwag.store.sql import migrate
from chinwag.store.sql.engine import Database
from chinwag.store.sql.store import SqlStore
from chinwag.web.asgi import create_app

log = structlog.get_logger("chinwag.server")


@dataclass
class Server:
    config: ConfigStore
    app: App
    asgi: Any
    db: Database

    async def start(self) -> None:
        await self.app.system.init()
        await self.app.store.status.reset_all()
        await self.app.files.init()

    async def close(self) -> None:
        await self.app.files.close()
        await self.db.close()


def open_database(config: ConfigStore) -> Database:
    sql = config.config.SqlSettings
    return Database(sql.DriverName, sql.DataSource, max_open=sql.MaxOpenConns, echo=sql.Trace)


async def migrate_database(db: Database) -> None:
    await migrate.upgrade(db.engine)


def file_backend(settings: FileSettings) -> FileBackend:
    """The file store FileSettings.DriverName names: ``local`` (Directory) or ``amazons3``."""
    if settings.DriverName == "local":
        return LocalBackend(settings.Directory)
    if settings.DriverName == "amazons3":
        return S3Backend(settings)
    raise FileBackendError(f"FileSettings.DriverName {settings.DriverName!r} is not local or amazons3")


def build(config: ConfigStore, publisher: Publisher | None = None) -> Server:
    db = open_database(config)
    store = SqlStore(db)
    app = App(store, config, publisher or RecordingPublisher(), files=file_backend)
    asgi = create_app(app)
    return Server(config=config, app=app, asgi=asgi, db=db)
