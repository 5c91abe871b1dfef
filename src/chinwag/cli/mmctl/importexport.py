"""mmctl's `import upload|list|process|job` and `export create|list|download|delete|job`: through the
server's REST job flow (/uploads, /jobs, /imports, /exports), so they work against a remote server as
well as over the local socket. (`chinwag import slack|bulk` and `export bulk` run in-process on the
server's own configuration instead.)"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import typer

from chinwag.cli.mmctl.client import Ctx, command, die, error_text

CHUNK = 8 * 1024 * 1024

import_list = typer.Typer(help="List import files.", no_args_is_help=True)
import_job = typer.Typer(help="Import jobs.", no_args_is_help=True)
export_job = typer.Typer(help="Export jobs.", no_args_is_help=True)


def _when(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ms / 1000)) if ms else "-"


def job_text(j: dict[str, Any]) -> str:
    lines = [f"ID: {j['id']}", f"Type: {j['type']}", f"Status: {j['status']}", f"Progress: {j['progress']}%",
             f"Created: {_when(j['create_at'])}", f"Started: {_when(j['start_at'])}"]
    lines += [f"{k}: {v}" for k, v in sorted((j.get("data") or {}).items())]
    return "\n".join(lines)


def _jobs(c: Ctx, job_type: str, page: int, per_page: int, all_: bool) -> None:
    jobs: list[dict[str, Any]] = []
    while True:
        batch = c.client.get(f"/jobs/type/{job_type}", params={"page": page, "per_page": per_page})
        jobs += batch
        if not all_ or len(batch) < per_page:
            break
        page += 1
    if not jobs and not c.out.json:
        typer.echo("No jobs found")
        return
    c.out.items(jobs, lambda j: f"{j['id']}  {j['status']:<12} {_when(j['create_at'])}  "
                                f"{j['data'].get('import_file') or j['data'].get('export_file') or ''}")


# import ------------------------------------------------------------------------------------------


def upload(c: Ctx, path: str = typer.Argument(..., help="The bulk import file (.zip or .jsonl)."),
           resume: bool = typer.Option(False, "--resume", help="Continue an interrupted upload (with --upload)."),
           upload_id: str = typer.Option("", "--upload", help="The upload session to resume.")) -> None:
    """Upload an import file to the server (a resumable upload session)."""
    try:
        size = os.path.getsize(path)
    except OSError as e:
        die(f"{path}: {e.strerror}")
    if size == 0:
        die(f"{path}: the file is empty")
    if resume != bool(upload_id):
        die("--resume and --upload ID go together")
    if resume:
        us = c.client.get(f"/uploads/{upload_id}")
        if us["file_size"] != size:
            die(f"upload {upload_id} is for a file of {us['file_size']} bytes, {path} has {size}")
    else:
        us = c.client.post("/uploads", {"type": "import", "filename": os.path.basename(path), "file_size": size,
                                        "user_id": "nouser" if c.client.local else "me"})
        if not c.out.json:
            typer.echo(f"Upload session successfully created, ID: {us['id']}")
    with open(path, "rb") as fh:
        fh.seek(us["file_offset"])
        while chunk := fh.read(CHUNK):
            c.client.request("POST", f"/uploads/{us['id']}", content=chunk, ok=(200, 201, 204))
    name = f"{us['id']}_{us['filename']}"
    c.out.item({**us, "file_offset": size, "name": name}, f"Import file successfully uploaded, name: {name}")


def process(c: Ctx, name: str = typer.Argument(..., help="An uploaded import file (see 'import list available').")
            ) -> None:
    """Start an import job for an uploaded file."""
    job = c.client.post("/jobs", {"type": "import_process", "data": {"import_file": name}})
    c.out.item(job, f"Import process job successfully created, ID: {job['id']}")


def list_available(c: Ctx) -> None:
    """List the import files the server has (uploaded and complete)."""
    names = c.client.get("/imports")
    if not names and not c.out.json:
        typer.echo("No import files found")
        return
    c.out.items(names, str)


def list_incomplete(c: Ctx) -> None:
    """List your unfinished import uploads (resume them with 'import upload --resume --upload ID')."""
    uploads = [u for u in c.client.get("/users/me/uploads") if u["type"] == "import"]
    if not uploads and not c.out.json:
        typer.echo("No incomplete import uploads found")
        return
    c.out.items(uploads, lambda u: f"{u['id']}: {u['filename']} ({u['file_offset']}/{u['file_size']} bytes)")


def import_job_show(c: Ctx, job_id: str = typer.Argument(..., help="The job's id.")) -> None:
    """Show an import job."""
    c.out.item(c.client.get(f"/jobs/{job_id}"), job_text)


def import_job_list(c: Ctx, page: int = typer.Option(0, "--page"), per_page: int = typer.Option(5, "--per-page"),
                    all_: bool = typer.Option(False, "--all", help="Every job, not one page.")) -> None:
    """List import jobs, newest first."""
    _jobs(c, "import_process", page, per_page, all_)


# export ------------------------------------------------------------------------------------------


def create(c: Ctx, no_attachments: bool = typer.Option(False, "--no-attachments",
                                                        help="Leave the attached files out.")) -> None:
    """Start an export job (Mattermost's bulk format, a zip in the server's export directory)."""
    job = c.client.post("/jobs", {"type": "export_process",
                                  "data": {"include_attachments": "false" if no_attachments else "true"}})
    c.out.item(job, f"Export process job successfully created, ID: {job['id']}")


def list_exports(c: Ctx) -> None:
    """List the finished exports on the server."""
    names = c.client.get("/exports")
    if not names and not c.out.json:
        typer.echo("No export files found")
        return
    c.out.items(names, str)


def download(c: Ctx, name: str = typer.Argument(..., help="The export's name (see 'export list')."),
             out: str = typer.Argument("", help="Where to save it (default: the name, here).")) -> None:
    """Download an export."""
    target = out or name
    if os.path.exists(target):
        die(f"{target} already exists")
    tmp = target + ".partial"
    try:
        with c.client.http.stream("GET", f"/api/v4/exports/{name}") as r:
            if r.status_code != 200:
                r.read()
                die(error_text(r))
            with open(tmp, "wb") as fh:
                for chunk in r.iter_bytes(CHUNK):
                    fh.write(chunk)
        os.replace(tmp, target)
    except httpx.HTTPError as e:
        die(f"download failed: {e}")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    c.out.item({"name": name, "path": target, "size": os.path.getsize(target)}, f"Export downloaded to {target}")


def delete(c: Ctx, name: str = typer.Argument(..., help="The export's name.")) -> None:
    """Delete an export from the server."""
    c.client.delete(f"/exports/{name}")
    c.out.item({"name": name, "status": "OK"}, f"Export file {name} deleted")


def export_job_show(c: Ctx, job_id: str = typer.Argument(..., help="The job's id.")) -> None:
    """Show an export job."""
    c.out.item(c.client.get(f"/jobs/{job_id}"), job_text)


def export_job_list(c: Ctx, page: int = typer.Option(0, "--page"), per_page: int = typer.Option(5, "--per-page"),
                    all_: bool = typer.Option(False, "--all", help="Every job, not one page.")) -> None:
    """List export jobs, newest first."""
    _jobs(c, "export_process", page, per_page, all_)


def register(import_cli: typer.Typer, export_cli: typer.Typer) -> None:
    command(import_cli, "upload")(upload)
    command(import_cli, "process")(process)
    command(import_list, "available")(list_available)
    command(import_list, "incomplete")(list_incomplete)
    import_cli.add_typer(import_list, name="list")
    command(import_job, "show")(import_job_show)
    command(import_job, "list")(import_job_list)
    import_cli.add_typer(import_job, name="job")
    command(export_cli, "create")(create)
    command(export_cli, "list")(list_exports)
    command(export_cli, "download")(download)
    command(export_cli, "delete")(delete)
    command(export_job, "show")(export_job_show)
    command(export_job, "list")(export_job_list)
    export_cli.add_typer(export_job, name="job")
