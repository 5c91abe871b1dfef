"""WebSocket events and who they are for (Mattermost's WebSocketEvent + broadcast)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol


class RequestEvents:
    """Whether the request being served published events (its answer then waits for the event history:
    ``web/durable.py``). The HTTP pipeline sets one per request that may change something; whatever
    publishes in that request's context (or on its behalf, e.g. a group commit) marks it."""

    __slots__ = ("published",)

    def __init__(self) -> None:
        self.published = False


#: the current request's mark (None outside a request that may change something)
request_events: ContextVar[RequestEvents | None] = ContextVar("chinwag_request_events", default=None)


def mark_published(mark: RequestEvents | None = None) -> None:
    """Mark ``mark`` (default: the current request's) as having published."""
    if mark is None:
        mark = request_events.get()
    if mark is not None:
        mark.published = True


@dataclass
class Broadcast:
    omit_users: dict[str, bool] | None = None
    user_id: str = ""
    channel_id: str = ""
    team_id: str = ""
    connection_id: str = ""
    omit_connection_id: str = ""
    #: explicit recipients (not sent on the wire); used for e.g. both members of a new DM
    user_ids: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "omit_users": self.omit_users,
            "user_id": self.user_id,
            "channel_id": self.channel_id,
            "team_id": self.team_id,
            "connection_id": self.connection_id,
            "omit_connection_id": self.omit_connection_id,
        }


@dataclass
class Event:
    event: str
    data: dict[str, Any] = field(default_factory=dict)
    broadcast: Broadcast = field(default_factory=Broadcast)


def event_dict(ev: Event) -> dict[str, Any]:
    """An event as the stream carries it (``user_ids`` only when set)."""
    b = ev.broadcast.to_dict()
    if ev.broadcast.user_ids:
        b["user_ids"] = ev.broadcast.user_ids
    return {"event": ev.event, "data": ev.data, "broadcast": b}


class Publisher(Protocol):
    def publish(self, event: Event, done: str = "") -> None:
        """``done``: the outbox row the event is relayed from (``app/outbox.py``), if any. A publisher
        that also has ``async flushed() -> bool`` (the hub) tells the relay when events are in the
        history; ``settles_outbox`` true means it deletes the rows itself; ``async forget(row_ids)``, if
        present, is told which rows the relay deleted. A publisher whose history is in the app's
        database (the hub on the embedded stream) also has ``history_in()``: a context manager, or
        None, for writing events in the caller's own transaction (``platform/stream.py``
        ``writing_in``)."""
        ...
