"""JSON responses with exactly ``Content-Type: application/json``."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from chinwag.model.wire import encode

JSON = "application/json"


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(encode(data), status_code=status, headers=headers, media_type=JSON)


def ok(status: int = 200) -> Response:
    return Response(b'{"status":"OK"}', status_code=status, media_type=JSON)
