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

from chinwag.cli.mmctl.client import CliError, Ctx, command, die, error_text

CHUNK = 8 * 1024 * 1024

import_list = typer.Typer(help="List import files.", no_args_is_help=True)
import_job = typer.Typer(help="Import jobs.", no_args_is_help=True)
export_job = typer.Typer(help="Export jobs.", no_args_is_help=True)


def job_text(j: dict[str, Any]) -> str:
    from chinwag.cli.mmctl.admin import job_text as text

    return text(j)


def _jobs(c: Ctx, job_type: str, page: int, per_page: int, all_: bool) -> None:
    from chinwag.cli.mmctl.admin import job_list

    job_list(c, job_type, page, per_page, all_)


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
        c.p.print_t(f"Upload session successfully created, ID: {us['id']} ", us)
    with open(path, "rb") as fh:
        fh.seek(us["file_offset"])
        while chunk := fh.read(CHUNK):
            c.client.request("POST", f"/uploads/{us['id']}", content=chunk, ok=(200, 201, 204))
    name = f"{us['id']}_{us['filename']}"
    c.p.print_t(f"Import file successfully uploaded, name: {name}", {**us, "file_offset": size, "name": name})


def process(c: Ctx, name: str = typer.Argument(..., help="An uploaded import file (see 'import list available').")
            ) -> None:
    """Start an import job for an uploaded file."""
    job = c.client.post("/jobs", {"type": "import_process", "data": {"import_file": name}})
    c.p.print_t(f"Import process job successfully created, ID: {job['id']}", job)


def list_available(c: Ctx) -> None:
    """List the import files the server has (uploaded and complete)."""
    names = c.client.get("/imports")
    if not names:
        c.p.print("No import files found")
    for name in names:
        c.p.print(name)


def list_incomplete(c: Ctx) -> None:
    """List your unfinished import uploads (resume them with 'import upload --resume --upload ID')."""
    uploads = [u for u in c.client.get("/users/me/uploads") if u["type"] == "import"]
    if not uploads:
        c.p.print("No incomplete import uploads found")
    for u in uploads:
        pct = u["file_offset"] / u["file_size"] * 100 if u["file_size"] else 0
        c.p.print_t(f"  ID: {u['id']}\n  Name: {u['filename']}\n  Uploaded: {u['file_offset']}/{u['file_size']} "
                    f"({pct:.0f}%)\n", u)


def import_job_show(c: Ctx, job_id: str = typer.Argument(..., help="The job's id.")) -> None:
    """Show an import job."""
    c.p.print_t(job_text, c.client.get(f"/jobs/{job_id}"))


def import_job_list(c: Ctx, page: int = typer.Option(0, "--page"), per_page: int = typer.Option(200, "--per-page"),
                    all_: bool = typer.Option(False, "--all", help="Every job, not one page.")) -> None:
    """List import jobs, newest first."""
    _jobs(c, "import_process", page, per_page, all_)


# export ------------------------------------------------------------------------------------------


def create(c: Ctx, no_attachments: bool = typer.Option(False, "--no-attachments",
                                                        help="Leave the attached files out.")) -> None:
    """Start an export job (Mattermost's bulk format, a zip in the server's export directory)."""
    job = c.client.post("/jobs", {"type": "export_process",
                                  "data": {"include_attachments": "false" if no_attachments else "true"}})
    c.p.print_t(f"Export process job successfully created, ID: {job['id']}", job)


def list_exports(c: Ctx) -> None:
    """List the finished exports on the server."""
    names = c.client.get("/exports")
    if not names:
        c.p.print("No export files found")
    for name in names:
        c.p.print(name)


def download(c: Ctx, name: str = typer.Argument(..., help="The export's name (see 'export list')."),
             out: str = typer.Argument("", help="Where to save it (default: the name, here)."),
             num_retries: int = typer.Option(5, "--num-retries", help="Number of retries to do to resume a "
                                             "download.")) -> None:
    """Download an export."""
    target = out or name
    if os.path.exists(target) and os.path.getsize(target) > 0:
        die("export file already exists")
    for attempt in range(num_retries + 1):
        try:
            _download(c, name, target)
            return
        except CliError as e:
            if attempt == num_retries:
                if num_retries:
                    die(f"failed to download export after {num_retries} retries")
                raise
            c.p.warning(f"failed to download export file: {e}. Retrying...")


def _download(c: Ctx, name: str, target: str) -> None:
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


def delete(c: Ctx, name: str = typer.Argument(..., help="The export's name.")) -> None:
    """Delete an export from the server."""
    try:
        c.client.delete(f"/exports/{name}")
    except CliError as e:
        die(f"failed to delete export: {e}")
    c.p.print(f"Export file \"{name}\" has been deleted")


def export_job_show(c: Ctx, job_id: str = typer.Argument(..., help="The job's id.")) -> None:
    """Show an export job."""
    c.p.print_t(job_text, c.client.get(f"/jobs/{job_id}"))


def export_job_list(c: Ctx, page: int = typer.Option(0, "--page"), per_page: int = typer.Option(200, "--per-page"),
                    all_: bool = typer.Option(False, "--all", help="Every job, not one page.")) -> None:
    """List export jobs, newest first."""
    _jobs(c, "export_process", page, per_page, all_)


