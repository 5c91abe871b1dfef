"""Calls (as mattermost-plugin-calls, id ``com.mattermost.calls``): voice calls in channels and DMs with
the calls plugin's REST routes (``/plugins/com.mattermost.calls/…``) and WebSocket messages
(``custom_com.mattermost.calls_<action>`` from clients, ``custom_com.mattermost.calls_<event>`` to them), so
the official apps' call buttons work. Media goes through the embedded SFU (``sfu.py``, aiortc) in this
plugin's process.

In a cluster a call is hosted by one node: the one whose plugin claimed the channel's record
(``call:<channel id>`` in the plugin's key/value store, the shared database) when the call started. That
node keeps the call's state and its SFU carries the media; the record is the call as everyone else reads
it (``GET /{channel_id}``, ``/channels`` on any node), rewritten by the host before it announces a change.
A client whose WebSocket is on another node has its calls messages forwarded to the host as plugin cluster
events; the host's answers and events are WebSocket events, which reach a connection on any node. A node
involved in calls says it is alive (``node:<node id>``, a key that expires); a call whose host is gone is
ended by whichever node notices first (the record swapped out with compare-and-set: one wins), its post
updated and ``call_end`` sent — media cannot move to another node's SFU, so the call is not taken over.
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
from datetime import UTC, datetime
from typing import Any

import msgspec

from chinwag.model.errors import AppError
from chinwag.plugin import Channel, Context, HTTPRequest, HTTPResponse, Plugin, Post

from . import ringing, stats
from .janus_calls import JANUS, JanusSettings
from .media import DIRECT, Media
from .sfu import SFU, RTCSettings, server_urls, stun_urls
from .workers import SFUWorkers, default_workers

ID_RE = re.compile(r"^[a-z0-9]{26}$")
#: how long a session whose WebSocket closed waits for the app's ``reconnect`` before it leaves
RECONNECT_TIMEOUT = 10.0
#: the key/value keys: a call's shared record, a node's "alive" mark
RECORD, NODE = "call:", "node:"
#: how often a node involved in calls marks itself alive, looks for calls whose host is gone and for
#: sessions whose WebSocket's node is gone; and how long its mark lasts
BEAT_INTERVAL = 2.0
BEAT_TTL = 10
#: a node in no call looks for calls whose host is gone every this many intervals (one in calls, every one)
SWEEP_EVERY = 5
#: the plugin cluster event id of everything the nodes tell each other
CLUSTER_EVENT = "calls"
#: how many times a message may be passed on to another node (the host changed meanwhile)
MAX_HOPS = 2
#: how long a session the host removed has to leave by itself before the host node ends it (as Mattermost)
REMOVE_GRACE = 3.0
#: the key/value key of a channel's calls setting (``POST /{channel_id}``: calls enabled or disabled there)
CHANNEL = "channel:"
#: the host controls' refusals (Mattermost answers each with 400 and its text)
NO_CALL, NO_PERMISSIONS, NOT_IN_CALL = "no call ongoing", "no permissions", "requested session or user is not in the call"


#: the plugin's bot, and the largest ``/logs/upload`` body (the apps keep at most 1 MB of logs; escaped in JSON)
BOT_USERNAME = "calls"
#: the type of a call's post
CALL_POST_TYPE = "custom_calls"
LOGS_MAX_BYTES = 2 * 1024 * 1024


def _now_ms() -> int:
    return int(time.time() * 1000)


def _new_id() -> str:
    from chinwag.model.ids import new_id

    return new_id()


def _stream_id(data: dict[str, Any]) -> str:
    """``screenStreamID`` of a ``screen_on`` (``{"data": JSON {"screenStreamID"}}``), or ""."""
    try:
        inner = json.loads(str(data.get("data") or "{}"))
    except ValueError:
        return ""
    return str(inner.get("screenStreamID") or "")[:128] if isinstance(inner, dict) else ""


@dataclass
class CallSession:
    session_id: str
    user_id: str
    #: the WebSocket connection the session is reached on now (its id at join is the session id)
    conn_id: str = ""
    #: the node that connection is on
    node: str = ""
    unmuted: bool = False
    raised_hand: int = 0
    #: the camera is on (``video_on``)
    video: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "user_id": self.user_id, "unmuted": self.unmuted,
                "raised_hand": self.raised_hand, "video": self.video}


@dataclass
class Call:
    id: str
    channel_id: str
    start_at: int
    owner_id: str
    host_id: str
    #: the node hosting the call
    node: str = ""
    post_id: str = ""
    thread_id: str = ""
    screen_sharing_session_id: str = ""
    #: the user the host (or an admin) made host: host again whenever in the call (``host/make``)
    host_locked: str = ""
    sessions: dict[str, CallSession] = field(default_factory=dict)
    participants: list[str] = field(default_factory=list)
    #: users who dismissed the ringing notice (DMs and group messages)
    dismissed: set[str] = field(default_factory=set)
    #: for the statistics: camera time of the sessions whose camera went off (ms), since when each camera
    #: that is on is, whether a camera or a screen share was ever on
    video_ms: int = 0
    video_since: dict[str, int] = field(default_factory=dict)
    used_video: bool = False
    used_screen: bool = False
    #: the record last written to the shared store, and the lock that keeps writes in order
    saved: bytes | None = None
    save_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def camera(self, sid: str, on: bool) -> None:
        """A session's camera went on or off (or the session left: off)."""
        if on:
            self.video_since.setdefault(sid, _now_ms())
            self.used_video = True
        elif sid in self.video_since:
            self.video_ms += _now_ms() - self.video_since.pop(sid)

    def usage(self) -> dict[str, Any]:
        return {"video_ms": self.video_ms, "video_since": dict(self.video_since), "video": self.used_video,
                "screen": self.used_screen}

    def screen_sharer(self) -> str:
        s = self.sessions.get(self.screen_sharing_session_id)
        return s.user_id if s else ""

    def pick_host(self) -> str:
        """Who hosts the call now (Mattermost's rule): the locked host while in the call, else the host while
        in it, else who joined first; "" with nobody in the call."""
        users = [s.user_id for s in self.sessions.values()]  # in the order they joined
        for candidate in (self.host_locked, self.host_id):
            if candidate and candidate in users:
                return candidate
        return users[0] if users else ""

    def to_dict(self, for_user: str = "") -> dict[str, Any]:
        """The call as the plugin shows it; of the dismissed notices only the asking user's own."""
        return {"id": self.id, "channel_id": self.channel_id, "start_at": self.start_at,
                "screen_sharing_id": self.screen_sharer(),
                "screen_sharing_session_id": self.screen_sharing_session_id, "owner_id": self.owner_id,
                "host_id": self.host_id, "thread_id": self.thread_id, "post_id": self.post_id,
                "recording": None,
                "dismissed_notification": {for_user: True} if for_user in self.dismissed else {},
                "sessions": [s.to_dict() for s in self.sessions.values()]}

    def record(self) -> bytes:
        """The shared record: the call for everyone, who dismissed it, who took part, the host node."""
        return json.dumps({"node": self.node, "call": self.to_dict(), "dismissed": sorted(self.dismissed),
                           "participants": self.participants, "host_locked": self.host_locked,
                           "usage": self.usage()}).encode()


