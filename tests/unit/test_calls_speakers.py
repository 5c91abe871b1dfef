"""The calls SFU's choice of the loudest speakers (speakers.py): the ranking by smoothed RFC 6464 level,
its hysteresis (a margin and a hold), the place after the first K for those K only, mute and silence, and
the fan-out that hands a voice only to the receivers that get it."""

from __future__ import annotations

import asyncio

import pytest

from chinwag.plugin.bundled.calls.server.speakers import (
    BACKLOG,
    HOLD,
    MARGIN_DB,
    STALE,
    SpeakerSelector,
    VoiceFanout,
)

FRAME = 0.02  # one Opus packet every 20 ms


def run(sel: SpeakerSelector, levels: dict[str, int | None], seconds: float, t0: float = 0.0) -> float:
    """Packets of every voice in ``levels`` (RFC 6464: −dBov), interleaved, for ``seconds``."""
    t = t0
    while t < t0 + seconds:
        for key, level in levels.items():
            sel.observe(key, level, t)
        t += FRAME
    return t


def receivers(sel: SpeakerSelector, keys: list[str], to: str) -> set[str]:
    return {k for k in keys if sel.forwarded(k, to)}


def test_the_k_loudest_go_to_everybody_and_never_to_their_own_speaker() -> None:
    sel = SpeakerSelector(3)
    keys = ["a", "b", "c", "d", "e"]
    # five speakers at different levels: a the loudest (−20 dBov), e the quietest
    run(sel, {"a": 20, "b": 30, "c": 40, "d": 50, "e": 60}, 2.0)
    assert sel.ranked[:3] == ["a", "b", "c"]
    assert receivers(sel, keys, "e") == {"a", "b", "c"}
    # one of the three hears the two others and the next loudest: always three voices
    assert receivers(sel, keys, "a") == {"b", "c", "d"}
    assert receivers(sel, keys, "c") == {"a", "b", "d"}
    # the quietest reaches nobody
    assert not any(sel.forwarded("e", to) for to in keys)
    assert sel.place("e") == -1 and sel.place("d") == 3


def test_a_voice_that_gets_louder_is_forwarded_from_its_next_packet() -> None:
    sel = SpeakerSelector(2)
    t = run(sel, {"a": 20, "b": 30, "c": 40, "d": 70}, 2.0)
    assert not sel.forwarded("d", "a")
    # d starts speaking loudly: within a few packets (the attack), it passes the others
    packets = 0
    while not sel.forwarded("d", "c") and packets < 10:
        run(sel, {"a": 20, "b": 30, "c": 40, "d": 10}, FRAME, t)
        t += FRAME
        packets += 1
    assert sel.forwarded("d", "c") and packets <= 8  # 160 ms
    t = run(sel, {"a": 20, "b": 30, "c": 40, "d": 10}, 2.0, t)
    assert sel.ranked[:2] == ["d", "a"]


def test_no_flapping_between_voices_of_about_the_same_loudness() -> None:
    sel = SpeakerSelector(1)
    t = run(sel, {"a": 30, "b": 31, "c": 32}, 1.0)
    first = list(sel.ranked)
    changes = 0
    # the two swap by 4 dB every 200 ms, less than the margin: the order stays
    for i in range(50):
        levels = {"a": 30, "b": 27, "c": 60} if i % 2 else {"a": 27, "b": 30, "c": 60}
        before = list(sel.ranked)
        t = run(sel, levels, 0.2, t)
        changes += sel.ranked[:2] != before[:2]
    assert changes == 0 and sel.ranked[:2] == first[:2]
    assert MARGIN_DB > 3


def test_a_new_place_is_held_for_a_while() -> None:
    sel = SpeakerSelector(1)
    t = run(sel, {"a": 40, "b": 60}, 1.0)
    assert sel.ranked == ["a", "b"]
    # b gets loud and takes the first place
    t = run(sel, {"a": 40, "b": 10}, 0.3, t)
    assert sel.ranked[0] == "b"
    took = sel.levels["b"].since
    # a gets louder still right after (0 dBov): b keeps its place until its hold is over, then a takes it
    passed = None
    while t < took + 2 * HOLD and passed is None:
        t = run(sel, {"a": 0, "b": 10}, FRAME, t)
        if sel.ranked[0] == "a":
            passed = t
    assert passed is not None and took + HOLD <= passed <= took + HOLD + 0.1


def test_pauses_between_words_keep_a_speaker() -> None:
    sel = SpeakerSelector(1)
    t = run(sel, {"a": 25, "b": 25, "c": 55}, 0.5)
    assert set(sel.ranked) == {"a", "b"}
    holder = sel.ranked[0]
    other = "b" if holder == "a" else "a"
    # the one speaking pauses 300 ms between words, down to the room's noise (−55 dBov) as the quiet one
    for _ in range(10):
        t = run(sel, {holder: 25, other: 55, "c": 55}, 0.4, t)
        t = run(sel, {holder: 55, other: 55, "c": 55}, 0.3, t)
        assert sel.ranked[0] == holder


