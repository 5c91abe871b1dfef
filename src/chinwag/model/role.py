"""A role (Mattermost's Role): a named set of permissions, system, team or channel wide."""

from __future__ import annotations

from chinwag.model.wire import Wire


class Role(Wire, kw_only=True):
    id: str
    name: str
    display_name: str = ""
    description: str = ""
    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0
    permissions: list[str] = []
    scheme_managed: bool = False
    built_in: bool = False


class RolePatch(Wire, kw_only=True):
    permissions: list[str] | None = None
