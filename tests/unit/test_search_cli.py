"""`chinwag search reindex` on a SQLite database: posts written directly become searchable."""

from __future__ import annotations

import sqlite3
from typing import Any

from typer.testing import CliRunner

from chinwag.cli.main import cli


def test_reindex(tmp_path: Any, monkeypatch: Any) -> None:
    db = tmp_path / "db.sqlite"
    monkeypatch.setenv("MM_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("MM_SQLSETTINGS_DATASOURCE", str(db))
    monkeypatch.setenv("MM_FILESETTINGS_DIRECTORY", str(tmp_path / "files"))
    result = CliRunner().invoke(cli, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 0 posts" in result.output
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO posts (id, userid, channelid, message) VALUES ('p1', 'u', 'c', 'Crème Brûlée')")
        # the trigger indexed the (empty) searchtext: nothing to find yet
        assert conn.execute("SELECT rowid FROM posts_fts WHERE searchtext GLOB '*brulee*'").fetchall() == []
    result = CliRunner().invoke(cli, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 posts" in result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT searchtext FROM posts WHERE id = 'p1'").fetchone() == (" creme brulee ",)
        assert len(conn.execute("SELECT rowid FROM posts_fts WHERE searchtext GLOB '*brulee*'").fetchall()) == 1
