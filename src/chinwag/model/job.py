"""Jobs and resumable upload sessions, with Mattermost's JSON keys (model.Job, model.UploadSession)."""

from __future__ import annotations

from typing import Any

from chinwag.model.wire import Wire

JOB_TYPE_IMPORT_PROCESS = "import_process"
JOB_TYPE_EXPORT_PROCESS = "export_process"
JOB_TYPE_EXTRACT_CONTENT = "extract_content"
#: ``POST /reports/users/export`` (app/user_report_export.py)
JOB_TYPE_EXPORT_USERS_TO_CSV = "export_users_to_csv"
JOB_TYPES = (JOB_TYPE_IMPORT_PROCESS, JOB_TYPE_EXPORT_PROCESS, JOB_TYPE_EXTRACT_CONTENT, JOB_TYPE_EXPORT_USERS_TO_CSV)

JOB_STATUS_PENDING = "pending"
JOB_STATUS_IN_PROGRESS = "in_progress"
JOB_STATUS_SUCCESS = "success"
JOB_STATUS_ERROR = "error"
JOB_STATUS_CANCEL_REQUESTED = "cancel_requested"
JOB_STATUS_CANCELED = "canceled"

UPLOAD_TYPE_IMPORT = "import"
UPLOAD_TYPE_ATTACHMENT = "attachment"


class Job(Wire, kw_only=True):
    id: str = ""
    type: str = ""
    priority: int = 0
    create_at: int = 0
    start_at: int = 0
    last_activity_at: int = 0
    status: str = ""
    progress: int = 0
    data: dict[str, str] = {}


class UploadSession(Wire, kw_only=True):
    """``path`` (where the finished file goes in the file store) stays on the server, as Mattermost's
    ``json:"-"``."""

    id: str = ""
    type: str = ""
    create_at: int = 0
    user_id: str = ""
    channel_id: str = ""
    filename: str = ""
    path: str = ""
    file_size: int = 0
    file_offset: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d.pop("path", None)
        return d
