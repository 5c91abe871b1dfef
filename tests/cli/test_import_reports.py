"""`chinwag import …`/`export bulk` as commands: validation on a database that was never migrated, what the
export prints and saves, the Slack report as JSON and the bot owner option (real processes on SQLite)."""

from __future__ import annotations

import json
import os
from typing import Any

from tests.importers import slack_fixture
from tests.importers.test_import_cli import run_cli


def test_validate_on_a_database_never_migrated(tmp_path: Any) -> None:
    tmp = str(tmp_path)
    good = slack_fixture.write_bytes(os.path.join(tmp, "in.jsonl"), b'{"type": "version", "version": 1}\n'
                          b'{"type": "team", "team": {"name": "aa", "display_name": "A", "type": "O"}}\n'
                          b'{"type": "channel", "channel": {"team": "aa", "name": "news", "type": "O"}}\n')
    done = run_cli(tmp, good, "--validate", command=("import", "bulk"))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "The file is valid." in done.stdout
    assert done.stdout.startswith("Validated ") and "no schema yet" in done.stdout
    assert not os.path.exists(os.path.join(tmp, "chinwag.db"))  # nothing created
    bad = slack_fixture.write_bytes(os.path.join(tmp, "bad.jsonl"), b'{"type": "version", "version": 1}\n'
                         b'{"type": "emoji", "emoji": {"name": "parrot", "image": "emoji/parrot.png"}}\n'
                         b'{"type": "channel", "channel": {"team": "nope", "name": "news", "type": "O"}}\n')
    done = run_cli(tmp, bad, "--validate", command=("import", "bulk"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "line 2: emoji.image: data/emoji/parrot.png: a bare .jsonl carries no files" in done.stderr
    assert "line 3: channel.team: unknown team 'nope'" in done.stderr


def test_slack_report_export_messages_and_bot_owner(tmp_path: Any) -> None:
    tmp = str(tmp_path)
    path = slack_fixture.write_zip(os.path.join(tmp, "export.zip"), slack_fixture.files())
    refused = run_cli(tmp, path, "--team", "acme", "--bot-owner", "nobody")
    assert refused.returncode == 1 and "the bot owner 'nobody' is not a user of this server" in refused.stderr
    assert "Nothing was imported" in refused.stderr
    done = run_cli(tmp, path, "--team", "acme", "--report", os.path.join(tmp, "slack.json"))
    assert done.returncode == 0, done.stderr
    with open(os.path.join(tmp, "slack.json")) as fh:
        report = json.load(fh)
    assert report["invalid_emails"] == [{"user": "weird", "email": "TQ2NR0wy2HFezy 3d",
                                         "used": "u06@slack-import.invalid"}]
    assert {r["id"] for r in report["unknown_references"]} == {"C079A3FA12P", "C0OLD", "U074VRHQ11T", "U0LABEL"}
    assert report["counts"]["messages"]["skipped_only_missing_files"] == 1
    assert any(w.startswith("no system admin yet") for w in report["warnings"])
    out = os.path.join(tmp, "bulk.zip")
    exported = run_cli(tmp, out, "--report", os.path.join(tmp, "export.json"), command=("export", "bulk"))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith(f"Exported {out} in ") and "Imported" not in exported.stdout
    with open(os.path.join(tmp, "export.json")) as fh:
        assert json.load(fh)["counts"]["post"]["exported"] > 0
    valid = run_cli(tmp, out, "--validate", command=("import", "bulk"))
    assert valid.returncode == 0 and "The file is valid." in valid.stdout, valid.stderr
