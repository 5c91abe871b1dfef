"""The official apps in a Janus call. An app keeps one bundled connection per session, which cannot be
joined to VideoRoom's two handles (docs/calls.md, "Janus"), so its connection ends in the embedded SFU as
in any call, and the plugin joins the room for it with two aiortc connections of its own:

- a *publisher* connection to the session's publisher handle, sending what the app sends (its voice, its
  screen, its camera): the SFU's encoded frames (``GatedTrack``: muted, a screen or camera off, nothing
  goes) packed into RTP again, no decoding, no encoding;
- a *subscriber* connection from its subscriber handle, receiving the room's other participants that are
  on Janus themselves (the web UI's): each incoming stream becomes a source of the embedded SFU, forwarded
  to the app's connection like another participant's (the media map names that participant's session).

Two apps in one Janus call meet in the embedded SFU directly (both are on this node, the call's host): a
bridge subscribes to the streams of non-bridged participants only, so nobody receives anyone twice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack

from .janus_calls import JanusCalls, Log, Member
from .sfu import SFU, GatedTrack, Session, Source, VoiceTrack

#: the fan-out subscriber that publishes an app's voice into the Janus room (never a session id)
JANUS_PUBLISHER = "janus-publisher:"


@dataclass
class Link:
    session: Session
    member: Member
    pub: RTCPeerConnection
    sub: RTCPeerConnection
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: the app's sources already published
    published: set[str] = field(default_factory=set)
    #: the Janus participants whose streams come in here, as the SFU's (remote) sessions
    remote: dict[str, Session] = field(default_factory=dict)


class Bridge:
    def __init__(self, sfu: SFU, janus: JanusCalls, log: Log) -> None:
        self.sfu, self.janus, self.log = sfu, janus, log
        self.links: dict[str, Link] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        sfu.on_source = self._on_source
        janus.on_direct = self._direct

    def _config(self) -> RTCConfiguration:
        return RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE, iceServers=self.sfu.settings.ice_servers())

    async def join(self, conn_id: str, user_id: str, channel_id: str) -> None:
        session = self.sfu.sessions[conn_id]
        pub, sub = RTCPeerConnection(self._config()), RTCPeerConnection(self._config())
        link: Link | None = None

        async def on_offer(member: Member, jsep: dict[str, Any]) -> None:
            assert link is not None
            await self._answer(link, jsep)

        async def on_reset(member: Member) -> None:
            assert link is not None
            await self._reset(link)

        try:
            member = await self.janus.join(conn_id, user_id, channel_id, on_offer=on_offer, on_reset=on_reset)
        except BaseException:
            await pub.close()
            await sub.close()
            raise
        link = Link(session, member, pub, sub)
        self.links[conn_id] = link
        self._receive(link)

    def _receive(self, link: Link) -> None:
        sub = link.sub

        @sub.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if link.sub is sub:
                self._incoming(link, track)

    async def _reset(self, link: Link) -> None:
        """The room was made again on a new Janus session (Janus restarted): two new connections, every
        stream of the app published again; the room's streams come again on the new subscriber (the app's
        connection gets them as new m-lines, the old ones' tracks ended with the old subscriber)."""
        async with link.lock:
            if self.links.get(link.session.conn_id) is not link:
                return
            old = (link.pub, link.sub)
            link.pub, link.sub = RTCPeerConnection(self._config()), RTCPeerConnection(self._config())
            link.published.clear()
            # the streams that came from Janus come again (new tracks): forwarded to the app as new ones
            gone = {sid + "/" for sid in link.remote}
            link.session.forwarded = {k for k in link.session.forwarded if not k.startswith(tuple(gone))} \
                if gone else link.session.forwarded
            link.remote.clear()
            self._receive(link)
        for pc in old:
            await pc.close()
        for source in list(link.session.sources):
            self._on_source(source)

    async def leave(self, conn_id: str) -> None:
        link = self.links.pop(conn_id, None)
        if link is None:
            return
        await self.janus.leave(conn_id)
        await link.pub.close()
        await link.sub.close()

    async def close(self) -> None:
        for conn_id in list(self.links):
            await self.leave(conn_id)

    # the room → the app -------------------------------------------------------------------------------

    async def _answer(self, link: Link, jsep: dict[str, Any]) -> None:
        await link.sub.setRemoteDescription(RTCSessionDescription(str(jsep.get("sdp", "")), "offer"))
        await link.sub.setLocalDescription(await link.sub.createAnswer())
        await self.janus.answered(link.member, link.sub.localDescription.sdp)

    def _incoming(self, link: Link, track: MediaStreamTrack) -> None:
        """A stream of the room: whose and what it is (the subscriber's m-line), then a source of the SFU
        that the app's connection receives."""
        transceiver = next((t for t in link.sub.getTransceivers() if t.receiver.track is track), None)
        feed_mid = link.member.sub_mids.get(str(transceiver.mid)) if transceiver is not None else None
        sender = self.janus.feeds.get(feed_mid[0]) if feed_mid else None
        if transceiver is None or feed_mid is None or sender is None:
            self.log("calls: a stream from Janus that the bridge cannot place", session_id=link.session.conn_id,
                     mid=str(transceiver.mid if transceiver is not None else ""), feed=str(feed_mid))
            return
        remote = link.remote.get(sender.session_id)
        if remote is None:
            # Janus relays only what flows (mute, screen and camera are gated there): always open here
            remote = link.remote[sender.session_id] = Session(
                sender.session_id, sender.user_id, sender.channel_id, link.sub, unmuted=True, screen_on=True,
                video_on=True, remote=True)
        source = Source(remote, track, MediaRelay(), sender.kinds.get(feed_mid[1], "voice"), transceiver.receiver)
        remote.sources.append(source)
        self.sfu._forward(source, link.session)

    # the app → the room ---------------------------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _on_source(self, source: Source) -> None:
        """One of the app's streams: published into the room, once somebody on Janus itself is there to
        receive it (the other apps of the call get it from the embedded SFU): a call of apps alone sends
        Janus nothing."""
        link = self.links.get(source.session.conn_id)
        if link is not None and source.key not in link.published and self.janus.has_direct(link.member.channel_id):
            link.published.add(source.key)
            self._spawn(self._publish(link, source))

    def _direct(self, channel_id: str, present: bool) -> None:
        """The call's room has somebody on Janus itself again (publish the apps' streams), or nobody any
        more (take them out: VideoRoom ``unpublish``, a new publisher connection for the next time)."""
        for link in list(self.links.values()):
            if link.member.channel_id != channel_id:
                continue
            if present:
                for source in list(link.session.sources):
                    self._on_source(source)
            else:
                self._spawn(self._unpublish(link))

    async def _unpublish(self, link: Link) -> None:
        async with link.lock:
            if self.links.get(link.session.conn_id) is not link or not link.published:
                return
            old, link.pub = link.pub, RTCPeerConnection(self._config())
            link.published.clear()
            try:
                await self.janus.unpublish(link.member)
            except Exception as e:
                self.log("calls: taking the app's streams out of the Janus room failed",
                         session_id=link.session.conn_id, error=repr(e))
        await old.close()
        if self.janus.has_direct(link.member.channel_id):  # somebody came meanwhile
            for source in list(link.session.sources):
                self._on_source(source)

    async def _publish(self, link: Link, source: Source) -> None:
        """One more of the app's streams on its publisher connection (offered to Janus again)."""
        async with link.lock:
            if self.links.get(link.session.conn_id) is not link or source.key not in link.published:
                return  # gone, or taken out of the room meanwhile (``_unpublish``)
            # a voice comes from its fan-out (the loudest speakers: speakers.py), any other stream from its relay
            track = VoiceTrack(source, JANUS_PUBLISHER + link.session.conn_id) if source.fanout is not None \
                else GatedTrack(source)
            t = link.pub.addTransceiver(track, direction="sendonly")
            try:
                await link.pub.setLocalDescription(await link.pub.createOffer())
                kinds = {str(x.mid): x.sender.track.source.kind for x in link.pub.getTransceivers()
                         if isinstance(x.sender.track, GatedTrack) and x.mid is not None}
                answer = await self.janus.publish(link.member, link.pub.localDescription.sdp, kinds)
                await link.pub.setRemoteDescription(RTCSessionDescription(answer, "answer"))
            except Exception as e:
                self.log("calls: publishing the app's stream to Janus failed", session_id=link.session.conn_id,
                         mid=str(t.mid), error=repr(e))
