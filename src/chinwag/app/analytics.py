"""Site statistics for the System Console: Mattermost's ``GET /analytics/old`` rows and the user
counts of ``GET /users/stats`` and ``/users/stats/filtered``.

The row names and their order are Mattermost's (``getStandardAnalytics``, ``getExtraCountsAnalytics``,
the per-day post and poster counts), so the official System Console and chinwag's read the same
answer. Per-day rows cover the 31 UTC days up to the end of yesterday, newest first, at most 30.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.ids import is_valid_id
from chinwag.store.sql.analytics_store import SqlAnalyticsStore

DAY_MS = 24 * 60 * 60 * 1000
MONTH_MS = 31 * DAY_MS

NAMES = ("standard", "bot_post_counts_day", "post_counts_day", "user_counts_with_posts_day", "extra_counts")


def row(name: str, value: float) -> dict[str, Any]:
    return {"name": name, "value": value}


def day_window(now_ms: int) -> tuple[int, int]:
    """[start of the day 31 days before yesterday, end of yesterday] in ms, UTC."""
    today = dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    end = today - dt.timedelta(milliseconds=1)
    start = today - dt.timedelta(days=32)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def round_off(n: int, resolution: int) -> int:
    """Mattermost's utils.RoundOffToZeroesResolution: drop up to ``resolution`` low digits (keeping at
    least the leading one): 987 → 900, 98_765 → 98_000 with 3; single digits → 0 unless resolution is 0."""
    resolution = max(0, resolution)
    if -9 <= n <= 9:
        return n if resolution == 0 else 0
    zeroes = len(str(abs(n))) - 1
    tens: int = 10 ** min(zeroes, resolution)
    kept: int = abs(n) // tens * tens
    return kept if n >= 0 else -kept


class AnalyticsService:
    def __init__(self, core: AppCore, perms: PermissionService, store: SqlAnalyticsStore,
                 connection_count: Callable[[], int] = lambda: 0) -> None:
        self.core = core
        self.perms = perms
        self.store = store
        #: open WebSocket connections on this node (the hub's count, wired by the server)
        self.connection_count = connection_count

    async def get(self, ctx: Ctx, name: str, team_id: str = "") -> list[dict[str, Any]]:
        where = "getAnalytics"
        self.perms.require_system(ctx, permissions.GET_ANALYTICS, where)
        if name not in NAMES:
            raise invalid_param(where, "name")
        if name == "standard":
            return await self._standard(team_id)
        if name == "extra_counts":
            return await self._extra(team_id)
        start, end = day_window(self.core.now())
        rows = await self.store.posts_by_day(start, end, team_id, bots_only=name == "bot_post_counts_day",
                                             distinct_users=name == "user_counts_with_posts_day")
        return [row(day, n) for day, n in rows]

    async def _standard(self, team_id: str) -> list[dict[str, Any]]:
        now = self.core.now()
        types = await self.store.channel_counts(team_id)
        users = await self.store.user_count(team_id)
        inactive = -1 if team_id else await self.store.inactive_user_count()
        master, replica = self.store.db_connections()
        return [
            row("channel_open_count", types.get("O", 0)),
            row("channel_private_count", types.get("P", 0)),
            row("post_count", await self.store.post_count(team_id)),
            row("unique_user_count", users),
            row("team_count", await self.store.team_count()),
            row("total_websocket_connections", self.connection_count()),
            row("total_master_db_connections", master),
            row("total_read_db_connections", replica),
            row("daily_active_users", await self.store.active_user_count(now - DAY_MS)),
            row("monthly_active_users", await self.store.active_user_count(now - MONTH_MS)),
            row("inactive_user_count", inactive),
        ]

    async def _extra(self, team_id: str) -> list[dict[str, Any]]:
        return [
            row("file_post_count", await self.store.post_count(team_id, with_files=True)),
            row("hashtag_post_count", await self.store.post_count(team_id, with_hashtags=True)),
            row("incoming_webhook_count", await self.store.incoming_webhook_count(team_id)),
            row("outgoing_webhook_count", await self.store.outgoing_webhook_count(team_id)),
            row("command_count", await self.store.command_count(team_id)),
            row("session_count", await self.store.session_count(self.core.now())),
        ]

    async def total_users(self, ctx: Ctx) -> dict[str, int]:
        """``GET /users/stats``: active accounts that are not bots (any signed-in user may ask)."""
        del ctx
        return {"total_users_count": await self.store.user_count()}

    async def usage_posts(self) -> dict[str, int]:
        """``GET /usage/posts`` (any signed-in user): the posts written by people, rounded down to the three
        most significant digits (Mattermost's RoundOffToZeroesResolution(n, 3))."""
        return {"count": round_off(await self.store.user_post_count(), 3)}

    async def usage_storage(self) -> dict[str, int]:
        """``GET /usage/storage``: the bytes of every file kept, rounded down (resolution 8)."""
        return {"bytes": round_off(await self.store.storage_bytes(), 8)}

    async def usage_teams(self) -> dict[str, int]:
        """``GET /usage/teams``: active teams (none are archived for cloud limits here)."""
        return {"active": await self.store.team_count(), "cloud_archived": 0}

    async def filtered_users(self, ctx: Ctx, *, in_team: str = "", in_channel: str = "",
                             include_deleted: bool = False, include_bots: bool = False,
                             roles: list[str] | None = None, team_roles: list[str] | None = None,
                             channel_roles: list[str] | None = None) -> dict[str, int]:
        """``GET /users/stats/filtered``: how many users a System Console user list filter matches."""
        where = "getFilteredUsersStats"
        self.perms.require_any_system(ctx, where, permissions.SYSCONSOLE_READ_USERS, permissions.MANAGE_SYSTEM)
        if in_team and in_channel:
            raise invalid_param(where, "in_team")
        if team_roles and not in_team:
            raise invalid_param(where, "team_roles")
        if channel_roles and not in_channel:
            raise invalid_param(where, "channel_roles")
        n = await self.store.filtered_user_count(
            in_team=in_team, in_channel=in_channel, include_deleted=include_deleted, include_bots=include_bots,
            roles=roles or [], team_roles=team_roles or [], channel_roles=channel_roles or [])
        return {"total_users_count": n}

    # GET /reports/users and /reports/users/count: the System Console's user list ---------------

    async def user_report(self, ctx: Ctx, *, sort_column: str = "Username", sort_desc: bool = False,
                          direction: str = "next", page_size: int = 50, from_column_value: str = "",
                          from_id: str = "", date_range: str = "", team: str = "", role: str = "",
                          has_no_team: bool = False, hide_active: bool = False, hide_inactive: bool = False,
                          search_term: str = "") -> list[dict[str, Any]]:
        """People (not bots) with their last login, last activity and posts in ``date_range``, a page
        at a time after (``next``) or before (``prev``) the row named by ``from_column_value`` and
        ``from_id``, as Mattermost's ``GetUsersForReporting``."""
        where = "getUsersForReporting"
        self._require_report(ctx, team, hide_active, hide_inactive)
        if page_size <= 0 or page_size > REPORT_MAX_PAGE_SIZE:
            raise AppError(where, "api.getUsersForReporting.invalid_page_size", "Invalid page size.", 400)
        column = REPORT_SORT_COLUMNS.get(sort_column)
        if column is None:
            raise AppError("UserReportOptions.IsValid", "model.user_report_options.is_valid.invalid_sort_column",
                           "Invalid sort column.", 400)
        start_at, end_at = report_date_range(date_range, self.core.now())
        cursor: str | int | None = None
        if from_id:
            if column == "createat":
                try:
                    cursor = int(from_column_value or 0)
                except ValueError:
                    raise invalid_param(where, "from_column_value") from None
            else:
                cursor = from_column_value.lower() if column in ("username", "email") else from_column_value
        rows = await self.store.user_report(
            sort_column=column, sort_desc=sort_desc, previous=direction in ("prev", "up"), page_size=page_size,
            from_value=cursor, from_id=from_id, start_at=start_at, end_at=end_at, team=team, role=role,
            has_no_team=has_no_team, hide_active=hide_active, hide_inactive=hide_inactive,
            search_term=search_term)
        found = {u.id: u for u in await self.core.store.users.get_many([r["id"] for r in rows])}
        out = []
        for r in rows:
            user = found.get(r["id"])
            if user is None:  # deleted for good between the two reads
                continue
            d = self.perms.sanitize_user(ctx, user).to_dict()
            d["last_login"] = r["last_login"]
            for key in ("last_status_at", "last_post_date", "days_active", "total_posts"):
                if r[key] is not None:
                    d[key] = int(r[key])
            out.append(d)
        return out

    async def user_report_count(self, ctx: Ctx, *, team: str = "", role: str = "", has_no_team: bool = False,
                                hide_active: bool = False, hide_inactive: bool = False,
                                search_term: str = "") -> int:
        self._require_report(ctx, team, hide_active, hide_inactive)
        return await self.store.user_report_count(team=team, role=role, has_no_team=has_no_team,
                                                  hide_active=hide_active, hide_inactive=hide_inactive,
                                                  search_term=search_term)

    def _require_report(self, ctx: Ctx, team: str, hide_active: bool, hide_inactive: bool) -> None:
        self.perms.require_system(ctx, permissions.SYSCONSOLE_READ_USERS, "getUsersForReporting")
        check_report_filter(team=team, hide_active=hide_active, hide_inactive=hide_inactive)


def check_report_filter(*, team: str = "", hide_active: bool = False, hide_inactive: bool = False,
                        **_: object) -> None:
    """The user report's filter (``team``, ``role``, ``has_no_team``, ``hide_active``, ``hide_inactive``,
    ``search_term``; shared by the list, its count and the CSV export) as Mattermost's
    ``fillUserReportOptions`` checks it."""
    where = "getUsersForReporting"
    if team and not is_valid_id(team):
        raise AppError(where, "api.getUsersForReporting.invalid_team_filter", "Invalid team filter.", 400)
    if hide_active and hide_inactive:
        raise AppError(where, "api.getUsersForReporting.invalid_active_filter",
                       "Cannot hide both active and inactive users.", 400)


#: Mattermost's sortable columns of the user report → our columns
REPORT_SORT_COLUMNS = {"CreateAt": "createat", "Username": "username", "FirstName": "firstname",
                       "LastName": "lastname", "Nickname": "nickname", "Email": "email", "Roles": "roles"}
REPORT_MAX_PAGE_SIZE = 100


def report_date_range(name: str, now_ms: int) -> tuple[int, int]:
    """[start, end) in ms of a report's ``date_range`` (``all_time`` or anything else: (0, 0), no bound),
    in the server's local time as Mattermost computes it."""
    now = dt.datetime.fromtimestamp(now_ms / 1000).astimezone()
    if name == "last_30_days":
        return int((now - dt.timedelta(days=30)).timestamp() * 1000), 0
    if name == "previous_month":
        month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        before = (month - dt.timedelta(days=1)).replace(day=1)
        return int(before.timestamp() * 1000), int(month.timestamp() * 1000)
    if name == "last_6_months":
        back = now.month - 6
        year = now.year + (back - 1) // 12
        mon = (back - 1) % 12 + 1
        day = min(now.day, calendar.monthrange(year, mon)[1])
        return int(now.replace(year=year, month=mon, day=day).timestamp() * 1000), 0
    return 0, 0
