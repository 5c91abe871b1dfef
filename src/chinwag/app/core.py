"""AppCore: what every service shares (store, config, publisher, caches)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chinwag.app.cache import AppCaches
from chinwag.config import Config, ConfigStore
from chinwag.model.errors import AppError
from chinwag.model.ids import now_ms
from chinwag.platform.events import Event, Publisher
from chinwag.store.errors import Conflict, InvalidInput, NotFound, StoreError
from chinwag.store.sql.store import SqlStore

if TYPE_CHECKING:
    from chinwag.app.app import App


class AppCore:
    def __init__(
        self, store: SqlStore, config: ConfigStore, publisher: Publisher, clock: Callable[[], int] = now_ms
    ) -> None:
        self.store = store
        self.config_store = config
        self.pub = publisher
        self.now = clock
        self.app: App | None = None
        self.caches = AppCaches()

    @property
    def cfg(self) -> Config:
        return self.config_store.config

    def publish(self, event: Event) -> None:
        self.caches.observe({"event": event.event, "data": event.data, "broadcast": event.broadcast.to_dict()})
        self.pub.publish(event)

    def observe(self, event: dict[str, Any]) -> None:
        """Every event from the shared stream (other nodes' too) passes here."""
        self.caches.observe(event)


def store_error(where: str, e: StoreError, what: str) -> AppError:
    """Map a store error to Mattermost's error JSON."""
    if isinstance(e, NotFound):
        return AppError(where, f"app.{what}.get.app_error", f"Unable to find the {what}.", 404, str(e))
    if isinstance(e, Conflict):
        return AppError(
            where,
            f"app.{what}.save.existing.app_error",
            f"A {what} with that {e.field or 'value'} already exists.",
            400,
            str(e),
        )
    if isinstance(e, InvalidInput):
        return AppError(where, f"app.{what}.save.invalid.app_error", str(e), 400)
    return AppError(where, "app.store.error", "A database error occurred.", 500, str(e))
