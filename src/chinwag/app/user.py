"""Users: sign-up, profiles, passwords, roles, listing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import msgspec

from chinwag.app.audit import audit
from chinwag.app.cache import member_counts_flush, user_changed
from chinwag.app.channel_member import ChannelMemberService
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, store_error
from chinwag.app.directory import Directory
from chinwag.app.outbox import UnitOfWork
from chinwag.app.passwords import check_password_hash, hash_password
from chinwag.app.permissions import PermissionService
from chinwag.app.plugin_hooks import PluginHooks
from chinwag.app.session import SessionService
from chinwag.app.team import TeamService
from chinwag.app.validate import check_email, check_len, check_password, check_username
from chinwag.model import permissions
from chinwag.model.errors import AppError, permission_denied
from chinwag.model.ids import new_id
from chinwag.model.integration import Bot
from chinwag.model.user import (
    SYSTEM_ADMIN_ROLE,
    SYSTEM_GUEST_ROLE,
    SYSTEM_USER_ROLE,
    Preference,
    User,
    UserCreate,
    UserPatch,
    default_notify_props,
    default_timezone,
)
from chinwag.platform.events import Event
from chinwag.store.errors import StoreError
from chinwag.store.sql.import_store import ImportWriter

EmailChangeHook = Callable[[User, str], Awaitable[None]]


#: roles only a system admin may grant or take away (system_admin and the System Console sub-admins)
_ADMIN_ROLES = frozenset({"system_admin", "system_manager", "system_user_manager", "system_read_only_admin"})


class UserService:
    def __init__(
        self,
        core: AppCore,
        directory: Directory,
        perms: PermissionService,
        sessions: SessionService,
        teams: TeamService,
        members: ChannelMemberService,
        plugin_hooks: PluginHooks,
    ) -> None:
        self.core = core
        self.directory = directory
        self.perms = perms
        self.sessions = sessions
        self.teams = teams
        self.members = members
        self.plugin_hooks = plugin_hooks
        self._first_user_lock = asyncio.Lock()
        #: set by the root (the account mail service): with RequireEmailVerification a changed address is
        #: mailed a verification link and becomes the account's only when it is followed
        self.email_change_hook: EmailChangeHook | None = None

    # bulk (importers) -----------------------------------------------------------------------

    async def import_many(self, source: str, new: Sequence[tuple[User, Bot | None]], mapping: dict[str, str]) -> None:
        """Create imported users (no usable password; bots with their ``bots`` row) and record which
        source id each came from (``mapping``: source id → user id, merged ones included), in one
        unit of work that publishes ``new_user`` for each."""
        async with self.core.unit_of_work() as uow:
            w = ImportWriter(uow.conn, source, self.core.now())
            await w.insert_users(new)
            await w.map("user", mapping)
            for u, _ in new:
                uow.publish(Event("new_user", {"user_id": u.id}))

    # reading -------------------------------------------------------------------------------

    async def import_settings(self, user: User | None, prefs: Sequence[Preference]) -> None:
        """An imported user's changed settings (``user``: its notify props changed; None: unchanged) and
        preferences (``favorite_channel`` ones move the channels in or out of Favorites), in one unit of
        work; no event (an import's settings)."""
        if user is None and not prefs:
            return
        async with self.core.unit_of_work() as uow:
            if user is not None:
                await self.core.store.users.update(user, uow.conn)
                uow.publish(user_changed(user.id))  # every node drops it (no client event)
            await self.core.store.preferences.save(prefs, uow.conn)
            await self.core.store.categories.favorites_from_preferences(prefs, conn=uow.conn)

    async def get(self, user_id: str, where: str = "GetUser") -> User:
        return await self.directory.user(user_id, where)

    async def get_by_username(self, username: str, where: str = "GetUserByUsername") -> User:
        try:
            return await self.core.store.users.get_by_username(username)
        except StoreError as e:
            raise store_error(where, e, "user") from None

    async def get_by_email(self, email: str, where: str = "GetUserByEmail") -> User:
        try:
            return await self.core.store.users.get_by_email(email)
        except StoreError as e:
            raise store_error(where, e, "user") from None

    def require_email_lookup(self, ctx: Ctx) -> None:
        """Mattermost's getUserByEmail: with ShowEmailAddress off only an admin may look users up by
        address (403 before the lookup, so the answer says nothing about whether it is registered)."""
        if not (self.core.cfg.PrivacySettings.ShowEmailAddress or self.perms.is_system_admin(ctx)):
            raise AppError("getUserByEmail", "api.user.get_user_by_email.permissions.app_error",
                           "Unable to get user by email.", 403, f"userId={ctx.user_id}")

    async def get_many(self, ctx: Ctx, user_ids: list[str], since: int = 0) -> list[User]:
        """POST /users/ids: the cached users as GET /users/{id} gives them (the posters' profiles of every
        channel view come here)."""
        users = await self.directory.users(user_ids)
        if since:
            users = [u for u in users if u.update_at > since]
        return self.sanitize_all(ctx, await self.visible(ctx, users))

    async def get_many_by_usernames(self, ctx: Ctx, usernames: list[str]) -> list[User]:
        users = await self.core.store.users.get_many_by_usernames(usernames)
        return self.sanitize_all(ctx, await self.visible(ctx, users))

    async def visible(self, ctx: Ctx, users: list[User]) -> list[User]:
        """Mattermost's view restriction for guests: they see only themselves and people they share a
        channel with. Everyone else sees everyone."""
        if ctx.local or SYSTEM_GUEST_ROLE not in ctx.roles:
            return users
        others = [u.id for u in users if u.id != ctx.user_id]
        shared = await self.core.store.channels.users_sharing_a_channel(ctx.user_id, others)
        return [u for u in users if u.id == ctx.user_id or u.id in shared]

    async def require_visible(self, ctx: Ctx, user: User, where: str = "GetUser") -> User:
        if not await self.visible(ctx, [user]):
            raise permission_denied(where, f"userId={ctx.user_id} cannot see {user.id}")
        return user

    async def can_see_other(self, user_id: str, other_user_id: str) -> bool:
        """Mattermost's UserCanSeeOtherUser between two accounts (not the caller): a user whose system
        roles grant ``view_members`` sees everyone; otherwise they see the members of the teams where
        their team roles grant it and the people they share a channel with. Someone always sees
        themselves. An account that does not exist has no roles and no memberships, so it sees nobody
        else; a deactivated one keeps its roles and memberships, as in Mattermost."""
        if user_id == other_user_id:
            return True
        table = self.perms.roles.permissions
        try:
            user = await self.core.store.users.get(user_id)
        except StoreError:
            user = None
        if user is not None and permissions.roles_grant(user.roles.split(), permissions.VIEW_MEMBERS, table):
            return True
        team_ids = [t.id for t in await self.core.store.teams.list_for_user(user_id)]
        viewable = {tid for tid in team_ids if permissions.roles_grant(
            await self.perms.team_roles(user_id, tid), permissions.VIEW_MEMBERS, table)}
        if viewable:
            theirs = {t.id for t in await self.core.store.teams.list_for_user(other_user_id, include_deleted=True)}
            if viewable & theirs:
                return True
        return other_user_id in await self.core.store.channels.users_sharing_a_channel(user_id, [other_user_id])

    async def can_direct_message(self, user_id: str, other_user_id: str) -> bool:
        """``GET /sharedchannels/users/{user_id}/can_dm/{other_user_id}`` (Mattermost's
        canUserDirectMessage): whether the web app should offer ``user_id`` a direct message with
        ``other_user_id``. Mattermost answers from who ``user_id`` can see (above); its further check,
        that a remote user's home cluster is directly connected, never applies here — chinwag has no
        shared channels, so every account is local. Mattermost asks nothing of the caller beyond a
        session, and neither ``TeamSettings.RestrictDirectMessage`` nor deactivation enter its answer
        (they are applied when the channel is made: POST /channels/direct)."""
        return await self.can_see_other(user_id, other_user_id)

    def sanitize(self, ctx: Ctx, user: User) -> User:
        return self.perms.sanitize_user(ctx, user)

    def sanitize_all(self, ctx: Ctx, users: list[User]) -> list[User]:
        return self.perms.sanitize_users(ctx, users)

    # creating ------------------------------------------------------------------------------

    async def create(
        self, ctx: Ctx, data: UserCreate, *, invite_id: str = "", from_admin: bool = False,
        from_sso: bool = False, from_invitation: bool = False,
    ) -> User:
        """POST /users. The first user becomes a system admin; ``invite_id`` joins a team's invite.

        ``from_sso``: an account made on a first single sign-on, which needs no invitation (the
        provider vouches for the person) but still obeys EnableUserCreation."""
        where = "CreateUser"
        cfg = self.core.cfg
        invite_team = None
        if invite_id:
            try:
                invite_team = await self.core.store.teams.get_by_invite_id(invite_id)
            except StoreError:
                raise AppError(where, "api.user.create_user.invalid_invitation_type.app_error",
                               "The invitation link is invalid.", 400) from None
            if invite_team.delete_at:
                raise AppError(where, "api.user.create_user.invalid_invitation_type.app_error",
                               "The invitation link is invalid.", 400)
        async with self._first_user_lock:
            first = await self.core.store.users.count() == 0
            if not first and not from_admin and not self.perms.has_system(ctx, permissions.MANAGE_SYSTEM):
                if not cfg.TeamSettings.EnableUserCreation:
                    raise AppError(
                        where, "api.user.create_user.disabled.app_error", "User creation is disabled.", 403
                    )
                if not cfg.EmailSettings.EnableSignUpWithEmail and not data.auth_service:
                    raise AppError(
                        where,
                        "api.user.create_user.signup_email_disabled.app_error",
                        "User sign-up with email is disabled.",
                        403,
                    )
                if not cfg.TeamSettings.EnableOpenServer and invite_team is None and not (from_sso or from_invitation):
                    raise AppError(
                        where,
                        "api.user.create_user.no_open_server",
                        "This server does not allow open signups. Please speak with your "
                        "Administrator to receive an invitation.",
                        403,
                    )
            user = self._new_user(data, first)
            self._check_domain(user.email, where, first or self.perms.is_system_admin(ctx))
            password_hash = ""
            if not data.auth_service:
                check_password(data.password, cfg.PasswordSettings, where)
                password_hash = await asyncio.to_thread(hash_password, data.password)
            try:
                async with self.core.unit_of_work() as uow:
                    await self.core.store.users.save(user, password_hash, uow.conn)
                    uow.publish(Event("new_user", {"user_id": user.id}))
            except StoreError as e:
                raise self.conflict_error(where, e) from None
        self.plugin_hooks.user_created(ctx, user)
        if invite_team is not None:
            await self.teams.join(invite_team, user.id, actor_id=user.id)
        return user

    def _new_user(self, data: UserCreate, first: bool) -> User:
        where = "CreateUser"
        username = data.username.strip().lower()
        email = data.email.strip().lower()
        check_username(username, where)
        check_email(email, where)
        for value, limit, field in (
            (data.nickname, 64, "nickname"),
            (data.first_name, 64, "first_name"),
            (data.last_name, 64, "last_name"),
            (data.position, 128, "position"),
        ):
            check_len(value, limit, where, f"model.user.is_valid.{field}.app_error", field)
        now = self.core.now()
        notify = default_notify_props(username, data.first_name)
        if data.notify_props:
            notify.update(data.notify_props)
        return User(
            id=new_id(),
            create_at=now,
            update_at=now,
            username=username,
            email=email,
            email_verified=data.email_verified or not self.core.cfg.EmailSettings.RequireEmailVerification,
            nickname=data.nickname,
            first_name=data.first_name,
            last_name=data.last_name,
            position=data.position,
            roles=f"{SYSTEM_ADMIN_ROLE} {SYSTEM_USER_ROLE}" if first else SYSTEM_USER_ROLE,
            props=data.props or {},
            notify_props=notify,
            last_password_update=now,
            locale=data.locale or self.core.cfg.LocalizationSettings.DefaultClientLocale or "en",
            timezone=data.timezone or default_timezone(),
            auth_service=data.auth_service,
            auth_data=data.auth_data,
        )

    def _check_domain(self, email: str, where: str, exempt: bool) -> None:
        domains = self.core.cfg.TeamSettings.RestrictCreationToDomains
        if exempt or not domains.strip():
            return
        allowed = {d.strip().lower() for d in domains.split(",") if d.strip()}
        if email.rsplit("@", 1)[-1] not in allowed:
            raise AppError(
                where,
                "api.user.create_user.accepted_domain.app_error",
                "The email you provided does not belong to an accepted domain.",
                400,
            )

    def conflict_error(self, where: str, e: StoreError) -> AppError:
        field = getattr(e, "field", "")
        if field == "username":
            return AppError(
                where,
                "app.user.save.username_exists.app_error",
                "An account with that username already exists.",
                400,
            )
        if field == "email":
            return AppError(
                where,
                "app.user.save.email_exists.app_error",
                "An account with that email already exists.",
                400,
            )
        return store_error(where, e, "user")

    # updating ------------------------------------------------------------------------------

    async def patch(self, ctx: Ctx, user_id: str, patch: UserPatch) -> User:
        where = "PatchUser"
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        user = await self.get(user_id, where)
        if user.delete_at and not self.perms.is_system_admin(ctx):
            raise AppError(where, "api.user.update_user.not_active", "User is deactivated.", 400)
        updated, pending_email = self.apply_patch(ctx, user, patch, where)
        try:
            async with self.core.unit_of_work() as uow:
                await self.core.store.users.update(updated, uow.conn)
                uow.publish(self._updated_event(updated))
        except StoreError as e:
            raise self.conflict_error(where, e) from None
        await self.confirm_email_change(updated, pending_email)
        return updated

    def apply_patch(self, ctx: Ctx, user: User, patch: UserPatch, where: str) -> tuple[User, str]:
        """``user`` with ``patch`` applied and checked (nothing written), and the new email address that
        waits for its verification ("" when none does)."""
        updated = msgspec.structs.replace(user)
        pending_email = ""
        if patch.username is not msgspec.UNSET:
            updated.username = patch.username.strip().lower()
            check_username(updated.username, where)
        if patch.email is not msgspec.UNSET and patch.email.strip().lower() != user.email:
            email = patch.email.strip().lower()
            check_email(email, where)
            if ctx.user_id == user.id and not self.perms.is_system_admin(ctx) and user.auth_service:
                raise AppError(where, "api.user.patch_user.email_sso", "SSO users cannot change email.", 400)
            if self.core.cfg.EmailSettings.RequireEmailVerification and self.email_change_hook is not None:
                pending_email = email  # Mattermost keeps the old address until the new one is verified
            else:
                updated.email = email
        for name in ("nickname", "first_name", "last_name", "position", "locale"):
            value = getattr(patch, name)
            if value is not msgspec.UNSET:
                limit = 128 if name == "position" else (5 if name == "locale" else 64)
                check_len(value, limit, where, f"model.user.is_valid.{name}.app_error", name)
                setattr(updated, name, value)
        if patch.props is not msgspec.UNSET:
            updated.props = dict(patch.props)
        if patch.notify_props is not msgspec.UNSET:
            updated.notify_props = {**user.notify_props, **patch.notify_props}
        if patch.timezone is not msgspec.UNSET:
            updated.timezone = {**default_timezone(), **patch.timezone}
        updated.update_at = self.core.now()
        if updated.username != user.username and updated.notify_props.get("mention_keys", "").startswith(
            f"{user.username},@{user.username}"
        ):
            keys = updated.notify_props["mention_keys"].split(",")[2:]
            updated.notify_props["mention_keys"] = ",".join([updated.username, f"@{updated.username}", *keys])
        return updated, pending_email

    async def confirm_email_change(self, user: User, pending_email: str) -> None:
        """After the commit: mail the address that waits for its verification (see ``apply_patch``)."""
        if pending_email and self.email_change_hook is not None:
            await self.email_change_hook(user, pending_email)

    async def update(self, ctx: Ctx, user_id: str, data: User) -> User:
        """PUT /users/{id}: the whole profile (only fields a user may change are taken)."""
        patch = UserPatch(
            username=data.username,
            email=data.email,
            nickname=data.nickname,
            first_name=data.first_name,
            last_name=data.last_name,
            position=data.position,
            locale=data.locale or "en",
            props=data.props,
            notify_props=data.notify_props or msgspec.UNSET,
            timezone=data.timezone or msgspec.UNSET,
        )
        return await self.patch(ctx, user_id, patch)

    async def set_auth(self, uow: UnitOfWork, user: User, service: str, auth_data: str | None,
                       password_hash: str = "", *, end_sessions: bool = False) -> User:
        """Change how a user signs in (``service`` "" is email and password; the password is replaced,
        cleared for SSO, and MFA turned off) in the unit of work, with ``user_updated`` (``end_sessions``:
        then every session of theirs ends). Returns the changed user."""
        now = self.core.now()
        await self.core.store.users.update_auth(user.id, service, auth_data, password_hash, now, uow.conn)
        changed = msgspec.structs.replace(user, auth_service=service, auth_data=auth_data, update_at=now,
                                          last_password_update=now, mfa_active=False)
        self.updated(uow, changed)
        if end_sessions:
            await self.sessions.revoke_all(user.id, uow=uow)
        return changed

    async def save_changed(self, user: User, *, end_sessions: bool = False, activity: bool = False) -> None:
        """Write a changed user (``end_sessions``: and end their sessions) and register ``user_updated``, in
        one unit of work (``activity``: the account was deactivated or reactivated)."""
        async with self.core.unit_of_work() as uow:
            await self.core.store.users.update(user, uow.conn)
            if end_sessions:
                await self.sessions.revoke_all(user.id, uow=uow)
            self.updated(uow, user)
            if activity:
                uow.publish(member_counts_flush())

    def updated(self, uow: UnitOfWork, user: User) -> None:
        """Register ``user_updated`` on the unit of work that changes the user; the node's cached user
        goes after the commit."""
        uow.publish(self._updated_event(user))
        uow.after_commit(lambda: self.core.caches.forget_user(user.id))

    def _updated_event(self, user: User) -> Event:
        privacy = self.core.cfg.PrivacySettings
        public = user.sanitized_for(False, False, privacy.ShowEmailAddress, privacy.ShowFullName)
        return Event("user_updated", {"user": public.to_dict()})

    async def update_password(self, ctx: Ctx, user_id: str, current: str, new: str) -> None:
        where = "UpdatePassword"
        self.perms.require_self_or_system(ctx, user_id, permissions.EDIT_OTHER_USERS, where)
        auth = await self._auth(user_id, where)
        if auth.user.auth_service:
            raise AppError(
                where,
                "api.user.update_password.oauth.app_error",
                "Update password failed because the user is logged in through an OAuth service.",
                400,
            )
        if ctx.user_id == user_id and not ctx.local:
            if not await asyncio.to_thread(check_password_hash, current, auth.password_hash):
                await audit(self.core, ctx, "update_password", "fail", user_id=user_id,
                            error="api.user.update_password.incorrect.app_error")
                raise AppError(
                    where,
                    "api.user.update_password.incorrect.app_error",
                    'The "Current Password" you entered is incorrect. Please check that Caps '
                    "Lock is off and try again.",
                    400,
                )
        check_password(new, self.core.cfg.PasswordSettings, where)
        hashed = await asyncio.to_thread(hash_password, new)
        async with self.core.unit_of_work() as uow:
            await self.core.store.users.update_password(user_id, hashed, self.core.now(), uow.conn)
            uow.publish(user_changed(user_id))  # last_password_update, on every node
            if self.core.cfg.ServiceSettings.TerminateSessionsOnPasswordChange:
                # Mattermost ends every session of the user but the one that made the change
                keep = ctx.session.id if ctx.session is not None and ctx.session.user_id == user_id else ""
                await self.sessions.revoke_all(user_id, except_session=keep, uow=uow)
        await audit(self.core, ctx, "update_password", "success", user_id=user_id)

    async def _auth(self, user_id: str, where: str):  # type: ignore[no-untyped-def]
        try:
            return await self.core.store.users.get_auth(user_id)
        except StoreError as e:
            raise store_error(where, e, "user") from None

    async def update_roles(self, ctx: Ctx, user_id: str, roles: str) -> User:
        where = "UpdateUserRoles"
        # Mattermost's manage_roles; the System Console's user pages also let a holder of
        # sysconsole_write_user_management_users change roles — but never grant or take away
        # system_admin or a System Console sub-admin role (system admins only)
        self.perms.require_any_system(ctx, where, permissions.MANAGE_ROLES, permissions.SYSCONSOLE_WRITE_USERS)
        wanted = roles.split()
        allowed = {
            "system_user",
            "system_admin",
            "system_guest",
            "system_user_access_token",
            "system_post_all",
            "system_post_all_public",
            "system_read_only_admin",
            "system_user_manager",
            "system_manager",
        }
        if not wanted or any(r not in allowed for r in wanted):
            raise AppError(where, "api.user.update_user_roles.invalid_roles", "Invalid roles.", 400)
        user = await self.get(user_id, where)
        changed = set(wanted) ^ set(user.roles.split())
        if changed & _ADMIN_ROLES and not self.perms.is_system_admin(ctx):
            raise permission_denied(where, f"userId={ctx.user_id}, permission={permissions.MANAGE_SYSTEM}")
        before = user.roles
        async with self.core.unit_of_work() as uow:
            await self.set_roles(uow, user, " ".join(wanted))
        await audit(self.core, ctx, "update_roles", "success", user_id=user_id, roles=user.roles, previous=before)
        return user

    async def set_roles(self, uow: UnitOfWork, user: User, roles: str) -> None:
        """Give ``user`` (changed in place) ``roles`` in the unit of work: the user, their sessions' roles,
        their memberships (a guest or not any more) and ``user_updated``."""
        was_guest = user.is_guest()
        user.roles = roles
        user.update_at = self.core.now()
        await self.core.store.users.update(user, uow.conn)
        await self.core.store.sessions.update_roles(user.id, user.roles, uow.conn)
        if user.is_guest() != was_guest:
            await self.teams.set_guest_memberships(uow, user.id, user.is_guest())
            await self.members.set_guest_memberships(uow, user.id, user.is_guest())
        user_id = user.id
        uow.after_commit(lambda: self.sessions.invalidate_user(user_id))
        uow.publish(self._updated_event(user))

    async def promote_guest(self, ctx: Ctx, user_id: str) -> User:
        """POST /users/{id}/promote: a guest becomes a member (system_user), memberships too."""
        self.perms.require_system(ctx, permissions.MANAGE_ROLES, "PromoteGuestToUser")
        user = await self.get(user_id, "PromoteGuestToUser")
        if not user.is_guest():
            raise AppError("PromoteGuestToUser", "api.user.promote_guest_to_user.no_guest.app_error",
                           "The user is not a guest.", 400)
        return await self.set_directory_roles(user, admin=False, guest=False, ctx=ctx)

    async def demote_to_guest(self, ctx: Ctx, user_id: str) -> User:
        """POST /users/{id}/demote: a member becomes a guest (system_guest), memberships too."""
        where = "DemoteUserToGuest"
        self.perms.require_system(ctx, permissions.MANAGE_ROLES, where)
        if not self.core.cfg.GuestAccountsSettings.Enable:
            raise AppError(where, "api.team.demote_user_to_guest.disabled.error",
                           "Guest accounts are disabled.", 501)
        user = await self.get(user_id, where)
        if user.is_bot:
            raise AppError(where, "api.user.demote_user_to_guest.bot.app_error", "A bot cannot be a guest.", 400)
        if user.is_guest():
            return user
        return await self.set_directory_roles(user, admin=False, guest=True, ctx=ctx)

    async def set_directory_roles(
        self, user: User, *, admin: bool | None, guest: bool | None, ctx: Ctx | None = None
    ) -> User:
        """SAML / LDAP: make the user a guest, a member or a system admin as the identity provider says, on
        every sign-in and sync (``None``: that rule is off, leave it be); also promote/demote by an admin. A guest is never an admin. Turning
        into a guest (or back) also changes every team and channel membership's scheme role, as Mattermost's
        DemoteUserToGuest / PromoteGuestToUser do."""
        was_guest = user.is_guest()
        is_guest = was_guest if guest is None else guest
        roles = user.roles.split()
        if is_guest:
            wanted = [SYSTEM_GUEST_ROLE]
        else:
            wanted = [r for r in roles if r not in (SYSTEM_GUEST_ROLE, SYSTEM_ADMIN_ROLE)]
            if SYSTEM_USER_ROLE not in wanted:
                wanted.insert(0, SYSTEM_USER_ROLE)
            if admin or (admin is None and SYSTEM_ADMIN_ROLE in roles):
                wanted.insert(0, SYSTEM_ADMIN_ROLE)
        if set(wanted) == set(roles):
            return user
        before = user.roles
        user.roles = " ".join(wanted)
        user.update_at = self.core.now()
        async with self.core.unit_of_work() as uow:
            await self.core.store.users.update(user, uow.conn)
            await self.core.store.sessions.update_roles(user.id, user.roles, uow.conn)
            if is_guest != was_guest:
                await self.teams.set_guest_memberships(uow, user.id, is_guest)
                await self.members.set_guest_memberships(uow, user.id, is_guest)
                uow.publish(member_counts_flush())  # the channels' guest counts
            uow.after_commit(lambda: self.sessions.invalidate_user(user.id))
            self.updated(uow, user)
        await audit(self.core, ctx, "update_roles", "success", user_id=user.id, roles=user.roles, previous=before,
                    by_service="" if ctx else user.auth_service)
        return user

    async def with_invalid_emails(self, ctx: Ctx, page: int, per_page: int) -> list[User]:
        """``GET /users/invalid_emails``: the password accounts whose email is outside
        TeamSettings.RestrictCreationToDomains (the System Console lists them once domains are restricted).
        Meaningless on an open server: 400, as Mattermost."""
        where = "GetUsersWithInvalidEmails"
        if self.core.cfg.TeamSettings.EnableOpenServer:
            raise AppError(where, "NO_TRANSLATE", "TeamSettings.EnableOpenServer is enabled", 400)
        self.perms.require_system(ctx, permissions.SYSCONSOLE_READ_USERS, where)
        domains = [d.strip() for d in self.core.cfg.TeamSettings.RestrictCreationToDomains.split(",")]
        found = await self.core.store.users.with_invalid_emails(domains, page * per_page, per_page)
        return self.sanitize_all(ctx, found)

    async def reset_failed_attempts(self, ctx: Ctx, user_id: str) -> None:
        """``POST /users/{user_id}/reset_failed_attempts`` (the System Console's "Reset failed attempts"):
        an account locked by wrong passwords may sign in again. Email and AD/LDAP accounts only."""
        where = "resetPasswordFailedAttempts"
        if not self.perms.has_system(ctx, permissions.SYSCONSOLE_WRITE_USERS):
            raise AppError(where, "api.user.reset_password_failed_attempts.permissions.app_error",
                           "You do not have permission to update this resource.", 403)
        user = await self.get(user_id)
        if user.is_system_admin() and not self.perms.has_system(ctx, permissions.MANAGE_SYSTEM):
            raise permission_denied(where, f"permission={permissions.MANAGE_SYSTEM}")
        if user.auth_service not in ("", "ldap"):
            raise AppError(where, "api.user.reset_password_failed_attempts.ldap_and_email_only.app_error",
                           "User auth service must be LDAP or Email.", 400)
        await self.core.store.users.update_failed_attempts(user.id, 0)

    async def set_active(self, ctx: Ctx, user_id: str, active: bool) -> User:
        where = "UpdateUserActive"
        if ctx.user_id == user_id and not ctx.local:
            if not active and not self.core.cfg.TeamSettings.EnableUserDeactivation:
                if not self.perms.is_system_admin(ctx):
                    raise AppError(
                        where,
                        "api.user.update_active.not_enable.app_error",
                        "You cannot deactivate yourself because this feature is not enabled.",
                        401,
                    )
            elif active and not self.perms.is_system_admin(ctx):
                raise permission_denied(where)
        else:
            # Mattermost: sysconsole_write_user_management_users (chinwag also keeps edit_other_users)
            self.perms.require_any_system(ctx, where, permissions.SYSCONSOLE_WRITE_USERS, permissions.EDIT_OTHER_USERS)
        user = await self.get(user_id, where)
        if (ctx.user_id != user_id and not self.perms.is_system_admin(ctx)
                and permissions.roles_grant(user.roles.split(), permissions.MANAGE_SYSTEM)):
            raise permission_denied(where, f"userId={ctx.user_id}, permission={permissions.MANAGE_SYSTEM}")
        now = self.core.now()
        user.delete_at = 0 if active else now
        user.update_at = now
        async with self.core.unit_of_work() as uow:
            await self.core.store.users.update(user, uow.conn)
            if not active:
                await self.sessions.revoke_all(user_id, uow=uow)
                # its personal access tokens stay off after a reactivation until turned on deliberately
                await self.core.store.tokens.disable_for_user(user_id, uow.conn)
            uow.publish(self._updated_event(user))
            uow.publish(member_counts_flush())  # channels count their active members
        return user

    async def list_users(
        self,
        ctx: Ctx,
        *,
        page: int,
        per_page: int,
        in_team: str = "",
        not_in_team: str = "",
        in_channel: str = "",
        not_in_channel: str = "",
        without_team: bool = False,
        active: bool | None = None,
        role: str = "",
        sort: str = "",
    ) -> list[User]:
        where = "GetUsers"
        if in_team or not_in_team:
            await self.perms.require_team(ctx, in_team or not_in_team, permissions.VIEW_TEAM, where)
        if in_channel or not_in_channel:
            ch = await self.perms.readable_channel(ctx, in_channel or not_in_channel, where)
            del ch
        if without_team:
            self.perms.require_system(ctx, permissions.LIST_USERS_WITHOUT_TEAM, where)
        if not (in_team or not_in_team or in_channel or not_in_channel) and not self.perms.has_system(
            ctx, permissions.VIEW_MEMBERS
        ):
            raise permission_denied(where)
        users = await self.core.store.users.list_users(
            page=page,
            per_page=per_page,
            in_team=in_team,
            not_in_team=not_in_team,
            in_channel=in_channel,
            not_in_channel=not_in_channel,
            without_team=without_team,
            active=active,
            role=role,
            sort=sort,
        )
        return self.sanitize_all(ctx, await self.visible(ctx, users))

    async def search(
        self,
        ctx: Ctx,
        term: str,
        *,
        team_id: str = "",
        channel_id: str = "",
        not_in_channel: str = "",
        allow_inactive: bool = False,
        limit: int = 100,
        role: str = "",
        without_team: bool = False,
    ) -> list[User]:
        if team_id:
            await self.perms.require_team(ctx, team_id, permissions.VIEW_TEAM, "SearchUsers")
        if without_team:
            self.perms.require_system(ctx, permissions.LIST_USERS_WITHOUT_TEAM, "SearchUsers")
        privacy = self.core.cfg.PrivacySettings
        manager = self.perms.has_system(ctx, permissions.MANAGE_SYSTEM)  # Mattermost's AllowEmails/AllowFullNames
        users = await self.core.store.users.search(
            term,
            allow_emails=manager or privacy.ShowEmailAddress,
            allow_full_names=manager or privacy.ShowFullName,
            team_id=team_id,
            channel_id=channel_id,
            not_in_channel=not_in_channel,
            allow_inactive=allow_inactive and self.perms.has_any_system(
                ctx, permissions.MANAGE_SYSTEM, permissions.SYSCONSOLE_READ_USERS),
            limit=limit,
            role=role,
            without_team=without_team,
        )
        return self.sanitize_all(ctx, await self.visible(ctx, users))
