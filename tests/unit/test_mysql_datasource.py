"""MySQL DataSources: Mattermost's form (Go's DSN: ``user:pass@tcp(host:port)/db?params``) and URLs,
into the asyncmy URL and connect arguments; the config accepts both and names the setting otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from chinwag.config import ConfigStore
from chinwag.store.sql.engine import mysql_params, sqlalchemy_url


@pytest.mark.parametrize(("dsn", "user", "password", "host", "port", "socket", "db"), [
    ("mmuser:mostest@tcp(db.example:3306)/mattermost?charset=utf8mb4,utf8&readTimeout=30s&writeTimeout=30s",
     "mmuser", "mostest", "db.example", 3306, "", "mattermost"),
    ("mm:p@ss:w@rd@tcp(10.0.0.5)/mm", "mm", "p@ss:w@rd", "10.0.0.5", None, "", "mm"),  # the last @ splits
    ("mm:x@tcp([::1]:3307)/mm", "mm", "x", "::1", 3307, "", "mm"),
    ("mm:x@unix(/run/mysqld/mysqld.sock)/mm", "mm", "x", "", None, "/run/mysqld/mysqld.sock", "mm"),
    ("root@/chinwag", "root", "", "127.0.0.1", None, "", "chinwag"),
    ("mysql://mm:p%40ss@db:3306/mattermost?charset=utf8mb4", "mm", "p@ss", "db", 3306, "", "mattermost"),
    ("mariadb://mm@db/mattermost", "mm", "", "db", None, "", "mattermost"),
])
def test_datasource_forms(dsn: str, user: str, password: str, host: str, port: int | None, socket: str,
                          db: str) -> None:
    p = mysql_params(dsn)
    assert (p["user"], p["password"], p["host"], p["port"], p["socket"], p["database"]) == (
        user, password, host, port, socket, db)
    url, _ = sqlalchemy_url("mysql", dsn)
    u = sa.engine.make_url(url)
    assert u.drivername == "mysql+chinwag_asyncmy" and u.username == user and (u.password or "") == password
    assert u.database == db and u.query["charset"] == "utf8mb4"  # utf8mb4 whatever the DSN's charset list


def test_timeouts_and_tls() -> None:
    _, args = sqlalchemy_url("mysql", "u:p@tcp(h:3306)/d?timeout=5s&readTimeout=1m&tls=skip-verify")
    assert args["connect_timeout"] == 5 and args["read_timeout"] == 60
    assert args["init_command"] == "SET time_zone = '+00:00'"
    assert args["ssl"].check_hostname is False


@pytest.mark.parametrize("dsn", ["postgres://h/db", "u:p@tcp(h:3306)", "u@udp(h)/d"])
def test_not_a_mysql_datasource(dsn: str) -> None:
    with pytest.raises(ValueError, match="not a MySQL DataSource"):
        sqlalchemy_url("mysql", dsn)


@pytest.mark.parametrize("dsn", ["mmuser:pw@tcp(mysql:3306)/mattermost?charset=utf8mb4,utf8",
                                 "mysql://mmuser:pw@mysql:3306/mattermost"])
def test_config_accepts_both_forms(tmp_path: Path, dsn: str) -> None:
    store = ConfigStore(str(tmp_path / "c.json"), environ={"MM_SQLSETTINGS_DRIVERNAME": "mysql",
                                                             "MM_SQLSETTINGS_DATASOURCE": dsn})
    store.load()
    assert store.effective.SqlSettings.DriverName == "mysql"


def _ddl(mariadb: bool) -> str:
    from sqlalchemy.schema import CreateTable

    from chinwag.store.sql.mysql_dialect import ChinwagMySQLDialect
    from chinwag.store.sql.tables import posts

    d = ChinwagMySQLDialect()
    d.is_mariadb = mariadb
    d.server_version_info = (10, 11, 9) if mariadb else (8, 0, 36)
    d._support_default_function = True
    return str(CreateTable(posts).compile(dialect=d))


def test_text_defaults_are_expressions_on_mysql_8_and_literals_on_mariadb() -> None:
    mysql8, mariadb = _ddl(False), _ddl(True)
    assert "message MEDIUMTEXT NOT NULL DEFAULT ('')" in mysql8
    assert "message MEDIUMTEXT NOT NULL DEFAULT ''" in mariadb
    assert "hashtags VARCHAR(1000) NOT NULL DEFAULT ''" in mysql8  # VARCHAR keeps the literal
    assert "createat BIGINT NOT NULL DEFAULT '0'" in mysql8 or "createat BIGINT NOT NULL DEFAULT 0" in mysql8
