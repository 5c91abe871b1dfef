"""The event stream: one ordered history of every WebSocket event, shared by all nodes.

Positions (``pos``) are integers that grow along the stream. ``publish`` never blocks; every
node's subscribers receive every event, in stream order, exactly once. ``read_after`` replays
retained history for lossless resume. Checkpoints record what a connection was last sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Subscriber = Callable[[int, dict[str, Any]], None]


class EventStream(Protocol):
    def publish(self, event: dict[str, Any]) -> None: ...

    def subscribe(self, callback: Subscriber) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def read_after(self, pos: int, limit: int) -> list[tuple[int, dict[str, Any]]]: ...

    async def bounds(self) -> tuple[int, int]:
        """(oldest retained pos, newest pos); (0, 0) when nothing is retained."""
        ...

    async def save_checkpoints(self, items: list[tuple[str, str, dict[str, Any]]]) -> None:
        """(connection id, user id, state) for each connection."""
        ...

    async def load_checkpoint(self, connection_id: str) -> tuple[str, dict[str, Any]] | None: ...
