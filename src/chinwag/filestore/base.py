"""The file storage Protocol: streaming reads and writes of objects named by relative paths.

Paths look like ``20240131/teams/<team>/channels/<channel>/users/<user>/<file_id>/<name>``: always
relative, ``/``-separated, never with ``.``/``..`` segments, backslashes or control characters
(:func:`check_path`). Backends never hold a whole object in memory: writes go through a
:class:`FileWriter` (append chunks, then ``commit`` or ``abort``), reads through a
:class:`ReadStream` (an async iterator of chunks over a byte range).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

READ_CHUNK = 1024 * 1024


class FileBackendError(Exception):
    """A storage operation failed (I/O error, refused request, unreachable service)."""


class FileNotFound(FileBackendError):
    """The object does not exist."""


class InvalidPath(FileBackendError):
    """The path would leave the storage root or contains forbidden characters."""


def check_path(path: str) -> str:
    """Return ``path`` if it is a safe relative object path, else raise :class:`InvalidPath`."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        raise InvalidPath(f"invalid path {path!r}")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        raise InvalidPath(f"invalid path {path!r}")
    for segment in path.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidPath(f"invalid path {path!r}")
    return path


def check_prefix(prefix: str) -> str:
    """Like :func:`check_path` for a directory prefix; ``""`` (the root) is allowed."""
    stripped = prefix.strip("/")
    return check_path(stripped) if stripped else ""


class ReadStream(Protocol):
    """An open read of ``length`` bytes starting at ``offset`` of an object of ``size`` bytes."""

    size: int
    offset: int
    length: int

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class FileWriter(Protocol):
    """A write in progress. Nothing is visible at the path until ``commit``; ``abort`` leaves nothing."""

    written: int

    async def write(self, data: bytes) -> None: ...

    async def commit(self) -> int:
        """Make the object visible; returns its size."""
        ...

    async def abort(self) -> None: ...


@runtime_checkable
class FileBackend(Protocol):
    driver: str

    async def test_connection(self, write: bool = True) -> None:
        """Raise :class:`FileBackendError` with a readable message unless the storage is usable.
        ``write=False``: only that it answers (the health check a readiness probe runs every few
        seconds: on S3 one bucket-level request, as Mattermost's, instead of a test object)."""
        ...

    async def open_read(self, path: str, offset: int = 0, length: int | None = None) -> ReadStream:
        """Open ``length`` bytes (to the end when None) from ``offset``; raises FileNotFound."""
        ...

    async def read_file(self, path: str) -> bytes: ...

    async def exists(self, path: str) -> bool: ...

    async def size(self, path: str) -> int: ...

    async def open_write(self, path: str, content_type: str = "") -> FileWriter: ...

    async def write_file(self, path: str, data: bytes, content_type: str = "") -> int: ...

    async def remove(self, path: str) -> None:
        """Delete the object; a missing object is not an error."""
        ...

    async def list_files(self, prefix: str = "") -> list[str]:
        """Every object path under ``prefix`` (recursively), sorted."""
        ...

    async def close(self) -> None: ...
