"""Roles: Mattermost's built-in roles stored in the database, their permissions changed by system
admins (PATCH /roles/{id}/patch), and the in-memory table every permission check reads.

The table holds role name → permissions for every stored role. It is loaded at start-up and
updated from ``role_updated`` events — this node's at once, other nodes' as they arrive on the
shared stream — so a permission check never reads the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.model import permissions
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import new_id
from chinwag.model.role import Role, RolePatch
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import NotFound

ROLE_UPDATED = "role_updated"

#: roles only a system admin (manage_system) may change: system_admin and the console sub-admin roles
_PROTECTED = frozenset({"system_admin", "system_user_manager", "system_read_only_admin", "system_manager",
                        "system_shared_channel_manager", "shared_channel_manager"})
#: roles the System Console's permission schemes page edits (sysconsole_write_user_management_permissions)
_SCHEME_ROLES = frozenset({"team_admin", "channel_admin", "system_user", "team_user", "channel_user",
                           "system_guest", "team_guest", "channel_guest", "playbook_admin", "playbook_member",
                           "run_admin", "run_member"})
_GUEST_ROLES = frozenset({"system_guest", "team_guest", "channel_guest"})
#: permissions a patch may never add or remove (recent Mattermost servers include manage_system: no
#: patch can lock the system admins out)
_NOT_ALLOWED = frozenset({"sysconsole_write_user_management_system_roles",
                          "sysconsole_read_user_management_system_roles", permissions.MANAGE_ROLES, permissions.MANAGE_SYSTEM})
NOT_ALLOWED_PERMISSIONS = _NOT_ALLOWED


class RoleTable:
    """Role name → permissions, as stored; starts as the built-in defaults until loaded."""

    def __init__(self) -> None:
        self.permissions: dict[str, frozenset[str]] = dict(permissions.DEFAULT_ROLES)

    def replace(self, roles: list[Role]) -> None:
        table = dict(permissions.DEFAULT_ROLES)
        table.update({r.name: frozenset(r.permissions) for r in roles if not r.delete_at})
        self.permissions = table

    def put(self, role: Role) -> None:
        self.permissions = {**self.permissions, role.name: frozenset(role.permissions)}

    def observe(self, event: Mapping[str, Any]) -> None:
        if event.get("event") != ROLE_UPDATED:
            return
        raw = (event.get("data") or {}).get("role")
        try:
            d = json.loads(raw) if isinstance(raw, str) else raw
            if isinstance(d, dict) and isinstance(d.get("name"), str):
                self.put(Role(id=str(d.get("id", "")), name=d["name"],
                              permissions=[p for p in d.get("permissions") or [] if isinstance(p, str)]))
        except (TypeError, ValueError):
            return


class RoleService:
    def __init__(self, core: AppCore, table: RoleTable) -> None:
        self.core = core
        self.table = table

    async def init(self) -> None:
        """Store any built-in role this database lacks (a newer version's), then load the table."""
        now = self.core.now()
        await self.core.store.roles.insert_missing([
            Role(id=new_id(), name=r.name, display_name=r.display_name, description=r.description,
                 create_at=now, update_at=now, permissions=list(r.permissions), scheme_managed=r.scheme_managed,
                 built_in=True)
            for r in permissions.BUILTIN_ROLES.values()
        ])
        await self.reload()

    async def reload(self) -> None:
        self.table.replace(await self.core.store.roles.get_all())

    async def all(self, ctx: Ctx) -> list[Role]:
        if not ctx.local and not permissions.roles_grant(ctx.roles, permissions.MANAGE_SYSTEM, self.table.permissions):
            raise permission_denied("getAllRoles", f"userId={ctx.user_id}, permission={permissions.MANAGE_SYSTEM}")
        return await self.core.store.roles.get_all()

    async def get(self, role_id: str) -> Role:
        try:
            return await self.core.store.roles.get(role_id)
        except NotFound:
            raise AppError("GetRole", "app.role.get.app_error", "Unable to get role.", 404) from None

    async def get_by_name(self, name: str) -> Role:
        try:
            return await self.core.store.roles.get_by_name(name)
        except NotFound:
            raise AppError("GetRoleByName", "app.role.get_by_name.app_error", "Unable to get role.", 404,
                           f"name={name}") from None

    async def get_by_names(self, names: list[str]) -> list[Role]:
        if not names:
            raise invalid_param("getRolesByNames", "rolenames")
        cleaned = [n for n in names if n.strip()]
        if not all(permissions.is_valid_role_name(n) for n in cleaned):
            raise invalid_param("getRolesByNames", "rolename")
        return await self.core.store.roles.get_by_names(cleaned)

    async def patch(self, ctx: Ctx, role_id: str, patch: RolePatch) -> Role:
        where = "patchRole"
        old = await self.get(role_id)
        required = permissions.MANAGE_SYSTEM if old.name in _PROTECTED else "sysconsole_write_user_management_permissions"
        self._require(ctx, required, where)
        if patch.permissions is not None and old.name in _GUEST_ROLES:
            # Mattermost changes guest permissions only with a licence (Team Edition has none)
            raise AppError("Api4.PatchRoles", "api.roles.patch_roles.license.error",
                           "Your license does not support updating a permission scheme", 501)
        if patch.permissions is not None:
            changed = set(old.permissions) ^ set(patch.permissions)
            for permission in sorted(changed & _NOT_ALLOWED):
                raise AppError("Api4.PatchRoles", "api.roles.patch_roles.not_allowed_permission.error",
                               "Cannot add or remove permission.", 501, f"Cannot add or remove permission: {permission}")
        self._require(ctx, "sysconsole_write_user_management_permissions" if old.name in _SCHEME_ROLES
                      else "sysconsole_write_user_management_system_roles", where)
        if patch.permissions is None:
            return old
        wanted = list(dict.fromkeys(patch.permissions))
        if wanted == old.permissions:
            return old
        unknown = [p for p in wanted if p not in permissions.ALL_PERMISSIONS and p not in permissions.DEPRECATED_PERMISSIONS]
        if unknown:
            raise AppError("UpdateRole", "app.role.save.invalid_role.app_error", "The role was not valid.", 400,
                           f"unknown permission: {unknown[0]}")
        async with self.core.unit_of_work() as uow:
            role = await self.core.store.roles.update_permissions(old.id, wanted, self.core.now(), uow.conn)
            uow.publish(Event(ROLE_UPDATED, {"role": json.dumps(role.to_dict())}, Broadcast()))
        return role

    def _require(self, ctx: Ctx, permission: str, where: str) -> None:
        if ctx.local or permissions.roles_grant(ctx.roles, permission, self.table.permissions):
            return
        raise permission_denied(where, f"userId={ctx.user_id}, permission={permission}")
