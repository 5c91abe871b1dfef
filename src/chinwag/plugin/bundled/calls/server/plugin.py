"""Calls (as mattermost-plugin-calls, id ``com.mattermost.calls``): voice calls in channels and DMs with
the calls plugin's REST routes (``/plugins/com.mattermost.calls/…``) and WebSocket messages
(``custom_com.mattermost.calls_<action>`` from clients, ``custom_com.mattermost.calls_<event>`` to them), so
the official apps' call buttons work. Media goes through the embedded SFU (``sfu.py``, aiortc) in this
plugin's process. Call state lives in this process: the calls of a server are hosted by one node.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from chinwag.model.errors import AppError
from chinwag.plugin import Context, HTTPRequest, HTTPResponse, Plugin, Post

from .sfu import SFU, RTCSettings

ID_RE = re.compile(r"^[a-z0-9]{26}$")
#: how long a session whose WebSocket closed waits for the app's ``reconnect`` before it leaves
RECONNECT_TIMEOUT = 10.0


def _now_ms() -> int:
    return int(time.time() * 1000)


def _new_id() -> str:
    from chinwag.model.ids import new_id

    return new_id()


@dataclass
class CallSession:
    session_id: str
    user_id: str
    #: the WebSocket connection the session is reached on now (its id at join is the session id)
    conn_id: str = ""
    unmuted: bool = False
    raised_hand: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "user_id": self.user_id, "unmuted": self.unmuted,
                "raised_hand": self.raised_hand}


@dataclass
class Call:
    id: str
    channel_id: str
    start_at: int
    owner_id: str
    host_id: str
    post_id: str = ""
    thread_id: str = ""
    screen_sharing_session_id: str = ""
    sessions: dict[str, CallSession] = field(default_factory=dict)
    participants: list[str] = field(default_factory=list)
    #: users who dismissed the ringing notice (DMs and group messages)
    dismissed: set[str] = field(default_factory=set)

    def screen_sharer(self) -> str:
        s = self.sessions.get(self.screen_sharing_session_id)
        return s.user_id if s else ""

    def to_dict(self, for_user: str = "") -> dict[str, Any]:
        """The call as the plugin shows it; of the dismissed notices only the asking user's own."""
        return {"id": self.id, "channel_id": self.channel_id, "start_at": self.start_at,
                "screen_sharing_id": self.screen_sharer(),
                "screen_sharing_session_id": self.screen_sharing_session_id, "owner_id": self.owner_id,
                "host_id": self.host_id, "thread_id": self.thread_id, "post_id": self.post_id,
                "recording": None,
                "dismissed_notification": {for_user: True} if for_user in self.dismissed else {},
                "sessions": [s.to_dict() for s in self.sessions.values()]}


def _error(status: int, message: str) -> HTTPResponse:
    return HTTPResponse.json({"id": "", "message": message, "detailed_error": "", "request_id": "",
                              "status_code": status}, status)


