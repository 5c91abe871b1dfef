"""The work of the ``import_process`` and ``export_process`` jobs (``/api/v4/jobs``), run by the app's
job loop on the node that claimed the job: the bulk importer on a file from ``ImportSettings.Directory``,
the bulk exporter into ``ExportSettings.Directory`` (both in the file store)."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile

from chinwag.app.app import App
from chinwag.app.jobs import JobContext
from chinwag.importers.archive import ImportFailure, Progress
from chinwag.importers.bulk import BulkImporter
from chinwag.importers.export import BulkExporter
from chinwag.model.errors import AppError
from chinwag.model.job import JOB_TYPE_EXPORT_PROCESS, JOB_TYPE_IMPORT_PROCESS, Job


class JobFailed(Exception):
    pass


def register(app: App) -> None:
    async def import_process(job: Job, jc: JobContext) -> dict[str, str]:
        return await run_import(app, job, jc)

    async def export_process(job: Job, jc: JobContext) -> dict[str, str]:
        return await run_export(app, job, jc)

    app.jobs.register(JOB_TYPE_IMPORT_PROCESS, import_process)
    app.jobs.register(JOB_TYPE_EXPORT_PROCESS, export_process)

    async def slack_into_team(path: str, team_name: str, user_id: str) -> str:
        """POST /teams/{team_id}/import: a workspace export (or a Grid export's org-level conversations)
        into the team, its bots owned by the importing admin; the answer is the import log, as Mattermost's."""
        from chinwag.importers.slack import SlackImporter  # imported on first use: a large module

        try:
            report = await SlackImporter(app, path, team_name, bot_owner=user_id).run()
        except ImportFailure as e:
            raise AppError("importTeam", "api.team.import_team.slack.app_error",
                           f"The Slack export could not be imported: {e}. Nothing was imported.", 400) from None
        return "chinwag Slack Import Log\r\n" + report.summary().replace("\n", "\r\n") + "\r\n"

    app.team_import.slack = slack_into_team


async def run_import(app: App, job: Job, jc: JobContext) -> dict[str, str]:
    name = job.data.get("import_file", "")
    backend = app.files.backend("importProcess")
    with tempfile.TemporaryDirectory(prefix="chinwag-import-job-") as tmp:
        local = os.path.join(tmp, os.path.basename(name) or "import.zip")
        stream = await backend.open_read(app.jobs.import_path(name))
        try:
            fh = await asyncio.to_thread(open, local, "wb")
            try:
                async for chunk in stream:
                    await asyncio.to_thread(fh.write, chunk)
            finally:
                fh.close()
        finally:
            await stream.aclose()
        await jc.progress(10)
        importer = BulkImporter(app, local, progress=Progress(enabled=False))
        try:
            report = await importer.run()
        except ImportFailure as e:
            first = importer.errors[0] if importer.errors else None
            if first is not None:
                jc.job.data["line_number"] = str(first.line)
            raise JobFailed(f"{e} — nothing was imported") from None
    return {"report": json.dumps(report.counts, sort_keys=True), "warnings": str(len(report.warnings))}


async def run_export(app: App, job: Job, jc: JobContext) -> dict[str, str]:
    include = job.data.get("include_attachments", "true").lower() != "false"
    name = f"{job.id}_export.zip"
    backend = app.files.backend("exportProcess")
    with tempfile.TemporaryDirectory(prefix="chinwag-export-job-") as tmp:
        out = os.path.join(tmp, name)
        report = await BulkExporter(app, out, include_attachments=include).run()
        await jc.progress(90)
        writer = await backend.open_write(app.jobs.export_path(name), "application/zip")
        try:
            fh = await asyncio.to_thread(open, out, "rb")
            try:
                while chunk := await asyncio.to_thread(fh.read, 1 << 20):
                    await writer.write(chunk)
            finally:
                fh.close()
        except BaseException:
            await writer.abort()
            raise
        await writer.commit()
    return {"export_file": name, "report": json.dumps(report.counts, sort_keys=True)}
