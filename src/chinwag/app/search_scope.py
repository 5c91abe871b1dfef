"""The channels a post or file search may look in: the searcher's channels, narrowed by ``in:`` and
``-in:`` (channel names, ``@user`` direct messages and ``ann,bob`` group messages). Shared by post
search and file search, below both."""

from __future__ import annotations

from chinwag.app.context import Ctx
from chinwag.model.channel import direct_channel_name, group_channel_name
from chinwag.model.search_query import SearchQuery
from chinwag.store.sql.store import SqlStore


async def channel_scope(
    store: SqlStore, ctx: Ctx, team_id: str | None, parsed: SearchQuery, include_deleted: bool
) -> set[str]:
    """Ids of the channels a search may look in: the searcher's channels of ``team_id`` (None:
    every team) and their direct and group messages, narrowed by ``in:`` and ``-in:``."""
    channels = await store.channels.names_for_user(ctx.user_id, team_id, include_deleted=include_deleted)
    scope = {cid for cid, _ in channels}
    if parsed.in_channels:
        scope &= await _channel_ids(store, ctx, channels, parsed.in_channels)
    if parsed.excluded_channels:
        scope -= await _channel_ids(store, ctx, channels, parsed.excluded_channels)
    return scope


async def _channel_ids(store: SqlStore, ctx: Ctx, channels: list[tuple[str, str]], names: list[str]) -> set[str]:
    """Ids of the channels named: ``name``, ``@username`` for a direct message, or
    ``ann,bob`` (``@`` optional) for the group message of those people and the searcher."""
    by_name = {name.lower(): cid for cid, name in channels}
    groups = [[u.strip().lstrip("@") for u in n.split(",") if u.strip().lstrip("@")]
              for n in names if "," in n]
    direct = [n[1:] for n in names if n.startswith("@") and "," not in n]
    usernames = direct + [u for g in groups for u in g]
    ids: dict[str, str] = {}
    if usernames:
        ids = {u.username.lower(): u.id for u in await store.users.get_many_by_usernames(usernames)}
    wanted: set[str] = set()
    for name in direct:
        if name in ids and (cid := by_name.get(direct_channel_name(ctx.user_id, ids[name]))):
            wanted.add(cid)
    for group in groups:
        if all(u in ids for u in group):
            members = sorted({ids[u] for u in group} | {ctx.user_id})
            if (cid := by_name.get(group_channel_name(members))):
                wanted.add(cid)
    for n in names:
        if not n.startswith("@") and "," not in n and n in by_name:
            wanted.add(by_name[n])
    return wanted
