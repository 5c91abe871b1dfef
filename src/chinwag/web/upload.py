"""POST /files bodies, read as a stream: multipart/form-data (repeated ``files``, ``client_ids`` and
``channel_id``) or the raw file with ``?channel_id=&filename=``.

The body never sits in memory: multipart is parsed incrementally (python-multipart's push parser)
and each file part is handed to the file service as an async stream of chunks. Like Mattermost,
files that arrive before ``channel_id`` are spooled to a temporary file until the channel is known.
The JSON body cap (ServiceSettings.MaximumPayloadSizeBytes) does not apply here; the file service
enforces FileSettings.MaxFileSize per file while the bytes stream in.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import IO, Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from chinwag.app.file import too_large
from chinwag.model.errors import AppError, invalid_param, invalid_url_param
from chinwag.model.file import FileInfo, FileUploadResponse
from chinwag.web.handler import HandlerContext

MAX_FORM_VALUE = 10 * 1024
#: after a refused upload, read (and drop) at most this much more of the body so the client sees the
#: error response instead of a reset connection
DRAIN_LIMIT = 64 * 1024 * 1024
_SPOOL_MEMORY = 1024 * 1024


def read_request_error(detail: str) -> AppError:
    return AppError("uploadFileStream", "api.file.upload_file.read_request.app_error",
                    "Unable to upload file(s). Error reading or parsing request data.", 400, detail)


@dataclass
class PartStart:
    name: str
    filename: str | None


@dataclass
class PartData:
    data: bytes


class PartEnd:
    pass


Event = PartStart | PartData | PartEnd


async def multipart_events(request: Request) -> AsyncGenerator[Event, None]:
    """The body as a flat stream of part-start / data / part-end events."""
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise read_request_error("missing multipart boundary")
    events: list[Event] = []
    headers: dict[bytes, bytes] = {}
    field, value = bytearray(), bytearray()

    def on_part_begin() -> None:
        headers.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(field).lower()] = bytes(value)
        field.clear()
        value.clear()

    def on_headers_finished() -> None:
        _, opts = parse_options_header(headers.get(b"content-disposition", b""))
        name = opts.get(b"name", b"").decode("utf-8", "replace")
        filename = opts.get(b"filename")
        events.append(PartStart(name, filename.decode("utf-8", "replace") if filename is not None else None))

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if end > start:
            events.append(PartData(data[start:end]))

    def on_part_end() -> None:
        events.append(PartEnd())

    callbacks: Any = {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished, "on_part_data": on_part_data, "on_part_end": on_part_end,
    }
    parser = MultipartParser(boundary, callbacks)
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            for ev in events:
                yield ev
            events.clear()
        parser.finalize()
    except MultipartParseError as e:
        raise read_request_error(str(e)) from None
    for ev in events:
        yield ev


async def _part_body(events: AsyncIterator[Event]) -> AsyncIterator[bytes]:
    """The data of the current part, pulled from the shared event stream up to its end."""
    async for ev in events:
        if isinstance(ev, PartData):
            yield ev.data
        elif isinstance(ev, PartEnd):
            return
    raise read_request_error("the request body ended inside a part")


async def _read_value(events: AsyncIterator[Event], name: str) -> str:
    buf = bytearray()
    async for chunk in _part_body(events):
        buf += chunk
        if len(buf) > MAX_FORM_VALUE:
            raise AppError("uploadFileMultipart", "api.file.upload_file.read_form_value.app_error",
                           "Unable to upload file(s). Error reading the value for {Name}.", 400,
                           params={"Name": name})
    return buf.decode("utf-8", "replace")


async def _spool(events: AsyncIterator[Event], name: str, limit: int) -> IO[bytes]:
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MEMORY)
    size = 0
    try:
        async for chunk in _part_body(events):
            size += len(chunk)
            if size > limit:
                raise too_large(name, size, limit)
            await asyncio.to_thread(spool.write, chunk) if size > _SPOOL_MEMORY else spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


async def _from_spool(spool: IO[bytes]) -> AsyncIterator[bytes]:
    while chunk := await asyncio.to_thread(spool.read, 1024 * 1024):
        yield chunk


class MultipartUpload:
    """One multipart POST /files: fields and files in any order, files streamed once the channel
    is known, and every upload of the request undone if a later part fails."""

    def __init__(self, w: HandlerContext) -> None:
        self.w = w
        self.files = w.app.files
        self.channel_id = w.query("channel_id")
        self.channel: Any = None
        self.client_ids: list[str] = []
        self.infos: list[FileInfo] = []
        self.pending: list[tuple[str, IO[bytes]]] = []

    async def run(self) -> FileUploadResponse:
        events = multipart_events(self.w.request)
        try:
            async for ev in events:
                if not isinstance(ev, PartStart) or not ev.name:
                    continue
                if ev.filename is None:
                    await self._field(ev.name, await _read_value(events, ev.name))
                elif self.channel is None and not self.channel_id:
                    limit = self.w.app.config.effective.FileSettings.MaxFileSize
                    self.pending.append((ev.filename, await _spool(events, ev.filename, limit)))
                else:
                    await self._start()
                    self.infos.append(await self.files.upload(self.w.ctx, self.channel, ev.filename,
                                                              _part_body(events)))
            if not self.channel_id:
                raise invalid_param("uploadFileMultipart", "channel_id")
            await self._start()
            if self.client_ids and len(self.client_ids) != len(self.infos):
                raise AppError("uploadFileMultipart",
                               "api.file.upload_file.incorrect_number_of_client_ids.app_error",
                               "Unable to upload file(s). Have {NumClientIds} client_ids for {NumFiles} files.", 400,
                               params={"NumClientIds": len(self.client_ids), "NumFiles": len(self.infos)})
        except BaseException:
            await events.aclose()
            await self.files.discard(self.infos)
            raise
        finally:
            for _, spool in self.pending:
                spool.close()
        return FileUploadResponse(file_infos=self.infos, client_ids=self.client_ids)

    async def _field(self, name: str, value: str) -> None:
        if name == "channel_id":
            if self.channel_id and value and value != self.channel_id:
                raise AppError("uploadFileMultipart", "api.file.upload_file.multiple_channel_ids.app_error",
                               "Unable to upload file(s). Multiple conflicting channel_ids.", 400)
            self.channel_id = value or self.channel_id
            if self.channel_id:
                await self._start()
        elif name == "client_ids":
            self.client_ids.append(value)
        else:
            raise invalid_param("uploadFileMultipart", name)

    async def _start(self) -> None:
        """Check the channel once it is known, then upload the files spooled before it."""
        if self.channel is None:
            self.channel = await self.files.upload_target(self.w.ctx, self.channel_id)
        while self.pending:
            name, spool = self.pending.pop(0)
            try:
                self.infos.append(await self.files.upload(self.w.ctx, self.channel, name, _from_spool(spool)))
            finally:
                spool.close()


async def upload_simple(w: HandlerContext) -> FileUploadResponse:
    """The raw-body variant: POST /files?channel_id=…&filename=…[&client_id=…]."""
    channel_id, filename, client_id = w.query("channel_id"), w.query("filename"), w.query("client_id")
    if not channel_id:
        raise invalid_url_param("uploadFileSimple", "channel_id")
    if not filename:
        raise invalid_url_param("uploadFileSimple", "filename")
    channel = await w.app.files.upload_target(w.ctx, channel_id)
    length = content_length(w.request)
    info = await w.app.files.upload(w.ctx, channel, filename, w.request.stream(), content_length=length)
    return FileUploadResponse(file_infos=[info], client_ids=[client_id] if client_id else [])


def content_length(request: Request) -> int:
    try:
        return int(request.headers.get("content-length", "-1"))
    except ValueError:
        return -1


async def drain(request: Request, limit: int = DRAIN_LIMIT) -> None:
    """Read and drop what is left of a refused request body (bounded)."""
    # Starlette marks the stream consumed once the last body message arrived: nothing left to drop.
    if request.scope.get("chinwag.drained") or getattr(request, "_stream_consumed", True):
        return
    if request.headers.get("expect", "").lower() == "100-continue":
        return  # such a client waits for our answer before sending (more of) the body
    request.scope["chinwag.drained"] = True
    received = 0
    try:
        while received <= limit:
            message = await request.receive()
            if message["type"] != "http.request":
                return
            received += len(message.get("body", b""))
            if not message.get("more_body", False):
                return
    except (ClientDisconnect, RuntimeError, OSError):
        return


async def upload_files(w: HandlerContext) -> FileUploadResponse:
    """Dispatch on the content type; on failure drain the body so the client reads the error."""
    if content_length(w.request) == 0:
        raise read_request_error("Content-Length should not be 0")
    ctype, _ = parse_options_header(w.request.headers.get("content-type", ""))
    try:
        if ctype == b"multipart/form-data":
            return await MultipartUpload(w).run()
        return await upload_simple(w)
    except AppError:
        await drain(w.request)
        raise
