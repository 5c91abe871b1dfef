"""Files in a local directory (FileSettings.Directory).

Writes go to a hidden temporary file beside the target and are renamed into place on commit, so a
half-written upload is never visible and an aborted one leaves nothing behind (empty directories
it created are pruned too). Blocking file calls run in worker threads, a megabyte at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from chinwag.filestore.base import (
    READ_CHUNK,
    FileBackendError,
    FileNotFound,
    InvalidPath,
    check_path,
    check_prefix,
)
from chinwag.model.ids import new_id

WRITE_BUFFER = 1024 * 1024


class LocalReadStream:
    def __init__(self, fh: BinaryIO, size: int, offset: int, length: int) -> None:
        self._fh: BinaryIO | None = fh
        self.size = size
        self.offset = offset
        self.length = length

    async def _chunks(self) -> AsyncIterator[bytes]:
        left = self.length
        try:
            while left > 0 and self._fh is not None:
                chunk: bytes = await asyncio.to_thread(self._fh.read, min(READ_CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk
        finally:
            await self.aclose()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def aclose(self) -> None:
        fh = self._fh
        if fh is not None:
            self._fh = None
            await asyncio.to_thread(fh.close)


class LocalWriter:
    def __init__(self, backend: LocalBackend, target: Path, tmp: Path, fh: BinaryIO) -> None:
        self._backend = backend
        self._target = target
        self._tmp = tmp
        self._fh = fh
        self._buf = bytearray()
        self.written = 0
        self._done = False

    async def write(self, data: bytes) -> None:
        if self._done:
            raise FileBackendError("write after commit or abort")
        self._buf += data
        self.written += len(data)
        if len(self._buf) >= WRITE_BUFFER:
            await self._flush()

    async def _flush(self) -> None:
        if self._buf:
            data = bytes(self._buf)
            self._buf.clear()
            await asyncio.to_thread(self._fh.write, data)

    async def commit(self) -> int:
        if self._done:
            raise FileBackendError("commit after commit or abort")
        try:
            await self._flush()
            await asyncio.to_thread(self._finish)
        except OSError as e:
            await self.abort()
            raise FileBackendError(f"cannot write {self._target.name}: {e.strerror or e}") from e
        self._done = True
        return self.written

    def _finish(self) -> None:
        fh = self._fh
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()
        os.replace(self._tmp, self._target)

    async def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._buf.clear()

        def cleanup() -> None:
            with contextlib.suppress(OSError):
                self._fh.close()
            with contextlib.suppress(FileNotFoundError):
                self._tmp.unlink()
            self._backend.prune(self._tmp.parent)

        await asyncio.to_thread(cleanup)


class LocalBackend:
    driver = "local"

    def __init__(self, directory: str) -> None:
        if not directory:
            raise FileBackendError("FileSettings.Directory is empty")
        self.root = Path(directory).resolve()

    def _full(self, path: str) -> Path:
        check_path(path)
        full = (self.root / path).resolve()
        if self.root not in full.parents:
            raise InvalidPath(f"path {path!r} leaves the storage directory")
        return full

    def prune(self, directory: Path) -> None:
        """Remove now-empty directories from ``directory`` up to (not including) the root."""
        d = directory
        while d != self.root and self.root in d.parents:
            try:
                d.rmdir()
            except OSError:
                return
            d = d.parent

    async def test_connection(self, write: bool = True) -> None:
        # a local test file is cheap, and a full or read-only disk is what a health check should see
        def probe() -> None:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".chinwag-test-{new_id()}"
            probe.write_bytes(b"chinwag")
            if probe.read_bytes() != b"chinwag":
                raise OSError("read back different bytes")
            probe.unlink()

        try:
            await asyncio.to_thread(probe)
        except OSError as e:
            raise FileBackendError(f"cannot use directory {self.root}: {e.strerror or e}") from e

    async def open_read(self, path: str, offset: int = 0, length: int | None = None) -> LocalReadStream:
        full = self._full(path)

        def open_() -> tuple[BinaryIO, int]:
            fh = open(full, "rb")
            try:
                size = os.fstat(fh.fileno()).st_size
                if offset:
                    fh.seek(offset)
            except BaseException:
                fh.close()
                raise
            return fh, size

        try:
            fh, size = await asyncio.to_thread(open_)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise FileNotFound(path) from None
        except OSError as e:
            raise FileBackendError(f"cannot read {path}: {e.strerror or e}") from e
        start = min(max(offset, 0), size)
        n = size - start if length is None else max(0, min(length, size - start))
        return LocalReadStream(fh, size, start, n)

    async def read_file(self, path: str) -> bytes:
        stream = await self.open_read(path)
        return b"".join([c async for c in stream])

    async def exists(self, path: str) -> bool:
        full = self._full(path)
        return await asyncio.to_thread(full.is_file)

    async def size(self, path: str) -> int:
        full = self._full(path)
        try:
            st = await asyncio.to_thread(full.stat)
        except (FileNotFoundError, NotADirectoryError):
            raise FileNotFound(path) from None
        return st.st_size

    async def open_write(self, path: str, content_type: str = "") -> LocalWriter:
        target = self._full(path)
        tmp = target.parent / f".{new_id()}.part"

        def open_() -> BinaryIO:
            for _ in range(3):
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    return open(tmp, "xb")
                except FileNotFoundError:  # a concurrent prune removed the directory: retry
                    continue
            raise FileBackendError(f"cannot create {target.parent}")

        try:
            fh = await asyncio.to_thread(open_)
        except OSError as e:
            raise FileBackendError(f"cannot write {path}: {e.strerror or e}") from e
        return LocalWriter(self, target, tmp, fh)

    async def write_file(self, path: str, data: bytes, content_type: str = "") -> int:
        writer = await self.open_write(path, content_type)
        try:
            await writer.write(data)
        except BaseException:
            await writer.abort()
            raise
        return await writer.commit()

    async def remove(self, path: str) -> None:
        full = self._full(path)

        def rm() -> None:
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                full.unlink()
            self.prune(full.parent)

        try:
            await asyncio.to_thread(rm)
        except OSError as e:
            raise FileBackendError(f"cannot remove {path}: {e.strerror or e}") from e

    async def list_files(self, prefix: str = "") -> list[str]:
        p = check_prefix(prefix)
        base = self._full(p) if p else self.root

        def walk() -> list[str]:
            out: list[str] = []
            for dirpath, _dirs, files in os.walk(base):
                for f in files:
                    out.append(Path(dirpath, f).relative_to(self.root).as_posix())
            return sorted(out)

        return await asyncio.to_thread(walk)

    async def close(self) -> None:
        return None
