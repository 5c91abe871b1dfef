"""Which SFU carries a call: the embedded one (``sfu.py``) or a Janus gateway (``janus_calls.py``), as the
plugin setting ``SFU`` says when the call starts (a call keeps its SFU until it ends; a Janus that cannot
be reached at that moment leaves the call on the embedded SFU, logged). In a Janus call a client that opens
two connections (``twoPeers`` in its ``join``: chinwag's web UI) is a VideoRoom participant itself; one
with the apps' single connection is bridged (``janus_bridge.py``)."""

from __future__ import annotations

from typing import Any

from .janus_bridge import Bridge
from .janus_calls import EMBEDDED, JANUS, JanusCalls, JanusSettings, JanusSignal, Log
from .sfu import SFU, RTCSettings
from .workers import SFUWorkers

#: how a session is carried: its own connections to Janus, or the embedded SFU (bridged into Janus)
DIRECT, BRIDGED = "janus", "bridged"


class Media:
    def __init__(self, sfu: SFU | SFUWorkers, janus_signal: JanusSignal, log: Log) -> None:
        self.sfu = sfu
        self.log = log
        self.janus = JanusCalls(janus_signal, log)
        #: the apps' sessions reach a Janus room through the embedded SFU in this process; with the
        #: SFU in worker processes (``SFUWorkers``: Janus was not selected at activation) there is no
        #: bridge, and calls stay on the embedded SFU until the plugin is activated again
        self.bridge = Bridge(sfu, self.janus, log) if isinstance(sfu, SFU) else None
        #: channel → the SFU of its call; session → how it is carried
        self.calls: dict[str, str] = {}
        self.where: dict[str, str] = {}
        self.channel: dict[str, str] = {}

    def configure(self, rtc: RTCSettings, janus: JanusSettings) -> None:
        self.sfu.configure(rtc)
        self.janus.settings = janus

    def backend(self, channel_id: str) -> str:
        return self.calls.get(channel_id, EMBEDDED)

    async def join(self, conn_id: str, user_id: str, channel_id: str, two_peers: bool = False) -> str:
        """The session joins its call's SFU (the call's first chooses it): ``embedded``, ``janus`` (its
        own two connections to Janus) or ``bridged``."""
        backend = self.calls.get(channel_id)
        if backend is None:
            backend = EMBEDDED
            if self.janus.settings.enabled and self.bridge is None:
                self.log("calls: Janus was selected after the calls plugin started its SFU worker "
                         "processes; this call uses the embedded SFU (disable and enable the plugin)",
                         channel_id=channel_id)
            elif self.janus.settings.enabled:
                try:
                    await self.janus.room(channel_id)
                    backend = JANUS
                except Exception as e:  # whatever the reason (refused, wrong secret, timeout)
                    self.log("calls: Janus cannot be reached; this call uses the embedded SFU",
                             channel_id=channel_id, url=self.janus.settings.url, error=repr(e))
            self.calls[channel_id] = backend
        self.channel[conn_id] = channel_id
        if backend == JANUS and two_peers:
            await self.janus.join(conn_id, user_id, channel_id)
            how = DIRECT
        elif backend == JANUS and self.bridge is not None:
            self.sfu.join(conn_id, user_id, channel_id)
            await self.bridge.join(conn_id, user_id, channel_id)
            how = BRIDGED
        else:
            self.sfu.join(conn_id, user_id, channel_id)
            how = EMBEDDED
        self.where[conn_id] = how
        return how

    async def leave(self, conn_id: str) -> None:
        how = self.where.pop(conn_id, None)
        channel_id = self.channel.pop(conn_id, "")
        if how == DIRECT:
            await self.janus.leave(conn_id)
        else:
            if how == BRIDGED and self.bridge is not None:
                await self.bridge.leave(conn_id)
            await self.sfu.leave(conn_id)
        if channel_id and channel_id not in self.channel.values():
            self.calls.pop(channel_id, None)

    async def sdp(self, conn_id: str, message: dict[str, Any]) -> None:
        if self.where.get(conn_id) != DIRECT:
            await self.sfu.sdp(conn_id, message)

    async def ice(self, conn_id: str, candidate: dict[str, Any]) -> None:
        if self.where.get(conn_id) != DIRECT:
            await self.sfu.ice(conn_id, candidate)

    async def janus_message(self, conn_id: str, action: str, data: dict[str, Any]) -> None:
        if self.where.get(conn_id) == DIRECT:
            await self.janus.message(conn_id, action, data)

    def set_unmuted(self, conn_id: str, unmuted: bool) -> None:
        self.sfu.set_unmuted(conn_id, unmuted)
        self.janus.set_flags(conn_id, unmuted=unmuted)

    def set_screen(self, conn_id: str, on: bool, stream_id: str = "") -> None:
        self.sfu.set_screen(conn_id, on, stream_id)
        self.janus.set_flags(conn_id, screen_on=on)

    def set_video(self, conn_id: str, on: bool) -> None:
        self.sfu.set_video(conn_id, on)
        self.janus.set_flags(conn_id, video_on=on)

    def set_video_tiles(self, conn_id: str, tiles: dict[str, Any]) -> None:
        """The sizes a session shows the cameras at: the embedded SFU's simulcast layer choice (Janus
        relays one layer)."""
        if self.where.get(conn_id) != DIRECT:
            self.sfu.set_video_tiles(conn_id, tiles)

    async def close(self) -> None:
        for conn_id in list(self.where):
            await self.leave(conn_id)
        if self.bridge is not None:
            await self.bridge.close()
        await self.janus.close()
        await self.sfu.close()
