"""Configuration: defaults written on first start, MM_* overrides in memory only, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chinwag.config import ConfigError, ConfigStore
from chinwag.config.loader import parse_listen_address

CHINWAG = str(Path(sys.executable).parent / "chinwag")


def test_first_start_writes_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config" / "config.json"
    store = ConfigStore(str(path), environ={})
    cfg = store.load()
    assert path.exists()
    data = json.loads(path.read_text())
    assert data["ServiceSettings"]["ListenAddress"] == ":8065"
    assert data["SqlSettings"]["DriverName"] == "sqlite"
    assert cfg.TeamSettings.EnableOpenServer is False


def test_env_overrides_are_applied_and_never_written(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    ConfigStore(str(path), environ={}).load()
    env = {
        "MM_SERVICESETTINGS_LISTENADDRESS": "127.0.0.1:9000",
        "MM_SERVICESETTINGS_SITEURL": "https://chat.example.com",
        "MM_SQLSETTINGS_DRIVERNAME": "postgres",
        "MM_SQLSETTINGS_DATASOURCE": "postgres://u:p@db:5432/chat?sslmode=disable",
        "MM_FILESETTINGS_DIRECTORY": "/srv/files",
        "MM_TEAMSETTINGS_ENABLEOPENSERVER": "true",
        "MM_SQLSETTINGS_DATASOURCEREPLICAS": "postgres://a/x postgres://b/x",
        "MM_PLUGINSETTINGS_PLUGINSTATES": '{"com.example": {"Enable": true}}',
        "MM_SERVICESETTINGS_ALLOWSYNCEDDRAFTS": "false",
    }
    assert ConfigStore(str(path), environ={}).load().ServiceSettings.AllowSyncedDrafts is True
    store = ConfigStore(str(path), environ=env)
    cfg = store.load()
    assert cfg.ServiceSettings.AllowSyncedDrafts is False
    assert cfg.ServiceSettings.ListenAddress == "127.0.0.1:9000"
    assert cfg.SqlSettings.DriverName == "postgres"
    assert cfg.TeamSettings.EnableOpenServer is True
    assert cfg.SqlSettings.DataSourceReplicas == ["postgres://a/x", "postgres://b/x"]
    assert cfg.PluginSettings.PluginStates == {"com.example": {"Enable": True}}
    assert store.environment_map()["SqlSettings"] == {"DriverName": True, "DataSource": True,
                                                      "DataSourceReplicas": True}
    # saving keeps the file's own values for pinned settings
    cfg.TeamSettings.SiteName = "Acme"
    store.set_config(cfg)
    data = json.loads(path.read_text())
    assert data["TeamSettings"]["SiteName"] == "Acme"
    assert data["SqlSettings"]["DriverName"] == "sqlite"
    assert data["ServiceSettings"]["ListenAddress"] == ":8065"


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"MM_SQLSETTINGS_DRIVERNAME": "oracle"}, "SqlSettings.DriverName"),
        ({"MM_SQLSETTINGS_DRIVERNAME": "postgres", "MM_SQLSETTINGS_DATASOURCE": "nonsense"},
         "SqlSettings.DataSource"),
        ({"MM_SQLSETTINGS_DRIVERNAME": "mysql", "MM_SQLSETTINGS_DATASOURCE": "nonsense"},
         "SqlSettings.DataSource"),
        ({"MM_SQLSETTINGS_DRIVERNAME": "mysql", "MM_SQLSETTINGS_DATASOURCE": "postgres://h/db"},
         "SqlSettings.DataSource"),
        ({"MM_SERVICESETTINGS_LISTENADDRESS": "nowhere"}, "ServiceSettings.ListenAddress"),
        ({"MM_TEAMSETTINGS_ENABLEOPENSERVER": "maybe"}, "TeamSettings.EnableOpenServer"),
        ({"MM_FILESETTINGS_MAXFILESIZE": "big"}, "FileSettings.MaxFileSize"),
    ],
)
def test_invalid_settings_name_the_setting(tmp_path: Path, env: dict[str, str], setting: str) -> None:
    with pytest.raises(ConfigError, match=setting.replace(".", r"\.")):
        ConfigStore(str(tmp_path / "c.json"), environ=env).load()


def test_listen_address_forms() -> None:
    assert parse_listen_address(":8065") == ("0.0.0.0", 8065)
    assert parse_listen_address("127.0.0.1:9000") == ("127.0.0.1", 9000)
    assert parse_listen_address("[::1]:9000") == ("::1", 9000)


def test_cli_invalid_config_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "config.json"
    bad.write_text('{"SqlSettings": {"MaxOpenConns": "lots"}}')
    r = subprocess.run([CHINWAG, "serve", "--config", str(bad)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "SqlSettings.MaxOpenConns" in lines[0], r.stderr
    r = subprocess.run([CHINWAG, "serve"], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                       env={"PATH": "/usr/bin:/bin", "MM_SQLSETTINGS_DRIVERNAME": "postgres",
                            "MM_SQLSETTINGS_DATASOURCE": "postgres://nobody@127.0.0.1:1/none"})
    assert r.returncode == 1
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "SqlSettings.DataSource" in lines[0], r.stderr
