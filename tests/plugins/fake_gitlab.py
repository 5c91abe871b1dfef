"""A fake GitLab on loopback for the GitLab plugin: OAuth (authorize → code → token, checking the
client, secret and redirect URI), ``/api/v4/user``, ``/api/v4/todos`` and project/group lookups. It
runs uvicorn in a thread, as a separate HTTP server the plugin reaches over the network."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.procs import free_port

CLIENT_ID = "gl-client-id"
CLIENT_SECRET = "gl-client-secret"
PROJECTS = {
    "gitlabhq/gitlab-test": {"id": 1, "path_with_namespace": "gitlabhq/gitlab-test", "path": "gitlab-test",
                             "namespace": {"full_path": "gitlabhq"}, "visibility": "public"},
    "secret/stuff": {"id": 2, "path_with_namespace": "secret/stuff", "path": "stuff",
                     "namespace": {"full_path": "secret"}, "visibility": "private"},
    "gitlabhq/locked": {"id": 3, "path_with_namespace": "gitlabhq/locked", "path": "locked",
                        "namespace": {"full_path": "gitlabhq"}, "visibility": "public"},
}
GROUPS = {"gitlabhq": {"id": 10, "full_path": "gitlabhq", "visibility": "public"}}
USERS = {"gl_bob": {"id": 42, "username": "gl_bob"}}
#: projects whose hooks the signed-in user may not manage (GitLab answers 403)
FORBIDDEN_HOOKS = {3}


class FakeGitLab:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        #: the GitLab account the next authorization signs in as
        self.login = "gl_bob"
        self.codes: dict[str, tuple[str, str]] = {}  # code → (username, redirect_uri)
        self.tokens: dict[str, str] = {}  # access token → username
        #: refresh token → (username, its access token); a refresh revokes both and issues new ones
        self.refresh_tokens: dict[str, tuple[str, str]] = {}
        self.token_requests: list[dict[str, Any]] = []
        #: ("projects"|"groups", id) → the hooks created there
        self.hooks: dict[tuple[str, int], list[dict[str, Any]]] = {}
        app = Starlette(routes=[
            Route("/oauth/authorize", self.authorize),
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/api/v4/user", self.user),
            Route("/api/v4/todos", self.todos),
            Route("/api/v4/users", self.users),
            Route("/api/v4/projects/{path:path}", self.project, methods=["GET", "POST"]),
            Route("/api/v4/groups/{path:path}", self.group, methods=["GET", "POST"]),
        ])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> FakeGitLab:
        self.thread.start()
        end = time.monotonic() + 10
        while not self.server.started and time.monotonic() < end:
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
            return JSONResponse({"error": "invalid_client"}, 400)
        code = secrets.token_hex(8)
        self.codes[code] = (self.login, q.get("redirect_uri", ""))
        return RedirectResponse(q["redirect_uri"] + "?" + urlencode({"code": code, "state": q.get("state", "")}), 302)

    async def token(self, request: Request) -> Response:
        form = dict(await request.form())
        self.token_requests.append(form)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return JSONResponse({"error": "invalid_client"}, 401)
        if form.get("grant_type") == "refresh_token":
            found = self.refresh_tokens.pop(str(form.get("refresh_token", "")), None)
            if found is None:
                return JSONResponse({"error": "invalid_grant"}, 400)
            username, old = found
            self.tokens.pop(old, None)
            return self.issue(username)
        code = str(form.get("code", ""))
        if code not in self.codes:
            return JSONResponse({"error": "invalid_grant"}, 400)
        username, redirect = self.codes.pop(code)
        if form.get("redirect_uri") != redirect:
            return JSONResponse({"error": "invalid_grant"}, 400)
        return self.issue(username)

    def issue(self, username: str, expires_in: int = 7200) -> JSONResponse:
        """A new access token and refresh token for the account (GitLab's tokens live two hours)."""
        token, refresh = secrets.token_hex(16), secrets.token_hex(16)
        self.tokens[token] = username
        self.refresh_tokens[refresh] = (username, token)
        return JSONResponse({"access_token": token, "token_type": "Bearer", "refresh_token": refresh,
                             "expires_in": expires_in, "created_at": int(time.time())})

    def _user(self, request: Request) -> str | None:
        return self.tokens.get(request.headers.get("authorization", "").removeprefix("Bearer "))

    async def user(self, request: Request) -> Response:
        name = self._user(request)
        if name is None:
            return JSONResponse({"message": "401 Unauthorized"}, 401)
        return JSONResponse({"id": 42, "username": name, "name": name.title(), "web_url": f"{self.url}/{name}",
                             "avatar_url": f"{self.url}/uploads/{name}.png"})

    async def todos(self, request: Request) -> Response:
        if self._user(request) is None:
            return JSONResponse({"message": "401 Unauthorized"}, 401)
        return JSONResponse([{"id": 1, "action_name": "assigned", "target_type": "MergeRequest",
                              "target": {"title": "Add the widget"}, "author": {"username": "root"},
                              "target_url": f"{self.url}/gitlabhq/gitlab-test/-/merge_requests/1", "body": ""}])

    async def users(self, request: Request) -> Response:
        if self._user(request) is None:
            return JSONResponse({"message": "401 Unauthorized"}, 401)
        found = USERS.get(request.query_params.get("username", ""))
        return JSONResponse([found] if found else [])

    async def _hooks(self, request: Request, kind: str, ident: int) -> Response:
        if kind == "projects" and ident in FORBIDDEN_HOOKS:
            return JSONResponse({"message": "403 Forbidden"}, 403)
        hooks = self.hooks.setdefault((kind, ident), [])
        if request.method == "GET":
            return JSONResponse(hooks)
        body = await request.json()
        hook = {"id": 100 + len(self.hooks) + len(hooks), "created_at": "2026-12-06T12:00:00Z", **body}
        hook.pop("token", None)  # GitLab never shows the secret token back
        hooks.append(hook)
        return JSONResponse(hook, 201)

    async def _find(self, request: Request, kind: str, table: dict[str, dict[str, Any]]) -> Response:
        if self._user(request) is None:
            return JSONResponse({"message": "401 Unauthorized"}, 401)
        path = request.path_params["path"]
        hooks = path.endswith("/hooks")
        key = path.removesuffix("/hooks")
        found = table.get(key) or next((v for v in table.values() if str(v["id"]) == key), None)
        if found is None:
            return JSONResponse({"message": f"404 {kind.title()[:-1]} Not Found"}, 404)
        if hooks:
            return await self._hooks(request, kind, found["id"])
        if request.method != "GET":
            return JSONResponse({"message": "405 Method Not Allowed"}, 405)
        return JSONResponse(found)

    async def project(self, request: Request) -> Response:
        return await self._find(request, "projects", PROJECTS)

    async def group(self, request: Request) -> Response:
        return await self._find(request, "groups", GROUPS)
