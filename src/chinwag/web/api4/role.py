"""/roles: the stored roles, and patching a role's permissions (Mattermost's api4/role.go)."""

from __future__ import annotations

from typing import Any

from chinwag.model.errors import invalid_url_param
from chinwag.model.permissions import add_ancillary, is_valid_role_name
from chinwag.model.role import RolePatch
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext


@api.route("GET", "/roles")
async def all_roles(w: HandlerContext) -> Any:
    return [r.to_dict() for r in await w.app.roles.all(w.ctx)]


@api.route("GET", "/roles/name/{name}", trust_requester=True)
async def role_by_name(w: HandlerContext) -> Any:
    name = w.str_param("name")
    if not is_valid_role_name(name):
        raise invalid_url_param("getRoleByName", "role_name")
    return (await w.app.roles.get_by_name(name)).to_dict()


@api.route("GET", "/roles/{role_id}", trust_requester=True)
async def role_by_id(w: HandlerContext) -> Any:
    return (await w.app.roles.get(w.id_param("role_id"))).to_dict()


@api.route("POST", "/roles/names", trust_requester=True)
async def roles_by_names(w: HandlerContext) -> Any:
    names = await w.json(list[str], "rolenames")
    return [r.to_dict() for r in await w.app.roles.get_by_names(names)]


@api.route("PUT", "/roles/{role_id}/patch")
async def patch_role(w: HandlerContext) -> Any:
    role_id = w.id_param("role_id")
    patch = await w.json(RolePatch, "role")
    return (await w.app.roles.patch(w.ctx, role_id, patch)).to_dict()


@api.route("POST", "/permissions/ancillary")
async def ancillary_permissions(w: HandlerContext) -> Any:
    """The System Console's system-roles page: subsection permissions plus the ones they imply."""
    return add_ancillary(await w.json(list[str], "subsection_permissions"))


@api.route("GET", "/permissions/ancillary")
async def ancillary_permissions_query(w: HandlerContext) -> Any:
    names = [p for p in w.query("subsection_permissions").split(",") if p]
    if not names:
        raise invalid_url_param("getAncillaryPermissions", "subsection_permissions")
    return add_ancillary(names)
