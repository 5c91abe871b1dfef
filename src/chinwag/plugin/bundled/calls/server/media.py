"""Which SFU carries a call: the embedded one (``sfu.py``) or a Janus gateway (``janus_calls.py``), as the
plugin setting ``SFU`` says when the call starts (a call keeps its SFU until it ends; a Janus that cannot
be reached at that moment leaves the call on the embedded SFU, logged). In a Janus call a client that opens
two connections (``twoPeers`` in its ``join``: chinwag's web UI) is a VideoRoom participant itself; one
with the apps' single connection is bridged (``janus_bridge.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .janus_bridge import Bridge
from .janus_calls import EMBEDDED, JANUS, JanusCalls, JanusSettings, JanusSignal, Log
from .sfu import SFU, RTCSettings
from .workers import SFUWorkers

#: how a session is carried: its own connections to Janus, or the embedded SFU (bridged into Janus)
DIRECT, BRIDGED = "janus", "bridged"


class Media:
    """``sfu`` carries the embedded calls: an ``SFU`` in this process, or ``SFUWorkers`` (calls spread
    over worker processes). The apps' sessions of a Janus call are bridged through an ``SFU`` in *this*
    process (the bridge reaches into it): ``sfu`` itself when it is one, else one made by ``local`` the
    first time a Janus call has such a session."""

    def __init__(self, sfu: SFU | SFUWorkers, janus_signal: JanusSignal, log: Log,
                 local: Callable[[], SFU] | None = None) -> None:
        self.sfu = sfu
        self.log = log
        self.janus = JanusCalls(janus_signal, log)
        self._make_local = local
        self._local: SFU | None = sfu if isinstance(sfu, SFU) else None
        self._bridge: Bridge | None = None
        self._rtc: RTCSettings | None = None
        #: channel → the SFU of its call; session → how it is carried
        self.calls: dict[str, str] = {}
        self.where: dict[str, str] = {}
        self.channel: dict[str, str] = {}

    def local_sfu(self) -> SFU:
        """The SFU in this process (made on first use when the embedded calls are in workers)."""
        if self._local is None:
            if self._make_local is None:
                raise RuntimeError("no SFU in the plugin's process for the Janus bridge")
            self._local = self._make_local()
            if self._rtc is not None:
                self._local.configure(self._rtc)
        return self._local

    @property
    def bridge(self) -> Bridge:
        if self._bridge is None:
            self._bridge = Bridge(self.local_sfu(), self.janus, self.log)
        return self._bridge

    def _sfu_of(self, conn_id: str) -> SFU | SFUWorkers:
        """The SFU that carries a session: the local one for an app bridged into Janus."""
        if self.where.get(conn_id) == BRIDGED and self._local is not None:
            return self._local
        return self.sfu

    def configure(self, rtc: RTCSettings, janus: JanusSettings) -> None:
        self._rtc = rtc
        self.sfu.configure(rtc)
        if self._local is not None and self._local is not self.sfu:
            self._local.configure(rtc)
        self.janus.settings = janus

    def backend(self, channel_id: str) -> str:
        return self.calls.get(channel_id, EMBEDDED)

    async def join(self, conn_id: str, user_id: str, channel_id: str, two_peers: bool = False) -> str:
        """The session joins its call's SFU (the call's first chooses it): ``embedded``, ``janus`` (its
        own two connections to Janus) or ``bridged``."""
        backend = self.calls.get(channel_id)
        if backend is None:
            backend = EMBEDDED
            if self.janus.settings.enabled:
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
        elif backend == JANUS:
            self.where[conn_id] = BRIDGED
            self.local_sfu().join(conn_id, user_id, channel_id)
            await self.bridge.join(conn_id, user_id, channel_id)
            how = BRIDGED
        else:
            self.sfu.join(conn_id, user_id, channel_id)
            how = EMBEDDED
        self.where[conn_id] = how
        return how

    async def leave(self, conn_id: str) -> None:
        sfu = self._sfu_of(conn_id)
        how = self.where.pop(conn_id, None)
        channel_id = self.channel.pop(conn_id, "")
        if how == DIRECT:
            await self.janus.leave(conn_id)
        else:
            if how == BRIDGED and self._bridge is not None:
                await self._bridge.leave(conn_id)
            await sfu.leave(conn_id)
        if channel_id and channel_id not in self.channel.values():
            self.calls.pop(channel_id, None)

    async def sdp(self, conn_id: str, message: dict[str, Any]) -> None:
        if self.where.get(conn_id) != DIRECT:
            await self._sfu_of(conn_id).sdp(conn_id, message)

    async def ice(self, conn_id: str, candidate: dict[str, Any]) -> None:
        if self.where.get(conn_id) != DIRECT:
            await self._sfu_of(conn_id).ice(conn_id, candidate)

    async def janus_message(self, conn_id: str, action: str, data: dict[str, Any]) -> None:
        if self.where.get(conn_id) == DIRECT:
            await self.janus.message(conn_id, action, data)

    def set_unmuted(self, conn_id: str, unmuted: bool) -> None:
        self._sfu_of(conn_id).set_unmuted(conn_id, unmuted)
        self.janus.set_flags(conn_id, unmuted=unmuted)

    def set_screen(self, conn_id: str, on: bool, stream_id: str = "") -> None:
        self._sfu_of(conn_id).set_screen(conn_id, on, stream_id)
        self.janus.set_flags(conn_id, screen_on=on)

    def set_video(self, conn_id: str, on: bool) -> None:
        self._sfu_of(conn_id).set_video(conn_id, on)
        self.janus.set_flags(conn_id, video_on=on)

    def set_video_tiles(self, conn_id: str, tiles: dict[str, Any]) -> None:
        """The sizes a session shows the cameras at: the simulcast layer each camera reaches it in (the
        embedded SFU's choice, or the substream VideoRoom relays to a client on Janus itself)."""
        if self.where.get(conn_id) == DIRECT:
            self.janus.set_tiles(conn_id, tiles)
        else:
            self._sfu_of(conn_id).set_video_tiles(conn_id, tiles)

    async def close(self) -> None:
        for conn_id in list(self.where):
            await self.leave(conn_id)
        if self._bridge is not None:
            await self._bridge.close()
        await self.janus.close()
        await self.sfu.close()
        if self._local is not None and self._local is not self.sfu:
            await self._local.close()
