"""ICE restart on an aiortc peer connection, which aiortc does not have.

An ICE restart (RFC 8445 §9, JSEP's ``iceRestart``) keeps the peer connection, its DTLS association (so
its SRTP keys and the data channel's SCTP association) and its m-lines, and replaces only the ICE session
under them: new local credentials (``ice-ufrag``/``ice-pwd``) and candidates go in the next description,
the peer answers with its own new ones, and connectivity checks find a new path. Browsers do it with
``createOffer({iceRestart: true})`` when a network change breaks the path (ICE ``disconnected`` or
``failed``).

aiortc's ``RTCIceTransport`` keeps one ``aioice.Connection`` for good: its DTLS transport reads the
connection's datagram queue and writes through it. :func:`begin` gives the transport a second
connection (gathered, with fresh credentials, the same ICE role) whose datagrams go to the same queue the
DTLS transport reads, so DTLS goes on over whichever path carries them; its local description (the
gatherer the next ``createOffer``/``createAnswer`` describes) becomes the new one. :meth:`IceRestart.finish`
runs the checks against the peer's new credentials and, once they find a path, closes the old session.
Until then, what DTLS sends goes over the old path if it still has one, or is dropped (as on the broken
network it replaces); the old session's end (its consent expiring, RFC 7675) no longer closes the DTLS
transport.

Used by the embedded SFU (the answering side: the app offers the restart) and by the tests' aiortc peers
(the offering side). With ``max-bundle`` (the apps' and the SFU's policy) a connection has one ICE
transport.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from typing import Any

import aioice
from aiortc import RTCPeerConnection
from aiortc.rtcicetransport import RTCIceGatherer, RTCIceTransport

_UFRAG = re.compile(r"^a=ice-ufrag:(\S+)", re.M)
_PWD = re.compile(r"^a=ice-pwd:(\S+)", re.M)


def ice_credentials(sdp: str) -> tuple[str, str]:
    """The (first, with BUNDLE the only) ``ice-ufrag`` and ``ice-pwd`` of a description; empty if none."""
    u, p = _UFRAG.search(sdp), _PWD.search(sdp)
    return (u[1] if u else "", p[1] if p else "")


def ice_transport(pc: RTCPeerConnection) -> RTCIceTransport | None:
    """The connection's ICE transport (bundled: the one all m-lines and the data channel share)."""
    for t in pc.getTransceivers():
        return t.receiver.transport.transport
    return pc.sctp.transport.transport if pc.sctp is not None else None


class _Forward(asyncio.Queue):  # type: ignore[type-arg]
    """An ICE session's datagram queue that hands its datagrams to the DTLS transport's queue, and keeps
    to itself the end-of-session marker (``None``) that would close the DTLS transport."""

    def __init__(self, to: asyncio.Queue[Any]) -> None:
        super().__init__()
        self.to = to

    def put_nowait(self, item: Any) -> None:
        if item is not None:
            self.to.put_nowait(item)


class _Path:
    """What the DTLS transport reads and writes through, once an ICE transport has been restarted: the
    one queue every ICE session of the transport delivers to, and the session that carries data."""

    def __init__(self, ice: RTCIceTransport) -> None:
        self.ice = ice
        self.queue: asyncio.Queue[Any] = ice._connection._queue
        self.old: aioice.Connection | None = None
        ice._recv = self.recv
        ice._send = self.send

    async def recv(self) -> bytes:
        item = await self.queue.get()
        if item is None:
            raise ConnectionError("Connection lost while receiving data")
        data = item[0]
        return data if isinstance(data, bytes) else bytes(data)  # as it came (the SFU may have stamped it)

    async def send(self, data: bytes) -> None:
        for conn in (self.ice._connection, self.old):
            if conn is not None and conn._nominated:
                try:
                    await conn.send(data)
                except ConnectionError:
                    pass
                return
        # no path yet: dropped, as the broken network would


_PATHS: weakref.WeakKeyDictionary[RTCIceTransport, _Path] = weakref.WeakKeyDictionary()


class IceRestart:
    """One restart of a connection's ICE transport: begun (new local credentials and candidates in place),
    then finished against the peer's new credentials."""

    def __init__(self, ice: RTCIceTransport, path: _Path, old: aioice.Connection, new: aioice.Connection) -> None:
        self.ice, self.path, self.old, self.new = ice, path, old, new
        self.done = asyncio.Event()
        self.ok = False

    @property
    def local_ufrag(self) -> str:
        return str(self.new.local_username)

    async def finish(self, remote_ufrag: str, remote_pwd: str) -> bool:
        """Connectivity checks with the peer's new credentials (its candidates come with its description
        or trickle in); then the old session goes. False when no path was found: the connection then
        fails, as one whose network is gone."""
        self.new.remote_username, self.new.remote_password = remote_ufrag, remote_pwd
        try:
            await self.new.connect()
            self.ok = True
        except ConnectionError:
            self.ok = False
        finally:
            if self.path.old is self.old:
                self.path.old = None
            await self.old.close()
            if not self.ok:
                await self.new.close()  # the transport's monitor sees it: the connection fails
                self.path.queue.put_nowait(None)
            self.done.set()
        return self.ok

    async def abort(self) -> None:
        """The connection is going away before the restart finished."""
        if not self.done.is_set():
            self.path.old = None
            await self.old.close()
            self.done.set()


async def begin(pc: RTCPeerConnection) -> IceRestart | None:
    """Start an ICE restart on ``pc``: a new ICE session (gathered) under the same DTLS transport; the next
    description ``pc`` makes carries its credentials and candidates. None when ``pc`` has no connected
    ICE transport (never connected, or its session already ended, and its DTLS transport with it)."""
    ice = ice_transport(pc)
    if ice is None or ice.state != "completed":  # not connected yet, or gone (DTLS with it)
        return None
    path = _PATHS.get(ice)
    if path is None:
        path = _PATHS[ice] = _Path(ice)
    old = ice._connection
    if path.old is not None and path.old is not old:  # a restart that had not finished: replaced
        await path.old.close()
    config = pc._RTCPeerConnection__configuration  # type: ignore[attr-defined]
    gatherer = RTCIceGatherer(iceServers=config.iceServers, iceTransportPolicy=config.iceTransportPolicy)
    new = gatherer._connection
    new.ice_controlling = old.ice_controlling
    new._queue = path.queue
    await gatherer.gather()
    if ice.state == "closed":
        await new.close()
        return None
    # the old session's datagrams still reach DTLS; its end no longer ends the transport
    old._queue = _Forward(path.queue)
    monitor = ice._RTCIceTransport__monitor_task  # type: ignore[attr-defined]
    if monitor is not None:
        monitor.cancel()
    path.old = old
    ice._connection = new
    ice._RTCIceTransport__iceGatherer = gatherer  # type: ignore[attr-defined]
    ice._RTCIceTransport__monitor_task = asyncio.ensure_future(ice._monitor())  # type: ignore[attr-defined]
    return IceRestart(ice, path, old, new)
