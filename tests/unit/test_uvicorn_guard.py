"""`chinwag serve` refuses a uvicorn whose private WebSocket protocol class nobody checked
(``web/uvicorn_compat.py``), with a message saying what to install."""

from __future__ import annotations

import pytest
import uvicorn
from typer.testing import CliRunner

from chinwag.cli.main import cli
from chinwag.web.uvicorn_compat import UnsupportedUvicorn, check_uvicorn


def test_the_pinned_uvicorn_is_supported() -> None:
    check_uvicorn()
    check_uvicorn("0.54.3")


@pytest.mark.parametrize("version", ["0.55.0", "0.53.9", "1.0.0", "0.5"])
def test_other_versions_are_refused(version: str) -> None:
    with pytest.raises(UnsupportedUvicorn, match=f"uvicorn {version} is installed.*uvicorn 0.54.x"):
        check_uvicorn(version)


def test_serve_fails_at_start_up_on_an_unknown_uvicorn(monkeypatch: pytest.MonkeyPatch, tmp_path: str) -> None:
    monkeypatch.setattr(uvicorn, "__version__", "0.99.0")
    monkeypatch.setenv("MM_CONFIG", f"{tmp_path}/config.json")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 1
    assert "uvicorn 0.99.0 is installed" in result.output and "uvicorn[standard]==0.54.0" in result.output
