"""The opt-in heap probe (CHINWAG_MEMPROBE_DIR, SIGUSR2): what it reports and how it is compared."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

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


_FRAMES_CHILD = """
import json, sys, tracemalloc
from chinwag.platform import memprobe
from bench.memprobe_diff import diff, load

assert not tracemalloc.is_tracing()
probe = memprobe.MemProbe(sys.argv[1], frames=5)
kept = []
try:
    first = load(probe.dump())
    started = bool(first.get("tracemalloc_started")) and tracemalloc.is_tracing()
    second = load(probe.dump())
    kept.extend(bytearray(1000) for _ in range(500))
    third = load(probe.dump())
finally:
    tracemalloc.stop()
report = "\\n".join(diff(second, third))
print(json.dumps({"started": started, "second": second["tracemalloc_snapshot"],
                  "third": third["tracemalloc_snapshot"], "report": report, "kept": len(kept)}))
"""


def test_with_frames_the_first_report_starts_tracing_and_later_ones_hold_snapshots(tmp_path: Path) -> None:
    """In a process of its own: tracing every allocation with frames in a test worker that has run
    hundreds of tests (millions of live objects) took minutes."""
    child = tmp_path / "memprobe_child.py"
    child.write_text(_FRAMES_CHILD)
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(child), str(tmp_path)], capture_output=True, text=True,
                         timeout=300, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["started"] and got["kept"] == 500
    assert os.path.exists(got["second"]) and os.path.exists(got["third"])
    sites = got["report"].split("allocation sites (live memory, traceback):")[1]
    assert "memprobe_child.py" in sites.splitlines()[2]  # the largest growth is the bytearrays above


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


class _Held:
    pass


def test_a_dead_weak_proxy_in_the_heap_is_counted_not_asked() -> None:
    # isinstance() on a weak proxy whose referent is gone raises ReferenceError (CI's census met one)
    import weakref

    gone = _Held()
    holder = _Held()
    holder.proxies = [weakref.proxy(gone) for _ in range(3)]  # type: ignore[attr-defined]
    holder.by_name = {"gone": weakref.proxy(gone)}  # type: ignore[attr-defined]
    del gone
    gc.collect()
    report = memprobe.heap_census([holder])
    assert report["types"]["weakref.ProxyType"] >= 1  # one proxy object: proxies without a callback are shared
