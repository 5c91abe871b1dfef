"""The opt-in heap probe (CHINWAG_MEMPROBE_DIR, SIGUSR2): what it reports and how it is compared."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from bench.memprobe_diff import diff, load

from chinwag.platform import memprobe
from tests.waiting import until


class Holder:
    def __init__(self) -> None:
        self.entries: dict[str, int] = {}


class Slotted:
    __slots__ = ("ring",)

    def __init__(self) -> None:
        self.ring: list[int] = []


def test_a_report_names_the_containers_and_a_second_one_shows_what_grew(tmp_path: Path) -> None:
    holder, slotted = Holder(), Slotted()
    # large enough to be among the largest containers of a test process
    holder.entries.update({f"k{i}": i for i in range(100_000)})
    slotted.ring.extend(range(200_000))
    gc.freeze()  # start-up objects leave the collector's view: the probe still finds them from its roots
    try:
        probe = memprobe.MemProbe(str(tmp_path), roots=[holder, slotted])
        first = load(probe.dump())
        holder.entries.update({f"k{i}": i for i in range(100_000, 101_000)})
        second = load(probe.dump())
    finally:
        gc.unfreeze()
    names = {c["name"]: c["len"] for c in second["containers"]}
    assert names["Holder.entries"] == 101_000
    assert names["Slotted.ring"] == 200_000
    assert second["rss_kb"] > 0 and second["objects"] > 0
    assert second["types"][f"{__name__}.Holder"] >= 1
    report = "\n".join(diff(first, second))
    grew = [line for line in report.splitlines() if "Holder.entries" in line]
    assert grew and grew[0].split()[0] == "+1,000"


def test_with_frames_the_first_report_starts_tracing_and_later_ones_hold_snapshots(tmp_path: Path) -> None:
    assert not tracemalloc.is_tracing()
    probe = memprobe.MemProbe(str(tmp_path), frames=5)
    kept: list[Any] = []
    try:
        first = load(probe.dump())
        assert first.get("tracemalloc_started") and tracemalloc.is_tracing()
        second = load(probe.dump())
        kept.extend(bytearray(1000) for _ in range(500))
        third = load(probe.dump())
    finally:
        tracemalloc.stop()
    assert os.path.exists(second["tracemalloc_snapshot"]) and os.path.exists(third["tracemalloc_snapshot"])
    report = "\n".join(diff(second, third))
    sites = report.split("allocation sites (live memory, traceback):")[1]
    assert "test_memprobe.py" in sites.splitlines()[2]  # the largest growth is the bytearrays above
    assert len(kept) == 500


@pytest.mark.skipif(memprobe.mallinfo() is None, reason="no glibc mallinfo2")
def test_trim_reports_the_rss_after(tmp_path: Path) -> None:
    report = load(memprobe.MemProbe(str(tmp_path), trim=True).dump())
    assert report["rss_kb_after_trim"] > 0
    assert report["mallinfo"]["uordblks"] > 0


async def test_off_without_the_variable_and_on_sigusr2_with_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(memprobe.ENV_DIR, raising=False)
    assert memprobe.install_from_env() is None
    monkeypatch.setenv(memprobe.ENV_DIR, str(tmp_path))
    probe = memprobe.install_from_env()
    assert probe is not None
    try:
        os.kill(os.getpid(), signal.SIGUSR2)
        await until(lambda: bool(_reports(tmp_path)))
    finally:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGUSR2)
    [path] = _reports(tmp_path)
    assert json.loads(path.read_text())["pid"] == os.getpid()


def _reports(directory: Path) -> list[Path]:
    return sorted(directory.glob("memprobe-*.json"))
