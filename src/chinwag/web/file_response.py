"""Sending a stored file: safe headers, inline-or-attachment, HTTP range requests, streaming.

Only types a browser shows as passive media (images, audio, video: app.file_sniff.INLINE_TYPES) are
sent inline, and ``?download=true`` makes even those an attachment. Everything else (HTML, SVG, XML,
scripts, PDFs, archives…) is an attachment with ``X-Content-Type-Options: nosniff`` and a sandboxing
Content-Security-Policy, so an uploaded file can never run script in the server's origin.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from email.utils import formatdate

from starlette.responses import Response, StreamingResponse

from chinwag.app.file import FileContent
from chinwag.app.file_sniff import content_disposition, is_inline_safe
from chinwag.web.handler import HandlerContext

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(start, end inclusive) for a single satisfiable range; None to ignore the header (absent,
    malformed, or several ranges); False when it cannot be satisfied (416)."""
    m = _RANGE.match(header.strip().replace(" ", ""))
    if not m or (not m.group(1) and not m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if not first:  # suffix: the last N bytes
        n = int(last)
        if n == 0:
            return False
        return (max(0, size - n), size - 1) if size else False
    start = int(first)
    if start >= size:
        return False
    end = int(last) if last else size - 1
    if end < start:
        return None
    return start, min(end, size - 1)


def _headers(w: HandlerContext, content: FileContent, force_download: bool) -> dict[str, str]:
    mime = content.content_type or "application/octet-stream"
    inline = is_inline_safe(mime) and not force_download
    return {
        "Content-Type": mime,
        "Content-Disposition": content_disposition(content.info.name, inline),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
        "Cache-Control": "private, no-cache",
        "Last-Modified": formatdate(content.info.update_at / 1000, usegmt=True),
        "Accept-Ranges": "bytes",
    }


async def file_response(w: HandlerContext, content: FileContent, *, force_download: bool = False) -> Response:
    headers = _headers(w, content, force_download)
    status, offset, length = 200, 0, None
    range_header = w.request.headers.get("range", "")
    if_range = w.request.headers.get("if-range", "")
    if range_header and content.size is not None and (not if_range or if_range == headers["Last-Modified"]):
        r = parse_range(range_header, content.size)
        if r is False:
            return Response(b"invalid range: failed to overlap", 416, media_type="text/plain",
                            headers={"Content-Range": f"bytes */{content.size}", "Accept-Ranges": "bytes",
                                     "X-Content-Type-Options": "nosniff"})
        if isinstance(r, tuple):
            status, offset, length = 206, r[0], r[1] - r[0] + 1
            headers["Content-Range"] = f"bytes {r[0]}-{r[1]}/{content.size}"
    stream = await w.app.files.open_stream(content, offset, length)
    headers["Content-Length"] = str(stream.length)
    if w.request.method == "HEAD":
        await stream.aclose()
        return Response(b"", status, headers=headers)

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in stream:
                yield chunk
        finally:
            await stream.aclose()

    return StreamingResponse(body(), status_code=status, headers=headers)
