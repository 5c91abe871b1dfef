"""API-test settings: cheap password hashes (bcrypt's cost is not what these tests are about)."""

from __future__ import annotations

import pytest

import chinwag.app.user


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chinwag.app.user, "_BCRYPT_ROUNDS", 4)