def test_mute_and_silence_free_the_place() -> None:
    sel = SpeakerSelector(1)
    t = run(sel, {"a": 10, "b": 40, "c": 50}, 1.0)
    assert sel.ranked == ["a", "b"]
    sel.drop("a")  # muted: out at once
    assert sel.ranked == ["b"] and not sel.forwarded("a", "c")
    t = run(sel, {"b": 40, "c": 50}, 0.1, t)
    assert sel.ranked == ["b", "c"]
    # b stops sending (no packets): c takes over after STALE, whatever the hold
    t = run(sel, {"c": 50}, STALE + 0.1, t)
    assert sel.ranked[0] == "c"


def test_senders_without_levels_count_as_silent() -> None:
    sel = SpeakerSelector(1)
    t = run(sel, {"a": None, "b": None}, 1.0)
    assert sel.ranked == ["a", "b"]  # places free: taken in order
    t = run(sel, {"a": None, "b": None, "c": 60}, 1.0, t)
    assert sel.ranked[0] == "c"


def test_k_zero_forwards_every_voice_and_k_can_change() -> None:
    sel = SpeakerSelector(0)
    run(sel, {"a": 20, "b": 30, "c": 40, "d": 50}, 0.5)
    assert all(sel.forwarded(k, to) for k in "abcd" for to in "abcd" if k != to)
    assert not sel.forwarded("a", "a")
    sel.set_k(1)
    t = run(sel, {"a": 20, "b": 30, "c": 40, "d": 50}, 0.5, 10.0)
    assert sel.ranked == ["a", "b"]
    assert receivers(sel, list("abcd"), "c") == {"a"}
    sel.set_k(0)
    run(sel, {"a": 20}, 0.1, t)
    assert sel.ranked == [] and sel.forwarded("d", "a")


async def test_fanout_hands_a_voice_only_to_its_receivers() -> None:
    sel = SpeakerSelector(1)
    unmuted = {"a": True, "b": True, "c": True}
    fan = {k: VoiceFanout(k, sel, lambda k=k: unmuted[k]) for k in "abc"}
    outs = {(k, to): fan[k].subscribe(to) for k in "abc" for to in "abc" if k != to}
    levels = {"a": 20, "b": 40, "c": 60}
    t = 0.0
    for _ in range(50):
        for k in "abc":
            fan[k].push(f"{k}@{t:.2f}", levels[k], t)
        t += FRAME
    got = {key: out.queue.qsize() for key, out in outs.items()}
    # a (loudest) to b and c; b (next) to a only; c to nobody
    assert got[("a", "b")] == got[("a", "c")] == 50
    assert got[("b", "a")] == 50 and got[("b", "c")] == 0
    assert got[("c", "a")] == got[("c", "b")] == 0

    # a muted voice goes nowhere, and the next one is heard by everybody at once
    unmuted["a"] = False
    sel.drop("a")
    before = outs[("b", "c")].queue.qsize()
    for k in "abc":
        fan[k].push(f"{k}@{t:.2f}", levels[k], t)
    assert outs[("b", "c")].queue.qsize() == before + 1
    assert outs[("a", "b")].queue.qsize() == 50

    # a receiver's queue keeps one second at most; the end reaches every receiver, which then unsubscribes
    for _ in range(2 * BACKLOG):
        fan["b"].push("x", 40, t)
    assert outs[("b", "a")].queue.qsize() == BACKLOG
    fan["b"].end()
    assert fan["b"].subscribers == []
    q = outs[("b", "c")].queue
    last = None
    while not q.empty():
        last = q.get_nowait()
    assert last is None
    await asyncio.sleep(0)


async def test_an_idle_sender_sends_no_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """aiortc's senders report every second or so; one that sent nothing since its last report skips it."""
    from aiortc.rtp import RtcpByePacket, RtcpSenderInfo, RtcpSrPacket

    from chinwag.plugin.bundled.calls.server import sfu

    sent: list[list[object]] = []

    async def record(self: object, packets: list[object]) -> None:
        sent.append(packets)

    monkeypatch.setattr(sfu, "_send_rtcp", record)

    class Sender:
        pass

    sender = Sender()

    def report(count: int) -> list[object]:
        return [RtcpSrPacket(ssrc=1, sender_info=RtcpSenderInfo(ntp_timestamp=0, rtp_timestamp=0,
                                                                packet_count=count, octet_count=0))]

    for count in (0, 0, 0, 5, 5, 9):
        await sfu._send_rtcp_unless_idle(sender, report(count))  # type: ignore[arg-type]
    assert [p[0].sender_info.packet_count for p in sent] == [0, 5, 9]  # type: ignore[attr-defined]
    await sfu._send_rtcp_unless_idle(sender, [RtcpByePacket(sources=[1])])  # type: ignore[arg-type]
    assert len(sent) == 4
