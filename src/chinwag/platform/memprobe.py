"""Where a running server's memory goes: an opt-in probe for finding growth (#18). Off unless
``CHINWAG_MEMPROBE_DIR`` names a directory; then each ``SIGUSR2`` the process receives writes
``memprobe-<pid>-<n>.json`` there (``bench/memprobe_diff.py`` compares two of them):

- RSS, ``sys.getallocatedblocks()``, glibc's ``mallinfo2`` (bytes in use and free inside the heap: a
  growing RSS with flat in-use bytes is the allocator's, not Python's);
- live objects by type (count and shallow bytes), and the largest containers (dict, list, set, deque) with where they hang
  (``Type.attribute`` or ``dict[key]``), over everything reachable from the modules *and* what the
  collector tracks — objects that ``gc.freeze()`` moved out of the collector's view at start-up are
  counted too, a cache made at start-up that grows is one of those;
- with ``CHINWAG_MEMPROBE_FRAMES=N`` (N > 0): the first signal starts ``tracemalloc`` with N frames, each
  later one also writes ``memprobe-<pid>-<n>.tracemalloc`` (a snapshot: what was allocated since the
  first signal and is still alive, by where it was allocated). Tracing slows the process down and
  costs memory of its own (recorded: ``tracemalloc_overhead``), so it starts only when asked;
- with ``CHINWAG_MEMPROBE_TRIM=1``: ``malloc_trim(0)`` after the rest, and the RSS after it.

Walking the heap stops the event loop for a second or more (a few hundred thousand objects): a tool
for a bench or a staging server, not for production traffic."""

from __future__ import annotations

import asyncio
import collections
import ctypes
import ctypes.util
import gc
import json
import os
import signal
import sys
import time
import tracemalloc
from collections import deque
from typing import Any

ENV_DIR = "CHINWAG_MEMPROBE_DIR"
ENV_FRAMES = "CHINWAG_MEMPROBE_FRAMES"
ENV_TRIM = "CHINWAG_MEMPROBE_TRIM"
#: containers at least this long get a name (where they hang) and can be among the largest
NAMED_LEN = 64
TOP_CONTAINERS = 50
_CONTAINERS = (dict, list, set, deque)


def _is(obj: Any, types: type | tuple[type, ...]) -> bool:
    """``isinstance`` by the object's own type: a weak proxy is not asked (``isinstance`` forwards
    ``__class__`` to the referent and raises ``ReferenceError`` once it is gone)."""
    return issubclass(type(obj), types)


_MALLINFO_FIELDS = ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                    "keepcost")


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in _MALLINFO_FIELDS]


def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def mallinfo() -> dict[str, int] | None:
    """glibc's heap figures (bytes): ``uordblks`` in use, ``fordblks`` free inside the heap, ``hblkhd``
    in mmap'd blocks. None where there is no glibc ``mallinfo2`` (musl, macOS)."""
    libc = _libc()
    fn = getattr(libc, "mallinfo2", None) if libc is not None else None
    if fn is None:
        return None
    fn.restype = _Mallinfo2
    info = fn()
    return {name: int(getattr(info, name)) for name in _MALLINFO_FIELDS}


def malloc_trim() -> bool:
    libc = _libc()
    fn = getattr(libc, "malloc_trim", None) if libc is not None else None
    if fn is None:
        return False
    fn.argtypes = [ctypes.c_size_t]
    return bool(fn(0))


