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


def test_new_ids_differ_across_threads_and_a_fork() -> None:
    """Ids come from a per-thread pool of random bytes: threads never share one, and a forked child
    starts with a pool of its own (else parent and child would hand out the same ids)."""
    import threading

    new_id()  # this thread's pool filled
    out: list[str] = []
    threads = [threading.Thread(target=lambda: out.extend(new_id() for _ in range(600))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, written back to the parent
        os.close(r)
        os.write(w, "".join(new_id() for _ in range(10)).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        child = f.read().decode()
    os.waitpid(pid, 0)
    mine = [new_id() for _ in range(10)]
    theirs = [child[i:i + 26] for i in range(0, len(child), 26)]
    assert len(theirs) == 10 and all(is_valid_id(i) for i in theirs)
    everything = out + mine + theirs
    assert len(set(everything)) == len(everything) == 2420
