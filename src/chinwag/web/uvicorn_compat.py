"""The uvicorn versions ``web/ws_protocol.py`` is known to work with.

``LeanWebSocketProtocol`` subclasses uvicorn's *private* ``WebSocketsSansIOProtocol`` and relies on its
internals (``queue``, ``writable``, ``conn``, ``handshake_complete``, ``close_sent``, ``initial_response``,
``request``/``response``). Those change without notice between uvicorn releases, so a version nobody
checked is refused when the server starts (and when the protocol module is imported), with a message
that says what to install, instead of failing later on a live connection. ``web/http_protocol.py``
(``OneWriteHttpProtocol``) likewise relies on the httptools protocol's ``RequestResponseCycle`` (its
``transport``, ``waiting_for_100_continue``) and ``_start_asgi_task``. After checking a new
uvicorn (``tests/ws/`` and ``tests/unit/test_http_protocol.py`` pass), add its ``major.minor`` here and move the pin in pyproject.toml."""

from __future__ import annotations

#: uvicorn ``major.minor`` releases the protocol subclass has been tested with
SUPPORTED_UVICORN = ("0.54",)


class UnsupportedUvicorn(RuntimeError):
    pass


def check_uvicorn(version: str | None = None) -> None:
    """Raise :class:`UnsupportedUvicorn` unless ``version`` (default: the installed uvicorn's) is one
    the WebSocket protocol subclass supports."""
    if version is None:
        import uvicorn

        version = str(uvicorn.__version__)
    if ".".join(version.split(".")[:2]) not in SUPPORTED_UVICORN:
        raise UnsupportedUvicorn(
            f"uvicorn {version} is installed, but chinwag's WebSocket protocol (chinwag/web/ws_protocol.py) "
            f"builds on uvicorn internals checked only with uvicorn {', '.join(v + '.x' for v in SUPPORTED_UVICORN)}. "
            f"Install the version chinwag pins (pip install 'uvicorn[standard]==0.54.0')."
        )
