"""Sidebar categories (Mattermost's app/channel_category.go): a user's Favorites, Channels, Direct
Messages and custom categories per team, their order, and the ``sidebar_category_*`` events. Muting a
category mutes its channels; the Favorites category and the ``favorite_channel`` preference are kept
in step by the store."""

from __future__ import annotations

import msgspec

from chinwag.app.channel_member import ChannelMemberService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.outbox import UnitOfWork
from chinwag.app.permissions import PermissionService
from chinwag.model import channel_category as cc
from chinwag.model import permissions
from chinwag.model.channel_category import OrderedSidebarCategories, SidebarCategory
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import new_id
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import InvalidInput, NotFound

ERROR_ID = "app.channel.sidebar_categories.app_error"


def _error(where: str, status: int, detail: str = "") -> AppError:
    return AppError(where, ERROR_ID, "Unable to find or save the sidebar categories.", status, detail)


@service
class ChannelCategoryService:
    core: AppCore
    perms: PermissionService
    members: ChannelMemberService

    # permissions -----------------------------------------------------------------------------

    def _require_user(self, ctx: Ctx, user_id: str, where: str) -> None:
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)

    async def _may_use(self, ctx: Ctx, user_id: str, team_id: str, category_id: str) -> bool:
        """Mattermost's SessionHasPermissionToCategory."""
        if self.perms.has_system(ctx, permissions.EDIT_OTHER_USERS):
            return True
        try:
            category = await self.core.store.categories.get(category_id)
        except NotFound:
            return False
        return category.user_id == ctx.user_id == user_id and category.team_id == team_id

    async def _require_category(self, ctx: Ctx, user_id: str, team_id: str, category_id: str, where: str) -> None:
        if not await self._may_use(ctx, user_id, team_id, category_id):
            raise permission_denied(where)

    # input -----------------------------------------------------------------------------------

    @staticmethod
    def _check(where: str, category: SidebarCategory) -> None:
        if category.sorting not in cc.SORTINGS:
            raise invalid_param(where, "category", f"sorting {category.sorting!r}")
        if len(category.display_name) > cc.DISPLAY_NAME_MAX:
            raise invalid_param(where, "category", "display_name is too long")

    async def _keep_member_channels(self, user_id: str, team_id: str, categories: list[SidebarCategory]) -> None:
        """Drop channels the user is not a member of (Mattermost's validateSidebarCategoryChannels)."""
        allowed = await self.core.store.categories.member_channel_ids(user_id, team_id)
        for c in categories:
            c.channel_ids = [cid for cid in c.channel_ids if cid in allowed]

    @staticmethod
    def _publish(uow: UnitOfWork, name: str, user_id: str, team_id: str, data: dict[str, object]) -> None:
        uow.publish(Event(name, data, Broadcast(user_id=user_id, team_id=team_id)))

    # reading ---------------------------------------------------------------------------------

    async def get_for_team(self, ctx: Ctx, user_id: str, team_id: str) -> OrderedSidebarCategories:
        self._require_user(ctx, user_id, "getCategoriesForTeamForUser")
        found = await self.core.store.categories.get_for_team(user_id, team_id)
        if not found.categories:  # a user always has categories: make them now
            found = await self.core.store.categories.create_initial(user_id, team_id)
        return found

    async def get_order(self, ctx: Ctx, user_id: str, team_id: str) -> list[str]:
        self._require_user(ctx, user_id, "getCategoryOrderForTeamForUser")
        return await self.core.store.categories.get_order(user_id, team_id)

    async def get(self, ctx: Ctx, user_id: str, team_id: str, category_id: str) -> SidebarCategory:
        where = "getCategoryForTeamForUser"
        await self._require_category(ctx, user_id, team_id, category_id, where)
        try:
            return await self.core.store.categories.get(category_id)
        except NotFound as e:
            raise _error("GetSidebarCategory", 404, str(e)) from None

    # changing --------------------------------------------------------------------------------

    async def create(self, ctx: Ctx, user_id: str, team_id: str, category: SidebarCategory) -> SidebarCategory:
        where = "createCategoryForTeamForUser"
        self._require_user(ctx, user_id, where)
        if category.user_id != user_id or category.team_id != team_id:
            raise invalid_param(where, "category", "user_id and team_id must match the URL")
        self._check(where, category)
        await self._keep_member_channels(user_id, team_id, [category])
        try:
            async with self.core.unit_of_work() as uow:
                created = await self.core.store.categories.create(user_id, team_id, category, new_id(), uow.conn)
                self._publish(uow, "sidebar_category_created", user_id, team_id, {"category_id": created.id})
        except NotFound as e:
            raise _error("CreateSidebarCategory", 404, str(e)) from None
        return created

    async def update_order(self, ctx: Ctx, user_id: str, team_id: str, order: list[str]) -> list[str]:
        where = "updateCategoryOrderForTeamForUser"
        self._require_user(ctx, user_id, where)
        for category_id in order:
            if not await self._may_use(ctx, user_id, team_id, category_id):
                raise invalid_param(where, "category")
        try:
            async with self.core.unit_of_work() as uow:
                await self.core.store.categories.update_order(user_id, team_id, order, uow.conn)
                self._publish(uow, "sidebar_category_order_updated", user_id, team_id, {"order": order})
        except InvalidInput as e:
            raise _error("UpdateSidebarCategoryOrder", 400, str(e)) from None
        return order

    async def update_many(
        self, ctx: Ctx, user_id: str, team_id: str, categories: list[SidebarCategory]
    ) -> list[SidebarCategory]:
        where = "updateCategoriesForTeamForUser"
        self._require_user(ctx, user_id, where)
        for c in categories:
            if not await self._may_use(ctx, user_id, team_id, c.id):
                raise invalid_param(where, "category")
            self._check(where, c)
        return await self._update(user_id, team_id, categories)

    async def update_one(
        self, ctx: Ctx, user_id: str, team_id: str, category_id: str, category: SidebarCategory
    ) -> SidebarCategory:
        where = "updateCategoryForTeamForUser"
        await self._require_category(ctx, user_id, team_id, category_id, where)
        if category.user_id != user_id or category.team_id != team_id:
            raise invalid_param(where, "category", "user_id and team_id must match the URL")
        self._check(where, category)
        category.id = category_id
        return (await self._update(user_id, team_id, [category]))[0]

    async def _update(self, user_id: str, team_id: str, categories: list[SidebarCategory]) -> list[SidebarCategory]:
        if len({c.id for c in categories}) != len(categories):
            raise invalid_param("updateCategoriesForTeamForUser", "category", "a category is listed twice")
        await self._keep_member_channels(user_id, team_id, categories)
        try:
            # the categories, their event and the channels muted to match: one unit of work
            async with self.core.unit_of_work() as uow:
                updated, original, others = await self.core.store.categories.update(
                    user_id, team_id, categories, uow.conn)
                changed = msgspec.json.encode([c.to_dict() for c in updated + others]).decode()
                self._publish(uow, "sidebar_category_updated", user_id, team_id, {"updatedCategories": changed})
                await self._mute_to_match(uow, user_id, updated, original)
        except NotFound as e:
            raise _error("UpdateSidebarCategories", 404, str(e)) from None
        return updated

    async def _mute_to_match(
        self, uow: UnitOfWork, user_id: str, updated: list[SidebarCategory], original: list[SidebarCategory]
    ) -> None:
        """Channels of a category muted or unmuted follow it, and so do channels moved between a
        muted and an unmuted category (Mattermost's muteChannelsForUpdatedCategories)."""
        mute: list[str] = []
        unmute: list[str] = []
        for new, old in zip(updated, original, strict=True):
            if new.muted and not old.muted:
                mute += new.channel_ids
            elif old.muted and not new.muted:
                unmute += new.channel_ids
        was = {ch: c for c in original for ch in c.channel_ids}
        now = {ch: c for c in updated for ch in c.channel_ids}
        for ch, src in was.items():
            dest = now.get(ch)
            if dest is None or dest.id == src.id:
                continue
            if dest.muted and not src.muted:
                mute.append(ch)
            elif src.muted and not dest.muted:
                unmute.append(ch)
        if mute:
            await self.members.set_muted(user_id, mute, True, uow)
        if unmute:
            await self.members.set_muted(user_id, unmute, False, uow)

    async def delete(self, ctx: Ctx, user_id: str, team_id: str, category_id: str) -> None:
        where = "deleteCategoryForTeamForUser"
        await self._require_category(ctx, user_id, team_id, category_id, where)
        try:
            async with self.core.unit_of_work() as uow:
                await self.core.store.categories.delete(category_id, uow.conn)
                self._publish(uow, "sidebar_category_deleted", user_id, team_id, {"category_id": category_id})
        except InvalidInput as e:
            raise _error("DeleteSidebarCategory", 400, str(e)) from None
        except NotFound as e:
            raise _error("DeleteSidebarCategory", 404, str(e)) from None
