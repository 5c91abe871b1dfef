"""Post search (POST /teams/{team_id}/posts/search, POST /posts/search): Mattermost's syntax
(``model/search_query.py``) resolved into channel and user ids the searcher may read, matched and
ranked by the search backend (``chinwag.search``); channel search and autocomplete."""

from __future__ import annotations

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.permissions import PermissionService
from chinwag.app.post_list import PostListService
from chinwag.app.search_scope import channel_scope
from chinwag.model import permissions
from chinwag.model.channel import Channel
from chinwag.model.errors import AppError, invalid_param, invalid_url_param
from chinwag.model.file import FileSearchParams
from chinwag.model.ids import is_valid_id
from chinwag.model.post import PostList
from chinwag.model.search_query import SearchQuery, date_range, parse
from chinwag.search.base import PostSearch, SearchEngine
from chinwag.store.errors import NotFound

#: Mattermost's SearchParameter is the same for posts and files
SearchParameter = FileSearchParams

PER_PAGE_DEFAULT = 60
PER_PAGE_MAX = 200
#: ranking looks at the newest this many matches; pages end there
MAX_HITS = 300
CHANNEL_SEARCH_LIMIT = 100
AUTOCOMPLETE_LIMIT = 50


@service
class SearchService:
    core: AppCore
    perms: PermissionService
    engine: SearchEngine
    post_lists: PostListService

    async def search_posts(self, ctx: Ctx, team_id: str | None, params: SearchParameter) -> PostList:
        """Posts matching ``params.terms`` in the searcher's channels of ``team_id`` (None: every
        team) and their direct and group messages, best match first."""
        where = "searchPostsInTeamForUser" if team_id is not None else "searchPostsInAllTeams"
        if team_id is not None:
            if not is_valid_id(team_id):
                raise invalid_url_param(where, "team_id")
            await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, where)
        if not params.terms or not params.terms.strip():
            raise invalid_param(where, "terms")
        page = params.page or 0
        per_page = PER_PAGE_DEFAULT if params.per_page is None else params.per_page
        if page < 0:
            raise invalid_param(where, "page")
        if per_page < 0:
            raise invalid_param(where, "per_page")
        per_page = min(per_page or PER_PAGE_DEFAULT, PER_PAGE_MAX)
        parsed = parse(params.terms)
        include_deleted = bool(params.include_deleted_channels) and \
            self.core.cfg.TeamSettings.ExperimentalViewArchivedChannels
        q = await self._resolve(ctx, team_id, parsed, include_deleted, params.time_zone_offset or 0,
                                bool(params.is_or_search))
        if q is None or (not q.terms and not q.excluded and not parsed.has_filters):
            return PostList(matches={})
        hits = await self.engine.search_posts(q)
        window = hits[page * per_page : (page + 1) * per_page]
        posts = {p.id: p for p in await self.core.store.posts.get_many([h.post_id for h in window])}
        order = [h.post_id for h in window if h.post_id in posts]
        await self.post_lists.prepare(ctx, [posts[i] for i in order])
        return PostList(
            order=order,
            posts={i: posts[i] for i in order},
            has_next=len(hits) > (page + 1) * per_page,
            matches={h.post_id: h.matched for h in window if h.post_id in posts},
        )

    async def _resolve(
        self, ctx: Ctx, team_id: str | None, parsed: SearchQuery, include_deleted: bool, tz: int,
        is_or: bool,
    ) -> PostSearch | None:
        """Names → ids, within what the searcher may read; None when nothing can match."""
        store = self.core.store
        scope = await channel_scope(self.core.store, ctx, team_id, parsed, include_deleted)
        if not scope:
            return None
        user_ids: list[str] | None = None
        excluded_users: list[str] = []
        if parsed.from_users or parsed.excluded_users:
            found = {u.username.lower(): u.id for u in await store.users.get_many_by_usernames(
                parsed.from_users + parsed.excluded_users)}
            if parsed.from_users:
                user_ids = [found[n] for n in parsed.from_users if n in found]
                if not user_ids:
                    return None
            excluded_users = [found[n] for n in parsed.excluded_users if n in found]
        lo, hi = date_range(parsed, tz)
        return PostSearch(
            terms=parsed.terms, excluded=parsed.excluded, is_or=is_or, channel_ids=sorted(scope), user_ids=user_ids, excluded_user_ids=excluded_users,
            created_from=lo, created_before=hi, limit=MAX_HITS,
        )

    # channels ------------------------------------------------------------------------------

    async def search_channels(self, ctx: Ctx, team_id: str, term: str, include_deleted: bool = False
                              ) -> list[Channel]:
        """POST /teams/{team_id}/channels/search: the team's public channels by name."""
        where = "searchChannelsForTeam"
        await self._team(ctx, team_id, permissions.LIST_TEAM_CHANNELS, where)
        include_deleted = include_deleted and self.core.cfg.TeamSettings.ExperimentalViewArchivedChannels
        return await self.core.store.channels.search(team_id, term.strip(), include_deleted=include_deleted,
                                                     limit=CHANNEL_SEARCH_LIMIT)

    async def search_archived_channels(self, ctx: Ctx, team_id: str, term: str) -> list[Channel]:
        """POST /teams/{team_id}/channels/search_archived: the team's archived public channels and the
        archived private ones the searcher is in (Mattermost's SearchArchivedInTeam). Someone without
        list_team_channels must at least be on the team (else Mattermost's missing team member 404)."""
        where = "searchArchivedChannelsForTeam"
        if not is_valid_id(team_id):
            raise invalid_url_param(where, "team_id")
        if not await self.perms.has_team(ctx, team_id, permissions.LIST_TEAM_CHANNELS):
            try:
                member = await self.core.store.teams.get_member(team_id, ctx.user_id)
            except NotFound:
                member = None
            if member is None or member.delete_at:
                raise AppError("GetTeamMember", "app.team.get_member.missing.app_error",
                               "No team member found for that user ID and team ID.", 404)
        return await self.core.store.channels.search(team_id, term.strip(), member_id=ctx.user_id,
                                                     only_deleted=True, limit=CHANNEL_SEARCH_LIMIT)

    async def autocomplete_channels(self, ctx: Ctx, team_id: str, name: str) -> list[Channel]:
        """GET /teams/{team_id}/channels/autocomplete: public channels and the searcher's private ones."""
        await self._team(ctx, team_id, permissions.LIST_TEAM_CHANNELS, "autocompleteChannelsForTeam")
        return await self.core.store.channels.search(team_id, name.strip(), member_id=ctx.user_id,
                                                     limit=AUTOCOMPLETE_LIMIT)

    async def autocomplete_channels_for_search(self, ctx: Ctx, team_id: str, name: str) -> list[Channel]:
        """GET /teams/{team_id}/channels/search_autocomplete: the channels an ``in:`` can name — the
        searcher's own in the team, and their direct and group messages."""
        await self._team(ctx, team_id, permissions.VIEW_TEAM, "autocompleteChannelsForTeamForSearch")
        return await self.core.store.channels.search(team_id, name.strip(), public=False, member_id=ctx.user_id,
                                                     with_direct=True, limit=AUTOCOMPLETE_LIMIT)

    async def _team(self, ctx: Ctx, team_id: str, permission: str, where: str) -> None:
        if not is_valid_id(team_id):
            raise invalid_url_param(where, "team_id")
        await self.perms.require_team(ctx, team_id, permission, where)
