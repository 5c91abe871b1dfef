"""Sidebar categories (Mattermost's SidebarCategories and SidebarChannels).

A row of ``sidebarchannels`` places a channel in a category by hand (custom categories, Favorites, a
manual order). The Channels category also holds every channel of its team the user is a member of
that has no row in any of the user's categories of that team, and Direct Messages every DM and group
message likewise — added when read, so a new channel or DM needs no write here."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from chinwag.model import channel_category as cc
from chinwag.model.channel import CHANNEL_DIRECT, CHANNEL_GROUP, CHANNEL_OPEN, CHANNEL_PRIVATE
from chinwag.model.channel_category import OrderedSidebarCategories, SidebarCategory
from chinwag.model.user import Preference
from chinwag.store.errors import InvalidInput, NotFound
from chinwag.store.sql.common import upsert
from chinwag.store.sql.engine import Database
from chinwag.store.sql.params import id_in
from chinwag.store.sql.rowmap import RowMap
from chinwag.store.sql.tables import (
    channelmembers,
    channels,
    preferences,
    sidebarcategories,
    sidebarchannels,
    teammembers,
    teams,
)

CATEGORY = RowMap(SidebarCategory, sidebarcategories, skip=("channel_ids",))
FAVORITE_CHANNEL = cc.FAVORITE_CHANNEL

cat_, sc_, ch_, cm_ = sidebarcategories, sidebarchannels, channels, channelmembers


class SqlCategoryStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # reading ---------------------------------------------------------------------------------

    async def _placed(self, conn: AsyncConnection, category_ids: Sequence[str], user_id: str) -> dict[str, list[str]]:
        """Each category's channels placed by hand, in order; only channels the user is still in."""
        if not category_ids:
            return {}
        q = (
            sa.select(sc_.c.categoryid, sc_.c.channelid)
            .select_from(sc_.join(cm_, sa.and_(cm_.c.channelid == sc_.c.channelid, cm_.c.userid == sc_.c.userid)))
            .where(id_in(sc_.c.categoryid, category_ids, self.db.driver), sc_.c.userid == user_id)
            .order_by(sc_.c.categoryid, sc_.c.sortorder, sc_.c.channelid)
        )
        out: dict[str, list[str]] = {cid: [] for cid in category_ids}
        for row in (await conn.execute(q)).all():
            out[row[0]].append(row[1])
        return out

    async def _complete(self, conn: AsyncConnection, *categories: SidebarCategory) -> None:
        """Put the channels no category of their team holds at the head of Channels (the team's public
        and private channels) and Direct Messages (DMs and GMs); one query for a team's categories."""
        for team_id in dict.fromkeys(c.team_id for c in categories):
            wanted = {c.type: c for c in categories if c.team_id == team_id
                      and c.type in (cc.CHANNELS, cc.DIRECT_MESSAGES)}
            if not wanted:
                continue
            user_id = next(iter(wanted.values())).user_id
            kinds = []
            if cc.CHANNELS in wanted:
                kinds.append(sa.and_(ch_.c.type.in_([CHANNEL_OPEN, CHANNEL_PRIVATE]), ch_.c.teamid == team_id))
            if cc.DIRECT_MESSAGES in wanted:
                kinds.append(ch_.c.type.in_([CHANNEL_DIRECT, CHANNEL_GROUP]))
            placed = (
                sa.select(sa.literal(1))
                .select_from(sc_.join(cat_, cat_.c.id == sc_.c.categoryid))
                .where(sc_.c.channelid == cm_.c.channelid, cat_.c.userid == user_id, cat_.c.teamid == team_id)
            )
            q = (
                sa.select(ch_.c.id, ch_.c.type)
                .select_from(cm_.join(ch_, ch_.c.id == cm_.c.channelid))
                .where(cm_.c.userid == user_id, sa.or_(*kinds), ch_.c.deleteat == 0, ~placed.exists())
                .order_by(ch_.c.displayname, ch_.c.name, ch_.c.id)
            )
            found: dict[str, list[str]] = {cc.CHANNELS: [], cc.DIRECT_MESSAGES: []}
            for cid, kind in (await conn.execute(q)).all():
                found[cc.DIRECT_MESSAGES if kind in (CHANNEL_DIRECT, CHANNEL_GROUP) else cc.CHANNELS].append(cid)
            for kind, category in wanted.items():
                have = set(category.channel_ids)
                category.channel_ids = [c for c in found[kind] if c not in have] + category.channel_ids

    async def _get(self, conn: AsyncConnection, category_id: str) -> SidebarCategory:
        row = (await conn.execute(sa.select(cat_).where(cat_.c.id == category_id))).first()
        if row is None:
            raise NotFound("SidebarCategories", category_id)
        category = CATEGORY.one(row)
        category.channel_ids = (await self._placed(conn, [category.id], category.user_id))[category.id]
        await self._complete(conn, category)
        return category

    async def get(self, category_id: str) -> SidebarCategory:
        async with self.db.read() as conn:
            return await self._get(conn, category_id)

    async def _for_team(self, conn: AsyncConnection, user_id: str, team_id: str) -> OrderedSidebarCategories:
        q = (
            sa.select(cat_)
            .select_from(
                cat_.join(teams, teams.c.id == cat_.c.teamid).join(
                    teammembers, sa.and_(teammembers.c.teamid == cat_.c.teamid, teammembers.c.userid == user_id)
                )
            )
            .where(cat_.c.userid == user_id, cat_.c.teamid == team_id, teammembers.c.deleteat == 0,
                   teams.c.deleteat == 0)
            .order_by(cat_.c.sortorder, cat_.c.id)
        )
        categories = CATEGORY.all((await conn.execute(q)).all())
        placed = await self._placed(conn, [c.id for c in categories], user_id)
        for c in categories:
            c.channel_ids = placed[c.id]
        await self._complete(conn, *categories)
        return OrderedSidebarCategories(categories=categories, order=[c.id for c in categories])

    async def get_for_team(self, user_id: str, team_id: str) -> OrderedSidebarCategories:
        async with self.db.read() as conn:
            return await self._for_team(conn, user_id, team_id)

    async def _order(self, conn: AsyncConnection, user_id: str, team_id: str) -> list[str]:
        q = (sa.select(cat_.c.id).where(cat_.c.userid == user_id, cat_.c.teamid == team_id)
             .order_by(cat_.c.sortorder, cat_.c.id))
        return [r[0] for r in (await conn.execute(q)).all()]

    async def get_order(self, user_id: str, team_id: str) -> list[str]:
        async with self.db.read() as conn:
            return await self._order(conn, user_id, team_id)

    # the default categories ------------------------------------------------------------------

    async def create_initial(self, user_id: str, team_id: str,
                             conn: AsyncConnection | None = None) -> OrderedSidebarCategories:
        """Create the default categories the user lacks on a team they are an active member of (the
        user's favorite channels of that team, from the ``favorite_channel`` preference, go into
        Favorites); then return the team's categories. When the user had none (the usual case: a
        first sidebar of a team), the answer is built from what was written instead of read back."""
        async with self.db.write_in(conn) as conn:
            member = (await conn.execute(
                sa.select(teammembers.c.deleteat, teams.c.deleteat)
                .select_from(teammembers.join(teams, teams.c.id == teammembers.c.teamid))
                .where(teammembers.c.teamid == team_id, teammembers.c.userid == user_id))).first()
            if member is None or member[0]:
                return await self._for_team(conn, user_id, team_id)
            made = await self._create_defaults(conn, user_id, team_id)
            if made is None or member[1]:  # some existed (or the team is archived): read them all
                return await self._for_team(conn, user_id, team_id)
            await self._complete(conn, *made)
            return OrderedSidebarCategories(categories=made, order=[c.id for c in made])

    async def _create_defaults(self, conn: AsyncConnection, user_id: str, team_id: str) -> list[SidebarCategory] | None:
        """Insert the default categories the user lacks on the team, in one statement; the new categories
        (Favorites with its channels placed, the others with none yet) when the user had none before,
        else None."""
        existing = {r[0] for r in (await conn.execute(
            sa.select(cat_.c.type).where(cat_.c.userid == user_id, cat_.c.teamid == team_id))).all()}
        made: list[SidebarCategory] = []
        for kind, (order, sorting, name) in cc.DEFAULTS.items():
            if kind in existing:
                continue
            cid = cc.default_category_id(kind, user_id, team_id)
            favorites = await self._migrate_favorites(conn, user_id, team_id, cid) if kind == cc.FAVORITES else []
            made.append(SidebarCategory(id=cid, user_id=user_id, team_id=team_id, sort_order=order,
                                        sorting=sorting, type=kind, display_name=name, channel_ids=favorites))
        if made:
            await conn.execute(upsert(conn, cat_, ["id"]).values([
                {"id": c.id, "userid": user_id, "teamid": team_id, "sortorder": c.sort_order, "sorting": c.sorting,
                 "type": c.type, "displayname": c.display_name, "muted": False, "collapsed": False} for c in made]))
        if existing:
            return None
        made.sort(key=lambda c: (c.sort_order, c.id))
        return made

    async def _migrate_favorites(self, conn: AsyncConnection, user_id: str, team_id: str,
                                 category_id: str) -> list[str]:
        q = (
            sa.select(preferences.c.name)
            .select_from(
                preferences.join(ch_, ch_.c.id == preferences.c.name).join(
                    cm_, sa.and_(cm_.c.channelid == preferences.c.name, cm_.c.userid == preferences.c.userid))
            )
            .where(preferences.c.userid == user_id, preferences.c.category == FAVORITE_CHANNEL,
                   preferences.c.value == "true", sa.or_(ch_.c.teamid == team_id, ch_.c.teamid == ""))
            .order_by(ch_.c.displayname, ch_.c.name)
        )
        ids = [r[0] for r in (await conn.execute(q)).all()]
        if ids:
            await conn.execute(upsert(conn, sc_, ["channelid", "userid", "categoryid"]).values([
                {"channelid": channel_id, "userid": user_id, "categoryid": category_id,
                 "sortorder": i * cc.SORT_DISTANCE} for i, channel_id in enumerate(ids)]))
        return ids

    # changing --------------------------------------------------------------------------------

    async def _unplace(self, conn: AsyncConnection, user_id: str, team_id: str, channel_ids: Sequence[str],
                       keep: Sequence[str] = ()) -> set[str]:
        """Take channels out of the user's categories of a team (but those in ``keep``); the ids of
        the categories that lost one."""
        if not channel_ids:
            return set()
        mine = sa.select(cat_.c.id).where(cat_.c.userid == user_id, cat_.c.teamid == team_id)
        if keep:
            mine = mine.where(cat_.c.id.not_in(list(keep)))
        where = (sc_.c.userid == user_id, id_in(sc_.c.channelid, channel_ids, self.db.driver),
                 sc_.c.categoryid.in_(mine))
        touched = {r[0] for r in (await conn.execute(sa.select(sc_.c.categoryid).where(*where))).all()}
        if touched:
            await conn.execute(sc_.delete().where(*where))
        return touched

    async def _place(self, conn: AsyncConnection, user_id: str, category_id: str, channel_ids: Sequence[str]) -> None:
        if channel_ids:
            await conn.execute(sc_.insert(), [
                {"channelid": c, "userid": user_id, "categoryid": category_id, "sortorder": i * cc.SORT_DISTANCE}
                for i, c in enumerate(dict.fromkeys(channel_ids))
            ])

    async def _write_order(self, conn: AsyncConnection, order: Sequence[str]) -> None:
        for i, category_id in enumerate(order):
            await conn.execute(cat_.update().where(cat_.c.id == category_id).values(sortorder=i * cc.SORT_DISTANCE))

    async def create(self, user_id: str, team_id: str, new: SidebarCategory, new_id: str, conn: AsyncConnection | None = None) -> SidebarCategory:
        """A custom category: after Favorites when Favorites comes first, else first. Its channels
        leave the categories they were in. NotFound when the user has no categories on the team."""
        async with self.db.write_in(conn) as conn:
            current = await self._for_team(conn, user_id, team_id)
            if not current.categories:
                raise NotFound("SidebarCategories", f"userId={user_id},teamId={team_id}")
            order = list(current.order)
            position = 0
            if current.categories[0].type == cc.FAVORITES:
                order.insert(1, new_id)
                position = cc.SORT_DISTANCE
            else:
                order.insert(0, new_id)
            category = SidebarCategory(
                id=new_id, user_id=user_id, team_id=team_id, sort_order=cc.SORT_DISTANCE * len(order),
                sorting=new.sorting, type=cc.CUSTOM, display_name=new.display_name, muted=new.muted,
                collapsed=False, channel_ids=list(dict.fromkeys(new.channel_ids)),
            )
            await conn.execute(cat_.insert().values(**CATEGORY.values(category)))
            await self._unplace(conn, user_id, team_id, category.channel_ids)
            await self._place(conn, user_id, new_id, category.channel_ids)
            await self._write_order(conn, order)
        category.sort_order = position
        return category

    async def update_order(self, user_id: str, team_id: str, order: Sequence[str], conn: AsyncConnection | None = None) -> None:
        """InvalidInput unless ``order`` holds exactly the user's categories of the team."""
        async with self.db.write_in(conn) as conn:
            existing = await self._order(conn, user_id, team_id)
            if len(existing) != len(order) or set(existing) != set(order):
                raise InvalidInput(f"SidebarCategories order {list(order)}")
            await self._write_order(conn, order)

    async def update(
        self, user_id: str, team_id: str, requested: Sequence[SidebarCategory], conn: AsyncConnection | None = None
    ) -> tuple[list[SidebarCategory], list[SidebarCategory], list[SidebarCategory]]:
        """Update categories as Mattermost's UpdateSidebarCategories: display name (custom only),
        sorting, muted (not Direct Messages), collapsed and channels (not Direct Messages, whose order
        is not stored). A channel placed in one of them leaves the other categories of the team.
        Favorites keep the ``favorite_channel`` preference in step. Returns (updated, original, other
        categories that lost a channel); NotFound when a category does not exist."""
        async with self.db.write_in(conn) as conn:
            originals = [await self._get(conn, c.id) for c in requested]
            updated: list[SidebarCategory] = []
            for want, src in zip(requested, originals, strict=True):
                dest = SidebarCategory(
                    id=src.id, user_id=src.user_id, team_id=src.team_id, sort_order=src.sort_order,
                    sorting=want.sorting, type=src.type, muted=src.muted, collapsed=want.collapsed,
                    display_name=want.display_name if src.type == cc.CUSTOM else src.display_name,
                )
                if src.type != cc.DIRECT_MESSAGES:
                    dest.channel_ids = list(dict.fromkeys(want.channel_ids))
                    dest.muted = want.muted
                updated.append(dest)
            for dest in sorted(updated, key=lambda c: c.id):
                await conn.execute(cat_.update().where(cat_.c.id == dest.id).values(
                    displayname=dest.display_name, sorting=dest.sorting, muted=dest.muted, collapsed=dest.collapsed))
            ids = [c.id for c in updated]
            await conn.execute(sc_.delete().where(sc_.c.categoryid.in_(ids)))
            touched: set[str] = set()
            for dest in updated:
                if dest.type == cc.DIRECT_MESSAGES:
                    continue
                touched |= await self._unplace(conn, user_id, dest.team_id, dest.channel_ids, keep=ids)
                await self._place(conn, user_id, dest.id, dest.channel_ids)
            for dest, src in zip(updated, originals, strict=True):
                if dest.type == cc.FAVORITES:
                    await self._set_favorites(conn, user_id, src.channel_ids, False)
                    await self._set_favorites(conn, user_id, dest.channel_ids, True)
                elif dest.type != cc.DIRECT_MESSAGES:
                    await self._set_favorites(conn, user_id, dest.channel_ids, False)
            await self._complete(conn, *updated)
            others = [await self._get(conn, cid) for cid in sorted(touched - set(ids))]
        return updated, originals, others

    async def _set_favorites(self, conn: AsyncConnection, user_id: str, channel_ids: Sequence[str], on: bool) -> None:
        if not channel_ids:
            return
        if not on:
            await conn.execute(preferences.delete().where(
                preferences.c.userid == user_id, preferences.c.category == FAVORITE_CHANNEL,
                id_in(preferences.c.name, channel_ids, self.db.driver)))
            return
        for channel_id in channel_ids:
            await conn.execute(upsert(conn, preferences, ["userid", "category", "name"], ["value"]).values(
                userid=user_id, category=FAVORITE_CHANNEL, name=channel_id, value="true"))

    async def delete(self, category_id: str, conn: AsyncConnection | None = None) -> SidebarCategory:
        """Delete a custom category; its channels go back to Channels / Direct Messages (they have no
        row any more). NotFound, or InvalidInput for a default category."""
        async with self.db.write_in(conn) as conn:
            row = (await conn.execute(sa.select(cat_).where(cat_.c.id == category_id))).first()
            if row is None:
                raise NotFound("SidebarCategories", category_id)
            category = CATEGORY.one(row)
            if category.type != cc.CUSTOM:
                raise InvalidInput(f"SidebarCategory {category_id} is not a custom category")
            await conn.execute(cat_.delete().where(cat_.c.id == category_id))
            await conn.execute(sc_.delete().where(sc_.c.categoryid == category_id))
        return category

    # favorites through preferences -----------------------------------------------------------

    async def favorites_from_preferences(self, prefs: Sequence[Preference], deleted: bool = False,
                                         conn: AsyncConnection | None = None) -> bool:
        """Keep Favorites in step with saved (or deleted) ``favorite_channel`` preferences: "true" puts
        the channel first in the Favorites category of its team (every team for a DM), leaving its
        other category; anything else (or a deletion) takes it out. True when something changed."""
        changed = False
        async with self.db.write_in(conn) as conn:
            for p in prefs:
                if p.category != FAVORITE_CHANNEL:
                    continue
                if deleted or p.value != "true":
                    fav = sa.select(cat_.c.id).where(cat_.c.userid == p.user_id, cat_.c.type == cc.FAVORITES)
                    res = await conn.execute(sc_.delete().where(
                        sc_.c.userid == p.user_id, sc_.c.channelid == p.name, sc_.c.categoryid.in_(fav)))
                    changed = changed or bool(res.rowcount)
                else:
                    changed = await self._add_favorite(conn, p.user_id, p.name) or changed
        return changed

    async def _add_favorite(self, conn: AsyncConnection, user_id: str, channel_id: str) -> bool:
        row = (await conn.execute(sa.select(ch_.c.teamid).where(ch_.c.id == channel_id))).first()
        if row is None:
            return False
        q = sa.select(cat_.c.id, cat_.c.teamid).where(cat_.c.userid == user_id, cat_.c.type == cc.FAVORITES)
        if row[0]:
            q = q.where(cat_.c.teamid == row[0])
        changed = False
        for category_id, team_id in (await conn.execute(q)).all():
            there = (await conn.execute(sa.select(sc_.c.channelid).where(
                sc_.c.categoryid == category_id, sc_.c.channelid == channel_id, sc_.c.userid == user_id))).first()
            if there is not None:
                continue
            await self._unplace(conn, user_id, team_id, [channel_id])
            first = (await conn.execute(sa.select(sa.func.min(sc_.c.sortorder)).where(
                sc_.c.categoryid == category_id))).scalar()
            await conn.execute(sc_.insert().values(
                channelid=channel_id, userid=user_id, categoryid=category_id,
                sortorder=(first - cc.SORT_DISTANCE) if first is not None else 0))
            changed = True
        return changed

    # membership ------------------------------------------------------------------------------

    async def clear_team(self, user_id: str, team_id: str, conn: AsyncConnection | None = None) -> None:
        """The user left the team: their categories of it go (Mattermost's ClearSidebarOnTeamLeave)."""
        async with self.db.write_in(conn) as conn:
            mine = sa.select(cat_.c.id).where(cat_.c.userid == user_id, cat_.c.teamid == team_id)
            await conn.execute(sc_.delete().where(sc_.c.categoryid.in_(mine)))
            await conn.execute(cat_.delete().where(cat_.c.userid == user_id, cat_.c.teamid == team_id))

    async def remove_channel(self, channel_id: str, conn: AsyncConnection | None = None) -> None:
        """The channel moved to another team: it leaves every category."""
        async with self.db.write_in(conn) as conn:
            await conn.execute(sc_.delete().where(sc_.c.channelid == channel_id))

    async def member_channel_ids(self, user_id: str, team_id: str) -> set[str]:
        """The channels a user may place in a category of a team: those of the team, archived ones
        included, and their DMs and group messages (Mattermost's GetChannelsForTeamForUser)."""
        q = (
            sa.select(cm_.c.channelid)
            .select_from(cm_.join(ch_, ch_.c.id == cm_.c.channelid))
            .where(cm_.c.userid == user_id, sa.or_(ch_.c.teamid == team_id, ch_.c.teamid == ""))
        )
        async with self.db.read() as conn:
            return {r[0] for r in (await conn.execute(q)).all()}