class CallsPlugin(Plugin):
    async def on_activate(self) -> None:
        self.calls: dict[str, Call] = {}
        #: session id → channel id of the call it is in
        self.conns: dict[str, str] = {}
        #: connection id → the session it carries
        self.by_conn: dict[str, str] = {}
        #: sessions whose WebSocket closed → the task that makes them leave unless they reconnect
        self.leaving: dict[str, asyncio.Task[None]] = {}
        self.sfu = SFU(self._rtc_settings(), self._signal)
        self.sfu.configure(self._rtc_settings())

    async def on_deactivate(self) -> None:
        for channel_id in list(self.calls):
            await self._end(channel_id)
        await self.sfu.close()

    async def on_configuration_change(self) -> None:
        self.sfu.configure(self._rtc_settings())

    # settings --------------------------------------------------------------------------------------

    def _setting(self, key: str, default: Any) -> Any:
        value = self.api.get_plugin_config().get(key.lower())
        return default if value is None or value == "" else value

    def _rtc_settings(self) -> RTCSettings:
        return RTCSettings(udp_address=str(self._setting("UDPServerAddress", "")),
                           port_min=int(self._setting("UDPPortMin", 0)), port_max=int(self._setting("UDPPortMax", 0)),
                           ice_host_override=str(self._setting("ICEHostOverride", "")))

    def _ice_servers(self) -> list[dict[str, Any]]:
        raw = self._setting("ICEServersConfigs", "[]")
        try:
            servers = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            return []
        return [s for s in servers if isinstance(s, dict)] if isinstance(servers, list) else []

    def _turn_urls(self) -> list[str]:
        return [u for s in self._ice_servers() for u in (s.get("urls") or [])
                if isinstance(u, str) and u.startswith(("turn:", "turns:"))]

    def _client_config(self) -> dict[str, Any]:
        servers = self._ice_servers()
        return {
            "ICEServers": [u for s in servers for u in (s.get("urls") or []) if isinstance(u, str)],
            "ICEServersConfigs": servers,
            "DefaultEnabled": bool(self._setting("DefaultEnabled", True)),
            "MaxCallParticipants": int(self._setting("MaxCallParticipants", 0)),
            "NeedsTURNCredentials": bool(self._setting("TURNStaticAuthSecret", "")) and bool(self._turn_urls()),
            "AllowScreenSharing": bool(self._setting("AllowScreenSharing", True)),
            "EnableRecordings": False, "MaxRecordingDuration": 60, "RecordingQuality": "medium",
            "EnableTranscriptions": False, "EnableLiveCaptions": False,
            "EnableRinging": bool(self._setting("EnableRinging", True)),
            "EnableAV1": False, "EnableDCSignaling": False, "EnableSimulcast": False,
            "HostControlsAllowed": True, "GroupCallsAllowed": True, "sku_short_name": "",
        }

    # HTTP ------------------------------------------------------------------------------------------

    async def serve_http(self, c: Context, request: HTTPRequest) -> HTTPResponse:
        if not request.user_id:
            return _error(401, "Unauthorized")
        parts = [p for p in request.path.split("/") if p]
        method = request.method.upper()
        try:
            if method == "GET" and parts == ["version"]:
                return HTTPResponse.json({"version": self.manifest.version, "build": "chinwag", "rtcd": False})
            if method == "GET" and parts == ["config"]:
                return HTTPResponse.json(self._client_config())
            if method == "GET" and parts == ["turn-credentials"]:
                return self._turn_credentials(request.user_id)
            if method == "GET" and parts == ["channels"]:
                return HTTPResponse.json(await self._channels(request.user_id))
            if method == "POST" and len(parts) == 3 and parts[0] == "calls" and parts[2] == "end":
                return await self._end_request(request.user_id, parts[1])
            if method == "POST" and len(parts) == 3 and parts[0] == "calls" and parts[2] == "dismiss-notification":
                return await self._dismiss(request.user_id, parts[1])
            if method == "POST" and len(parts) == 4 and parts[0] == "calls" and parts[2:] == ["host", "mute"]:
                return await self._host_mute(request.user_id, parts[1], request)
            if method == "GET" and len(parts) == 1 and ID_RE.match(parts[0]):
                if not await self._is_member(parts[0], request.user_id):
                    return _error(403, "Forbidden")
                return HTTPResponse.json(self._channel_state(parts[0], request.user_id))
        except AppError as e:
            return _error(e.status_code, e.message)
        return _error(404, "Not found")

    def _turn_credentials(self, user_id: str) -> HTTPResponse:
        """coturn's ``use-auth-secret``: username ``<expiry>:<user id>``, password base64(HMAC-SHA1(secret, username))."""
        secret = str(self._setting("TURNStaticAuthSecret", ""))
        urls = self._turn_urls()
        if not secret or not urls:
            return _error(400, "TURNStaticAuthSecret and a TURN server in ICEServersConfigs must be set")
        expiry = int(time.time()) + 60 * int(self._setting("TURNCredentialsExpirationMinutes", 1440))
        username = f"{expiry}:{user_id}"
        credential = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()
        return HTTPResponse.json([{"urls": urls, "username": username, "credential": credential}])

    async def _is_member(self, channel_id: str, user_id: str) -> bool:
        try:
            return await self.api.get_channel_member(channel_id, user_id) is not None
        except AppError:
            return False

    def _channel_state(self, channel_id: str, user_id: str) -> dict[str, Any]:
        out: dict[str, Any] = {"channel_id": channel_id, "enabled": bool(self._setting("DefaultEnabled", True))}
        call = self.calls.get(channel_id)
        if call is not None:
            out["call"] = call.to_dict(user_id)
        return out

    async def _channels(self, user_id: str) -> list[dict[str, Any]]:
        return [self._channel_state(cid, user_id) for cid in list(self.calls) if await self._is_member(cid, user_id)]

    async def _dismiss(self, user_id: str, channel_id: str) -> HTTPResponse:
        """The user declined the ringing notice of this call: it stops ringing on their other devices."""
        if not ID_RE.match(channel_id) or not await self._is_member(channel_id, user_id):
            return _error(403, "Forbidden")
        call = self.calls.get(channel_id)
        if call is None:
            return _error(400, "no call ongoing")
        call.dismissed.add(user_id)
        self._publish("user_dismissed_notification", {"userID": user_id, "callID": call.id}, user_id=user_id)
        return HTTPResponse.json({})

    async def _is_admin(self, user_id: str) -> bool:
        user = await self.api.get_user(user_id)
        return "system_admin" in (user.roles or "").split()

    async def _end_request(self, user_id: str, channel_id: str) -> HTTPResponse:
        call = self.calls.get(channel_id)
        if call is None:
            return _error(400, "no call ongoing")
        if user_id != call.host_id and not await self._is_admin(user_id):
            return _error(403, "Forbidden")
        await self._end(channel_id)
        return HTTPResponse.json({})

    async def _host_mute(self, user_id: str, channel_id: str, request: HTTPRequest) -> HTTPResponse:
        call = self.calls.get(channel_id)
        if call is None:
            return _error(400, "no call ongoing")
        if user_id != call.host_id and not await self._is_admin(user_id):
            return _error(403, "Forbidden")
        try:
            body = request.json()
        except ValueError:
            body = None
        session_id = body.get("session_id") if isinstance(body, dict) else None
        target = call.sessions.get(session_id) if isinstance(session_id, str) else None
        if target is None:
            return _error(400, "session not found in call")
        self.api.publish_websocket_event("host_mute", {"channel_id": channel_id, "session_id": target.session_id},
                                         user_id=target.user_id)
        self._set_unmuted(call, target, False)
        return HTTPResponse.json({})

    # WebSocket -------------------------------------------------------------------------------------

    def _publish(self, event: str, data: dict[str, Any], **to: str) -> None:
        self.api.publish_websocket_event(event, data, **to)

    def _reach(self, session_id: str) -> str:
        """The connection a session is reached on now."""
        call = self.calls.get(self.conns.get(session_id, ""))
        session = call.sessions.get(session_id) if call else None
        return session.conn_id if session else session_id

    def _signal(self, session_id: str, message: dict[str, Any]) -> None:
        self._publish("signal", {"data": json.dumps(message), "connID": session_id},
                      connection_id=self._reach(session_id))

    def _fail(self, conn_id: str, text: str) -> None:
        self._publish("error", {"data": text, "connID": conn_id}, connection_id=conn_id)

    async def websocket_message_has_been_posted(self, conn_id: str, user_id: str, action: str,
                                                data: dict[str, Any]) -> None:
        """A client's message. One that cannot be carried out gets an ``error`` event; it never fails the
        hook (that would restart the plugin and end every call)."""
        try:
            await self._message(conn_id, user_id, action, data)
        except Exception as e:
            self.api.log_error("calls: client message failed", action=action, conn_id=conn_id, error=repr(e))
            self._fail(conn_id, f"{action} failed")

    async def _message(self, conn_id: str, user_id: str, action: str, data: dict[str, Any]) -> None:
        if action == "join":
            await self._join(conn_id, user_id, data)
            return
        if action == "reconnect":
            self._reconnect(conn_id, user_id, data)
            return
        sid = self.by_conn.get(conn_id, "")
        channel_id = self.conns.get(sid)
        call = self.calls.get(channel_id or "")
        session = call.sessions.get(sid) if call else None
        if call is None or session is None or session.user_id != user_id:
            return
        if action == "leave":
            await self._leave(sid)
        elif action == "sdp":
            raw = data.get("data")
            try:
                message = json.loads(zlib.decompress(bytes(raw))) if isinstance(raw, (bytes, bytearray)) else None
            except (zlib.error, ValueError):
                message = None
            if isinstance(message, dict):
                await self.sfu.sdp(sid, message)
        elif action == "ice":
            try:
                candidate = json.loads(str(data.get("data", "")))
            except ValueError:
                return
            if isinstance(candidate, dict):
                await self.sfu.ice(sid, candidate)
        elif action in ("mute", "unmute"):
            self._set_unmuted(call, session, action == "unmute")
        elif action in ("raise_hand", "unraise_hand"):
            session.raised_hand = _now_ms() if action == "raise_hand" else 0
            self._publish("user_raise_hand" if session.raised_hand else "user_unraise_hand",
                          {"userID": user_id, "session_id": sid, "raised_hand": session.raised_hand},
                          channel_id=call.channel_id)
        elif action in ("screen_on", "screen_off"):
            self._screen(call, session, action == "screen_on")

    def _set_unmuted(self, call: Call, session: CallSession, unmuted: bool) -> None:
        session.unmuted = unmuted
        self.sfu.set_unmuted(session.session_id, unmuted)
        self._publish("user_unmuted" if unmuted else "user_muted",
                      {"userID": session.user_id, "session_id": session.session_id}, channel_id=call.channel_id)

    def _screen(self, call: Call, session: CallSession, on: bool) -> None:
        if on:
            if not self._setting("AllowScreenSharing", True) or call.screen_sharing_session_id:
                self._fail(session.conn_id, "cannot start screen sharing")
                return
            call.screen_sharing_session_id = session.session_id
        elif call.screen_sharing_session_id == session.session_id:
            call.screen_sharing_session_id = ""
        else:
            return
        self.sfu.set_screen(session.session_id, on)
        self._publish("user_screen_on" if on else "user_screen_off",
                      {"userID": session.user_id, "session_id": session.session_id}, channel_id=call.channel_id)

    async def _join(self, conn_id: str, user_id: str, data: dict[str, Any]) -> None:
        channel_id = str(data.get("channelID", ""))
        if conn_id in self.by_conn:
            self._fail(conn_id, "already in a call")
            return
        if not ID_RE.match(channel_id) or not await self._is_member(channel_id, user_id):
            self._fail(conn_id, "forbidden")
            return
        channel = await self.api.get_channel(channel_id)
        if channel.delete_at:
            self._fail(conn_id, "cannot join call in archived channel")
            return
        call = self.calls.get(channel_id)
        limit = int(self._setting("MaxCallParticipants", 0))
        if call is not None and limit and len(call.sessions) >= limit:
            self._fail(conn_id, "user cannot join because of limits")
            return
        started = call is None
        if call is None:
            call = Call(id=_new_id(), channel_id=channel_id, start_at=_now_ms(), owner_id=user_id, host_id=user_id)
            self.calls[channel_id] = call
            title = str(data.get("title") or "")
            post = await self.api.create_post(Post(
                id="", user_id=user_id, channel_id=channel_id, message="Call started", type="custom_calls",
                props={"title": title, "start_at": call.start_at, "attachments": []}))
            call.post_id = post.id
        call.sessions[conn_id] = CallSession(conn_id, user_id, conn_id)
        if user_id not in call.participants:
            call.participants.append(user_id)
        self.conns[conn_id] = channel_id
        self.by_conn[conn_id] = conn_id
        self.sfu.join(conn_id, user_id, channel_id)
        if started:
            self._publish("call_start", {"id": call.id, "channelID": channel_id, "start_at": call.start_at,
                                         "thread_id": call.thread_id, "post_id": call.post_id,
                                         "owner_id": call.owner_id, "host_id": call.host_id},
                          channel_id=channel_id)
        self._publish("join", {"connID": conn_id}, connection_id=conn_id)
        self._publish("user_joined", {"user_id": user_id, "session_id": conn_id}, channel_id=channel_id)
        self._publish("call_state", {"channel_id": channel_id, "call": json.dumps(call.to_dict(user_id))}, user_id=user_id)

    def _reconnect(self, conn_id: str, user_id: str, data: dict[str, Any]) -> None:
        """The app's WebSocket came back (``{channelID, originalConnID, prevConnID}``): the session goes on,
        reached on the new connection; its peer connection never stopped."""
        sid = str(data.get("originalConnID", ""))
        call = self.calls.get(str(data.get("channelID", "")))
        session = call.sessions.get(sid) if call else None
        if session is None or session.user_id != user_id:
            self._fail(conn_id, "session not found in call state")
            return
        self.by_conn.pop(session.conn_id, None)
        self.by_conn[conn_id] = sid
        session.conn_id = conn_id
        task = self.leaving.pop(sid, None)
        if task is not None:
            task.cancel()

    async def _leave(self, conn_id: str) -> None:
        """``conn_id``: the session's id."""
        task = self.leaving.pop(conn_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        channel_id = self.conns.pop(conn_id, None)
        call = self.calls.get(channel_id or "")
        if call is None:
            return
        session = call.sessions.pop(conn_id, None)
        await self.sfu.leave(conn_id)
        if session is None:
            return
        self.by_conn.pop(session.conn_id, None)
        if call.screen_sharing_session_id == conn_id:
            call.screen_sharing_session_id = ""
            self._publish("user_screen_off", {"userID": session.user_id, "session_id": conn_id},
                          channel_id=call.channel_id)
        self._publish("user_left", {"user_id": session.user_id, "session_id": conn_id}, channel_id=call.channel_id)
        if not call.sessions:
            await self._end(call.channel_id)
        elif session.user_id == call.host_id and all(s.user_id != call.host_id for s in call.sessions.values()):
            call.host_id = next(iter(call.sessions.values())).user_id
            self._publish("call_host_changed", {"hostID": call.host_id, "call_id": call.id},
                          channel_id=call.channel_id)

    async def _end(self, channel_id: str) -> None:
        call = self.calls.pop(channel_id, None)
        if call is None:
            return
        for conn_id, session in list(call.sessions.items()):
            self.conns.pop(conn_id, None)
            self.by_conn.pop(session.conn_id, None)
            task = self.leaving.pop(conn_id, None)
            if task is not None:
                task.cancel()
            await self.sfu.leave(conn_id)
        end_at = _now_ms()
        if call.post_id:
            minutes = max(1, round((end_at - call.start_at) / 60000))
            try:
                post = await self.api.get_post(call.post_id)
                post.message = f"Call ended after {minutes} minute{'s' if minutes != 1 else ''}"
                post.props = {**(post.props or {}), "end_at": end_at, "participants": list(call.participants)}
                await self.api.update_post(post)
            except AppError as e:
                self.api.log_error("calls: updating the call post failed", error=str(e))
        # after the post says the call ended, so whoever reacts to the event reads the ended post
        self._publish("call_end", {"channelID": channel_id, "callID": call.id}, channel_id=channel_id)

    async def on_websocket_disconnect(self, conn_id: str, user_id: str) -> None:
        """The session's WebSocket closed: it leaves unless the app reconnects within RECONNECT_TIMEOUT (a
        resumed connection keeps its id, and the app says ``reconnect`` either way)."""
        sid = self.by_conn.get(conn_id)
        if sid is not None and sid not in self.leaving:
            self.leaving[sid] = asyncio.get_running_loop().create_task(self._leave_later(sid, conn_id))

    async def _leave_later(self, sid: str, conn_id: str) -> None:
        await asyncio.sleep(RECONNECT_TIMEOUT)
        call = self.calls.get(self.conns.get(sid, ""))
        session = call.sessions.get(sid) if call else None
        if session is not None and session.conn_id == conn_id:
            await self._leave(sid)
        self.leaving.pop(sid, None)
