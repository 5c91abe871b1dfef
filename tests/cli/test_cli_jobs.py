"""mmctl's import/export commands through the REST job flow, run as the installed binary against a real
server: in local mode and after `auth login`, plain and --json, bad arguments."""

from __future__ import annotations

import json
import os
import time
import zipfile
from typing import Any

from tests.api.test_jobs import LINES, import_zip
from tests.cli.conftest import LocalServer


def wait_job(s: LocalServer, job_id: str, *args: str) -> dict[str, Any]:
    for _ in range(600):
        job: dict[str, Any] = s.ok_json("import", "job", "show", job_id, *args)[0]
        if job["status"] not in ("pending", "in_progress"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def test_import_upload_process_and_export(local_server: LocalServer) -> None:
    s = local_server
    path = os.path.join(s.home, "bulk.zip")
    with open(path, "wb") as fh:
        fh.write(import_zip(LINES))
    out = s.ok("import", "upload", path).out
    assert out.startswith("Upload session successfully created, ID: ") and out.splitlines()[0].endswith(" ")
    name = out.strip().splitlines()[-1].split("name: ")[1]
    assert name.endswith("_bulk.zip")
    assert s.ok_json("import", "list", "available") == [name]
    assert s.ok("import", "list", "available").out.strip() == name
    job = s.ok_json("import", "process", name)[0]
    assert job["type"] == "import_process" and job["data"]["import_file"] == name
    done = wait_job(s, job["id"])
    assert done["status"] == "success"
    shown = s.ok("import", "job", "show", job["id"]).out
    assert shown.startswith(f"  ID: {job['id']}\n  Status: success\n  Created: ")
    assert f"import_file:{name}" in shown
    assert job["id"] in s.ok("import", "job", "list").out
    assert "ann" in {u["username"] for u in s.ok_json("user", "list")}
    # a resumable upload: start it by hand (half the bytes over HTTP), finish it with --resume
    import httpx

    data = import_zip(LINES)
    with httpx.Client(transport=httpx.HTTPTransport(uds=s.socket), base_url="http://_/api/v4") as c:
        us = c.post("/uploads", json={"type": "import", "filename": "again.zip", "file_size": len(data)}).json()
        assert c.post(f"/uploads/{us['id']}", content=data[:100]).status_code == 204
    again = os.path.join(s.home, "again.zip")
    with open(again, "wb") as fh:
        fh.write(data)
    assert us["id"] in s.ok("import", "list", "incomplete").out
    assert s.ok_json("import", "upload", again, "--resume", "--upload", us["id"])[0]["name"] == \
        f"{us['id']}_again.zip"
    assert s.ok_json("import", "list", "incomplete") == ["No incomplete import uploads found"]  # as mmctl
    # bad input: one clear line
    assert "not found" in s.fails("import", "process", "nope.zip").err
    assert "no such file" in s.fails("import", "upload", os.path.join(s.home, "missing.zip")).err.lower()
    assert "go together" in s.fails("import", "upload", path, "--resume").err

    # export: create, wait, list, download, delete
    job = s.ok_json("export", "create", "--no-attachments")[0]
    assert job["data"] == {"include_attachments": "false"}
    done = wait_job(s, job["id"])
    assert done["status"] == "success" and job["id"] in s.ok("export", "job", "list").out
    export = done["data"]["export_file"]
    assert s.ok_json("export", "list") == [export]
    target = os.path.join(s.home, "download.zip")
    assert s.ok("export", "download", export, target).out == ""
    with zipfile.ZipFile(target) as zf:
        lines = [json.loads(x) for x in zf.read("import.jsonl").splitlines()]
        assert not [n for n in zf.namelist() if n.startswith("data/")]  # --no-attachments
    assert any(x["type"] == "post" and x["post"]["message"] == "from a job" for x in lines)
    assert s.fails("export", "download", export, target).err == "Error: export file already exists\n"
    r = s.fails("export", "download", "nothing.zip", os.path.join(s.home, "n.zip"), "--num-retries", "2")
    assert r.err.count("WARNING: failed to download export file: ") == 2
    assert r.err.endswith("Error: failed to download export after 2 retries\n")
    assert not os.path.exists(os.path.join(s.home, "n.zip"))
    assert s.ok("export", "delete", export).out == f'Export file "{export}" has been deleted\n'
    assert s.ok("export", "list").out.strip() == "No export files found"
    # after auth login, the same commands over HTTP with a token
    s.ok("user", "create", "--email", "jobs@example.com", "--username", "jobsadmin", "--password", "password",
         "--system-admin")
    s.ok("auth", "login", s.proc.url, "--name", "jobs", "--username", "jobsadmin", "--password", "password",
         local=False)
    assert s.ok_json("import", "list", "available", local=False) == sorted([name, f"{us['id']}_again.zip"])
    job = s.ok_json("export", "create", local=False)[0]
    assert wait_job(s, job["id"], )["status"] == "success"


def test_extract_run_and_jobs(local_server: LocalServer) -> None:
    """mmctl extract run|job show|job list against the server's extract_content job."""
    s = local_server
    out = s.ok("extract", "run", "--from", "0").out
    assert out.startswith("Content extraction job successfully created, ID: ")
    job_id = out.strip().rsplit(" ", 1)[-1]
    for _ in range(600):
        job: dict[str, Any] = s.ok_json("extract", "job", "show", job_id)[0]
        if job["status"] not in ("pending", "in_progress"):
            break
        time.sleep(0.05)
    assert job["type"] == "extract_content" and job["status"] == "success", job
    data = job["data"]  # the files other tests of this server uploaded, if any
    assert data["from"] == "0" and int(data["processed"]) >= 0 and data["errors"] == "0"
    shown = s.ok("extract", "job", "show", job_id).out
    assert shown.startswith(f"  ID: {job_id}\n  Status: success\n  Created: ")
    assert f"  Processed: {data['processed']}\n  Errors: 0\n" in shown
    assert job_id in s.ok("extract", "job", "list").out
