"""Mattermost ids: 26 characters of base32 with Mattermost's alphabet, and millisecond clocks."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import time

_STD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_MM = b"ybndrfg8ejkmcpqxot1uwisza345h769"
_TRANS = bytes.maketrans(_STD, _MM)
_VALID = re.compile(r"^[a-z0-9]{26}$")


def new_id() -> str:
    """A new 26-character id (16 random bytes, base32, Mattermost alphabet, no padding)."""
    return base64.b32encode(os.urandom(16)).translate(_TRANS)[:26].decode("ascii")


def derived_id(seed: str) -> str:
    """A stable id for ``seed`` (the first 128 bits of its SHA-256, encoded like ``new_id``): imports give
    a source message the same id on every run."""
    return base64.b32encode(hashlib.sha256(seed.encode()).digest()[:16]).translate(_TRANS)[:26].decode("ascii")


def is_valid_id(value: object) -> bool:
    return isinstance(value, str) and len(value) == 26 and _VALID.match(value) is not None


def now_ms() -> int:
    return time.time_ns() // 1_000_000
