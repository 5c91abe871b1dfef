"""/api/v4/websocket: Mattermost's WebSocket protocol.

Authentication by cookie/Authorization on the upgrade or by ``authentication_challenge``; ``hello``
first with seq 0 (before the challenge's OK reply); actions answered with ``seq_reply``; resume
with ``connection_id`` and ``sequence_number`` (no hello when it resumes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import msgspec
import structlog
from starlette.websockets import WebSocket, WebSocketDisconnect

from chinwag.app.app import App
from chinwag.app.context import Ctx
from chinwag.app.failures import OutageLog, failure_error
from chinwag.model.errors import AppError
from chinwag.model.ids import new_id, now_ms
from chinwag.model.user import Session
from chinwag.platform.hub import Conn, Hub
from chinwag.web.auth import token_from_request
from chinwag.web.origin import origin_allowed
from chinwag.web.ws_protocol import LeanWebSocketProtocol

log = structlog.get_logger("chinwag.web.websocket")
_outage_log = OutageLog()

AUTH_TIMEOUT = 5.0
MAX_FRAME = 8 * 1024


def _reply(seq: int, data: dict[str, Any] | None = None) -> str:
    body: dict[str, Any] = {"status": "OK", "seq_reply": seq}
    if data is not None:
        body["data"] = data
    return json.dumps(body, separators=(",", ":"))


def _fail(seq: int, err: AppError) -> str:
    return json.dumps({"status": "FAIL", "seq_reply": seq,
                       "error": {"id": err.id, "message": err.message, "detailed_error": "",
                                 "request_id": "", "status_code": err.status_code}}, separators=(",", ":"))


class Socket:
    def __init__(self, ws: WebSocket, app: App, hub: Hub, server_version: str,
                 send_now: Callable[[str], bool] | None = None,
                 send_frame: Callable[[bytes, bytes], bool] | None = None) -> None:
        self.ws = ws
        self.send_now = send_now
        self.send_frame = send_frame
        self.app = app
        self.hub = hub
        self.server_version = server_version
        self.session: Session | None = None
        self.conn: Conn | None = None
        self.closing = False

    async def send(self, text: str) -> None:
        """Raw send; once registered, everything goes through the connection's single writer."""
        await self.ws.send_text(text)

    async def respond(self, text: str) -> None:
        if self.conn is not None:
            self.conn.reply(text)  # in order with the events (after the hello or the replay)
        else:
            await self.send(text)

    def overflow(self) -> None:
        """The connection fell too far behind, broke, or its session ended: close it."""
        if not self.closing:
            self.closing = True
            self.hub.spawn(self._close(1011))

    async def _close(self, code: int) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close(code)

    async def authenticate(self, session: Session) -> None:
        self.session = session
        params = self.ws.query_params
        want_id = params.get("connection_id", "")
        try:
            want_seq = int(params.get("sequence_number", "0") or 0)
        except ValueError:
            want_seq = 0
        self.conn = Conn(self.hub, session.user_id, self.send, self.overflow, token=session.token,
                         send_now=self.send_now, send_frame=self.send_frame)
        await self.hub.connect(self.conn, want_id, want_seq)  # sends the hello or the missed events

    def ctx(self) -> Ctx:
        return Ctx(session=self.session, request_id=new_id())

    async def handle(self, msg: dict[str, Any]) -> None:
        seq = msg.get("seq")
        action = msg.get("action")
        data = msg.get("data") or {}
        if not isinstance(seq, int) or not isinstance(action, str) or not isinstance(data, dict):
            return
        if action == "authentication_challenge":
            if self.session is not None:
                return
            token = str(data.get("token", ""))
            try:
                session = await self.app.sessions.from_token(token)
            except AppError:
                self.closing = True
                await self._close(1008)
                return
            await self.authenticate(session)
            await self.respond(_reply(seq))
            return
        if self.session is None:
            await self.respond(_fail(seq, AppError("ServeWebSocket", "api.web_socket_router.not_authenticated.app_error",
                                                "No websocket authentication", 401)))
            return
        try:
            reply = await self.action(action, data)
        except AppError as e:
            await self.respond(_fail(seq, e))
            return
        await self.respond(_reply(seq, reply))

    async def action(self, action: str, data: dict[str, Any]) -> dict[str, Any] | None:
        ctx = self.ctx()
        if action == "ping":
            return {"text": "pong", "version": self.server_version, "server_time": now_ms(), "node_id": ""}
        if action == "user_typing":
            await self.app.realtime.typing(ctx, str(data.get("channel_id", "")), str(data.get("parent_id", "")))
            return None
        if action == "get_statuses":
            return await self.app.realtime.statuses(self.hub.connected_user_ids())
        if action == "get_statuses_by_ids":
            ids = data.get("user_ids")
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise AppError("getStatusesByIds", "api.websocket_handler.invalid_param.app_error",
                               "Invalid user_ids parameter", 400)
            return await self.app.realtime.statuses(ids)
        if action == "user_update_active_status":
            await self.app.realtime.activity(ctx, bool(data.get("user_is_active", True)), bool(data.get("manual")))
            return None
        if action in ("presence", "posted_notify_ack"):
            return None
        if action.startswith("custom_") and self.conn is not None and self.session is not None \
                and self.app.plugin_hooks.websocket_message(self.conn.id, self.session.user_id, action, data):
            return None
        raise AppError("ServeWebSocket", "api.web_socket_router.bad_action.app_error", "Unknown action.", 400)