def go_duration(seconds: float) -> str:
    """Go's time.Duration.String() for durations under a minute."""
    ns = int(seconds * 1e9)
    if ns < 1000:
        return f"{ns}ns"
    for unit, size in (("µs", 1e3), ("ms", 1e6)):
        if ns < size * 1000:
            return f"{ns / size:.6f}".rstrip("0").rstrip(".") + unit
    if ns < 60e9:
        return f"{ns / 1e9:.9f}".rstrip("0").rstrip(".") + "s"
    m, rest = divmod(ns, 60_000_000_000)
    return f"{m}m" + f"{rest / 1e9:.9f}".rstrip("0").rstrip(".") + "s"


def validate(c: Ctx, path: str = typer.Argument(..., help="The bulk import file (.zip or .jsonl)."),
             team: list[str] = typer.Option([], "--team", help="Predefined team[s] to assume as already present on "
                                            "the destination server. Implies --check-missing-teams. The flag can "
                                            "be repeated"),
             check_missing_teams: bool = typer.Option(False, "--check-missing-teams", help="Check for teams that are "
                                                      "not defined but referenced in the archive"),
             ignore_attachments: bool = typer.Option(False, "--ignore-attachments", help="Don't check if the "
                                                     "attached files are present in the archive"),
             check_server_duplicates: bool = typer.Option(True, "--check-server-duplicates/"
                                                          "--no-check-server-duplicates",
                                                          help="Set to false to ignore teams, channels, and users "
                                                          "already present on the server")) -> None:
    """Validate an import file: every line against Mattermost's rules, and references between lines
    (and, online, to the teams, channels and users on the server)."""
    from chinwag.importers.archive import ImportFailure
    from chinwag.importers.bulk import Validator, _jsonl_of

    c.p.no_newline = True
    users: set[str] = set()
    teams: set[str] = set(team)
    channels: set[tuple[str, str]] = set()
    try:
        if check_server_duplicates:
            page = 0
            while batch := c.client.get("/users", params={"page": page, "per_page": 200}):
                users |= {u["username"] for u in batch}
                page += 1
            for t in c.client.get("/teams", params={"page": 0, "per_page": 10000}):
                teams.add(t["name"])
                for path_ in ("", "/private"):
                    for ch in c.client.get(f"/teams/{t['id']}/channels{path_}", params={"per_page": 200}):
                        channels.add((t["name"], ch["name"]))
    except CliError:
        c.p.print("could not initialize client, skipping online checks\n")
    started = time.monotonic()
    try:
        zf, fh = _jsonl_of(path)
    except ImportFailure as e:
        die(str(e))
    files = None if zf is None or ignore_attachments else {n.removeprefix("data/") for n in zf.names()}
    v = Validator(users, teams, channels, files)
    lines = 0
    with fh:
        for n, raw in enumerate(fh, 1):
            lines = n
            v.feed(n, raw)
    if zf is not None:
        zf.close()
    for err in v.p.errors:
        c.p.print_t(f"{path}:{err.line}: {err.field}: {err.error}\n", err.to_dict())
    kinds = [k for _, k, _ in v.p.lines]
    attachments = sum(len(d.get("attachments") or []) + sum(len(r.get("attachments") or [])
                                                               for r in d.get("replies") or [])
                      for _, k, d in v.p.lines if k in ("post", "direct_post"))
    stat = {"schemes": kinds.count("scheme"), "teams": kinds.count("team"), "channels": kinds.count("channel"),
            "users": kinds.count("user"), "emojis": kinds.count("emoji"), "posts": kinds.count("post"),
            "direct_channels": kinds.count("direct_channel"), "direct_posts": kinds.count("direct_post"),
            "attachments": attachments}
    c.p.print_t("\n" + "".join(f"{label:<16}{stat[key]}\n" for label, key in (
        ("Schemes", "schemes"), ("Teams", "teams"), ("Channels", "channels"), ("Users", "users"),
        ("Emojis", "emojis"), ("Posts", "posts"), ("Direct Channels", "direct_channels"),
        ("Direct Posts", "direct_posts"), ("Attachments", "attachments"))), stat)
    elapsed = time.monotonic() - started
    c.p.print_t(f"It took {go_duration(elapsed)} to validate {lines} lines in {path}\n",
                {"file_name": path, "total_lines": lines, "elapsed_time_ns": int(elapsed * 1e9)})
    if v.p.errors:
        raise CliError("")


def export_job_cancel(c: Ctx, job_id: str = typer.Argument(..., help="The export job's id.")) -> None:
    """Cancel export job"""
    try:
        job = c.client.get(f"/jobs/{job_id}")
    except CliError as e:
        die(f"failed to get export job: {e}")
    try:
        c.client.post(f"/jobs/{job['id']}/cancel")
    except CliError as e:
        die(f"failed to cancel export job: {e}")


def register(import_cli: typer.Typer, export_cli: typer.Typer) -> None:
    command(import_cli, "validate")(validate)
    command(export_job, "cancel")(export_job_cancel)
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
