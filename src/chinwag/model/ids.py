"""Mattermost ids: 26 characters of base32 with Mattermost's alphabet, and millisecond clocks."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time

_MM = b"ybndrfg8ejkmcpqxot1uwisza345h769"
_VALID = re.compile(r"^[a-z0-9]{26}$")


#: every 10-bit value as its two characters
_PAIRS = [chr(_MM[i >> 5]) + chr(_MM[i & 31]) for i in range(1024)]


def encode_id(raw: bytes) -> str:
    """16 bytes as an id: base32 with Mattermost's alphabet, unpadded — what
    ``base64.b32encode(raw).translate(…)[:26]`` gives, at a third of its cost (it runs for every request
    id): the 128 bits and 2 zero bits are 13 ten-bit pairs of characters."""
    n = int.from_bytes(raw, "big") << 2
    p = _PAIRS
    return (p[n >> 120] + p[(n >> 110) & 1023] + p[(n >> 100) & 1023] + p[(n >> 90) & 1023]
            + p[(n >> 80) & 1023] + p[(n >> 70) & 1023] + p[(n >> 60) & 1023] + p[(n >> 50) & 1023]
            + p[(n >> 40) & 1023] + p[(n >> 30) & 1023] + p[(n >> 20) & 1023] + p[(n >> 10) & 1023]
            + p[n & 1023])


class _Random(threading.local):
    """Random bytes read from the OS 4 KiB at a time (one ``getrandom`` call per 256 ids instead of one
    per id), per thread; a forked child starts with nothing, so it never hands out its parent's ids."""

    pool = b""
    pos = 0


_random = _Random()
_BATCH = 4096


def _forget_random() -> None:
    _random.pool, _random.pos = b"", 0


os.register_at_fork(after_in_child=_forget_random)


def new_id() -> str:
    """A new 26-character id (16 random bytes, base32, Mattermost alphabet, no padding)."""
    r = _random
    i = r.pos
    pool = r.pool
    if i >= len(pool):
        r.pool = pool = os.urandom(_BATCH)
        i = 0
    r.pos = i + 16
    return encode_id(pool[i:i + 16])


def derived_id(seed: str) -> str:
    """A stable id for ``seed`` (the first 128 bits of its SHA-256, encoded like ``new_id``): imports give
    a source message the same id on every run."""
    return encode_id(hashlib.sha256(seed.encode()).digest()[:16])


def is_valid_id(value: object) -> bool:
    return isinstance(value, str) and len(value) == 26 and _VALID.match(value) is not None


def now_ms() -> int:
    return time.time_ns() // 1_000_000
