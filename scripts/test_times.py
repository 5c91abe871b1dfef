"""Where a test run's time went: the JUnit XML files `make test` writes (.times-main.xml, .times-e2e.xml),
summed per test file (set-up, call and teardown), the slowest first.

    python scripts/test_times.py [--top 40] [FILE.xml ...]
"""

from __future__ import annotations

import argparse
import collections
import xml.etree.ElementTree as ET
from pathlib import Path


def per_file(path: Path) -> tuple[dict[str, float], collections.Counter[str]]:
    seconds: dict[str, float] = collections.defaultdict(float)
    tests: collections.Counter[str] = collections.Counter()
    for case in ET.parse(path).getroot().iter("testcase"):
        parts = case.get("classname", "?").split(".")
        while len(parts) > 1 and parts[-1][:1].isupper():  # a test class: its module is the file
            parts.pop()
        name = "/".join(parts) + ".py"
        seconds[name] += float(case.get("time") or 0)
        tests[name] += 1
    return seconds, tests


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    files = args.files or [p for p in (Path(".times-main.xml"), Path(".times-e2e.xml")) if p.exists()]
    for path in files:
        seconds, tests = per_file(path)
        total = sum(seconds.values())
        print(f"== {path}: {sum(tests.values())} tests, {total / 60:.1f} min of test time")
        for name, s in sorted(seconds.items(), key=lambda kv: -kv[1])[: args.top]:
            print(f"{s:8.1f} s {100 * s / total:5.1f} % {tests[name]:4d}  {name}")


if __name__ == "__main__":
    main()
