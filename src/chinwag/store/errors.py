"""Store errors, mapped to AppError by the app layer."""

from __future__ import annotations


class StoreError(Exception):
    pass


class NotFound(StoreError):
    def __init__(self, what: str, key: str = "") -> None:
        super().__init__(f"{what} not found: {key}")
        self.what = what
        self.key = key


class Conflict(StoreError):
    """A unique constraint would be broken (e.g. a taken username or channel name)."""

    def __init__(self, what: str, field: str = "") -> None:
        super().__init__(f"{what} conflicts on {field}")
        self.what = what
        self.field = field


class InvalidInput(StoreError):
    pass
