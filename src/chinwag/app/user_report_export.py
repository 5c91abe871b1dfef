"""``POST /reports/users/export``: the System Console's user list exported as CSV (Mattermost's
``startUsersBatchExport`` and its ``export_users_to_csv`` job).

The request starts a job for the list's filter and date range; the system bot tells the admin in a
direct message that the export started, and when the job has read every matching person (100 at a time,
by username, with the list's own query) it posts the CSV there as an attachment. The same admin asking
again for the same export while one is pending or running gets Mattermost's ``job_exists`` error.

Mattermost 10+ only runs this with a Professional or Enterprise licence; chinwag offers it to every
server, as it does LDAP."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import structlog

from chinwag.app.account_mail import translator_for
from chinwag.app.analytics import check_report_filter, report_date_range
from chinwag.app.channel_direct import DirectChannelService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.file import FileService
from chinwag.app.integration import user_ctx
from chinwag.app.jobs import JobContext, JobService
from chinwag.app.permissions import PermissionService
from chinwag.app.post import PostService
from chinwag.i18n import N_
from chinwag.model import permissions
from chinwag.model.errors import AppError
from chinwag.model.ids import new_id
from chinwag.model.job import JOB_STATUS_IN_PROGRESS, JOB_STATUS_PENDING, JOB_TYPE_EXPORT_USERS_TO_CSV, Job
from chinwag.model.post import PostCreate
from chinwag.model.user import User
from chinwag.store.sql.analytics_store import SqlAnalyticsStore

log = structlog.get_logger("chinwag.user_report_export")

#: Mattermost's columns of the export, in its order
CSV_HEADER = ("Id", "Username", "Email", "CreateAt", "Name", "Roles", "LastLogin", "LastStatusAt", "LastPostDate",
              "DaysActive", "TotalPosts")
BATCH = 100
#: the job data that names one export (a second request for the same one while it runs is refused)
_IDENTITY = ("requesting_user_id", "date_range", "role", "team", "has_no_team", "hide_active", "hide_inactive",
             "search_term")

_DATE_RANGES = {
    "last_30_days": N_("the last 30 days"),
    "previous_month": N_("the previous month"),
    "last_6_months": N_("the last 6 months"),
}
_ALL_TIME = N_("all time")


def go_time(ms: int) -> str:
    """A time as Go's ``time.UnixMilli(ms).String()`` writes it, in the server's zone
    (``2024-03-01 10:20:30.5 +0000 UTC``)."""
    when = dt.datetime.fromtimestamp(ms // 1000, dt.UTC).astimezone()
    frac = f".{ms % 1000:03d}".rstrip("0") if ms % 1000 else ""
    offset = when.strftime("%z")
    return f"{when:%Y-%m-%d %H:%M:%S}{frac} {offset} {when.tzname() or offset}"


def display_name(user: User) -> str:
    """Mattermost's ``GetDisplayName(ShowNicknameFullName)``: nickname, else full name, else username."""
    if user.nickname:
        return user.nickname
    full = " ".join(p for p in (user.first_name, user.last_name) if p)
    return full or user.username


def csv_row(user: User, stats: dict[str, Any]) -> list[str]:
    def when(v: Any) -> str:
        return go_time(int(v)) if v else ""

    def num(v: Any) -> str:
        return "" if v is None else str(int(v))

    return [user.id, user.username, user.email, go_time(user.create_at), display_name(user), user.roles,
            when(stats["last_login"]), when(stats["last_status_at"]), when(stats["last_post_date"]),
            num(stats["days_active"]), num(stats["total_posts"])]


