"""Ids: the fast encoder gives exactly what base32 with Mattermost's alphabet gives."""

from __future__ import annotations

import base64
import os

from chinwag.model.ids import derived_id, encode_id, is_valid_id, new_id

_TRANS = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"ybndrfg8ejkmcpqxot1uwisza345h769")


def _reference(raw: bytes) -> str:
    return base64.b32encode(raw).translate(_TRANS)[:26].decode("ascii")


def test_encode_id_is_base32_with_mattermosts_alphabet() -> None:
    samples = [bytes(16), b"\xff" * 16, bytes(range(16))] + [os.urandom(16) for _ in range(20000)]
    for raw in samples:
        assert encode_id(raw) == _reference(raw), raw.hex()


def test_new_and_derived_ids() -> None:
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(is_valid_id(i) for i in ids)
    assert derived_id("slack:C1/123.456") == derived_id("slack:C1/123.456")
    assert is_valid_id(derived_id("x"))