class WebSocketFirst:
    """ASGI wrapper: the WebSocket endpoint is called directly, outside the router and middleware
    stack. An idle connection then holds one coroutine frame here instead of one per middleware layer
    (a few KB each, times 10,000 connections); everything else goes to the Starlette app."""

    def __init__(self, asgi: Any, endpoint: Any, path: str = "/api/v4/websocket") -> None:
        self.asgi = asgi
        self.endpoint = endpoint
        self.path = path

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket" and scope["path"] == self.path:
            # uvicorn hands its protocol's own bound ``send``: fan-out may then write frames directly
            proto = getattr(send, "__self__", None)
            if isinstance(proto, LeanWebSocketProtocol):
                await self.endpoint(WebSocket(scope, receive, send), proto.try_send_text, proto.try_send_frame)
            else:
                await self.endpoint(WebSocket(scope, receive, send))
        else:
            await self.asgi(scope, receive, send)


_MSGPACK = msgspec.msgpack.Decoder()


async def _receive(ws: WebSocket) -> str | bytes:
    """The next frame, text or binary."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    if message.get("text") is not None:
        return str(message["text"])
    return bytes(message.get("bytes") or b"")


def make_endpoint(app: App, hub: Hub, server_version: str) -> Any:
    async def websocket_endpoint(ws: WebSocket, send_now: Callable[[str], bool] | None = None,
                                 send_frame: Callable[[bytes, bytes], bool] | None = None) -> None:
        origin = ws.headers.get("origin", "")
        if not origin_allowed(origin, ws.headers.get("host", ""), app.config.effective.ServiceSettings):
            # cross-site WebSocket hijacking: a foreign page would ride on the session cookie
            log.warning("websocket origin refused", origin=origin)
            await ws.close(1008)  # before the upgrade: uvicorn answers 403
            return
        await ws.accept()
        sock = Socket(ws, app, hub, server_version, send_now, send_frame)
        token, _loc = token_from_request(ws)
        try:
            if token:
                with contextlib.suppress(AppError):
                    await sock.authenticate(await app.sessions.from_token(token))
            deadline = asyncio.get_running_loop().time() + AUTH_TIMEOUT
            while not sock.closing:
                if sock.session is None:
                    remaining = deadline - asyncio.get_running_loop().time()
                    if remaining <= 0:
                        await sock._close(1008)
                        return
                    try:
                        frame = await asyncio.wait_for(_receive(ws), remaining)
                    except TimeoutError:
                        await sock._close(1008)
                        return
                else:
                    frame = await _receive(ws)
                if len(frame) > MAX_FRAME:
                    await sock._close(1009)
                    return
                try:  # binary frames are msgpack (the calls clients send SDP that way), text frames JSON
                    msg = json.loads(frame) if isinstance(frame, str) else _MSGPACK.decode(frame)
                except (ValueError, msgspec.DecodeError):
                    continue
                if isinstance(msg, dict):
                    await sock.handle(msg)
        except (WebSocketDisconnect, RuntimeError):
            pass
        except Exception as e:
            known = failure_error(e)
            if known is None or known.status_code != 503:
                log.exception("websocket failed")
            else:  # the database out of reach a moment: the client reconnects (and resumes) after
                say, failed = _outage_log.should_log()
                if say:
                    log.warning("websocket closed: database unavailable", error=str(e).splitlines()[0][:300],
                                failed_since_last=failed)
                await sock._close(1011)
        finally:
            conn, sock.conn = sock.conn, None  # the socket and its connection refer to each other: no cycle left
            if conn is not None:
                await hub.disconnect(conn)
                app.plugin_hooks.websocket_disconnected(conn.id, conn.user_id)

    return websocket_endpoint