class UserReportExportService:
    def __init__(self, core: AppCore, perms: PermissionService, store: SqlAnalyticsStore, jobs: JobService,
                 files: FileService, posts: PostService, direct: DirectChannelService,
                 system_bot: Callable[[], Awaitable[User]]) -> None:
        self.core = core
        self.perms = perms
        self.store = store
        self.jobs = jobs
        self.files = files
        self.posts = posts
        self.direct = direct
        self.system_bot = system_bot
        jobs.register(JOB_TYPE_EXPORT_USERS_TO_CSV, self.run_job)

    async def start(self, ctx: Ctx, *, date_range: str = "", team: str = "", role: str = "",
                    has_no_team: bool = False, hide_active: bool = False, hide_inactive: bool = False,
                    search_term: str = "") -> None:
        """Start the export of the people the System Console's list shows with this filter."""
        where = "startUsersBatchExport"
        self.perms.require_system(ctx, permissions.MANAGE_SYSTEM, where)
        check_report_filter(team=team, hide_active=hide_active, hide_inactive=hide_inactive)
        date_range = date_range or "all_time"
        start_at, end_at = report_date_range(date_range, self.core.now())
        data = {"requesting_user_id": ctx.user_id, "date_range": date_range, "role": role, "team": team,
                "has_no_team": _flag(has_no_team), "hide_active": _flag(hide_active),
                "hide_inactive": _flag(hide_inactive), "search_term": search_term,
                "start_at": str(start_at), "end_at": str(end_at)}
        for status in (JOB_STATUS_PENDING, JOB_STATUS_IN_PROGRESS):
            for job in await self.core.store.jobs.list_by_type_and_status(JOB_TYPE_EXPORT_USERS_TO_CSV, status):
                if all(job.data.get(k, "") == data[k] for k in _IDENTITY):
                    raise AppError("StartUsersBatchExport", "app.report.start_users_batch_export.job_exists",
                                   "Job already exists for this user and date range.", 400)
        requester = await self.core.store.users.get(ctx.user_id)
        try:  # the note comes first, so it is above the file in the conversation
            await self._tell(requester, N_(
                "You've started an export of user data for {DateRange}. When the export is complete, a CSV "
                "file will be delivered to you in this direct message."), date_range)
        except AppError as e:
            log.warning("batch export message not posted", user_id=ctx.user_id, error=e.id)
        now = self.core.now()
        await self.core.store.jobs.save(Job(id=new_id(), type=JOB_TYPE_EXPORT_USERS_TO_CSV, create_at=now,
                                            status=JOB_STATUS_PENDING, data=data))
        self.jobs.loop.wake()

    async def _tell(self, user: User, message: str, date_range: str, file_ids: list[str] | None = None) -> None:
        bot = await self.system_bot()
        trusted = user_ctx(bot.id, bot.roles, trusted=True)
        channel, _ = await self.direct.create_direct(trusted, [user.id, bot.id])
        t = translator_for(self.core.cfg, user)
        text = t(message, {"DateRange": t(_DATE_RANGES.get(date_range, _ALL_TIME))})
        await self.posts.create(trusted, PostCreate(channel_id=channel.id, message=text, file_ids=file_ids))

    # the job ------------------------------------------------------------------------------------

    async def run_job(self, job: Job, jc: JobContext) -> dict[str, str]:
        data = job.data
        requester_id = data.get("requesting_user_id", "")
        if not requester_id:
            raise AppError("SendReportToUser", "app.report.send_report_to_user.missing_user_id",
                           "No user id to send the report to", 500)
        requester = await self.core.store.users.get(requester_id)
        flt: dict[str, Any] = {"team": data.get("team", ""), "role": data.get("role", ""),
                               "has_no_team": data.get("has_no_team") == "true",
                               "hide_active": data.get("hide_active") == "true",
                               "hide_inactive": data.get("hide_inactive") == "true",
                               "search_term": data.get("search_term", "")}
        start_at, end_at = int(data.get("start_at") or 0), int(data.get("end_at") or 0)
        total = max(1, await self.store.user_report_count(**flt))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        last_name: str | None = None
        last_id = ""
        done = 0
        while True:
            rows = await self.store.user_report(
                sort_column="username", sort_desc=False, previous=False, page_size=BATCH, from_value=last_name,
                from_id=last_id, start_at=start_at, end_at=end_at, **flt)
            if not rows:
                break
            users = {u.id: u for u in await self.core.store.users.get_many([r["id"] for r in rows])}
            for r in rows:
                user = users.get(r["id"])
                if user is not None:  # gone for good between the two reads
                    writer.writerow(csv_row(user, r))
            last_name, last_id = rows[-1]["username"], rows[-1]["id"]
            done += len(rows)
            await jc.progress(min(99, done * 100 // total))
            if len(rows) < BATCH:
                break
        payload = out.getvalue().encode()
        bot = await self.system_bot()
        trusted = user_ctx(bot.id, bot.roles, trusted=True)
        channel, _ = await self.direct.create_direct(trusted, [requester.id, bot.id])

        async def chunks() -> AsyncIterator[bytes]:
            yield payload

        info = await self.files.upload(trusted, channel, f"batch_report_{job.id}.csv", chunks(),
                                       content_length=len(payload))
        await self._tell(requester, N_(
            "Your export is ready. The CSV file contains user data for {DateRange}. Click on the link below to "
            "download the report."), data.get("date_range", ""), [info.id])
        return {"file_id": info.id, "users": str(done)}


def _flag(b: bool) -> str:
    return "true" if b else "false"
