"""The file store backends, local disk and S3 (a real S3 HTTP server on loopback: moto), through the
same Protocol: streaming writes and reads, ranges, abort, paths that cannot escape."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import pytest

from chinwag.filestore import sigv4
from chinwag.filestore.base import FileBackend, FileBackendError, FileNotFound, InvalidPath, check_path
from chinwag.filestore.s3 import S3Backend
from tests.files_support import *  # noqa: F403
from tests.files_support import S3_KEY, S3_SECRET, new_bucket, random_bytes, s3_settings


async def test_write_read_exists_size_remove(backend: FileBackend) -> None:
    data = b"hello, files"
    assert await backend.write_file("20240101/a/b/hello.txt", data, "text/plain") == len(data)
    assert await backend.exists("20240101/a/b/hello.txt")
    assert await backend.size("20240101/a/b/hello.txt") == len(data)
    assert await backend.read_file("20240101/a/b/hello.txt") == data
    assert await backend.list_files() == ["20240101/a/b/hello.txt"]
    assert await backend.list_files("20240101/a") == ["20240101/a/b/hello.txt"]
    assert await backend.list_files("other") == []
    await backend.remove("20240101/a/b/hello.txt")
    assert not await backend.exists("20240101/a/b/hello.txt")
    assert await backend.list_files() == []
    await backend.remove("20240101/a/b/hello.txt")  # a missing object is not an error
    with pytest.raises(FileNotFound):
        await backend.open_read("20240101/a/b/hello.txt")
    with pytest.raises(FileNotFound):
        await backend.size("nope/x")


async def test_range_reads(backend: FileBackend) -> None:
    data = bytes(range(256)) * 40
    await backend.write_file("r/data.bin", data)
    stream = await backend.open_read("r/data.bin", 100, 50)
    assert (stream.size, stream.offset, stream.length) == (len(data), 100, 50)
    assert b"".join([c async for c in stream]) == data[100:150]
    stream = await backend.open_read("r/data.bin", len(data) - 10)
    assert b"".join([c async for c in stream]) == data[-10:]
    stream = await backend.open_read("r/data.bin", 0, len(data) * 2)
    assert b"".join([c async for c in stream]) == data
    stream = await backend.open_read("r/data.bin", len(data) + 5)
    assert stream.length == 0 and b"".join([c async for c in stream]) == b""


async def test_streaming_write_in_parts(backend: FileBackend) -> None:
    """12 MiB in 64 KiB chunks: three multipart parts on S3 (5 MiB parts)."""
    writer = await backend.open_write("big/blob.bin")
    digest = hashlib.sha256()
    for _ in range(192):
        chunk = random_bytes(64 * 1024)
        digest.update(chunk)
        await writer.write(chunk)
    assert not await backend.exists("big/blob.bin")  # invisible until committed
    assert await writer.commit() == 12 * 1024 * 1024
    assert await backend.size("big/blob.bin") == 12 * 1024 * 1024
    read = hashlib.sha256()
    async for chunk in await backend.open_read("big/blob.bin"):
        read.update(chunk)
    assert read.hexdigest() == digest.hexdigest()


async def test_abort_leaves_nothing(backend: FileBackend) -> None:
    writer = await backend.open_write("20240101/teams/t/channels/c/users/u/f/part.bin")
    for _ in range(7):  # 7 MiB: a multipart upload is under way on S3
        await writer.write(random_bytes(1024 * 1024))
    await writer.abort()
    assert await backend.list_files() == []
    if isinstance(backend, S3Backend):
        _, body = await backend._call("GET", backend._path(), {"uploads": ""})
        uploads = [el for el in ET.fromstring(body).iter() if el.tag.endswith("Upload")]
        assert uploads == []


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../b", "a//b", "a\\b", "./a", "a/\x00b", ""])
async def test_paths_cannot_escape(backend: FileBackend, bad: str) -> None:
    with pytest.raises(InvalidPath):
        await backend.write_file(bad, b"x")
    with pytest.raises(InvalidPath):
        await backend.open_read(bad)
    assert await backend.list_files() == []


def test_check_path_accepts_ordinary_names() -> None:
    assert check_path("20240101/teams/noteam/channels/c/users/u/id/résumé final.v2.pdf")


async def test_connection(backend: FileBackend) -> None:
    await backend.test_connection()
    assert await backend.list_files() == []  # the probe object is cleaned up


async def test_s3_health_check_writes_nothing(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The readiness probe's check (write=False) is one request for the bucket, no test object."""
    s3 = S3Backend(s3_settings(moto_endpoint, new_bucket()))
    await s3.create_bucket()
    sent: list[str] = []
    send = s3._send

    async def counting(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(method)
        return await send(method, path, *args, **kwargs)

    monkeypatch.setattr(s3, "_send", counting)
    await s3.test_connection(write=False)
    assert sent == ["HEAD"]
    await s3.test_connection()
    assert {"PUT", "GET", "DELETE"} <= set(sent)  # the full check, as `chinwag file test` runs it
    await s3.close()


async def test_s3_missing_bucket_and_unreachable(moto_endpoint: str) -> None:
    missing = S3Backend(s3_settings(moto_endpoint, new_bucket()))
    with pytest.raises(FileBackendError, match="does not exist"):
        await missing.test_connection()
    await missing.close()
    unreachable = S3Backend(s3_settings("127.0.0.1:1", "bucket", AmazonS3RequestTimeoutMilliseconds=2000))
    with pytest.raises(FileBackendError, match="cannot reach"):
        await unreachable.test_connection()
    await unreachable.close()


async def test_s3_path_prefix_and_region_discovery(moto_endpoint: str) -> None:
    bucket = new_bucket()
    b = S3Backend(s3_settings(moto_endpoint, bucket, AmazonS3PathPrefix="/tenant-a/", AmazonS3Region=""))
    await b.create_bucket()
    await b.write_file("x/y.txt", b"1")
    assert await b.list_files() == ["x/y.txt"]
    assert b.region == "us-east-1"
    raw = S3Backend(s3_settings(moto_endpoint, bucket))
    assert await raw.list_files() == ["tenant-a/x/y.txt"]
    await b.close()
    await raw.close()


def test_sigv4_published_example() -> None:
    """AWS's documented GET Object example (Signature Version 4, header-based)."""
    headers = sigv4.sign("GET", "examplebucket.s3.amazonaws.com", "/test.txt", {}, {"Range": "bytes=0-9"},
                         sigv4.EMPTY_SHA256, access_key=S3_KEY, secret_key=S3_SECRET, region="us-east-1",
                         now=datetime(2013, 5, 24, tzinfo=UTC))
    assert headers["Authorization"].endswith(
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")


def test_sigv4_matches_botocore() -> None:
    """Same signature as botocore for a request with a query, an encoded key and a body."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = b"part bytes"
    url = "http://127.0.0.1:9000/bucket/a%20b/%C3%A9t%C3%A9.txt?partNumber=3&uploadId=x%2By"
    req = AWSRequest(method="PUT", url=url, data=body,
                     headers={"X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()})
    S3SigV4Auth(Credentials(S3_KEY, S3_SECRET), "s3", "eu-west-3").add_auth(req)
    when = datetime.strptime(req.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    ours = sigv4.sign("PUT", "127.0.0.1:9000", "/bucket/a b/été.txt", {"partNumber": "3", "uploadId": "x+y"}, {},
                      hashlib.sha256(body).hexdigest(), access_key=S3_KEY, secret_key=S3_SECRET,
                      region="eu-west-3", now=when)
    assert ours["Authorization"] == req.headers["Authorization"]
