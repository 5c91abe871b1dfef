"""AppCore: what every service shares (store, config, publisher, clock, caches). It knows no service."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, TypeVar, dataclass_transform

from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.app.background import PollLease
from chinwag.app.cache import AppCaches
from chinwag.app.outbox import OutboxRelay, UnitOfWork
from chinwag.config import Config, ConfigStore
from chinwag.model.errors import AppError, already_exists, not_found
from chinwag.model.ids import now_ms
from chinwag.platform.events import Event, Publisher
from chinwag.store.errors import Conflict, InvalidInput, NotFound, StoreError
from chinwag.store.sql.store import SqlStore

_S = TypeVar("_S")


@dataclass_transform(eq_default=False)
def service(cls: type[_S]) -> type[_S]:
    """Make a service class out of its fields: they are the services and helpers it uses, given in
    that order by the composition root (``app/app.py``). A dataclass without generated ``==`` or repr."""
    return dataclass(eq=False, repr=False)(cls)


class AppCore:
    def __init__(
        self, store: SqlStore, config: ConfigStore, publisher: Publisher, clock: Callable[[], int] = now_ms
    ) -> None:
        self.store = store
        self.config_store = config
        self.pub = publisher
        self.now = clock
        self.caches = AppCaches()
        #: more in-process state kept current by events (e.g. the role table)
        self.observers: list[Callable[[dict[str, Any]], None]] = []
        #: in a cluster, which node runs the periodic polls (the queue workers' and the outbox's)
        self.poll_lease = PollLease(publisher)
        self.outbox = OutboxRelay(store.db, publisher, lambda ev, done: self.publish(ev, done), clock,
                                  lease=self.poll_lease)

    def transaction(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A bare write transaction (a group commit shares one among several units of work)."""
        return self.store.db.write()

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """One transaction for one use case; events and notification work registered on it are
        written to the outbox with it and published after the commit (``app/outbox.py``)."""
        return self.outbox.unit_of_work()

    @property
    def cfg(self) -> Config:
        return self.config_store.effective

    def crt_on(self) -> bool:
        """Collapsed reply threads are on for users who keep the default."""
        return self.cfg.ServiceSettings.CollapsedThreads in ("always_on", "default_on")

    def publish(self, event: Event, done: str = "") -> None:
        """Publish at once (a change made outside a unit of work, or the relay after a commit)."""
        self.observe_local(event)
        self.pub.publish(event, done)

    def observe_local(self, event: Event) -> None:
        """An event this node publishes, seen at once (before the stream hands it back)."""
        self.observe({"event": event.event, "data": event.data, "broadcast": event.broadcast.to_dict()})

    def observe(self, event: dict[str, Any]) -> None:
        """Every event from the shared stream (other nodes' too) passes here."""
        self.caches.observe(event)
        for observer in self.observers:
            observer(event)


def store_error(where: str, e: StoreError, what: str) -> AppError:
    """Map a store error to Mattermost's error JSON."""
    if isinstance(e, NotFound):
        return not_found(where, what, str(e))
    if isinstance(e, Conflict):
        return already_exists(where, what, e.field, str(e))
    if isinstance(e, InvalidInput):
        return AppError(where, f"app.{what}.save.invalid.app_error", str(e), 400)
    return AppError(where, "app.store.error", "A database error occurred.", 500, str(e))
