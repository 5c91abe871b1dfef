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


class Presence(Protocol):
    """Which users have a live connection on some node (for online/offline across nodes)."""

    async def connected(self, user_id: str) -> None: ...

    async def disconnected(self, user_id: str) -> bool:
        """Forget one connection; True when the user has no connection on any node any more."""
        ...

    async def online_anywhere(self, user_ids: list[str]) -> set[str]: ...

    async def heartbeat(self, local_users: set[str]) -> None: ...


class LocalPresence:
    """One node: the hub's own connections are the whole truth."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    async def connected(self, user_id: str) -> None:
        self.counts[user_id] = self.counts.get(user_id, 0) + 1

    async def disconnected(self, user_id: str) -> bool:
        n = self.counts.get(user_id, 0) - 1
        if n <= 0:
            self.counts.pop(user_id, None)
            return True
        self.counts[user_id] = n
        return False

    async def online_anywhere(self, user_ids: list[str]) -> set[str]:
        return {u for u in user_ids if u in self.counts}

    async def heartbeat(self, local_users: set[str]) -> None:
        return None
