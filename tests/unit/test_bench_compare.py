"""bench/compare.py: parsing a bench's output and pairing the two sides."""

from __future__ import annotations

from bench.compare import flatten, last_json, order, summarize


def test_last_json_skips_progress_lines_and_takes_the_last_object() -> None:
    out = 'warming up {not json}\n{"a": 1}\nmore\n{\n  "post": {"rps": 100.5, "ok": true}\n}\n'
    assert last_json(out) == {"post": {"rps": 100.5, "ok": True}}


def test_flatten_keeps_numeric_leaves_only() -> None:
    assert flatten({"a": {"rps": 2, "ok": True, "name": "x"}, "b": [1], "c": 1.5}) == {"a.rps": 2.0, "c": 1.5}


def test_rounds_alternate_so_neither_side_always_goes_first() -> None:
    assert order(3) == ["ref", "tree", "tree", "ref", "ref", "tree"]


def test_summary_is_the_median_per_side_and_the_ratio() -> None:
    runs = {"ref": [{"rps": 100.0}, {"rps": 110.0}, {"rps": 90.0}],
            "tree": [{"rps": 120.0}, {"rps": 130.0}, {"rps": 500.0}, {"only_tree": 1.0}]}
    assert summarize(runs) == [("rps", 100.0, 130.0, 1.3)]