def _view(record: dict[str, Any], user_id: str) -> dict[str, Any]:
    """A call's record as ``user_id`` sees it."""
    call = dict(record.get("call") or {})
    call["dismissed_notification"] = {user_id: True} if user_id in (record.get("dismissed") or []) else {}
    return call


#: the host controls' cluster messages (carried out by the call's host node) by route
HOST_CONTROLS = {"host_make": "make", "host_mute": "mute", "host_mute_others": "mute-others",
                 "host_screen_off": "screen-off", "host_lower_hand": "lower-hand", "host_remove": "remove"}
ROUTES = {route: kind for kind, route in HOST_CONTROLS.items()}


def _success() -> HTTPResponse:
    """What the plugin's actions answer when done."""
    return HTTPResponse.json({"message": "success", "status_code": 200})


def _json_object(request: HTTPRequest) -> dict[str, Any] | HTTPResponse:
    """The request's JSON object, or the 400 to answer (not JSON, or not an object)."""
    try:
        body = request.json()
    except ValueError as e:
        return _error(400, str(e))
    if not isinstance(body, dict):
        return _error(400, "invalid request body")
    return body


def _error(status: int, message: str) -> HTTPResponse:
    return HTTPResponse.json({"id": "", "message": message, "detailed_error": "", "request_id": "",
                              "status_code": status}, status)


