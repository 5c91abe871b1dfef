"""Fixtures for file tests: a real S3-compatible HTTP server on loopback (moto in server mode), file
store backends of both kinds, and an API server parametrised by file backend.

Import the fixtures into a test module with ``from tests.files_support import *  # noqa: F403``.
"""

from __future__ import annotations

import io
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from PIL import Image

from chinwag.config.schema import FileSettings
from chinwag.filestore.base import FileBackend
from chinwag.filestore.local import LocalBackend
from chinwag.filestore.s3 import S3Backend
from chinwag.server import Server
from tests.conftest import World, running_server

S3_KEY = "AKIAIOSFODNN7EXAMPLE"
S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
FILE_BACKENDS = ["local", "s3"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """host:port of a moto S3 server started for this test session."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop()


def s3_settings(endpoint: str, bucket: str, **kw: Any) -> FileSettings:
    settings: dict[str, Any] = {
        "DriverName": "amazons3", "AmazonS3Endpoint": endpoint, "AmazonS3Bucket": bucket,
        "AmazonS3AccessKeyId": S3_KEY, "AmazonS3SecretAccessKey": S3_SECRET, "AmazonS3Region": "us-east-1",
        "AmazonS3SSL": False, **kw}
    return FileSettings(**settings)


def s3_env(endpoint: str, bucket: str, prefix: str = "") -> dict[str, str]:
    return {
        "MM_FILESETTINGS_DRIVERNAME": "amazons3",
        "MM_FILESETTINGS_AMAZONS3ENDPOINT": endpoint,
        "MM_FILESETTINGS_AMAZONS3BUCKET": bucket,
        "MM_FILESETTINGS_AMAZONS3ACCESSKEYID": S3_KEY,
        "MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY": S3_SECRET,
        "MM_FILESETTINGS_AMAZONS3REGION": "us-east-1",
        "MM_FILESETTINGS_AMAZONS3SSL": "false",
        "MM_FILESETTINGS_AMAZONS3PATHPREFIX": prefix,
    }


def new_bucket() -> str:
    return f"chinwag-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=FILE_BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[FileBackend]:
    """A bare file store of each kind (the S3 one in a fresh bucket, 5 MiB parts)."""
    b: FileBackend
    if request.param == "local":
        b = LocalBackend(str(tmp_path / "files"))
    else:
        endpoint = request.getfixturevalue("moto_endpoint")
        s3 = S3Backend(s3_settings(endpoint, new_bucket()), part_size=5 * 1024 * 1024)
        await s3.create_bucket()
        b = s3
    yield b
    await b.close()


@pytest.fixture(params=FILE_BACKENDS)
async def file_server(request: pytest.FixtureRequest, database: Any, tmp_path: Any) -> AsyncIterator[Server]:
    """The in-process API server on each database, with local files or S3 (moto)."""
    overrides: dict[str, str] = {}
    if request.param == "s3":
        endpoint = request.getfixturevalue("moto_endpoint")
        bucket = new_bucket()
        overrides = s3_env(endpoint, bucket, prefix="data")
        probe = S3Backend(s3_settings(endpoint, bucket))
        await probe.create_bucket()
        await probe.close()
    async with running_server(database, str(tmp_path), **overrides) as srv:
        yield srv


@pytest.fixture
async def fworld(file_server: Server) -> AsyncIterator[World]:
    w = World(file_server)
    yield w
    await w.aclose()


def png_bytes(width: int, height: int, color: tuple[int, int, int] = (200, 30, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color if mode == "RGB" else (*color, 128)).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(width: int, height: int, orientation: int = 1) -> bytes:
    img = Image.new("RGB", (width, height), (10, 120, 200))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels but carries almost no image data: what a
    decompression bomb looks like to a decoder that trusts the header."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def random_bytes(n: int) -> bytes:
    return os.urandom(n)
