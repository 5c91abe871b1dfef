"""The app layer's service graph stays a graph: no import cycle among its modules (import-linter's
"app floors" contract keeps the floors; services on one floor may use each other, but never in a
circle), and no service reaches the App it is wired into."""

from __future__ import annotations

import grimp


def _app_imports() -> dict[str, set[str]]:
    graph = grimp.build_graph("chinwag", cache_dir=None)
    modules = {m for m in graph.modules if m.startswith("chinwag.app.")}
    return {m: {d for d in graph.find_modules_directly_imported_by(m) if d in modules and d != m} for m in modules}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_in_app() -> None:
    assert _cycles(_app_imports()) == []


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_only_the_composition_root_imports_app() -> None:
    importers = {m for m, deps in _app_imports().items() if "chinwag.app.app" in deps}
    assert importers == set()
