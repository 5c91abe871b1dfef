"""`chinwag file test`: checks the storage FileSettings (MM_FILESETTINGS_* overrides) name."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from typer.testing import CliRunner

from chinwag.cli.main import cli
from chinwag.filestore.s3 import S3Backend
from tests.files_support import (
    moto_endpoint,  # noqa: F401 (fixture)
    new_bucket,
    s3_env,
    s3_settings,
)


@pytest.fixture
def env(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MM_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("MM_SQLSETTINGS_DATASOURCE", str(tmp_path / "db.sqlite"))
    monkeypatch.setenv("MM_FILESETTINGS_DIRECTORY", str(tmp_path / "files"))
    return monkeypatch


def test_local_directory(env: Any, tmp_path: Any) -> None:
    result = CliRunner().invoke(cli, ["file", "test"])
    assert result.exit_code == 0, result.output
    assert "File storage OK: local" in result.output
    assert list((tmp_path / "files").iterdir()) == []


def test_s3(env: Any, moto_endpoint: str) -> None:  # noqa: F811
    bucket = new_bucket()
    for key, value in s3_env(moto_endpoint, bucket).items():
        env.setenv(key, value)
    result = CliRunner().invoke(cli, ["file", "test"])
    assert result.exit_code == 1
    assert f"bucket {bucket!r} does not exist" in result.output

    async def create() -> None:
        b = S3Backend(s3_settings(moto_endpoint, bucket))
        await b.create_bucket()
        await b.close()

    asyncio.run(create())
    result = CliRunner().invoke(cli, ["file", "test"])
    assert result.exit_code == 0, result.output
    assert f"File storage OK: amazons3, bucket {bucket!r}" in result.output
    assert "(credentials: config)" in result.output
