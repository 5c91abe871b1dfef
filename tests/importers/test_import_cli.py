"""The `chinwag import slack` command itself: a real process on a SQLite database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.importers import slack_fixture


def run_cli(tmp: str, *args: str, command: tuple[str, ...] = ("import", "slack")
            ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MM_SQLSETTINGS_DRIVERNAME": "sqlite",
           "MM_SQLSETTINGS_DATASOURCE": os.path.join(tmp, "chinwag.db"),
           "MM_FILESETTINGS_DIRECTORY": os.path.join(tmp, "files"),
           "MM_CONFIG": os.path.join(tmp, "config.json")}
    return subprocess.run([sys.executable, "-m", "chinwag.cli.main", *command, *args],
                          env=env, capture_output=True, text=True, timeout=120)


def test_cli_imports_and_reports(tmp_path: Any) -> None:
    tmp = str(tmp_path)
    path = slack_fixture.write_zip(os.path.join(tmp, "export.zip"), slack_fixture.files())
    done = run_cli(tmp, path, "--team", "acme")
    assert done.returncode == 0, done.stderr
    assert "messages:" in done.stdout and "files not in the archive: 2" in done.stdout
    assert "messages" in done.stderr  # the progress bar of that stage
    with open(os.path.join(tmp, "export-import-report.json")) as fh:
        report = json.load(fh)
    assert report["counts"]["channels"]["public_created"] == 5
    again = run_cli(tmp, path, "--team", "acme", "--report", os.path.join(tmp, "second.json"))
    assert again.returncode == 0, again.stderr
    with open(os.path.join(tmp, "second.json")) as fh:
        assert "imported" not in json.load(fh)["counts"]["messages"]


def test_cli_refuses_bad_input(tmp_path: Any) -> None:
    tmp = str(tmp_path)
    path = slack_fixture.write_zip(os.path.join(tmp, "export.zip"), slack_fixture.files(**{"channels.json": b"[{,]"}))
    done = run_cli(tmp, path, "--team", "acme")
    assert done.returncode == 1
    assert "channels.json:1: malformed JSON" in done.stderr and "Nothing was imported" in done.stderr


def test_cli_bulk_export_and_import(tmp_path: Any) -> None:
    tmp = str(tmp_path)
    run_cli(tmp, slack_fixture.write_zip(os.path.join(tmp, "export.zip"), slack_fixture.files()), "--team", "acme")
    out = os.path.join(tmp, "bulk.zip")
    done = run_cli(tmp, out, command=("export", "bulk"))
    assert done.returncode == 0, done.stderr
    valid = run_cli(tmp, out, "--validate", command=("import", "bulk"))
    assert valid.returncode == 0 and "The file is valid." in valid.stdout, valid.stderr
    bad = slack_fixture.write_bytes(os.path.join(tmp, "bad.jsonl"), b'{"type": "version", "version": 1}\n{"type": "team"}\n')
    done = run_cli(tmp, bad, command=("import", "bulk"))
    assert done.returncode == 1
    assert "line 2: team: missing team object" in done.stderr


def test_cli_enterprise_grid(tmp_path: Any) -> None:
    tmp = str(tmp_path)
    path = slack_fixture.write_zip(os.path.join(tmp, "grid.zip"), slack_fixture.grid_files())
    done = run_cli(tmp, path, "--team", "org")
    assert done.returncode == 0, done.stderr
    assert "== workspace Sales Team → team sales-team" in done.stderr and "== workspace eng → team eng" in done.stderr
    with open(os.path.join(tmp, "grid-import-report.json")) as fh:
        report = json.load(fh)
    assert sorted(report["workspaces"]) == ["Sales Team", "eng", "org-level"]
    assert report["workspaces"]["eng"]["counts"]["channels"] == {"public_created": 1, "private_created": 1}
    assert report["workspaces"]["org-level"]["counts"]["channels"]["direct_created"] == 1
    bad = run_cli(tmp, path, "--team", "x", "--workspace", "nope")
    assert bad.returncode == 1 and "no workspace 'nope'" in bad.stderr
