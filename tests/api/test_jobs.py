"""The REST job flow mmctl's import and export commands use, over HTTP on both databases: resumable
uploads (/uploads), import_process and export_process jobs run by the server's job loop (/jobs),
and the import and export files (/imports, /exports)."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from typing import Any

from chinwag.server import Server
from tests.conftest import Client, World, assert_error

LINES = [
    {"type": "version", "version": 1},
    {"type": "team", "team": {"name": "jobteam", "display_name": "Job Team", "type": "O"}},
    {"type": "channel", "channel": {"team": "jobteam", "name": "news", "display_name": "News", "type": "O"}},
    {"type": "user", "user": {"username": "ann", "email": "ann@example.com", "teams": [
        {"name": "jobteam", "channels": [{"name": "news"}]}]}},
    {"type": "post", "post": {"team": "jobteam", "channel": "news", "user": "ann", "message": "from a job",
                              "create_at": 1700000000000, "attachments": [{"path": "files/notes.txt"}],
                              "replies": [{"user": "ann", "message": "a reply", "create_at": 1700000000500}]}},
]


def import_zip(lines: list[Any]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("import.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
        zf.writestr("data/files/notes.txt", b"attached " * 20)
    return buf.getvalue()


async def upload(c: Client, data: bytes, name: str = "import.zip", parts: int = 2, **extra: Any) -> dict[str, Any]:
    r = await c.post("/uploads", {"type": "import", "filename": name, "file_size": len(data), **extra})
    assert r.status_code == 201, r.text
    us = r.json()
    step = -(-len(data) // parts)
    for i in range(0, len(data), step):
        r = await c.request("POST", f"/uploads/{us['id']}", content=data[i:i + step])
        assert r.status_code == 204, r.text
    return dict(us)


async def finished(c: Client, job_id: str) -> dict[str, Any]:
    """Poll the job until it ends (the loop runs it in the background)."""
    for _ in range(600):
        job = (await c.get(f"/jobs/{job_id}")).json()
        if job["status"] not in ("pending", "in_progress", "cancel_requested"):
            return dict(job)
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def test_upload_import_and_process(world: World, server: Server) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    data = import_zip(LINES)
    # an upload session, filled in two requests, resumable from its offset
    r = await admin.post("/uploads", {"type": "import", "filename": "import.zip", "file_size": len(data)})
    assert r.status_code == 201
    us = r.json()
    assert set(us) == {"id", "type", "create_at", "user_id", "channel_id", "filename", "file_size", "file_offset"}
    assert us["type"] == "import" and us["file_offset"] == 0 and us["user_id"] == admin.user["id"]
    half = len(data) // 2
    assert (await admin.request("POST", f"/uploads/{us['id']}", content=data[:half])).status_code == 204
    assert (await admin.get(f"/uploads/{us['id']}")).json()["file_offset"] == half
    assert [u["id"] for u in (await admin.get("/users/me/uploads")).json()] == [us["id"]]
    assert_error(await bob.get(f"/uploads/{us['id']}"), 403)
    assert_error(await admin.request("POST", f"/uploads/{us['id']}", content=data[half:] + b"extra"), 400,
                 "api.upload.upload_data.too_large.app_error")
    assert (await admin.get(f"/uploads/{us['id']}")).json()["file_offset"] == half  # nothing appended
    assert (await admin.request("POST", f"/uploads/{us['id']}", content=data[half:])).status_code == 204
    assert_error(await admin.get(f"/uploads/{us['id']}"), 404)  # complete: the session is gone
    name = f"{us['id']}_import.zip"
    assert (await admin.get("/imports")).json() == [name]
    # bad input and permissions
    assert_error(await bob.post("/uploads", {"type": "import", "filename": "x.zip", "file_size": 10}), 403)
    assert_error(await admin.post("/uploads", {"type": "import", "filename": "../x.zip", "file_size": 10}), 400)
    assert_error(await admin.post("/uploads", {"type": "import", "filename": "x.zip", "file_size": 0}), 400)
    assert_error(await bob.get("/imports"), 403)
    assert_error(await admin.post("/jobs", {"type": "import_process", "data": {"import_file": "nope.zip"}}), 400,
                 "app.import.get_import_file.not_found")
    assert_error(await admin.post("/jobs", {"type": "mystery"}), 400, "model.job.is_valid.type.app_error")
    assert_error(await bob.post("/jobs", {"type": "export_process"}), 403)

    r = await admin.post("/jobs", {"type": "import_process", "data": {"import_file": name}})
    assert r.status_code == 201
    job = r.json()
    assert set(job) == {"id", "type", "priority", "create_at", "start_at", "last_activity_at", "status",
                        "progress", "data"}
    assert job["type"] == "import_process" and job["status"] == "pending" and job["data"]["import_file"] == name
    done = await finished(admin, job["id"])
    assert done["status"] == "success" and done["progress"] == 100 and done["start_at"] >= job["create_at"]
    assert json.loads(done["data"]["report"])["post"]["created"] == 2
    team = (await admin.get("/teams/name/jobteam")).json()
    news = (await admin.get(f"/teams/{team['id']}/channels/name/news")).json()
    posts = (await admin.get(f"/channels/{news['id']}/posts")).json()["posts"]
    root = next(p for p in posts.values() if p["message"] == "from a job")
    assert (await admin.get(f"/files/{root['file_ids'][0]}")).content == b"attached " * 20
    assert [j["id"] for j in (await admin.get("/jobs/type/import_process")).json()] == [job["id"]]
    assert job["id"] in [j["id"] for j in (await admin.get("/jobs")).json()]
    assert_error(await admin.get("/jobs/type/mystery"), 400)
    assert_error(await admin.get("/jobs/" + "a" * 26), 404)

    # a file that fails validation: the job ends in error with the line, nothing imported
    bad = await upload(admin, import_zip([*LINES[:2], {"type": "channel", "channel": {"team": "nope"}}]), "bad.zip")
    r = await admin.post("/jobs", {"type": "import_process", "data": {"import_file": f"{bad['id']}_bad.zip"}})
    failed = await finished(admin, r.json()["id"])
    assert failed["status"] == "error" and failed["data"]["line_number"] == "3" and "error" in failed["data"]


async def test_export_create_list_download_delete(world: World, server: Server) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    team = await world.team(admin, "exp")
    ch = await world.channel(admin, team, "town")
    await world.post(admin, ch, "exported words")
    r = await admin.post("/jobs", {"type": "export_process", "data": {"include_attachments": "true"}})
    assert r.status_code == 201
    done = await finished(admin, r.json()["id"])
    assert done["status"] == "success", done
    name = done["data"]["export_file"]
    assert name == f"{done['id']}_export.zip" and (await admin.get("/exports")).json() == [name]
    assert_error(await bob.get("/exports"), 403)
    assert_error(await bob.get(f"/exports/{name}"), 403)
    r = await admin.get(f"/exports/{name}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        lines = [json.loads(x) for x in zf.read("import.jsonl").splitlines()]
    assert any(x["type"] == "post" and x["post"]["message"] == "exported words" for x in lines)
    assert_error(await admin.get("/exports/nothing.zip"), 404)
    assert_error(await admin.get("/exports/.hidden"), 400)
    assert_error(await admin.post(f"/jobs/{done['id']}/cancel"), 400, "app.job.update.app_error")
    assert (await admin.delete(f"/exports/{name}")).status_code == 200
    assert (await admin.get("/exports")).json() == []
    assert_error(await admin.delete(f"/exports/{name}"), 404)


async def test_attachment_upload_becomes_a_file(world: World, server: Server) -> None:
    admin = await world.user("admin")
    bob = await world.user("bob")
    team = await world.team(admin, "att")
    ch = await world.channel(admin, team, "files")
    data = b"resumable attachment " * 100
    r = await admin.post("/uploads", {"type": "attachment", "channel_id": ch["id"], "filename": "big.txt",
                                      "file_size": len(data)})
    assert r.status_code == 201
    us = r.json()
    assert (await admin.request("POST", f"/uploads/{us['id']}", content=data[:1000])).status_code == 204
    r = await admin.request("POST", f"/uploads/{us['id']}", content=data[1000:])
    assert r.status_code == 201
    info = r.json()
    assert info["name"] == "big.txt" and info["size"] == len(data)
    assert (await admin.get(f"/files/{info['id']}")).content == data
    # bob is not in the channel
    assert_error(await bob.post("/uploads", {"type": "attachment", "channel_id": ch["id"], "filename": "x.txt",
                                             "file_size": 3}), 403)


async def test_cancel_pending_and_running_jobs(world: World, server: Server) -> None:
    admin = await world.user("admin")
    jobs = server.app.jobs
    real = dict(jobs.workers)
    started = asyncio.Event()

    async def slow_export(job: Any, jc: Any) -> dict[str, str]:
        started.set()
        await asyncio.sleep(3600)
        return {}

    try:
        jobs.workers.clear()  # no node runs exports for now: the job stays pending
        job = (await admin.post("/jobs", {"type": "export_process"})).json()
        assert (await admin.post(f"/jobs/{job['id']}/cancel")).status_code == 200
        assert (await admin.get(f"/jobs/{job['id']}")).json()["status"] == "canceled"
        jobs.workers["export_process"] = slow_export
        job = (await admin.post("/jobs", {"type": "export_process"})).json()
        await asyncio.wait_for(started.wait(), 60)
        assert (await admin.get(f"/jobs/{job['id']}")).json()["status"] == "in_progress"
        assert (await admin.post(f"/jobs/{job['id']}/cancel")).status_code == 200
        assert (await admin.get(f"/jobs/{job['id']}")).json()["status"] in ("cancel_requested", "canceled")
        assert (await finished(admin, job["id"]))["status"] == "canceled"
    finally:
        jobs.workers.clear()
        jobs.workers.update(real)


async def test_a_job_whose_node_went_silent_becomes_an_error(world: World, server: Server) -> None:
    from chinwag.model.job import Job

    admin = await world.user("admin")
    now = server.app.core.now()
    lost = Job(id="l" * 26, type="export_process", create_at=now - 3_600_000, start_at=now - 3_600_000,
               last_activity_at=now - 600_000, status="in_progress")
    await server.app.store.jobs.save(lost)
    server.app.jobs._expired_at = 0  # the next pass of the loop looks for silent jobs
    await server.app.jobs.run_once()
    assert (await admin.get(f"/jobs/{lost.id}")).json()["status"] == "error"


async def test_one_node_claims_a_job(world: World, server: Server) -> None:
    """Nodes racing for the same pending job: exactly one gets it (the conditional UPDATE)."""
    from chinwag.model.job import Job

    jobs, store = server.app.jobs, server.app.store.jobs
    real = dict(jobs.workers)
    jobs.workers.clear()  # keep this server's own loop out of the race
    try:
        for n in range(5):
            job = Job(id=f"race{n}" + "x" * 21, type="export_process", create_at=server.app.core.now(),
                      status="pending")
            await store.save(job)
            won = await asyncio.gather(*(store.claim(f"node{i}", ["export_process"], server.app.core.now())
                                         for i in range(4)))
            assert [j.id for j in won if j is not None] == [job.id]
            assert (await store.get(job.id)).status == "in_progress"  # type: ignore[union-attr]
            await store.update(job.id, server.app.core.now(), status="success")
    finally:
        jobs.workers.update(real)


async def test_delete_an_import_file(world: World, server: Server) -> None:
    """DELETE /imports/{name}: the uploaded file is gone; one already gone is OK, as in Mattermost."""
    admin = await world.user("admin")
    bob = await world.user("bob")
    us = await upload(admin, import_zip(LINES), parts=1)
    name = f"{us['id']}_import.zip"
    assert (await admin.get("/imports")).json() == [name]
    assert_error(await bob.delete(f"/imports/{name}"), 403, "api.context.permissions.app_error")
    assert (await admin.get("/imports")).json() == [name]
    r = await admin.delete(f"/imports/{name}")
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert (await admin.get("/imports")).json() == []
    assert (await admin.delete(f"/imports/{name}")).json() == {"status": "OK"}
    assert_error(await admin.delete("/imports/.hidden"), 400, "api.context.invalid_param.app_error")


async def test_update_job_status(world: World, server: Server) -> None:
    """PATCH /jobs/{id}/status: Mattermost's moves (a pending job can only be asked to cancel, which cancels
    it), any move with force, the manage_jobs permission and a job type it covers."""
    from chinwag.model.job import Job

    admin = await world.user("admin")
    bob = await world.user("bob")
    jobs, store = server.app.jobs, server.app.store.jobs
    real = dict(jobs.workers)
    jobs.workers.clear()  # the jobs stay where the test puts them
    try:
        now = server.app.core.now()
        pending = Job(id="p" * 26, type="export_process", create_at=now, status="pending")
        running = Job(id="r" * 26, type="export_process", create_at=now, status="in_progress")
        report = Job(id="u" * 26, type="export_users_to_csv", create_at=now, status="pending")
        for job in (pending, running, report):
            await store.save(job)

        async def status(job_id: str) -> str:
            return str((await admin.get(f"/jobs/{job_id}")).json()["status"])

        assert_error(await admin.request("PATCH", f"/jobs/{pending.id}/status", {"status": "pending"}), 400,
                     "api.job.status.invalid")
        ok = await admin.request("PATCH", f"/jobs/{pending.id}/status", {"status": "cancel_requested"})
        assert ok.status_code == 200 and ok.json() == {"status": "OK"}
        assert await status(pending.id) == "canceled"
        assert (await admin.request("PATCH", f"/jobs/{running.id}/status",
                                    {"status": "cancel_requested"})).status_code == 200
        assert await status(running.id) == "cancel_requested"
        assert (await admin.request("PATCH", f"/jobs/{running.id}/status", {"status": "canceled"})).status_code == 200
        assert await status(running.id) == "canceled"
        # force: a finished job back to pending
        assert_error(await admin.request("PATCH", f"/jobs/{running.id}/status", {"status": "pending"}), 400,
                     "api.job.status.invalid")
        assert (await admin.request("PATCH", f"/jobs/{running.id}/status",
                                    {"status": "pending", "force": True})).status_code == 200
        assert await status(running.id) == "pending"
        assert_error(await admin.request("PATCH", f"/jobs/{running.id}/status",
                                         {"status": "success", "force": True}), 500, "app.job.update_status.app_error")
        # refusals
        assert_error(await admin.request("PATCH", f"/jobs/{running.id}/status", {}), 400,
                     "api.context.invalid_param.app_error")
        assert_error(await admin.request("PATCH", "/jobs/nope/status", {"status": "canceled"}), 400,
                     "api.context.invalid_url_param.app_error")
        assert_error(await admin.request("PATCH", f"/jobs/{'z' * 26}/status", {"status": "canceled"}), 404)
        assert_error(await bob.request("PATCH", f"/jobs/{running.id}/status", {"status": "cancel_requested"}), 403,
                     "api.context.permissions.app_error")
        assert_error(await admin.request("PATCH", f"/jobs/{report.id}/status", {"status": "cancel_requested"}), 400,
                     "api.job.unable_to_manage_job.incorrect_job_type")
        assert await status(report.id) == "pending"
    finally:
        for job_id in ("p" * 26, "r" * 26, "u" * 26):
            await store.update(job_id, server.app.core.now(), status="canceled")
        jobs.workers.update(real)
