"""Plugin tests: a server whose plugin directory is the test's own, with uploads on."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chinwag.server import Server, build, migrate_database
from tests.api.conftest import distinct_milliseconds, fast_password_hashing  # noqa: F401
from tests.conftest import TestDatabase, _migrated, _wipe, make_config

PLUGIN_ENV = {"MM_PLUGINSETTINGS_ENABLEUPLOADS": "true"}


@pytest.fixture
def plugin_env() -> dict[str, str]:
    return dict(PLUGIN_ENV)


@pytest.fixture
async def server(database: TestDatabase, tmp_path: Any, plugin_env: dict[str, str]) -> AsyncIterator[Server]:
    cfg = make_config(database, str(tmp_path), MM_PLUGINSETTINGS_DIRECTORY=os.path.join(tmp_path, "plugins"),
                      **plugin_env)
    srv = build(cfg)
    if database.datasource not in _migrated:
        await migrate_database(srv.db)
        _migrated.add(database.datasource)
    await _wipe(srv)
    srv.app.plugins.restart_delay = 0.05
    await srv.start()
    yield srv
    await srv.close()
