"""Run one bench on a git ref and on the working tree, alternately, in one run, and print both with
the ratio — so a change is judged against its base on the same machine in the same minutes.

    .venv/bin/python -m bench.compare [--rounds 3] REF BENCH [BENCH ARGS…]
    .venv/bin/python -m bench.compare main posts --seconds 10 --history 20000

REF is checked out into a temporary worktree (detached) and its `src/` is put first on PYTHONPATH for
that side's bench process and the servers it starts; the bench script itself (bench/, tests/procs.py)
always comes from the working tree, so both sides are driven identically. Each bench prints a JSON
object at the end; every numeric leaf of it is compared (median over the rounds). Rounds go
ref, tree, tree, ref, ref, tree, … so neither side always runs on a warmer or busier machine.
With ``--json`` each metric also lists every run's value per side (``ref_runs``, ``tree_runs``), the
spread to judge a ratio by.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def ref_worktree(ref: str, prefix: str = "chinwag-ref-") -> Iterator[tuple[str, Path]]:
    """REF checked out (detached) in a temporary worktree: yields its commit and the worktree's path, and
    removes the worktree afterwards (the A/B benches run one side's server from its ``src/``)."""
    sha = subprocess.run(["git", "rev-parse", "--verify", ref + "^{commit}"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    wt = Path(tempfile.mkdtemp(prefix=prefix))
    subprocess.run(["git", "worktree", "add", "--detach", str(wt), sha], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        yield sha, wt
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(wt)], cwd=ROOT, capture_output=True)
        shutil.rmtree(wt, ignore_errors=True)


def last_json(out: str) -> dict[str, Any]:
    """The last top-level JSON object printed by a bench (benches may print progress lines before)."""
    dec = json.JSONDecoder()
    found: dict[str, Any] | None = None
    i = out.find("{")
    while i != -1:
        try:
            obj, end = dec.raw_decode(out, i)
        except json.JSONDecodeError:
            i = out.find("{", i + 1)
            continue
        if isinstance(obj, dict):
            found = obj
        i = out.find("{", end)
    if found is None:
        raise ValueError("the bench printed no JSON object")
    return found


def flatten(obj: Any, prefix: str = "") -> dict[str, float]:
    """Numeric leaves as dotted paths (booleans are not numbers here)."""
    out: dict[str, float] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, int | float) and not isinstance(obj, bool):
        out[prefix] = float(obj)
    return out


def order(rounds: int) -> list[str]:
    """ABBA…: ref, tree, tree, ref, ref, tree, …"""
    seq: list[str] = []
    for r in range(rounds):
        seq += ["ref", "tree"] if r % 2 == 0 else ["tree", "ref"]
    return seq


def summarize(runs: dict[str, list[dict[str, float]]]) -> list[tuple[str, float, float, float | None]]:
    keys = sorted(set().union(*(r.keys() for side in runs.values() for r in side)))
    rows = []
    for k in keys:
        ref = [r[k] for r in runs["ref"] if k in r]
        tree = [r[k] for r in runs["tree"] if k in r]
        if not ref or not tree:
            continue
        a, b = statistics.median(ref), statistics.median(tree)
        rows.append((k, a, b, (b / a) if a else None))
    return rows


def run_side(src: Path, bench: str, args: list[str]) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", f"bench.{bench}", *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} with PYTHONPATH={src} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return flatten(last_json(proc.stdout))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ref", help="git ref to compare the working tree against (e.g. main, HEAD~3, a sha)")
    ap.add_argument("--rounds", type=int, default=3, help="runs per side (alternating)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("bench", help="bench module name, e.g. posts, ws_fanout, notify")
    ap.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the bench (after --)")
    ns = ap.parse_args()
    bench_args = ns.args[1:] if ns.args[:1] == ["--"] else ns.args
    with ref_worktree(ns.ref) as (sha, wt):
        runs: dict[str, list[dict[str, float]]] = {"ref": [], "tree": []}
        for i, side in enumerate(order(ns.rounds), 1):
            src = wt / "src" if side == "ref" else ROOT / "src"
            print(f"[{i}/{2 * ns.rounds}] {side} ({sha[:8] if side == 'ref' else 'working tree'})",
                  file=sys.stderr, flush=True)
            runs[side].append(run_side(src, ns.bench, bench_args))
        rows = summarize(runs)
        load = os.getloadavg()
        if ns.json:
            each = {side: {k: [r[k] for r in runs[side] if k in r] for k, *_ in rows} for side in runs}
            print(json.dumps({"ref": sha, "rounds": ns.rounds, "load": load,
                              "metrics": {k: {"ref": a, "tree": b, "ratio": r, "ref_runs": each["ref"][k],
                                              "tree_runs": each["tree"][k]} for k, a, b, r in rows}}, indent=2))
            return
        print(f"bench.{ns.bench} {' '.join(bench_args)} — ref {sha[:10]} vs working tree, "
              f"median of {ns.rounds} alternating runs each (load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})")
        width = max((len(k) for k, *_ in rows), default=10)
        print(f"{'metric':<{width}}  {'ref':>12}  {'tree':>12}  {'tree/ref':>8}")
        for k, a, b, r in rows:
            print(f"{k:<{width}}  {a:>12.2f}  {b:>12.2f}  {(f'{r:.3f}' if r is not None else '-'):>8}")


if __name__ == "__main__":
    main()
