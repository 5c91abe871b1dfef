"""The loudest speakers of a call, and the fan-out of a voice to the receivers that get it.

With everybody unmuted a call of N forwards N·(N−1) audio streams; a listener follows a handful of voices
at once at most. So each receiver gets only the K loudest voices of the call (never its own): the SFU
reads the level every sender puts in its audio packets (RFC 6464, the
``urn:ietf:params:rtp-hdrext:ssrc-audio-level`` header extension, which browsers and the apps' WebRTC stacks
send when it is negotiated: nothing is decoded), keeps a smoothed level per sender, and ranks them. That
makes at most N·K forwarded audio streams. A receiver's m-line of a voice not forwarded simply gets no
packets, as a muted one.

The ranking keeps K+1 voices: the first K go to everybody (but their own speaker); the one after them goes
only to those K, so that each of them also hears K others. A voice passes the one ranked above it (or takes
the last place from it) only when its smoothed level is ``MARGIN_DB`` above the other's, and a voice that
just got its place keeps it ``HOLD`` seconds unless it goes silent: the set does not flap between two
voices of about the same loudness. A voice that gets its place is forwarded from its next packet on.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

#: the smoothed level follows a rise fast (a new speaker is heard within ~100 ms) and a fall slowly
#: (~1 s: the pauses between words do not drop a speaker). Per packet (20 ms of Opus).
ATTACK = 0.2
RELEASE = 0.02
#: how much louder (dB, smoothed) a voice must be than the one ranked above it to pass it
MARGIN_DB = 6.0
#: how long (s) a voice keeps a place it just got, unless it goes silent
HOLD = 0.5
#: a voice with no packet for this long (s) counts as silent (its client stopped sending)
STALE = 0.3
#: RFC 6464 levels are 0 (0 dBov, the loudest) to 127 (−127 dBov, silence); loudness = 127 − level
SILENT = 127
#: frames a receiver may fall behind a voice before the oldest are dropped (1 s of audio)
BACKLOG = 50


class Level:
    """One voice's smoothed loudness (dB above −127 dBov) and its place in the ranking."""

    __slots__ = ("last", "loudness", "since")

    def __init__(self, loudness: float, now: float) -> None:
        self.loudness = loudness
        #: the last packet's arrival; when the voice got its current place
        self.last = now
        self.since = now


class SpeakerSelector:
    """One call's voices ranked by their smoothed level, with hysteresis. ``k`` = 0: every voice goes to
    everybody (no selection)."""

    def __init__(self, k: int = 3) -> None:
        self.k = max(0, k)
        self.levels: dict[str, Level] = {}
        #: the K+1 best voices (session ids), best first
        self.ranked: list[str] = []

    def observe(self, key: str, level: int | None, now: float | None = None) -> None:
        """A packet of ``key``'s voice with its RFC 6464 level (None: the sender put none in: silence)."""
        if now is None:
            now = time.monotonic()
        loud = SILENT - level if level is not None else 0
        st = self.levels.get(key)
        if st is None:
            st = self.levels[key] = Level(loud, now)
        else:
            st.loudness += (ATTACK if loud > st.loudness else RELEASE) * (loud - st.loudness)
            st.last = now
        if not self.k:
            return
        ranked = self.ranked
        if key in ranked:
            i = ranked.index(key)
        elif len(ranked) <= self.k:
            ranked.append(key)
            st.since = now
            i = len(ranked) - 1
        elif self._beats(st, self.levels[ranked[-1]], now):
            ranked[-1] = key
            st.since = now
            i = len(ranked) - 1
        else:
            return
        while i and self._beats(st, self.levels[ranked[i - 1]], now):
            other = ranked[i - 1]
            ranked[i - 1], ranked[i] = key, other
            st.since = self.levels[other].since = now
            i -= 1

    @staticmethod
    def _beats(a: Level, b: Level, now: float) -> bool:
        if now - b.last > STALE:
            return True
        return now - b.since >= HOLD and a.loudness > b.loudness + MARGIN_DB

    def set_k(self, k: int) -> None:
        self.k = max(0, k)
        del self.ranked[self.k + 1:]
        if not self.k:
            self.ranked.clear()

    def drop(self, key: str) -> None:
        """The voice is muted or gone: out of the ranking (its level is forgotten)."""
        self.levels.pop(key, None)
        if key in self.ranked:
            self.ranked.remove(key)

    def place(self, key: str) -> int:
        """``key``'s place: 0 … K−1 goes to everybody, K to the first K only, −1 to nobody."""
        if not self.k:
            return 0
        try:
            return self.ranked.index(key)
        except ValueError:
            return -1

    def forwarded(self, key: str, to: str) -> bool:
        """Whether ``key``'s voice goes to ``to`` now."""
        if key == to:
            return False
        if not self.k:
            return True
        p = self.place(key)
        return 0 <= p < self.k or (p == self.k and 0 <= self.place(to) < self.k)

    def speakers(self) -> list[str]:
        """The voices forwarded to somebody now, best first."""
        return list(self.ranked) if self.k else list(self.levels)


class VoiceFanout:
    """One sender's voice handed to the receivers' tracks that get it, straight from the receiver that
    reassembled it (no relay task in between). ``key``: the sender's session id; ``flowing``: whether its
    voice may go out at all (unmuted)."""

    def __init__(self, key: str, selector: SpeakerSelector, flowing: Any) -> None:
        self.key = key
        self.selector = selector
        self.flowing = flowing
        self.subscribers: list[VoiceOut] = []

    def push(self, packet: Any, level: int | None, now: float) -> None:
        if not self.flowing():
            return
        sel = self.selector
        sel.observe(self.key, level, now)
        p = sel.place(self.key)
        if p < 0:
            return
        if p < sel.k or not sel.k:
            for sub in self.subscribers:
                sub.put(packet)
        else:  # the voice after the first K: to those K only
            for sub in self.subscribers:
                if 0 <= sel.place(sub.to) < sel.k:
                    sub.put(packet)

    def end(self) -> None:
        for sub in list(self.subscribers):
            sub.end()

    def unsubscribe(self, to: str) -> None:
        """``to`` left: its queues go (also those of a sender that never started)."""
        self.subscribers = [sub for sub in self.subscribers if sub.to != to]

    def subscribe(self, to: str) -> VoiceOut:
        out = VoiceOut(self, to)
        self.subscribers.append(out)
        return out


class VoiceOut:
    """The voice's frames waiting for one receiver's sender."""

    __slots__ = ("fanout", "queue", "to")

    def __init__(self, fanout: VoiceFanout, to: str) -> None:
        self.fanout = fanout
        self.to = to
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    def put(self, packet: Any) -> None:
        q = self.queue
        if q.qsize() >= BACKLOG:
            q.get_nowait()
        q.put_nowait(packet)

    def end(self) -> None:
        self.queue.put_nowait(None)
        self.close()

    def close(self) -> None:
        try:
            self.fanout.subscribers.remove(self)
        except ValueError:
            pass
