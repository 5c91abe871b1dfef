"""What forwarding a client's calls messages to the node hosting the call costs.

Two real ``chinwag serve`` nodes (PostgreSQL + Redis, as tests/cluster), the calls plugin on; one call
hosted by node A with one aiortc peer whose WebSocket is on node A and one on node B (the apps' signalling,
tests/compat/test_calls.py's Participant). Each peer then sends ``raise_hand`` / ``unraise_hand`` in turn
and waits for the channel event that announces it (which comes back to its own WebSocket): on node A the
message is handled where it arrives; on node B it goes to node A as a plugin cluster event over the event
stream, and the event comes back the same way. Reported: the round trip's median and 90th percentile per
side, and the time from ``join`` to the ``join`` answer.

    .venv/bin/python -m bench.calls_cluster [--rounds 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cluster.conftest import two_nodes  # noqa: E402
from tests.cluster.test_cluster_calls import PREFIX_EVENTS, _setup  # noqa: E402
from tests.compat.test_calls import Participant  # noqa: E402
from tests.procs import ServerProcess  # noqa: E402


async def _until_event(p: Participant, name: str, after: int, **match: Any) -> None:
    """Wait (polling every millisecond) for the event ``name`` among the events from index ``after``."""
    while True:
        for e in p.events[after:]:
            if e["event"] == PREFIX_EVENTS + name and all(e["data"].get(k) == v for k, v in match.items()):
                return
        await asyncio.sleep(0.001)


async def _round_trips(p: Participant, rounds: int) -> list[float]:
    out = []
    for i in range(rounds):
        action, event = ("raise_hand", "user_raise_hand") if i % 2 == 0 else ("unraise_hand", "user_unraise_hand")
        mark = len(p.events)
        t0 = time.perf_counter()
        await p.send(action)
        await asyncio.wait_for(_until_event(p, event, mark, session_id=p.session_id), 30)
        out.append((time.perf_counter() - t0) * 1000)
    return out


async def _join_time(p: Participant, channel_id: str) -> float:
    t0 = time.perf_counter()
    await p.join(channel_id)  # join → join answer → peer connection up → microphone offered
    return (time.perf_counter() - t0) * 1000


async def run(a: ServerProcess, b: ServerProcess, channel_id: str, users: list[tuple[str, str]],
              rounds: int) -> None:
    (u1, t1), (u2, t2) = users
    pa = Participant(a, t1, u1)  # type: ignore[arg-type]
    pb = Participant(b, t2, u2)  # type: ignore[arg-type]
    try:
        await pa.connect()
        await pb.connect()
        join_a = await _join_time(pa, channel_id)  # node A hosts the call
        join_b = await _join_time(pb, channel_id)
        await _round_trips(pa, 4)  # warm-up
        await _round_trips(pb, 4)
        on_a = await _round_trips(pa, rounds)
        on_b = await _round_trips(pb, rounds)
    finally:
        await pa.close()
        await pb.close()
    print("| WebSocket on | join until media is set up (ms) | raise-hand round trip median (ms) | p90 (ms) |")
    print("|---|---|---|---|")
    for name, join, rtt in (("node A (hosts the call)", join_a, on_a), ("node B (forwarded)", join_b, on_b)):
        p90 = statistics.quantiles(rtt, n=10)[-1]
        print(f"| {name} | {join:.0f} | {statistics.median(rtt):.1f} | {p90:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with two_nodes() as (a, b):
        channel_id, users = _setup(a, b)
        asyncio.run(run(a, b, channel_id, users, args.rounds))


if __name__ == "__main__":
    main()
