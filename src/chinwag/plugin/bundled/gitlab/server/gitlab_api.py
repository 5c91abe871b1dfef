"""The GitLab REST calls the plugin makes (OAuth token exchange, the signed-in user, todos, projects),
over httpx to the instance in the plugin's ``GitlabURL`` setting."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


class GitLabError(Exception):
    pass


class NotFound(GitLabError):
    """GitLab answered 404 (Go's ``gitlab.ErrNotFound``)."""

    def __init__(self) -> None:
        super().__init__("not found")


class Forbidden(GitLabError):
    """GitLab answered 403 (Go's ``gitlab.ErrForbidden``)."""

    def __init__(self) -> None:
        super().__init__("access forbidden")


class PrivateResource(GitLabError):
    """The group or project is not public and the plugin's ``EnablePrivateRepo`` is off."""

    def __init__(self) -> None:
        super().__init__("You can't add a private group on this Mattermost instance. Please enable private "
                         "repositories in the System Console.: private resource")


class GitLab:
    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout

    async def _call(self, method: str, path: str, token: str = "", strict: bool = False, **kw: Any) -> Any:
        """One request; a 404 answers None (or raises :class:`NotFound` when ``strict``), a 403 with
        ``strict`` raises :class:`Forbidden`, any other error :class:`GitLabError`."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(timeout=self.timeout, trust_env=False) as http:
            try:
                r = await http.request(method, self.base + path, headers=headers, **kw)
            except httpx.HTTPError as e:
                raise GitLabError(f"{method} {path}: {e!r}") from None
        if r.status_code == 404:
            if strict:
                raise NotFound()
            return None
        if r.status_code == 403 and strict:
            raise Forbidden()
        if r.status_code >= 400:
            raise GitLabError(f"{method} {path}: GitLab answered {r.status_code}")
        return r.json()

    async def exchange_code(self, client_id: str, secret: str, code: str, redirect_uri: str) -> dict[str, Any]:
        data = {"client_id": client_id, "client_secret": secret, "code": code,
                "grant_type": "authorization_code", "redirect_uri": redirect_uri}
        out = await self._call("POST", "/oauth/token", data=data)
        if not isinstance(out, dict) or not out.get("access_token"):
            raise GitLabError("GitLab gave no access token")
        return out

    async def refresh(self, client_id: str, secret: str, refresh_token: str, redirect_uri: str) -> dict[str, Any]:
        """A new access token (and refresh token) for an expiring one (GitLab's expire after two hours)."""
        data = {"client_id": client_id, "client_secret": secret, "refresh_token": refresh_token,
                "grant_type": "refresh_token", "redirect_uri": redirect_uri}
        out = await self._call("POST", "/oauth/token", data=data)
        if not isinstance(out, dict) or not out.get("access_token"):
            raise GitLabError("GitLab gave no access token")
        return out

    async def user(self, token: str) -> dict[str, Any]:
        out = await self._call("GET", "/api/v4/user", token)
        if not isinstance(out, dict):
            raise GitLabError("GitLab did not return the user")
        return out

    async def todos(self, token: str) -> list[dict[str, Any]]:
        out = await self._call("GET", "/api/v4/todos", token, params={"state": "pending", "per_page": 50})
        return out if isinstance(out, list) else []

    async def project_or_group(self, token: str, path: str) -> dict[str, Any] | None:
        encoded = quote(path, safe="")
        project = await self._call("GET", f"/api/v4/projects/{encoded}", token)
        if isinstance(project, dict):
            return project
        group = await self._call("GET", f"/api/v4/groups/{encoded}", token)
        return group if isinstance(group, dict) else None

    async def resolve_namespace(self, token: str, full_path: str, allow_private: bool) -> tuple[str, str]:
        """(namespace, project) for a path as the real plugin's ``ResolveNamespaceAndProject``: a user
        namespace or a group answers (path, ""), a project (its namespace's full path, its path)."""
        path = full_path.strip().strip("/")
        if path.startswith(self.base):
            path = path[len(self.base):].strip("/")
        if not path:
            raise NotFound()
        encoded = quote(path, safe="")
        if "/" not in path:
            users = await self._call("GET", "/api/v4/users", token, params={"username": path})
            if isinstance(users, list) and len(users) == 1:
                return str(users[0].get("username", path)), ""
        group = await self._call("GET", f"/api/v4/groups/{encoded}", token)
        if isinstance(group, dict):
            if not allow_private and group.get("visibility", "public") != "public":
                raise PrivateResource()
            return str(group.get("full_path") or path), ""
        project = await self._call("GET", f"/api/v4/projects/{encoded}", token)
        if isinstance(project, dict):
            if not allow_private and project.get("visibility", "public") != "public":
                raise PrivateResource()
            namespace = (project.get("namespace") or {}).get("full_path") or path.rsplit("/", 1)[0]
            return str(namespace), str(project.get("path") or path.rsplit("/", 1)[-1])
        raise NotFound()

    async def project_hooks(self, token: str, namespace: str, project: str) -> list[dict[str, Any]]:
        encoded = quote(f"{namespace}/{project}", safe="")
        out = await self._call("GET", f"/api/v4/projects/{encoded}/hooks", token, strict=True)
        return out if isinstance(out, list) else []

    async def group_hooks(self, token: str, group: str) -> list[dict[str, Any]]:
        out = await self._call("GET", f"/api/v4/groups/{quote(group, safe='')}/hooks", token, strict=True)
        return out if isinstance(out, list) else []

    async def add_project_hook(self, token: str, namespace: str, project: str,
                               options: dict[str, Any]) -> dict[str, Any]:
        encoded = quote(f"{namespace}/{project}", safe="")
        found = await self._call("GET", f"/api/v4/projects/{encoded}", token, strict=True)
        out = await self._call("POST", f"/api/v4/projects/{found['id']}/hooks", token, strict=True, json=options)
        if not isinstance(out, dict):
            raise GitLabError("GitLab did not return the new hook")
        return out

    async def add_group_hook(self, token: str, group: str, options: dict[str, Any]) -> dict[str, Any]:
        found = await self._call("GET", f"/api/v4/groups/{quote(group, safe='')}", token, strict=True)
        out = await self._call("POST", f"/api/v4/groups/{found['id']}/hooks", token, strict=True, json=options)
        if not isinstance(out, dict):
            raise GitLabError("GitLab did not return the new hook")
        return out