class CallsPlugin(Plugin):
    async def on_activate(self) -> None:
        self.node = await self.api.get_node_id()
        #: the calls this node hosts
        self.calls: dict[str, Call] = {}
        #: session id → channel id of the call it is in
        self.conns: dict[str, str] = {}
        #: connection id → the session it carries
        self.by_conn: dict[str, str] = {}
        #: sessions whose WebSocket closed → the task that makes them leave unless they reconnect
        self.leaving: dict[str, asyncio.Task[None]] = {}
        #: connections on this node in a call another node hosts → (channel id, that node)
        self.remote: dict[str, tuple[str, str]] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.beaten = float("-inf")
        #: the plugin's bot (``_bot``)
        self.bot_id = ""
        # the calls of this node in this process, or spread over worker processes (workers.py); the
        # number is taken at activation
        workers = int(self._setting("SFUWorkers", 0)) or default_workers()
        embedded: SFU | SFUWorkers
        if workers > 1:
            embedded = SFUWorkers(self._rtc_settings(), self._signal, workers)
            await embedded.start()
        else:
            embedded = SFU(self._rtc_settings(), self._signal)
        #: the embedded SFU, or Janus for calls started while ``SFU`` is "janus" (media.py); the apps'
        #: sessions of a Janus call are bridged through an SFU in this process
        self.sfu = Media(embedded, self._janus_signal, self.api.log_error,
                         local=lambda: SFU(self._rtc_settings(), self._signal))
        self.sfu.configure(self._rtc_settings(), self._janus_settings())
        self.ticker = asyncio.get_running_loop().create_task(self._tick())

    async def on_deactivate(self) -> None:
        self.ticker.cancel()
        for channel_id in list(self.calls):
            await self._end(channel_id)
        await self.sfu.close()
        if self.beaten > float("-inf"):
            try:
                await self.api.kv_delete(NODE + self.node)
            except AppError:
                pass

    async def on_configuration_change(self) -> None:
        self.sfu.configure(self._rtc_settings(), self._janus_settings())

    # settings --------------------------------------------------------------------------------------

    def _setting(self, key: str, default: Any) -> Any:
        value = self.api.get_plugin_config().get(key.lower())
        return default if value is None or value == "" else value

    def _rtc_settings(self) -> RTCSettings:
        override = str(self._setting("ICEHostOverride", ""))
        return RTCSettings(udp_address=str(self._setting("UDPServerAddress", "")),
                           port_min=int(self._setting("UDPPortMin", 0)), port_max=int(self._setting("UDPPortMax", 0)),
                           ice_host_override=override, stun_urls=stun_urls(self._ice_servers(), override),
                           max_speakers=max(0, int(self._setting("MaxForwardedSpeakers", 3))))

    def _janus_settings(self) -> JanusSettings:
        """``SFU``: "embedded" (default) or "janus"; ``JanusURL`` (its WebSocket API, ``ws://host:8188/``),
        ``JanusAPISecret``."""
        sfu = str(self._setting("SFU", "embedded")).lower()
        return JanusSettings(sfu=sfu if sfu == JANUS else "embedded", url=str(self._setting("JanusURL", "")),
                             api_secret=str(self._setting("JanusAPISecret", "")))

    def _ice_servers(self) -> list[dict[str, Any]]:
        raw = self._setting("ICEServersConfigs", "[]")
        try:
            servers = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            return []
        return [s for s in servers if isinstance(s, dict)] if isinstance(servers, list) else []

    def _turn_servers(self) -> list[dict[str, Any]]:
        """The TURN servers the per-user credentials are for: those with a turn: URL and no username or
        credential of their own, as the plugin picks them."""
        return [s for s in self._ice_servers()
                if any(u.startswith(("turn:", "turns:")) for u in server_urls(s))
                and not s.get("username") and not s.get("credential")]

    def _client_config(self) -> dict[str, Any]:
        servers = self._ice_servers()
        return {
            "ICEServers": [u for s in servers for u in server_urls(s)],
            "ICEServersConfigs": servers,
            "DefaultEnabled": bool(self._setting("DefaultEnabled", True)),
            "MaxCallParticipants": int(self._setting("MaxCallParticipants", 0)),
            "NeedsTURNCredentials": bool(self._setting("TURNStaticAuthSecret", "")) and bool(self._turn_servers()),
            "AllowScreenSharing": bool(self._setting("AllowScreenSharing", True)),
            "EnableVideo": bool(self._setting("EnableVideo", True)),
            "EnableRecordings": False, "MaxRecordingDuration": 60, "RecordingQuality": "medium",
            "EnableTranscriptions": False, "EnableLiveCaptions": False,
            "EnableRinging": bool(self._setting("EnableRinging", True)),
            "EnableAV1": False, "EnableDCSignaling": False, "EnableSimulcast": True,
            "HostControlsAllowed": True, "GroupCallsAllowed": True, "sku_short_name": "",
        }

    # the shared records and the cluster ----------------------------------------------------------------

    def _lock(self, channel_id: str) -> asyncio.Lock:
        """Held while this node decides who hosts a channel's call (claims, ends)."""
        return self.locks.setdefault(channel_id, asyncio.Lock())

    async def _record(self, channel_id: str) -> tuple[bytes | None, dict[str, Any] | None]:
        raw = await self.api.kv_get(RECORD + channel_id)
        try:
            rec = json.loads(raw) if raw else None
        except ValueError:
            rec = None
        return raw, rec if isinstance(rec, dict) else None

    async def _records(self, prefix: str = RECORD) -> list[str]:
        """The channels that have a call record (of the keys with another prefix, what follows it)."""
        out: list[str] = []
        page = 0
        while True:
            keys = await self.api.kv_list(page, 100)
            out += [k[len(prefix):] for k in keys if k.startswith(prefix)]
            if len(keys) < 100:
                return out
            page += 1

    async def _stats(self) -> dict[str, Any]:
        ended: list[dict[str, Any]] = []
        active: list[dict[str, Any]] = []
        for call_id in await self._records(stats.PREFIX):
            raw = await self.api.kv_get(stats.PREFIX + call_id)
            try:
                summary = json.loads(raw) if raw else None
            except ValueError:
                summary = None
            if isinstance(summary, dict):
                ended.append(summary)
        for channel_id in await self._records():
            _, rec = await self._record(channel_id)
            if rec is not None:
                active.append(rec)
        return stats.calls_stats(ended, active, datetime.now(UTC))

    async def _beat(self, force: bool = False) -> None:
        """Mark this node alive (at most once per interval unless ``force``)."""
        now = time.monotonic()
        if force or now - self.beaten >= BEAT_INTERVAL:
            await self.api.kv_set(NODE + self.node, b"1", expire_in_seconds=BEAT_TTL)
            self.beaten = now

    async def _alive(self, node: str) -> bool:
        return node == self.node or await self.api.kv_get(NODE + node) is not None

    async def _save(self, call: Call) -> None:
        """Write the call's record (before the change is announced, so what a client reads after an event
        shows it). A record that changed under this node means another node took this one for gone and
        ended the call: it is dropped here too."""
        async with call.save_lock:
            if self.calls.get(call.channel_id) is not call:
                return
            new = call.record()
            if new == call.saved:
                return
            if await self.api.kv_compare_and_set(RECORD + call.channel_id, call.saved, new):
                call.saved = new
                return
        self.api.log_error("calls: the call was ended by another node", channel_id=call.channel_id)
        task = asyncio.get_running_loop().create_task(self._drop(call))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _forward(self, node: str, msg: dict[str, Any]) -> None:
        """Tell another node (``""``: every other node)."""
        self.api.publish_plugin_cluster_event(CLUSTER_EVENT, msgspec.msgpack.encode({**msg, "from": self.node}),
                                              target_node_id=node)

    async def on_plugin_cluster_event(self, event_id: str, data: bytes) -> None:
        if event_id != CLUSTER_EVENT:
            return
        try:
            msg = msgspec.msgpack.decode(data)
        except msgspec.DecodeError:
            return
        if not isinstance(msg, dict):
            return
        try:
            await self._cluster(msg)
        except Exception as e:  # never fail the hook: that would restart the plugin and end every call
            self.api.log_error("calls: cluster message failed", kind=str(msg.get("t")), error=repr(e))

    async def _cluster(self, msg: dict[str, Any]) -> None:
        kind, channel_id = msg.get("t"), str(msg.get("channel", ""))
        if kind == "msg":
            data = msg.get("data")
            await self._message(str(msg.get("conn", "")), str(msg.get("user", "")), str(msg.get("action", "")),
                                data if isinstance(data, dict) else {}, str(msg.get("via") or msg.get("from", "")),
                                int(msg.get("hops", 0)))
        elif kind == "disconnect":
            self._disconnected(str(msg.get("conn", "")))
        elif kind == "route":  # the call of a connection of this node is hosted elsewhere than it thought
            conn_id = str(msg.get("conn", ""))
            if conn_id in self.remote:
                self.remote[conn_id] = (channel_id, str(msg.get("node", "")))
        elif kind == "unroute":  # the host refused a connection of this node
            self.remote.pop(str(msg.get("conn", "")), None)
        elif kind == "ended":
            self._forget_remote(channel_id)
        elif kind == "end":
            await self._end(channel_id)
        elif kind in HOST_CONTROLS:
            call = self.calls.get(channel_id)
            if call is not None:
                await self._host_control(call, str(kind), str(msg.get("by", "")), str(msg.get("session", "")),
                                         str(msg.get("user", "")))
        elif kind == "dismiss":
            call = self.calls.get(channel_id)
            user_id = str(msg.get("user", ""))
            if call is not None:
                call.dismissed.add(user_id)
                await self._save(call)
                self._publish("user_dismissed_notification", {"userID": user_id, "callID": call.id},
                              user_id=user_id)

    async def _host_control(self, call: Call, kind: str, by: str, sid: str, new_host: str) -> None:
        """A host control, on the call's host node (the HTTP side checked who asked; the call may have
        changed since: a session gone meanwhile is left alone). ``by``: who asked."""
        if kind == "host_make":
            await self._make_host(call, new_host)
            return
        if kind == "host_mute_others":
            for s in list(call.sessions.values()):
                if s.unmuted and s.user_id != by:
                    self._publish("host_mute", {"channel_id": call.channel_id, "session_id": s.session_id},
                                  user_id=s.user_id)
                    await self._set_unmuted(call, s, False)
            return
        target = call.sessions.get(sid)
        if target is None:
            return
        data = {"channel_id": call.channel_id, "session_id": sid}
        if kind == "host_mute" and target.unmuted:
            # the app mutes itself when told; the SFU stops forwarding its voice at once either way
            self._publish("host_mute", data, user_id=target.user_id)
            await self._set_unmuted(call, target, False)
        elif kind == "host_screen_off" and call.screen_sharing_session_id == sid:
            self._publish("host_screen_off", data, user_id=target.user_id)
            await self._screen(call, target, False)
        elif kind == "host_lower_hand" and target.raised_hand:
            self._publish("host_lower_hand", {**data, "call_id": call.id, "host_id": by}, user_id=target.user_id)
            await self._set_hand(call, target, False)
        elif kind == "host_remove":
            # everyone in the call hears it (the others show a notice); the removed app leaves by itself,
            # and is made to after the grace
            self._publish("host_removed", {**data, "call_id": call.id, "user_id": target.user_id},
                          channel_id=call.channel_id)
            task = asyncio.get_running_loop().create_task(self._remove_later(call, sid))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _remove_later(self, call: Call, sid: str) -> None:
        await asyncio.sleep(REMOVE_GRACE)
        if self.calls.get(call.channel_id) is call and sid in call.sessions:
            self.api.log_info("calls: ended the session the host removed", channel_id=call.channel_id,
                              session_id=sid)
            await self._leave(sid)

    async def _make_host(self, call: Call, user_id: str) -> None:
        """``host/make``: the user hosts the call, and gets it back whenever they rejoin."""
        if user_id == call.host_id:
            if not call.host_locked:
                call.host_locked = user_id
                await self._save(call)
            return
        if all(s.user_id != user_id for s in call.sessions.values()):
            return
        call.host_id = call.host_locked = user_id
        await self._save(call)
        self._publish("call_host_changed", {"hostID": user_id, "call_id": call.id}, channel_id=call.channel_id)

    async def _at_host(self, channel_id: str, raw: bytes | None, rec: dict[str, Any], msg: dict[str, Any]) -> bool:
        """Have the call's host carry out ``msg``; False when the host is gone (the call is ended then)."""
        node = str(rec.get("node", ""))
        if node == self.node:
            async with self._lock(channel_id):  # not a claim this node is just making
                here = channel_id in self.calls
                if not here:  # left by this node's previous plugin process
                    raw, again = await self._record(channel_id)
                    if again is not None and again.get("node") == self.node:
                        await self._end_record(channel_id, raw, again)
            if here:
                await self._cluster({**msg, "channel": channel_id})
            return here
        if await self._alive(node):
            self._forward(node, {**msg, "channel": channel_id})
            return True
        await self._end_record(channel_id, raw, rec)
        return False

    async def _tick(self) -> None:
        """While this node is in calls: its alive mark; always: end the calls whose host is gone, and let
        the sessions go whose WebSocket's node is gone (unless they reconnect elsewhere in time)."""
        ticks = 0
        while True:
            await asyncio.sleep(BEAT_INTERVAL)
            ticks += 1
            try:
                involved = bool(self.calls or self.remote)
                if involved:
                    await self._beat()
                if involved or ticks % SWEEP_EVERY == 0:
                    await self._sweep()
                await self._check_session_nodes()
            except Exception as e:
                self.api.log_error("calls: cluster check failed", error=repr(e))

    async def _sweep(self) -> None:
        alive: dict[str, bool] = {}
        for channel_id in await self._records():
            if channel_id in self.calls:
                continue
            raw, rec = await self._record(channel_id)
            if rec is None:
                continue
            node = str(rec.get("node", ""))
            if node == self.node:  # left by this node's previous plugin process, unless just claimed
                async with self._lock(channel_id):
                    raw, rec = await self._record(channel_id)
                    if channel_id not in self.calls and rec is not None and rec.get("node") == self.node:
                        await self._end_record(channel_id, raw, rec)
                continue
            if node not in alive:
                alive[node] = await self._alive(node)
            if not alive[node]:
                await self._end_record(channel_id, raw, rec)

    async def _check_session_nodes(self) -> None:
        nodes = {s.node for c in self.calls.values() for s in c.sessions.values()} - {self.node, ""}
        for node in nodes:
            if await self._alive(node):
                continue
            for call in list(self.calls.values()):
                for s in list(call.sessions.values()):
                    if s.node == node:
                        self._disconnected(s.conn_id)

    def _forget_remote(self, channel_id: str) -> None:
        for conn_id, (ch, _) in list(self.remote.items()):
            if ch == channel_id:
                del self.remote[conn_id]

    # HTTP ------------------------------------------------------------------------------------------

    async def serve_http(self, c: Context, request: HTTPRequest) -> HTTPResponse:
        parts = [p for p in request.path.split("/") if p]
        method = request.method.upper()
        if method == "GET" and parts == ["version"]:  # public, as the plugin's
            return HTTPResponse.json({"version": self.manifest.version, "build": "chinwag", "rtcd": False})
        if not request.user_id:
            return _error(401, "Unauthorized")
        try:
            if method == "POST" and parts == ["logs", "upload"]:
                return await self._upload_logs(request)
            if method == "GET" and parts == ["config"]:
                return HTTPResponse.json(self._client_config())
            if method == "GET" and parts == ["turn-credentials"]:
                return await self._turn_credentials(request.user_id)
            if method == "GET" and parts == ["env"]:
                # the settings overridden by MM_CALLS_* environment variables: chinwag reads none
                return HTTPResponse.json({}) if await self._is_admin(request.user_id) else _error(403, "Forbidden")
            if method == "GET" and parts == ["channels"]:
                return HTTPResponse.json(await self._channels(request.user_id))
            if method == "GET" and parts == ["stats"]:
                if not await self._is_admin(request.user_id):
                    return _error(403, "Forbidden")
                return HTTPResponse.json(await self._stats())
            if method == "POST" and parts == ["cloud-notify-admins"]:
                # the free-trial request of Mattermost Cloud's calls limits: answered as a server not on Cloud
                return HTTPResponse.json({"error": "not a cloud server"}, 400)
            calls = len(parts) >= 3 and parts[0] == "calls" and bool(ID_RE.match(parts[1]))
            if method == "POST" and calls and (parts[2:] == ["end"] or parts[2:] == ["host", "end"]):
                return await self._end_request(request.user_id, parts[1])
            if method == "POST" and calls and parts[2:] == ["dismiss-notification"]:
                return await self._dismiss(request.user_id, parts[1])
            if method == "GET" and calls and parts[2:] == ["active"]:
                if not await self._may_read(parts[1], request.user_id):
                    return _error(403, "Forbidden")
                return HTTPResponse.json({"active": (await self._record(parts[1]))[1] is not None})
            if method == "POST" and calls and len(parts) == 4 and parts[2] == "recording":
                return await self._recording(request.user_id, parts[1])
            if method == "POST" and calls and len(parts) == 4 and parts[2] == "host" and parts[3] in ROUTES:
                return await self._host_request(request.user_id, parts[1], ROUTES[parts[3]], request)
            if len(parts) == 1 and ID_RE.match(parts[0]) and method in ("GET", "POST"):
                if method == "POST":
                    return await self._set_channel(request.user_id, parts[0], request)
                if not await self._may_read(parts[0], request.user_id):
                    return _error(403, "Forbidden")
                return HTTPResponse.json(await self._channel_state(parts[0], request.user_id))
        except AppError as e:
            return _error(e.status_code, e.message)
        return _error(404, "Not found")

    async def _bot(self) -> str:
        """The plugin's bot (``calls``, as Mattermost's), made the first time it is needed."""
        if not self.bot_id:
            self.bot_id = await self.api.ensure_bot(BOT_USERNAME, "Calls", "Calls Bot")
        return self.bot_id

    async def _upload_logs(self, request: HTTPRequest) -> HTTPResponse:
        """``POST /logs/upload`` ``{logs, channel_id, team_id}`` (the apps' "upload call logs"): the bot posts
        the logs as a text file in its DM with the user, who gets an ephemeral link to it in the channel they
        were in; answers ``{}``."""
        if len(request.body) > LOGS_MAX_BYTES:
            return _error(400, "Invalid request body")
        try:
            body = request.json()
        except ValueError:
            return _error(400, "Invalid request body")
        if not isinstance(body, dict) or not isinstance(body.get("logs", ""), str):
            return _error(400, "Invalid request body")
        channel_id, team_id = str(body.get("channel_id") or ""), str(body.get("team_id") or "")
        if not ID_RE.match(channel_id) or not ID_RE.match(team_id):
            return _error(400, "Invalid channel_id or team_id")
        bot_id = await self._bot()
        try:
            dm = await self.api.get_direct_channel(request.user_id, bot_id)
        except AppError as e:
            return _error(500, f"Failed to get DM channel: {e.where}: {e.message}")
        filename = f"call_logs_{datetime.now(UTC).strftime('%Y-%m-%dT%H-%M-%SZ')}.txt"
        try:
            info = await self.api.upload_file(str(body.get("logs", "")).encode(), dm.id, filename, bot_id)
        except AppError as e:
            return _error(500, f"Failed to upload file: {e.where}: {e.message}")
        try:
            post = await self.api.create_post(Post(id="", user_id=bot_id, channel_id=dm.id, message="",
                                                   file_ids=[info.id]))
        except AppError as e:
            return _error(500, f"Failed to create post: {e.where}: {e.message}")
        try:
            team = await self.api.get_team(team_id)
        except AppError as e:
            return _error(500, f"Failed to get team: {e.where}: {e.message}")
        site = self.api.site_url()
        if not site:
            return _error(500, "Site URL not configured")
        link = f"{site}/{team.name}/pl/{post.id}"
        self.api.send_ephemeral_post(request.user_id, Post(
            id="", channel_id=channel_id,
            message=f"Call logs uploaded — [view in your @{BOT_USERNAME} DM]({link})"))
        return HTTPResponse.json({})

    async def _turn_credentials(self, user_id: str) -> HTTPResponse:
        """coturn's ``use-auth-secret``, as the plugin (rtcd's GenTURNConfigs): for each TURN server its URLs,
        username ``<expiry unix>:<username>``, credential base64(HMAC-SHA1(secret, username))."""
        secret = str(self._setting("TURNStaticAuthSecret", ""))
        if not secret:
            return _error(403, "TURNStaticAuthSecret should be set")
        servers = self._turn_servers()
        if not servers:
            return _error(403, "No TURN server was configured")
        user = await self.api.get_user(user_id)
        expiry = int(time.time()) + 60 * int(self._setting("TURNCredentialsExpirationMinutes", 1440))
        username = f"{expiry}:{user.username}"
        credential = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()
        return HTTPResponse.json([{"urls": server_urls(s), "username": username, "credential": credential}
                                  for s in servers])

    async def _is_member(self, channel_id: str, user_id: str) -> bool:
        try:
            return await self.api.get_channel_member(channel_id, user_id) is not None
        except AppError:
            return False

    async def _enabled(self, channel_id: str) -> bool | None:
        """Calls enabled (True) or disabled (False) in the channel by ``POST /{channel_id}``; None: never set."""
        raw = await self.api.kv_get(CHANNEL + channel_id)
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            return None
        return bool(value.get("enabled")) if isinstance(value, dict) else None

    async def _start_refusal(self, channel_id: str, user_id: str) -> str:
        """Why the user may not start a call in the channel ("" when they may): calls disabled there, or test
        mode (``DefaultEnabled`` off) in a channel not enabled, where only system admins start calls."""
        enabled = await self._enabled(channel_id)
        if enabled is False:
            return "calls are disabled in the channel"
        if enabled or self._setting("DefaultEnabled", True) or await self._is_admin(user_id):
            return ""
        return "insufficient permissions"

    async def _may_enable(self, user_id: str, channel_id: str) -> str:
        """Why the user may not enable or disable calls in a channel ("" when they may), as the plugin
        decides: system admins may; in test mode (``DefaultEnabled`` off) nobody else; else the channel's
        admins, the team's admins (``manage_team``) and the members of a DM or group message who may post
        there. A user who is not a member is refused with the lookup's error, as there."""
        if await self._is_admin(user_id):
            return ""
        if not self._setting("DefaultEnabled", True):
            return "Forbidden"
        try:
            channel = await self.api.get_channel(channel_id)
        except AppError as e:
            return f"{e.where}: {e.message}"
        member = await self.api.get_channel_member(channel_id, user_id)
        if member is None:
            return "GetChannelMember: No channel member found for that user ID and channel ID."
        if member.scheme_admin:
            return ""
        if await self.api.has_permission_to_team(user_id, channel.team_id, "manage_team"):
            return ""
        if channel.type in ("D", "G") and await self.api.has_permission_to_channel(user_id, channel_id,
                                                                                  "create_post"):
            return ""
        return "Forbidden"

    async def _set_channel(self, user_id: str, channel_id: str, request: HTTPRequest) -> HTTPResponse:
        """``POST /{channel_id}`` ``{"enabled": bool}``: calls enabled or disabled in the channel; the
        channel's members hear ``channel_enable_voice`` / ``channel_disable_voice``."""
        refusal = await self._may_enable(user_id, channel_id)
        if refusal:
            return _error(403, refusal)
        body = _json_object(request)
        if isinstance(body, HTTPResponse):
            return body
        stored: dict[str, Any] = {"channel_id": channel_id, "enabled": body.get("enabled") is True}
        if isinstance(body.get("props"), dict) and body["props"]:
            stored["props"] = {str(k): str(v) for k, v in body["props"].items()}
        await self.api.kv_set(CHANNEL + channel_id, json.dumps(stored).encode())
        self._publish("channel_enable_voice" if stored["enabled"] else "channel_disable_voice", {},
                      channel_id=channel_id)
        return HTTPResponse.json(stored)

    async def _recording(self, user_id: str, channel_id: str) -> HTTPResponse:
        """``calls/{id}/recording/{start|stop}``: this server records no calls (``EnableRecordings`` is off
        in the config), answered as Mattermost does then."""
        if not await self._is_member(channel_id, user_id):
            return _error(403, "Forbidden")
        return _error(403, "Recordings are not enabled")

    async def _channel_state(self, channel_id: str, user_id: str,
                             rec: dict[str, Any] | None = None) -> dict[str, Any]:
        """The same on every node: read from the call's shared record."""
        enabled = await self._enabled(channel_id)
        out: dict[str, Any] = {"channel_id": channel_id, "enabled": bool(self._setting("DefaultEnabled", True))
                               if enabled is None else enabled}
        if rec is None:
            _, rec = await self._record(channel_id)
        if rec is not None:
            out["call"] = _view(rec, user_id)
        return out

    async def _channels(self, user_id: str) -> list[dict[str, Any]]:
        """``GET /channels``, of the channels the user is a member of: every channel whose calls were switched
        on or off (``channel_id``, ``enabled``, and ``call`` while one is on), then the calls in channels never
        switched (``channel_id`` and ``call`` only), as the plugin lists them."""
        out = []
        switched = sorted(await self._records(CHANNEL))
        for channel_id in switched:
            if not await self._is_member(channel_id, user_id):
                continue
            enabled = await self._enabled(channel_id)
            if enabled is None:
                continue
            item: dict[str, Any] = {"channel_id": channel_id, "enabled": enabled}
            _, rec = await self._record(channel_id)
            if rec is not None:
                item["call"] = _view(rec, user_id)
            out.append(item)
        for channel_id in sorted(set(await self._records()) - set(switched)):
            _, rec = await self._record(channel_id)
            if rec is not None and await self._is_member(channel_id, user_id):
                out.append({"channel_id": channel_id, "call": _view(rec, user_id)})
        return out

    async def _dismiss(self, user_id: str, channel_id: str) -> HTTPResponse:
        """The user declined the ringing notice of this call: it stops ringing on their other devices."""
        if not ID_RE.match(channel_id) or not await self._is_member(channel_id, user_id):
            return _error(403, "Forbidden")
        raw, rec = await self._record(channel_id)
        if rec is None or not await self._at_host(channel_id, raw, rec, {"t": "dismiss", "user": user_id}):
            return _error(400, "no call ongoing")
        return _success()

    async def _is_admin(self, user_id: str) -> bool:
        return bool(await self.api.has_permission_to(user_id, "manage_system"))

    async def _may_read(self, channel_id: str, user_id: str) -> bool:
        """``read_channel`` in the channel: its members, and those whose team or system roles grant it (a
        system admin reads a channel they are not in), as the plugin's ``GET /{channel_id}`` and ``/active``
        check."""
        try:
            return bool(await self.api.has_permission_to_channel(user_id, channel_id, "read_channel"))
        except AppError:
            return False

    async def _may_host(self, user_id: str, rec: dict[str, Any]) -> bool:
        return user_id == (rec.get("call") or {}).get("host_id") or await self._is_admin(user_id)

    async def _end_request(self, user_id: str, channel_id: str) -> HTTPResponse:
        """``calls/{id}/end`` and ``calls/{id}/host/end``."""
        raw, rec = await self._record(channel_id)
        if rec is None:
            return _error(400, NO_CALL)
        if not await self._may_host(user_id, rec):
            return _error(400, NO_PERMISSIONS)
        await self._at_host(channel_id, raw, rec, {"t": "end"})
        return _success()

    async def _host_request(self, user_id: str, channel_id: str, kind: str, request: HTTPRequest) -> HTTPResponse:
        """A host control (``calls/{id}/host/<route>``): the host or a system admin only; checked here against
        the shared record, carried out by the call's host node. A session that has nothing to undo (not
        unmuted, not sharing, hand not raised) is left as it is, and the request succeeds."""
        msg: dict[str, Any] = {"t": kind, "by": user_id}
        if kind != "host_mute_others":
            body = _json_object(request)
            if isinstance(body, HTTPResponse):
                return body
            key = "new_host_id" if kind == "host_make" else "session_id"
            msg["user" if kind == "host_make" else "session"] = str(body.get(key) or "")
        raw, rec = await self._record(channel_id)
        if rec is None:
            return _error(400, NO_CALL)
        if not await self._may_host(user_id, rec):
            return _error(400, NO_PERMISSIONS)
        call = rec.get("call") or {}
        sessions = {str(s.get("session_id")): str(s.get("user_id")) for s in call.get("sessions") or []
                    if isinstance(s, dict)}
        if kind == "host_make":
            if msg["user"] != call.get("host_id") and msg["user"] not in sessions.values():
                return _error(400, NOT_IN_CALL)
        elif kind == "host_screen_off":
            if call.get("screen_sharing_session_id") != msg["session"]:
                return _success()  # not the one sharing: nothing to stop
            if msg["session"] not in sessions:
                return _error(400, NOT_IN_CALL)
        elif kind != "host_mute_others" and msg["session"] not in sessions:
            return _error(400, NOT_IN_CALL)
        if not await self._at_host(channel_id, raw, rec, msg):
            return _error(400, NO_CALL)
        return _success()

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

    def _janus_signal(self, session_id: str, message: dict[str, Any]) -> None:
        """To a client on Janus: ``{pc: publisher|subscriber, type, sdp, media?}``."""
        self._publish("janus_signal", {"data": json.dumps(message), "connID": session_id},
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

    def _pass_on(self, node: str, conn_id: str, user_id: str, action: str, data: dict[str, Any], via: str,
                 hops: int) -> None:
        """Forward a client's message to the node hosting its call."""
        self._forward(node, {"t": "msg", "conn": conn_id, "user": user_id, "action": action, "data": data,
                             "via": via, "hops": hops})

    async def _message(self, conn_id: str, user_id: str, action: str, data: dict[str, Any], via: str = "",
                       hops: int = 0) -> None:
        """A client's message; ``via``: the node its WebSocket is on (this one unless forwarded)."""
        via = via or self.node
        if action == "join":
            await self._join(conn_id, user_id, data, via, hops)
            return
        if action == "reconnect":
            await self._reconnect(conn_id, user_id, data, via, hops)
            return
        sid = self.by_conn.get(conn_id, "")
        channel_id = self.conns.get(sid)
        call = self.calls.get(channel_id or "")
        session = call.sessions.get(sid) if call else None
        if call is None or session is None:
            if via == self.node and conn_id in self.remote:  # its call is hosted by another node
                channel_id, node = self.remote[conn_id]
                if action == "leave":
                    del self.remote[conn_id]
                self._pass_on(node, conn_id, user_id, action, data, via, 0)
            return
        if session.user_id != user_id:
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
        elif action in ("janus_sdp", "janus_ice"):
            await self.sfu.janus_message(sid, action, data)
        elif action in ("mute", "unmute"):
            await self._set_unmuted(call, session, action == "unmute")
        elif action in ("voice_on", "voice_off"):
            # the app's own voice activity detector (on its microphone) says when its user speaks: the
            # others' speaking indicators, whether the SFU forwards that voice to them or not
            self._publish("user_" + action, {"userID": user_id, "session_id": sid}, channel_id=call.channel_id)
        elif action in ("raise_hand", "unraise_hand"):
            await self._set_hand(call, session, action == "raise_hand")
        elif action in ("screen_on", "screen_off"):
            await self._screen(call, session, action == "screen_on", _stream_id(data))
        elif action in ("video_on", "video_off"):
            await self._video(call, session, action == "video_on")
        elif action == "video_tiles":  # chinwag's web UI: the sizes it shows the cameras at (simulcast)
            try:
                tiles = json.loads(str(data.get("data", "")))
            except ValueError:
                return
            if isinstance(tiles, dict):
                self.sfu.set_video_tiles(sid, tiles)

    async def _set_unmuted(self, call: Call, session: CallSession, unmuted: bool) -> None:
        session.unmuted = unmuted
        self.sfu.set_unmuted(session.session_id, unmuted)
        await self._save(call)
        self._publish("user_unmuted" if unmuted else "user_muted",
                      {"userID": session.user_id, "session_id": session.session_id}, channel_id=call.channel_id)

    async def _set_hand(self, call: Call, session: CallSession, raised: bool) -> None:
        session.raised_hand = _now_ms() if raised else 0
        await self._save(call)
        self._publish("user_raise_hand" if raised else "user_unraise_hand",
                      {"userID": session.user_id, "session_id": session.session_id,
                       "raised_hand": session.raised_hand}, channel_id=call.channel_id)

    async def _video(self, call: Call, session: CallSession, on: bool) -> None:
        """The camera on or off: its video is forwarded to the others only while on."""
        if on and not self._setting("EnableVideo", True):
            self._fail(session.conn_id, "video is not enabled")
            return
        if session.video == on:
            return
        session.video = on
        call.camera(session.session_id, on)
        self.sfu.set_video(session.session_id, on)
        await self._save(call)
        self._publish("user_video_on" if on else "user_video_off",
                      {"userID": session.user_id, "session_id": session.session_id}, channel_id=call.channel_id)

    async def _screen(self, call: Call, session: CallSession, on: bool, stream_id: str = "") -> None:
        if on:
            if not self._setting("AllowScreenSharing", True) or call.screen_sharing_session_id:
                self._fail(session.conn_id, "cannot start screen sharing")
                return
            call.screen_sharing_session_id = session.session_id
            call.used_screen = True
        elif call.screen_sharing_session_id == session.session_id:
            call.screen_sharing_session_id = ""
        else:
            return
        self.sfu.set_screen(session.session_id, on, stream_id)
        await self._save(call)
        self._publish("user_screen_on" if on else "user_screen_off",
                      {"userID": session.user_id, "session_id": session.session_id}, channel_id=call.channel_id)

    async def _host_elsewhere(self, channel_id: str, user_id: str) -> tuple[Call | None, str]:
        """Under the channel's lock, with no call of it here: (a new call this node now hosts, "") or
        (None, the live node that hosts the channel's call). A record whose node is gone is ended first."""
        for _ in range(5):
            raw, rec = await self._record(channel_id)
            if rec is not None:
                node = str(rec.get("node", ""))
                if node != self.node and await self._alive(node):
                    return None, node
                await self._end_record(channel_id, raw, rec)  # its node is gone (or it is this node's old one)
                continue
            await self._beat(force=True)  # alive before anyone reads the claim
            call = Call(id=_new_id(), channel_id=channel_id, start_at=_now_ms(), owner_id=user_id,
                        host_id=user_id, node=self.node)
            new = call.record()
            if await self.api.kv_compare_and_set(RECORD + channel_id, None, new):
                call.saved = new
                self.calls[channel_id] = call
                return call, ""
        raise RuntimeError("could not settle which node hosts the call")

    def _refuse(self, conn_id: str, via: str, text: str) -> None:
        """A join that cannot be: the client hears why; the node its WebSocket is on forgets the route."""
        self._fail(conn_id, text)
        if via != self.node:
            self._forward(via, {"t": "unroute", "conn": conn_id})

    async def _join(self, conn_id: str, user_id: str, data: dict[str, Any], via: str, hops: int) -> None:
        channel_id = str(data.get("channelID", ""))
        if conn_id in self.by_conn or (via == self.node and conn_id in self.remote):
            self._fail(conn_id, "already in a call")
            return
        if not ID_RE.match(channel_id) or not await self._is_member(channel_id, user_id):
            self._refuse(conn_id, via, "forbidden")
            return
        channel = await self.api.get_channel(channel_id)
        if channel.delete_at:
            self._refuse(conn_id, via, "cannot join call in archived channel")
            return
        if channel_id not in self.calls and (await self._record(channel_id))[1] is None:
            refusal = await self._start_refusal(channel_id, user_id)
            if refusal:  # no call to join, and this user may not start one here
                self._refuse(conn_id, via, refusal)
                return
        async with self._lock(channel_id):
            call = self.calls.get(channel_id)
            started = call is None
            if call is None:
                call, node = await self._host_elsewhere(channel_id, user_id)
                if call is None:
                    if hops >= MAX_HOPS:
                        self._refuse(conn_id, via, "the call is not available")
                        return
                    if via == self.node:
                        self.remote[conn_id] = (channel_id, node)
                        await self._beat()
                    else:  # the connection's node thought this one hosted the call
                        self._forward(via, {"t": "route", "conn": conn_id, "channel": channel_id, "node": node})
                    self._pass_on(node, conn_id, user_id, "join", data, via, hops + 1)
                    return
                self._forget_remote(channel_id)
                title = str(data.get("title") or "")
                try:
                    text = ringing.started_message(await self.api.get_user(user_id), self.api.get_config())
                    post = await self.api.create_post(Post(
                        id="", user_id=user_id, channel_id=channel_id, message=text, type=CALL_POST_TYPE,
                        props={"title": title, "start_at": call.start_at, "attachments": ringing.attachment(text)}))
                except BaseException:  # no call without its post
                    await self._drop(call)
                    await self.api.kv_compare_and_set(RECORD + channel_id, call.saved, None)
                    raise
                call.post_id = call.thread_id = post.id
            # a session of the same user whose WebSocket closed and has not come back (a reloaded page, an
            # app restarted within the grace): this join takes its place, so the user is in the call once
            replaced = [s for sid, s in call.sessions.items() if s.user_id == user_id and sid in self.leaving]
            limit = int(self._setting("MaxCallParticipants", 0))
            if limit and len(call.sessions) - len(replaced) >= limit:
                self._refuse(conn_id, via, "user cannot join because of limits")
                return
            screen_off = [await self._unseat(call, old.session_id) for old in replaced]
            self.remote.pop(conn_id, None)
            call.sessions[conn_id] = CallSession(conn_id, user_id, conn_id, via)
            host_changed = call.pick_host() != call.host_id
            call.host_id = call.pick_host()
            if user_id not in call.participants:
                call.participants.append(user_id)
            self.conns[conn_id] = channel_id
            self.by_conn[conn_id] = conn_id
            try:
                how = await self.sfu.join(conn_id, user_id, channel_id, data.get("twoPeers") is True)
            except Exception:
                await self._unseat(call, conn_id)
                raise
            await self._save(call)
        if started:
            self._publish("call_start", {"id": call.id, "channelID": channel_id, "start_at": call.start_at,
                                         "thread_id": call.thread_id, "post_id": call.post_id,
                                         "owner_id": call.owner_id, "host_id": call.host_id},
                          channel_id=channel_id)
            if channel.type in ("D", "G") and self._setting("EnableRinging", True):
                task = asyncio.get_running_loop().create_task(self._ring(channel, call.post_id, call.thread_id,
                                                                         user_id))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
        # a client on Janus itself (two connections) is told so: it signals with janus_sdp / janus_ice
        self._publish("join", {"connID": conn_id, **({"sfu": JANUS} if how == DIRECT else {})},
                      connection_id=conn_id)
        self._publish("user_joined", {"user_id": user_id, "session_id": conn_id}, channel_id=channel_id)
        if host_changed:
            self._publish("call_host_changed", {"hostID": call.host_id, "call_id": call.id}, channel_id=channel_id)
        # the replaced session goes after the new one came: the user is never out of the others' list
        for old, off in zip(replaced, screen_off, strict=True):
            self.api.log_info("calls: a join took the place of the user's session whose WebSocket had closed",
                              channel_id=channel_id, session_id=old.session_id, new_session_id=conn_id)
            if off:
                self._publish("user_screen_off", {"userID": user_id, "session_id": old.session_id},
                              channel_id=channel_id)
            self._publish("user_left", {"user_id": user_id, "session_id": old.session_id}, channel_id=channel_id)
        self._publish("call_state", {"channel_id": channel_id, "call": json.dumps(call.to_dict(user_id))}, user_id=user_id)

    async def _ring(self, channel: Channel, post_id: str, thread_id: str, caller_id: str) -> None:
        """A call started in a DM or group message: the other members' phones ring (ringing.py)."""
        config = self.api.get_config()
        if not (config.get("EmailSettings") or {}).get("SendPushNotifications"):
            return
        try:
            users = await self.api.get_users_in_channel(channel.id, 0, ringing.MAX_MEMBERS)
            sender = await self.api.get_user(caller_id)
        except AppError as e:
            self.api.log_error("calls: ringing failed", channel_id=channel.id, error=str(e))
            return
        for user in users:
            if user.id == caller_id:
                continue
            try:
                await self.api.send_push_notification(
                    ringing.ring_push(channel, post_id, thread_id, sender, user, users, config), user.id)
            except AppError as e:
                self.api.log_error("calls: the ringing push failed", user_id=user.id, error=str(e))

    async def notification_will_be_pushed(self, notification: dict[str, Any], user_id: str
                                          ) -> tuple[dict[str, Any] | None, str]:
        """As the plugin: no push for a reply in a call's thread to a user in the call; no post push for a
        call that starts in a DM or group message (the ringing push goes instead, ``_ring``); the push of a
        call that starts in another channel says who invites to it."""
        channel_id = str(notification.get("channel_id") or "")
        if ID_RE.match(channel_id):
            _, rec = await self._record(channel_id)
            call = (rec or {}).get("call") or {}
            if call and call.get("thread_id") == str(notification.get("root_id") or "") and any(
                    isinstance(s, dict) and s.get("user_id") == user_id for s in call.get("sessions") or []):
                return None, "calls: suppressing notification on call thread for connected user"
        if notification.get("post_type") != CALL_POST_TYPE or not self._setting("EnableRinging", True):
            return None, ""
        if notification.get("channel_type") in ("D", "G"):
            return None, "calls plugin will handle this notification"
        try:
            receiver = await self.api.get_user(user_id)
            if notification.get("is_id_loaded"):
                return {**notification, "message": ringing.generic_message(receiver)}, ""
            sender = await self.api.get_user(str(notification.get("sender_id") or ""))
        except AppError:
            return None, ""
        return {**notification, "message": ringing.inviting_message(sender, receiver, self.api.get_config())}, ""

    async def _reconnect(self, conn_id: str, user_id: str, data: dict[str, Any], via: str, hops: int) -> None:
        """The app's WebSocket came back (``{channelID, originalConnID, prevConnID}``), maybe on another
        node: the session goes on, reached on the new connection; its peer connection never stopped."""
        sid = str(data.get("originalConnID", ""))
        channel_id = str(data.get("channelID", ""))
        call = self.calls.get(channel_id)
        if call is None and ID_RE.match(channel_id) and hops < MAX_HOPS:
            _, rec = await self._record(channel_id)
            node = str(rec.get("node", "")) if rec else ""
            if node and node != self.node and await self._alive(node):
                if via == self.node:
                    self.remote[conn_id] = (channel_id, node)
                    await self._beat()
                self._pass_on(node, conn_id, user_id, "reconnect", data, via, hops + 1)
                return
        session = call.sessions.get(sid) if call else None
        if session is None or session.user_id != user_id:
            self._fail(conn_id, "session not found in call state")
            return
        self.by_conn.pop(session.conn_id, None)
        self.by_conn[conn_id] = sid
        session.conn_id = conn_id
        session.node = via
        task = self.leaving.pop(sid, None)
        if task is not None:
            task.cancel()

    async def _unseat(self, call: Call, sid: str) -> bool:
        """Take a session out of the call here and in the SFU (no events, no record); True when it was
        sharing its screen (the call's screen is then off)."""
        task = self.leaving.pop(sid, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        self.conns.pop(sid, None)
        session = call.sessions.pop(sid, None)
        call.camera(sid, False)
        await self.sfu.leave(sid)
        if session is not None:
            self.by_conn.pop(session.conn_id, None)
        if call.screen_sharing_session_id != sid:
            return False
        call.screen_sharing_session_id = ""
        return True

    async def _leave(self, conn_id: str) -> None:
        """``conn_id``: the session's id."""
        call = self.calls.get(self.conns.get(conn_id, ""))
        if call is None:
            task = self.leaving.pop(conn_id, None)
            if task is not None and task is not asyncio.current_task():
                task.cancel()
            self.conns.pop(conn_id, None)
            return
        session = call.sessions.get(conn_id)
        screen_off = await self._unseat(call, conn_id)
        if session is None:
            return
        host_changed = bool(call.sessions) and call.pick_host() != call.host_id
        if host_changed:
            call.host_id = call.pick_host()
        if call.sessions:
            await self._save(call)
        if screen_off:
            self._publish("user_screen_off", {"userID": session.user_id, "session_id": conn_id},
                          channel_id=call.channel_id)
        self._publish("user_left", {"user_id": session.user_id, "session_id": conn_id}, channel_id=call.channel_id)
        if not call.sessions:
            await self._end(call.channel_id, only_if_empty=True)
        elif host_changed:
            self._publish("call_host_changed", {"hostID": call.host_id, "call_id": call.id},
                          channel_id=call.channel_id)

    async def _drop(self, call: Call) -> None:
        """Let the call's sessions go here (its record is gone: ended elsewhere or by ``_end``)."""
        if self.calls.get(call.channel_id) is call:
            del self.calls[call.channel_id]
        for conn_id, session in list(call.sessions.items()):
            self.conns.pop(conn_id, None)
            self.by_conn.pop(session.conn_id, None)
            task = self.leaving.pop(conn_id, None)
            if task is not None and task is not asyncio.current_task():
                task.cancel()
            await self.sfu.leave(conn_id)

    async def _end(self, channel_id: str, only_if_empty: bool = False) -> None:
        async with self._lock(channel_id):
            call = self.calls.get(channel_id)
            if call is None or (only_if_empty and call.sessions):
                return
            await self._drop(call)
            async with call.save_lock:
                if call.saved is not None:
                    await self.api.kv_compare_and_set(RECORD + channel_id, call.saved, None)
            await self._ended(channel_id, call.id, call.post_id, call.start_at, call.participants, call.usage())

    async def _end_record(self, channel_id: str, raw: bytes | None, rec: dict[str, Any]) -> None:
        """End a call whose node is gone: of the nodes that try, the one that removes the record."""
        if raw is None or not await self.api.kv_compare_and_set(RECORD + channel_id, raw, None):
            return
        call = rec.get("call") or {}
        self.api.log_info("calls: ended a call whose node is gone", channel_id=channel_id, node=rec.get("node"))
        await self._ended(channel_id, str(call.get("id", "")), str(call.get("post_id", "")),
                          int(call.get("start_at") or _now_ms()), list(rec.get("participants") or []),
                          rec.get("usage") or {})

    async def _ended(self, channel_id: str, call_id: str, post_id: str, start_at: int,
                     participants: list[str], usage: dict[str, Any]) -> None:
        """The call's post says it ended, then everyone hears it (every node forgets its connections there);
        a summary of it is kept for the statistics."""
        end_at = _now_ms()
        try:
            channel_type = (await self.api.get_channel(channel_id)).type
            summary = stats.summary({"id": call_id, "channel_id": channel_id, "start_at": start_at}, usage,
                                    len(participants), channel_type, end_at)
            await self.api.kv_set(stats.PREFIX + call_id, json.dumps(summary).encode())
        except AppError as e:
            self.api.log_error("calls: keeping the call's summary failed", error=str(e))
        if post_id:
            try:
                post = await self.api.get_post(post_id)
                # as the plugin's: "Call ended" (the apps show how long from start_at and end_at)
                post.message = ringing.ended_message(self.api.get_config())
                post.props = {**(post.props or {}), "attachments": ringing.attachment(post.message), "end_at": end_at,
                              "participants": list(participants)}
                await self.api.update_post(post)
            except AppError as e:
                self.api.log_error("calls: updating the call post failed", error=str(e))
        # after the post says the call ended, so whoever reacts to the event reads the ended post
        self._publish("call_end", {"channelID": channel_id, "callID": call_id}, channel_id=channel_id)
        self._forget_remote(channel_id)
        self._forward("", {"t": "ended", "channel": channel_id})

    async def on_websocket_disconnect(self, conn_id: str, user_id: str) -> None:
        """The session's WebSocket closed: it leaves unless the app reconnects within RECONNECT_TIMEOUT (a
        resumed connection keeps its id, and the app says ``reconnect`` either way)."""
        remote = self.remote.pop(conn_id, None)
        if remote is not None:
            self._forward(remote[1], {"t": "disconnect", "conn": conn_id})
            return
        self._disconnected(conn_id)

    def _disconnected(self, conn_id: str) -> None:
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
