"""API-test settings: cheap password hashes (bcrypt's cost is not what these tests are about), and a
clock that never gives two events the same millisecond, so "newest first" is creation order."""

from __future__ import annotations

import pytest

import chinwag.app.passwords
from chinwag.model.ids import now_ms
from chinwag.server import Server


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chinwag.app.passwords, "_BCRYPT_ROUNDS", 4)


@pytest.fixture(autouse=True)
def distinct_milliseconds(server: Server) -> None:
    last = 0

    def clock() -> int:
        nonlocal last
        last = max(now_ms(), last + 1)
        return last

    server.app.core.now = clock
