"""S3-compatible object storage (AWS S3, MinIO, Yandex Object Storage, …) over httpx.

Settings are Mattermost's FileSettings.AmazonS3*: Bucket, Endpoint (host[:port]), Region (found
with GetBucketLocation when empty), AccessKeyId/SecretAccessKey (else the AWS_* environment
variables, else anonymous), SSL, SSE (SSE-S3, AES256), PathPrefix, Trace (log every request),
RequestTimeoutMilliseconds. Requests are signed with SigV4 (sigv4.py); SignV2 is not supported.

Streaming both ways: a download is a ranged GET read chunk by chunk; an upload buffers one part
(8 MiB) and sends it with UploadPart while the next one fills (at most two parts in flight), so
memory stays bounded whatever the object's size. Objects smaller than one part use one PutObject.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlparse

import httpx
import structlog

from chinwag.config.schema import FileSettings
from chinwag.filestore import sigv4
from chinwag.filestore.base import READ_CHUNK, FileBackendError, FileNotFound, check_path, check_prefix
from chinwag.filestore.credentials import CredentialChain
from chinwag.model.ids import new_id

log = structlog.get_logger("chinwag.filestore.s3")

PART_SIZE = 8 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024
PARTS_IN_FLIGHT = 2


_SEND_SLICE = 1024 * 1024


async def _slices(data: bytes) -> AsyncIterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), _SEND_SLICE):
        yield view[start:start + _SEND_SLICE]  # type: ignore[misc]


class S3Error(FileBackendError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"S3 error {status} {code}: {message}".strip())
        self.status = status
        self.code = code


def _strip_ns(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_find(root: ET.Element, name: str) -> str:
    for el in root.iter():
        if _strip_ns(el.tag) == name:
            return el.text or ""
    return ""


def _error_of(resp: httpx.Response, body: bytes) -> S3Error:
    code, message = "", ""
    if body:
        with contextlib.suppress(ET.ParseError):
            root = ET.fromstring(body)
            code, message = _xml_find(root, "Code"), _xml_find(root, "Message")
    if not code:
        code = {403: "AccessDenied", 404: "NotFound"}.get(resp.status_code, "")
    return S3Error(resp.status_code, code, message or resp.reason_phrase)


class S3ReadStream:
    def __init__(self, resp: httpx.Response, size: int, offset: int, length: int) -> None:
        self._resp = resp
        self.size = size
        self.offset = offset
        self.length = length

    async def _chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._resp.aiter_bytes(READ_CHUNK):
                yield chunk
        except httpx.HTTPError as e:
            raise FileBackendError(f"S3 read failed: {e}") from e
        finally:
            await self.aclose()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def aclose(self) -> None:
        await self._resp.aclose()


class S3Writer:
    """Buffers a part; starts a multipart upload only once the object outgrows one part.

    Chunks are kept as they come and joined once per part (one allocation of ~part size); a part
    is sent in 1 MiB slices so the socket layer never copies the whole part into its own buffer."""

    def __init__(self, backend: S3Backend, key: str, content_type: str, part_size: int) -> None:
        self._b = backend
        self._key = key
        self._content_type = content_type
        self._part_size = part_size
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._upload_id = ""
        self._parts: list[tuple[int, str]] = []
        self._in_flight: list[asyncio.Task[tuple[int, str]]] = []
        self.written = 0
        self._done = False

    def _take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self._buffered = 0
        return data

    async def write(self, data: bytes) -> None:
        if self._done:
            raise FileBackendError("write after commit or abort")
        if not data:
            return
        self._chunks.append(bytes(data))
        self._buffered += len(data)
        self.written += len(data)
        if self._buffered >= self._part_size:
            await self._send_part(self._take())

    async def _send_part(self, data: bytes) -> None:
        if not self._upload_id:
            self._upload_id = await self._b._create_multipart(self._key, self._content_type)
        number = len(self._parts) + len(self._in_flight) + 1
        if len(self._in_flight) >= PARTS_IN_FLIGHT:
            self._parts.append(await self._in_flight.pop(0))
        self._in_flight.append(asyncio.create_task(self._b._upload_part(self._key, self._upload_id, number, data)))

    async def commit(self) -> int:
        if self._done:
            raise FileBackendError("commit after commit or abort")
        try:
            if not self._upload_id:
                await self._b._put(self._key, self._take(), self._content_type)
            else:
                if self._buffered or not (self._parts or self._in_flight):
                    await self._send_part(self._take())
                for task in self._in_flight:
                    self._parts.append(await task)
                self._in_flight.clear()
                await self._b._complete_multipart(self._key, self._upload_id, self._parts)
        except BaseException:
            await self.abort()
            raise
        self._done = True
        return self.written

    async def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._chunks.clear()
        for task in self._in_flight:
            task.cancel()
        for task in self._in_flight:
            with contextlib.suppress(BaseException):
                await task
        self._in_flight.clear()
        if self._upload_id:
            try:
                await self._b._abort_multipart(self._key, self._upload_id)
            except FileBackendError as e:
                log.warning("aborting a multipart upload failed", key=self._key, error=str(e))


def endpoint_url(settings: FileSettings) -> str:
    ep = (settings.AmazonS3Endpoint or "s3.amazonaws.com").strip().rstrip("/")
    if "://" in ep:
        u = urlparse(ep)
        return f"{u.scheme}://{u.netloc}"
    return f"{'https' if settings.AmazonS3SSL else 'http'}://{ep}"


class S3Backend:
    driver = "amazons3"

    def __init__(self, settings: FileSettings, *, part_size: int = PART_SIZE,
                 environ: Mapping[str, str] | None = None, credential_chain: CredentialChain | None = None) -> None:
        if not settings.AmazonS3Bucket:
            raise FileBackendError("FileSettings.AmazonS3Bucket is empty")
        if part_size < MIN_PART_SIZE:
            raise FileBackendError("S3 multipart parts must be at least 5 MiB")
        env = os.environ if environ is None else environ
        self.bucket = settings.AmazonS3Bucket
        self.prefix = check_prefix(settings.AmazonS3PathPrefix)
        self.base_url = endpoint_url(settings)
        host = urlparse(self.base_url).netloc
        # Virtual-hosted style for AWS (bucket names without dots), path style for everything else.
        self.virtual_host = host.endswith("amazonaws.com") and "." not in self.bucket
        self.host = f"{self.bucket}.{host}" if self.virtual_host else host
        #: the configured keys, else the standard AWS credential chain (credentials.py)
        self.credentials = credential_chain or CredentialChain(
            settings.AmazonS3AccessKeyId, settings.AmazonS3SecretAccessKey, environ=env)
        self.region = settings.AmazonS3Region
        self.sse = settings.AmazonS3SSE
        self.trace = settings.AmazonS3Trace
        self.sign_v2 = settings.AmazonS3SignV2
        self.part_size = part_size
        timeout = max(settings.AmazonS3RequestTimeoutMilliseconds, 1000) / 1000
        scheme = urlparse(self.base_url).scheme
        self._http = httpx.AsyncClient(
            base_url=f"{scheme}://{self.host}",
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
        )
        self._region_lock = asyncio.Lock()

    # request plumbing -----------------------------------------------------------------------

    def key(self, path: str) -> str:
        check_path(path)
        return f"{self.prefix}/{path}" if self.prefix else path

    def _path(self, key: str = "") -> str:
        if self.virtual_host:
            return "/" + key
        return f"/{self.bucket}/{key}" if key else f"/{self.bucket}"

    async def _region_for_signing(self) -> str:
        if self.region:
            return self.region
        async with self._region_lock:
            if not self.region:
                self.region = await self._discover_region()
        return self.region

    async def _discover_region(self) -> str:
        try:
            resp = await self._send("GET", self._path(), {"location": ""}, region="us-east-1")
        except FileBackendError:
            return "us-east-1"
        body = await resp.aread()
        if resp.status_code != 200:
            return "us-east-1"
        with contextlib.suppress(ET.ParseError):
            loc = _xml_find(ET.fromstring(body), "LocationConstraint")
            if loc and loc != "EU":
                return loc
            if loc == "EU":
                return "eu-west-1"
        return "us-east-1"

    async def _send(self, method: str, path: str, query: Mapping[str, str] | None = None,
                    body: bytes = b"", headers: Mapping[str, str] | None = None, *,
                    stream: bool = False, region: str = "") -> httpx.Response:
        if self.sign_v2:
            raise FileBackendError("AmazonS3SignV2 is not supported; use Signature Version 4")
        q = dict(query or {})
        hdrs = dict(headers or {})
        creds = await self.credentials.get()
        if creds is not None:
            payload_hash = hashlib.sha256(body).hexdigest() if body else sigv4.EMPTY_SHA256
            if len(body) > 1024 * 1024:
                payload_hash = await asyncio.to_thread(lambda: hashlib.sha256(body).hexdigest())
            hdrs.update(sigv4.sign(
                method, self.host, path, q, {k: v for k, v in hdrs.items() if k.lower().startswith("x-amz-")},
                payload_hash, access_key=creds.access_key, secret_key=creds.secret_key,
                region=region or await self._region_for_signing(), session_token=creds.session_token))
        url = sigv4.uri_encode(path, keep_slash=True)
        if q:
            url += "?" + sigv4.canonical_query(q)
        content: bytes | AsyncIterator[bytes] | None = body or None
        if len(body) > _SEND_SLICE:
            hdrs["Content-Length"] = str(len(body))
            content = _slices(body)
        request = self._http.build_request(method, url, content=content, headers=hdrs)
        if self.trace:
            log.info("s3 request", method=method, path=path, query=q, bytes=len(body))
        try:
            resp = await self._http.send(request, stream=stream)
        except httpx.HTTPError as e:
            raise FileBackendError(f"cannot reach S3 at {self.base_url}: {e.__class__.__name__}: {e}") from e
        if self.trace:
            log.info("s3 response", method=method, path=path, status=resp.status_code)
        return resp

    async def _call(self, method: str, path: str, query: Mapping[str, str] | None = None,
                    body: bytes = b"", headers: Mapping[str, str] | None = None,
                    ok: tuple[int, ...] = (200,)) -> tuple[httpx.Response, bytes]:
        resp = await self._send(method, path, query, body, headers)
        data = resp.content
        if resp.status_code not in ok:
            raise _error_of(resp, data)
        return resp, data

    def _write_headers(self, content_type: str) -> dict[str, str]:
        h: dict[str, str] = {}
        if content_type:
            h["Content-Type"] = content_type
        if self.sse:
            h["x-amz-server-side-encryption"] = "AES256"
        return h

    async def _put(self, key: str, data: bytes, content_type: str) -> None:
        await self._call("PUT", self._path(key), body=data, headers=self._write_headers(content_type))

    async def _create_multipart(self, key: str, content_type: str) -> str:
        _, body = await self._call("POST", self._path(key), {"uploads": ""},
                                   headers=self._write_headers(content_type))
        upload_id = _xml_find(ET.fromstring(body), "UploadId")
        if not upload_id:
            raise FileBackendError("S3 did not return an UploadId")
        return upload_id

    async def _upload_part(self, key: str, upload_id: str, number: int, data: bytes) -> tuple[int, str]:
        resp, _ = await self._call("PUT", self._path(key), {"partNumber": str(number), "uploadId": upload_id},
                                   body=data)
        return number, resp.headers.get("etag", "")

    async def _complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        xml = "".join(f"<Part><PartNumber>{n}</PartNumber><ETag>{etag}</ETag></Part>"
                      for n, etag in sorted(parts))
        body = f"<CompleteMultipartUpload>{xml}</CompleteMultipartUpload>".encode()
        resp, data = await self._call("POST", self._path(key), {"uploadId": upload_id}, body=body,
                                      headers={"Content-Type": "application/xml"})
        # S3 may answer 200 and still report an error in the body.
        if b"<Error>" in data:
            raise _error_of(resp, data)

    async def _abort_multipart(self, key: str, upload_id: str) -> None:
        await self._call("DELETE", self._path(key), {"uploadId": upload_id}, ok=(200, 204, 404))

    # the FileBackend protocol -----------------------------------------------------------------

    async def test_connection(self, write: bool = True) -> None:
        resp = await self._send("HEAD", self._path())
        await resp.aclose()
        if resp.status_code == 404:
            raise FileBackendError(f"bucket {self.bucket!r} does not exist")
        if resp.status_code in (401, 403):
            raise FileBackendError(f"access to bucket {self.bucket!r} denied: check the access key and secret")
        if resp.status_code != 200:
            raise FileBackendError(f"bucket {self.bucket!r}: unexpected status {resp.status_code}")
        if not write:
            return
        probe = f"chinwag-test-{new_id()}"
        await self.write_file(probe, b"chinwag", "text/plain")
        try:
            if await self.read_file(probe) != b"chinwag":
                raise FileBackendError("a test object read back different bytes")
        finally:
            await self.remove(probe)

    async def open_read(self, path: str, offset: int = 0, length: int | None = None) -> S3ReadStream:
        headers: dict[str, str] = {}
        if offset > 0 or length is not None:
            if length is not None and length <= 0:
                size = await self.size(path)
                return S3ReadStream(httpx.Response(200, content=b""), size, min(offset, size), 0)
            end = "" if length is None else str(offset + length - 1)
            headers["Range"] = f"bytes={offset}-{end}"
        resp = await self._send("GET", self._path(self.key(path)), headers=headers, stream=True)
        if resp.status_code == 416:
            await resp.aclose()
            size = await self.size(path)
            return S3ReadStream(httpx.Response(200, content=b""), size, size, 0)
        if resp.status_code not in (200, 206):
            body = await resp.aread()
            await resp.aclose()
            if resp.status_code == 404:
                raise FileNotFound(path)
            raise _error_of(resp, body)
        n = int(resp.headers.get("content-length", "0"))
        if resp.status_code == 206:
            total = resp.headers.get("content-range", "").rpartition("/")[2]
            size = int(total) if total.isdigit() else offset + n
            return S3ReadStream(resp, size, offset, n)
        return S3ReadStream(resp, n, 0, n)

    async def read_file(self, path: str) -> bytes:
        stream = await self.open_read(path)
        return b"".join([c async for c in stream])

    async def _head(self, path: str) -> httpx.Response | None:
        resp = await self._send("HEAD", self._path(self.key(path)))
        await resp.aclose()
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise _error_of(resp, b"")
        return resp

    async def exists(self, path: str) -> bool:
        return await self._head(path) is not None

    async def size(self, path: str) -> int:
        resp = await self._head(path)
        if resp is None:
            raise FileNotFound(path)
        return int(resp.headers.get("content-length", "0"))

    async def open_write(self, path: str, content_type: str = "") -> S3Writer:
        return S3Writer(self, self.key(path), content_type, self.part_size)

    async def write_file(self, path: str, data: bytes, content_type: str = "") -> int:
        writer = await self.open_write(path, content_type)
        await writer.write(data)
        return await writer.commit()

    async def remove(self, path: str) -> None:
        await self._call("DELETE", self._path(self.key(path)), ok=(200, 204, 404))

    async def list_files(self, prefix: str = "") -> list[str]:
        p = check_prefix(prefix)
        full = "/".join(x for x in (self.prefix, p) if x)
        if full:
            full += "/"
        out: list[str] = []
        token = ""
        while True:
            q = {"list-type": "2", "prefix": full}
            if token:
                q["continuation-token"] = token
            _, body = await self._call("GET", self._path(), q)
            root = ET.fromstring(body)
            for el in root.iter():
                if _strip_ns(el.tag) == "Contents":
                    key = next((c.text or "" for c in el if _strip_ns(c.tag) == "Key"), "")
                    out.append(key[len(self.prefix) + 1:] if self.prefix else key)
            truncated = _xml_find(root, "IsTruncated") == "true"
            token = _xml_find(root, "NextContinuationToken")
            if not truncated or not token:
                return sorted(out)

    async def create_bucket(self) -> None:
        """Create the bucket (for tests, benchmarks and first-time setup); an existing one is fine."""
        region = await self._region_for_signing() if self.region else "us-east-1"
        body = b""
        if region != "us-east-1":
            body = (f"<CreateBucketConfiguration><LocationConstraint>{region}</LocationConstraint>"
                    "</CreateBucketConfiguration>").encode()
        await self._call("PUT", self._path(), body=body, ok=(200, 409))

    async def close(self) -> None:
        await self._http.aclose()
        await self.credentials.aclose()

    def describe(self) -> dict[str, Any]:
        creds = self.credentials.current
        return {"bucket": self.bucket, "endpoint": self.base_url, "region": self.region or "(auto)",
                "path_prefix": self.prefix, "sse": self.sse,
                "credentials": creds.source if creds is not None else "none (unsigned requests)"}
