"""Compare two heap reports of a running server (``chinwag.platform.memprobe``: CHINWAG_MEMPROBE_DIR set,
SIGUSR2 to the server writes one): what grew between them.

    .venv/bin/python -m bench.memprobe_diff DIR/memprobe-<pid>-1.json DIR/memprobe-<pid>-5.json [--top 25]

Prints RSS, allocated blocks and glibc's heap figures side by side, the types whose live count changed
most, the containers that grew (the same object in both reports), and, when both have a tracemalloc
snapshot, the allocation sites whose live memory grew most."""

from __future__ import annotations

import argparse
import json
import tracemalloc
from typing import Any


def load(path: str) -> dict[str, Any]:
    with open(path) as f:
        return dict(json.load(f))


def diff(a: dict[str, Any], b: dict[str, Any], top: int = 25) -> list[str]:
    minutes = (b["time"] - a["time"]) / 60
    out = [f"{minutes:.1f} min apart"]
    rows = [("RSS kB", a["rss_kb"], b["rss_kb"]), ("allocated blocks", a["allocated_blocks"], b["allocated_blocks"]),
            ("objects reached", a["objects"], b["objects"]), ("gc tracked", a["gc_tracked"], b["gc_tracked"])]
    for key in ("uordblks", "fordblks", "arena", "hblkhd"):
        if a.get("mallinfo") and b.get("mallinfo"):
            rows.append((f"malloc {key} kB", a["mallinfo"][key] // 1024, b["mallinfo"][key] // 1024))
    if "tracemalloc_traced" in b:
        rows.append(("tracemalloc traced kB", a.get("tracemalloc_traced", 0) // 1024, b["tracemalloc_traced"] // 1024))
        rows.append(("tracemalloc overhead kB", a.get("tracemalloc_overhead", 0) // 1024,
                     b["tracemalloc_overhead"] // 1024))
    for name, x, y in rows:
        out.append(f"  {name:26} {x:>12,} {y:>12,} {y - x:>+12,}")
    out.append("types (live objects, shallow bytes; by the change in bytes):")
    types = set(a["types"]) | set(b["types"])
    ab, bb = a.get("type_bytes", {}), b.get("type_bytes", {})
    changes = sorted(types, key=lambda t: -abs(bb.get(t, 0) - ab.get(t, 0)))
    total = sum(bb.values()) - sum(ab.values())
    out.append(f"  {total:>+12,} B in all")
    for t in changes[:top]:
        out.append(f"  {bb.get(t, 0) - ab.get(t, 0):>+12,} B {b['types'].get(t, 0) - a['types'].get(t, 0):>+9,}  {t}"
                   f" ({a['types'].get(t, 0):,} → {b['types'].get(t, 0):,})")
    out.append("containers (same object in both):")
    before = {c["id"]: c for c in a["containers"]}
    grew = [(c["len"] - before[c["id"]]["len"], c) for c in b["containers"] if c["id"] in before]
    new = [c for c in b["containers"] if c["id"] not in before]
    for d, c in sorted(grew, key=lambda g: -abs(g[0]))[:top]:
        out.append(f"  {d:>+10,}  {c['len']:>9,}  {c['type']}  {c['name']}")
    out.append("containers only in the second (among its largest):")
    for c in new[:top]:
        out.append(f"  {c['len']:>9,}  {c['type']}  {c['name']}")
    if a.get("tracemalloc_snapshot") and b.get("tracemalloc_snapshot"):
        sa = tracemalloc.Snapshot.load(a["tracemalloc_snapshot"])
        sb = tracemalloc.Snapshot.load(b["tracemalloc_snapshot"])
        out.append("allocation sites (live memory, traceback):")
        for diff_stat in sb.compare_to(sa, "traceback")[:top]:
            out.append(f"  {diff_stat.size_diff / 1024:>+10.1f} kB {diff_stat.count_diff:>+8,} blocks"
                       f"  (now {diff_stat.size / 1024:.1f} kB)")
            out += _frames(diff_stat.traceback)
    elif a.get("tracemalloc_started") and b.get("tracemalloc_snapshot"):
        # tracing began at the first report: everything in the second's snapshot is what was allocated
        # in between and is still alive
        sb = tracemalloc.Snapshot.load(b["tracemalloc_snapshot"])
        out.append("allocation sites (live memory allocated since the first report, traceback):")
        for stat in sb.statistics("traceback")[:top]:
            out.append(f"  {stat.size / 1024:>+10.1f} kB {stat.count:>+8,} blocks")
            out += _frames(stat.traceback)
    return out


def _frames(tb: tracemalloc.Traceback) -> list[str]:
    return ["      " + line.strip() for line in tb.format(limit=6, most_recent_first=True)
            if not line.startswith("    ")]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("first")
    ap.add_argument("second")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    print("\n".join(diff(load(args.first), load(args.second), args.top)))


if __name__ == "__main__":
    main()
