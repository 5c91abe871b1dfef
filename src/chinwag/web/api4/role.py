"""/roles: the default roles as data (read-only)."""

from __future__ import annotations

from typing import Any

from chinwag.model.errors import AppError
from chinwag.model.permissions import DEFAULT_ROLES, SCHEME_MANAGED
from chinwag.web.api4 import api
from chinwag.web.handler import W


def _role(name: str) -> dict[str, Any]:
    return {
        "id": name, "name": name, "display_name": f"authentication.roles.{name}.name",
        "description": f"authentication.roles.{name}.description", "create_at": 0, "update_at": 0,
        "delete_at": 0, "permissions": sorted(DEFAULT_ROLES[name]), "scheme_managed": name in SCHEME_MANAGED,
        "built_in": True,
    }


@api.route("GET", "/roles")
async def all_roles(w: W) -> Any:
    return [_role(n) for n in DEFAULT_ROLES]


@api.route("GET", "/roles/name/{name}")
async def role_by_name(w: W) -> Any:
    name = w.str_param("name")
    if name not in DEFAULT_ROLES:
        raise AppError("getRoleByName", "app.role.get_by_name.app_error", "Unable to find the role.", 404)
    return _role(name)


@api.route("GET", "/roles/{role_id}")
async def role_by_id(w: W) -> Any:
    return _lookup(w.str_param("role_id"))


def _lookup(name: str) -> dict[str, Any]:
    if name not in DEFAULT_ROLES:
        raise AppError("getRole", "app.role.get.app_error", "Unable to find the role.", 404)
    return _role(name)


@api.route("POST", "/roles/names")
async def roles_by_names(w: W) -> Any:
    names = await w.json(list[str], "role_names")
    return [_role(n) for n in names if n in DEFAULT_ROLES]
