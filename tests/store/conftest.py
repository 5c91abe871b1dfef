"""The store suites run on every database kind chinwag supports: SQLite, PostgreSQL and MySQL/MariaDB."""

from __future__ import annotations

import pytest

from tests.conftest import TestDatabase


@pytest.fixture(scope="session")
def database(store_database: TestDatabase) -> TestDatabase:
    return store_database