def rss_kb() -> int:
    """The process's resident set (kB; 0 where /proc is not there)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _attr_of(parent: Any, child: Any) -> str | None:
    """The attribute (``__dict__`` or ``__slots__``) of ``parent`` that is ``child``."""
    try:
        attrs = vars(parent)
    except Exception:  # TypeError, or ReferenceError from a dead weak proxy
        attrs = {}
    for k, v in attrs.items():
        if v is child:
            return str(k)
    for cls in type(parent).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for slot in (slots,) if _is(slots, str) else slots:
            try:
                if getattr(parent, slot, None) is child:
                    return str(slot)
            except Exception:
                continue
    return None


def _instance_dict(obj: Any) -> Any:
    try:
        return object.__getattribute__(obj, "__dict__")
    except Exception:
        return None


def _name(obj: Any) -> str:
    t = type(obj)
    return f"{t.__module__}.{t.__qualname__}"


def heap_census(roots: list[Any] | None = None) -> dict[str, Any]:
    """Every object reachable from the modules, ``roots`` and what the collector tracks, once: counts
    by type and the largest containers with a name for each."""
    # a stack: the modules and roots are walked first, so a container is named after what it hangs in
    # rather than met on its own in the collector's list
    start: list[Any] = [*gc.get_objects(), *(roots or []), sys.modules]
    seen: set[int] = set()
    counts: collections.Counter[str] = collections.Counter()
    sizes: collections.Counter[str] = collections.Counter()
    #: id of a materialised instance ``__dict__`` → its owner's type (to name what hangs in it)
    dict_owner: dict[int, str] = {}
    names: dict[int, str] = {}
    big: list[Any] = []
    stack = start
    # the walk's own state is not part of the heap (a frame reachable from the modules would lead to it)
    seen.update(id(x) for x in (start, seen, counts, sizes, dict_owner, names, big, sys._getframe()))
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        name = _name(obj)
        counts[name] += 1
        try:
            sizes[name] += sys.getsizeof(obj)
        except Exception:
            pass
        if _is(obj, _CONTAINERS) and len(obj) >= NAMED_LEN:
            big.append(obj)
        try:
            children = gc.get_referents(obj)
        except Exception:
            continue
        for child in children:
            if id(child) in seen:
                continue
            if _is(child, dict) and not _is(obj, _CONTAINERS) and _instance_dict(obj) is child:
                dict_owner[id(child)] = type(obj).__qualname__
            if _is(child, _CONTAINERS) and len(child) >= NAMED_LEN and id(child) not in names:
                names[id(child)] = _describe(obj, child, dict_owner)
            stack.append(child)
    big.sort(key=len, reverse=True)
    containers = [{"id": id(c), "type": _name(c), "len": len(c), "name": names.get(id(c), "?")}
                  for c in big[:TOP_CONTAINERS]]
    return {"objects": len(seen), "types": dict(counts.most_common()), "type_bytes": dict(sizes.most_common()),
            "containers": containers}


def _describe(parent: Any, child: Any, dict_owner: dict[int, str]) -> str:
    if _is(parent, dict):
        owner = dict_owner.get(id(parent), "dict")
        if parent is sys.modules:
            owner = "sys.modules"
        for k, v in parent.items():
            if v is child:
                return f"{owner}.{k}" if owner != "dict" and _is(k, str) else f"{owner}[{repr(k)[:80]}]"
        return owner
    if _is(parent, (list, tuple, set, deque)):
        return f"in a {type(parent).__name__} of {len(parent)}"
    attr = _attr_of(parent, child)
    owner = type(parent).__qualname__
    if type(parent).__name__ == "module":
        owner = parent.__name__
    return f"{owner}.{attr}" if attr else owner


class MemProbe:
    def __init__(self, directory: str, frames: int = 0, trim: bool = False, roots: list[Any] | None = None) -> None:
        self.directory = directory
        self.frames = frames
        self.trim = trim
        self.roots = roots or []
        self.n = 0

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.add_signal_handler(signal.SIGUSR2, self.dump)

    def dump(self) -> str:
        """Write one report (and, while tracing, one snapshot); the report's path."""
        os.makedirs(self.directory, exist_ok=True)
        base = os.path.join(self.directory, f"memprobe-{os.getpid()}-{self.n}")
        self.n += 1
        t0 = time.monotonic()
        report: dict[str, Any] = {"time": time.time(), "pid": os.getpid(), "rss_kb": rss_kb(),
                                  "allocated_blocks": sys.getallocatedblocks(), "mallinfo": mallinfo(),
                                  "gc_counts": gc.get_count(), "gc_stats": gc.get_stats(),
                                  "gc_frozen": gc.get_freeze_count(), "gc_tracked": len(gc.get_objects())}
        if self.frames > 0:
            if tracemalloc.is_tracing():
                tracemalloc.take_snapshot().dump(base + ".tracemalloc")
                report["tracemalloc_snapshot"] = base + ".tracemalloc"
                report["tracemalloc_traced"] = tracemalloc.get_traced_memory()[0]
                report["tracemalloc_overhead"] = tracemalloc.get_tracemalloc_memory()
            else:
                tracemalloc.start(self.frames)
                report["tracemalloc_started"] = True
        report.update(heap_census(self.roots))
        if self.trim:
            report["malloc_trim"] = malloc_trim()
            report["rss_kb_after_trim"] = rss_kb()
        report["rss_kb_end"] = rss_kb()  # the walk's own allocations, given back or not
        report["seconds"] = round(time.monotonic() - t0, 3)
        with open(base + ".json", "w") as f:
            json.dump(report, f, indent=1)
        return base + ".json"


def install_from_env(roots: list[Any] | None = None) -> MemProbe | None:
    """In a running event loop: the probe when ``CHINWAG_MEMPROBE_DIR`` is set (SIGUSR2 dumps), else None."""
    directory = os.environ.get(ENV_DIR, "")
    if not directory:
        return None
    probe = MemProbe(directory, frames=int(os.environ.get(ENV_FRAMES, "0") or 0),
                     trim=os.environ.get(ENV_TRIM, "") not in ("", "0"), roots=roots)
    probe.install(asyncio.get_running_loop())
    return probe
