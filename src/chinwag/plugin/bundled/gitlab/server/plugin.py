"""The GitLab plugin (id ``com.github.manland.mattermost-plugin-gitlab``, as GitLab's bundled Mattermost
ships it), written for chinwag's plugin SDK.

- ``/gitlab connect|disconnect|me|todo|subscriptions add|list|delete|help``
- ``/plugins/<id>/oauth/connect`` and ``/oauth/complete``: OAuth with the GitLab instance in the settings
- ``/plugins/<id>/webhook``: GitLab's webhooks (checked against the ``X-Gitlab-Token`` secret), posted by
  the ``gitlab`` bot to the channels subscribed to the project or its group; connected users mentioned,
  assigned or asked for review get a direct message.
"""

from __future__ import annotations

import datetime
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from chinwag.plugin import (
    Command,
    CommandArgs,
    CommandResponse,
    Context,
    HTTPRequest,
    HTTPResponse,
    Plugin,
    Post,
)

from . import tokens
from .events import DEFAULT_FEATURES, FEATURES, render, wanted
from .gitlab_api import Forbidden, GitLab, GitLabError, NotFound
from .hooks import describe, parse_triggers
from .setup import SetupWizard

BOT_USERNAME = "gitlab"
SUBSCRIPTIONS_KEY = "subscriptions"
#: a connected user's settings (``/gitlab settings``) until they change them
DEFAULT_SETTINGS = {"notifications": True, "daily_reminder": True}
#: a token expiring within this is refreshed before it is used (the Mattermost plugin's tokenExpiryBuffer)
TOKEN_EXPIRY_BUFFER_MS = 5 * 60 * 1000
HELP = """* `/gitlab connect` - Connect your Mattermost account to your GitLab account
* `/gitlab disconnect` - Disconnect your Mattermost account from your GitLab account
* `/gitlab todo` - Get a list of todos, assigned issues, assigned merge requests and merge requests awaiting your review
* `/gitlab subscriptions list` - Will list the current channel subscriptions
* `/gitlab subscriptions add owner[/repo] [features]` - Subscribe the current channel to receive notifications from a project
  * `features` is a comma-delimited list of: issues, confidential_issues, merges, pushes, issue_comments, merge_request_comments, pipeline, tag, releases, label:"<labelname>" (defaults to merges,issues,tag)
* `/gitlab subscriptions delete owner[/repo]` - Unsubscribe the current channel from a project
* `/gitlab me` - Display the connected GitLab account
* `/gitlab settings [setting] [value]` - Update your user settings
  * `setting` can be "notifications" or "reminders"
  * `value` can be "on" or "off"
* `/gitlab webhook list [owner]/repo` - Will list associated group or project hooks.
* `/gitlab webhook add owner[/repo] [options] [url] [token]`
  * `options` is a comma-delimited list of one or more the following:
     * `*` - or missing defaults to all with SSL verification enabled
     * *noSSL - all triggers with SSL verification not enabled.
     * PushEvents
     * TagPushEvents
     * Comments
     * ConfidentialComments
     * IssuesEvents
     * ConfidentialIssuesEvents
     * MergeRequestsEvents
     * JobEvents
     * PipelineEvents
     * WikiPageEvents
     * DeploymentEvents
     * ReleaseEvents
     * SSLverification
  * `url` is the URL that will be called when triggered. Defaults to this plugins URL
  * `token` Secret token. Defaults to secret token used in plugin's settings.
* `/gitlab setup [oauth|webhook|announcement]` - Set up the plugin (system admins)
* `/gitlab help` - Display this help"""
UNKNOWN_ACTION = "Unknown action, please use `/gitlab help` to see all actions available."
EMPTY_SITE_URL = ("Unable to create webhook. The Mattermot Site URL is not set. Set it in the Admin Console or rerun "
                  "/gitlab webhook add group/project URL including the desired URL.")
LOGS_ERROR = "Unknown error please retry or ask to an administrator to look at logs"



def _ephemeral(text: str) -> CommandResponse:
    return CommandResponse(response_type="ephemeral", text=text)


class GitLabPlugin(SetupWizard, Plugin):
    bot_id: str = ""

    # settings --------------------------------------------------------------------------------

    def _setting(self, key: str, default: Any = "") -> Any:
        return self.api.get_plugin_config().get(key.lower(), default)

    @property
    def gitlab_url(self) -> str:
        return str(self._setting("GitlabURL", "https://gitlab.com")).rstrip("/")

    def _gitlab(self) -> GitLab:
        return GitLab(self.gitlab_url)

    def _configured(self) -> bool:
        return bool(self.gitlab_url and self._setting("GitlabOAuthClientID") and self._setting("GitlabOAuthClientSecret"))

    def _plugin_url(self) -> str:
        return f"{self.api.site_url()}/plugins/{self.id}"

    # tokens at rest ----------------------------------------------------------------------------

    def _seal(self, token: str) -> str:
        return tokens.seal(str(self._setting("EncryptionKey")), token)

    def _open(self, sealed: str) -> str:
        return tokens.unseal(str(self._setting("EncryptionKey")), sealed)

    def _sealed_token(self, token: dict[str, Any], refresh_token: str = "") -> dict[str, Any]:
        """A token answer of GitLab as a connection keeps it: the tokens sealed, when the access token
        expires (ms; 0 when GitLab does not say)."""
        expires_in = int(token.get("expires_in") or 0)
        return {"token": self._seal(str(token["access_token"])),
                "refresh_token": self._seal(str(token.get("refresh_token") or refresh_token)),
                "expiry": int(time.time() * 1000) + expires_in * 1000 if expires_in else 0}

    async def _access_token(self, conn: dict[str, Any]) -> str:
        """The connection's access token, refreshed first when it expires within five minutes (as the
        Mattermost plugin does; GitLab's tokens live two hours). Of two refreshing at once one stores its
        token and the other takes it."""
        expiry, refresh = int(conn.get("expiry") or 0), self._open(str(conn.get("refresh_token") or ""))
        if not expiry or not refresh or expiry - TOKEN_EXPIRY_BUFFER_MS > int(time.time() * 1000):
            return self._open(str(conn["token"]))
        key = f"{conn['user_id']}_gitlabtoken"
        old = await self.api.kv_get(key)
        try:
            token = await self._gitlab().refresh(str(self._setting("GitlabOAuthClientID")),
                                                 str(self._setting("GitlabOAuthClientSecret")), refresh,
                                                 self._redirect_uri())
        except GitLabError as e:
            self.api.log_error("refreshing the GitLab token failed", error=str(e), user_id=conn["user_id"])
            return self._open(str(conn["token"]))
        conn.update(self._sealed_token(token, refresh))
        if old is not None and not await self.api.kv_compare_and_set(key, old, json.dumps(conn).encode()):
            now = await self.api.kv_get(key)  # refreshed meanwhile by another request: that token
            if now is not None:
                conn.update(json.loads(now))
        return self._open(str(conn["token"]))

    # lifecycle ---------------------------------------------------------------------------------

    async def on_activate(self) -> None:
        self.bot_id = await self.api.ensure_bot(BOT_USERNAME, "GitLab", "Created by the GitLab plugin.")
        await self.api.register_command(Command(
            trigger="gitlab", auto_complete=True, display_name="GitLab",
            auto_complete_desc="Available commands: connect, disconnect, todo, subscriptions, me, settings, webhook, "
                               "setup, help",
            auto_complete_hint="[command]", description="Integration with GitLab."),
            items=[{"name": "connect", "description": "Connect your Mattermost account to your GitLab account"},
                   {"name": "disconnect", "description": "Disconnect your GitLab account"},
                   {"name": "todo", "description": "Get a list of your GitLab todos"},
                   {"name": "subscriptions", "hint": "add|list|delete owner[/repo] [features]",
                    "description": "Manage the channel's subscriptions to GitLab projects and groups"},
                   {"name": "me", "description": "Display the connected GitLab account"},
                   {"name": "settings", "hint": "notifications|reminders on|off",
                    "description": "Update your user settings"},
                   {"name": "webhook", "hint": "list|add owner[/repo] [options] [url] [token]",
                    "description": "List or add a project or group webhook"},
                   {"name": "setup", "hint": "[oauth|webhook|announcement]",
                    "description": "Set up the GitLab plugin (system admins)"},
                   {"name": "help", "description": "Display the slash command help"}])

    # connected users ---------------------------------------------------------------------------

    async def _connection(self, user_id: str) -> dict[str, Any] | None:
        raw = await self.api.kv_get(f"{user_id}_gitlabtoken")
        return json.loads(raw) if raw else None

    async def _mm_user_for(self, gitlab_username: str) -> str:
        raw = await self.api.kv_get(f"{gitlab_username.lower()}_gitlabusername")
        return raw.decode() if raw else ""

    async def _dm(self, user_id: str, message: str) -> None:
        channel = await self.api.get_direct_channel(user_id, self.bot_id)
        await self.api.create_post(Post(id="", user_id=self.bot_id, channel_id=channel.id, message=message))

    # slash command -------------------------------------------------------------------------------

    async def execute_command(self, c: Context, args: CommandArgs) -> CommandResponse:
        parts = args.command.split()
        action = parts[1].lower() if len(parts) > 1 else "help"
        rest = parts[2:]
        if action == "help":
            return _ephemeral("###### Mattermost GitLab Plugin - Slash Command Help\n" + HELP)
        if action == "setup":
            return _ephemeral(await self.start_setup(c.user_id, rest[0] if rest else ""))
        if action == "connect":
            if not self._configured():
                return _ephemeral("The GitLab plugin is not configured yet: ask a system admin to set the GitLab "
                                  "URL and the OAuth application in System Console > Plugins > GitLab.")
            if await self._connection(c.user_id):
                return _ephemeral("You are already connected to GitLab. Run `/gitlab disconnect` first to "
                                  "connect another account.")
            return _ephemeral(f"[Click here to link your GitLab account.]({self._plugin_url()}/oauth/connect)")
        if not self._configured():
            user = await self.api.get_user(c.user_id)
            if "system_admin" in user.roles.split():
                return _ephemeral("Before using this plugin, you'll need to configure it by running `/gitlab setup`")
            return _ephemeral("Please contact your system administrator to configure the GitLab plugin.")
        conn = await self._connection(c.user_id)
        if action == "disconnect":
            if conn is None:
                return _ephemeral("You are not connected to GitLab.")
            await self.api.kv_delete(f"{c.user_id}_gitlabtoken")
            await self.api.kv_delete(f"{conn['gitlab_username'].lower()}_gitlabusername")
            return _ephemeral("Disconnected your GitLab account.")
        if conn is None:
            return _ephemeral("You must connect your account to GitLab first, either by clicking on the GitLab "
                              "logo in the bottom left of the screen or by running `/gitlab connect`.")
        if action == "me":
            avatar = f"\n![avatar]({conn['avatar_url']} =40x40)" if conn.get("avatar_url") else ""
            return _ephemeral(f"You are connected to GitLab as: [{conn['gitlab_username']}]({conn['web_url']})"
                              + avatar)
        if action == "todo":
            return _ephemeral(await self._todo(conn))
        if action == "subscriptions" or action == "subscription":
            return _ephemeral(await self._subscriptions(c, args, conn, rest))
        if action == "settings":
            return _ephemeral(await self._settings(c, conn, rest))
        if action == "webhook":
            return _ephemeral(await self._webhook_command(conn, rest))
        return _ephemeral(UNKNOWN_ACTION)

    async def _todo(self, conn: dict[str, Any]) -> str:
        try:
            todos = await self._gitlab().todos(await self._access_token(conn))
        except GitLabError as e:
            self.api.log_error("todo failed", error=str(e))
            return "Encountered an error getting your todo items."
        if not todos:
            return "##### Todos\nYou don't have any todos."
        lines = [f"##### Todos\nYou have {len(todos)} pending todos:"]
        for t in todos:
            target = t.get("target") or {}
            author = (t.get("author") or {}).get("username", "")
            title = target.get("title") or t.get("body", "")
            lines.append(f"* [{title}]({t.get('target_url', '')}) - {t.get('action_name', '')} by {author}")
        return "\n".join(lines)

    async def _load_subscriptions(self) -> tuple[dict[str, list[dict[str, str]]], bytes | None]:
        raw = await self.api.kv_get(SUBSCRIPTIONS_KEY)
        data = json.loads(raw) if raw else {}
        return dict(data.get("repositories") or {}), raw

    async def _save_subscriptions(self, repos: dict[str, list[dict[str, str]]], old: bytes | None) -> bool:
        new = json.dumps({"repositories": repos}, sort_keys=True).encode()
        return await self.api.kv_compare_and_set(SUBSCRIPTIONS_KEY, old, new)

    async def _subscriptions(self, c: Context, args: CommandArgs, conn: dict[str, Any], rest: list[str]) -> str:
        sub = rest[0].lower() if rest else "list"
        if sub == "list":
            repos, _ = await self._load_subscriptions()
            mine = [(path, s) for path, subs in sorted(repos.items()) for s in subs
                    if s["channel_id"] == args.channel_id]
            if not mine:
                return "Currently there are no subscriptions in this channel"
            return "### Subscriptions in this channel\n" + "\n".join(
                f"* `{path}` - {s['features']}" for path, s in mine)
        if len(rest) < 2:
            return f"Please specify a project or group: `/gitlab subscriptions {sub} owner[/repo]`."
        path = rest[1].strip("/").lower()
        if sub == "add":
            features = ",".join(rest[2:]) if len(rest) > 2 else DEFAULT_FEATURES
            bad = [f for f in features.split(",") if f and f not in FEATURES and not f.startswith("label:")]
            if bad:
                return f"Invalid feature(s): {', '.join(bad)}. Use any of: {', '.join(FEATURES)}, label:\"<name>\"."
            group = str(self._setting("GitlabGroup")).strip("/").lower()
            if group and path != group and not path.startswith(group + "/"):
                return f"Only projects of the group `{group}` can be subscribed to."
            try:
                found = await self._gitlab().project_or_group(await self._access_token(conn), path)
            except GitLabError as e:
                return f"Encountered an error looking up `{path}` in GitLab: {e}"
            if found is None:
                return f"Could not find the project or group `{path}` on GitLab (or you cannot see it)."
            if found.get("visibility") == "private" and not self._setting("EnablePrivateRepo", False):
                return "Private repositories are not enabled in the plugin's settings."
            for _ in range(5):
                repos, old = await self._load_subscriptions()
                subs = [s for s in repos.get(path, []) if s["channel_id"] != args.channel_id]
                subs.append({"channel_id": args.channel_id, "creator_id": c.user_id, "features": features,
                             "repository": path})
                repos[path] = subs
                if await self._save_subscriptions(repos, old):
                    has_hook, unknown = await self._has_hook(await self._access_token(conn), path, found)
                    if has_hook:
                        return f"Successfully subscribed to {path}."
                    note = ("\n**Note:** We are unable to determine the webhook status for this project. Please "
                            "contact your project administrator") if unknown else ""
                    return (f"Successfully subscribed to {path}.\nA Webhook is needed, run "
                            f"```/gitlab webhook add {path}``` to create one now.{note}")
            return "The subscriptions changed while saving; please try again."
        if sub == "delete":
            for _ in range(5):
                repos, old = await self._load_subscriptions()
                subs = repos.get(path, [])
                kept = [s for s in subs if s["channel_id"] != args.channel_id]
                if len(kept) == len(subs):
                    return f"Subscription to `{path}` not found in this channel."
                if kept:
                    repos[path] = kept
                else:
                    repos.pop(path, None)
                if await self._save_subscriptions(repos, old):
                    return f"Successfully deleted subscription for `{path}`."
            return "The subscriptions changed while saving; please try again."
        return f"Unknown subscriptions action {sub}\n" + HELP

    # settings, setup, webhooks ---------------------------------------------------------------------

    async def _settings(self, c: Context, conn: dict[str, Any], rest: list[str]) -> str:
        if len(rest) < 2:
            return "Please specify both a setting and value. Use `/gitlab help` for more usage information."
        setting, value = rest[0], rest[1]
        if value not in ("on", "off"):
            return 'Invalid value. Accepted values are: "on" or "off".'
        on = value == "on"
        settings = {**DEFAULT_SETTINGS, **(conn.get("settings") or {})}
        username_key = f"{conn['gitlab_username'].lower()}_gitlabusername"
        if setting == "notifications":
            # notifications reach a user through the GitLab username → user mapping, as in the real plugin
            if on:
                await self.api.kv_set(username_key, c.user_id.encode())
            else:
                await self.api.kv_delete(username_key)
            settings["notifications"] = on
        elif setting == "reminders":
            settings["daily_reminder"] = on
        else:
            return "Unknown setting."
        conn["settings"] = settings
        await self.api.kv_set(f"{c.user_id}_gitlabtoken", json.dumps(conn).encode())
        return "Settings updated."

    def _namespace_error(self, namespace: str) -> str:
        allowed = str(self._setting("GitlabGroup")).strip()
        if allowed and namespace != allowed and not namespace.startswith(allowed + "/"):
            return f"only repositories in the {allowed} namespace are allowed: namespace not allowed"
        return ""

    async def _webhook_command(self, conn: dict[str, Any], rest: list[str]) -> str:
        if not rest:
            return UNKNOWN_ACTION
        sub, gitlab, token = rest[0], self._gitlab(), await self._access_token(conn)
        allow_private = bool(self._setting("EnablePrivateRepo", False))
        if sub not in ("list", "add"):
            return f"Unknown webhook command: {sub}"
        if (sub == "list" and len(rest) != 2) or len(rest) < 2:
            return UNKNOWN_ACTION
        options: dict[str, Any] = {}
        if sub == "add":
            site = self.api.site_url()
            if not site:
                return EMPTY_SITE_URL
            options = parse_triggers(rest[2] if len(rest) > 2 else "*")
            options["url"] = rest[3] if len(rest) > 3 else f"{site}/plugins/{self.id}/webhook"
            options["token"] = rest[4] if len(rest) > 4 else str(self._setting("WebhookSecret"))
        try:
            group, project = await gitlab.resolve_namespace(token, rest[1], allow_private)
        except GitLabError as e:
            return str(e)
        namespace = f"{group}/{project}" if project else group
        refused = self._namespace_error(namespace)
        if refused:
            return refused
        scope = "repository" if project else "group"
        forbidden = (f"You don't have permission to manage webhooks for the {scope} `{namespace}`. "
                     "You need Maintainer or Owner access in GitLab.")
        try:
            if sub == "add":
                hook = (await gitlab.add_project_hook(token, group, project, options) if project
                        else await gitlab.add_group_hook(token, group, options))
                return "Webhook Created:\n" + describe(hook)
            hooks = (await gitlab.project_hooks(token, group, project) if project
                     else await gitlab.group_hooks(token, group))
        except Forbidden:
            return forbidden
        except NotFound:
            if sub == "add":
                return "not found"
            return ("Unable to find project with namespace: " + rest[1]) if project \
                else ("Unable to find GitLab group: " + group)
        except GitLabError as e:
            return str(e)
        if not hooks:
            return f"No webhooks found in {rest[1]}"
        return "".join(describe(h) for h in hooks)

    async def _has_hook(self, token: str, path: str, found: dict[str, Any]) -> tuple[bool, bool]:
        """(a hook to this server exists on the project or its group, GitLab could not tell)."""
        site, gitlab = self.api.site_url(), self._gitlab()
        is_project = "path_with_namespace" in found
        namespace = path.rsplit("/", 1)[0] if is_project else path
        try:
            hooks = await gitlab.group_hooks(token, namespace)
        except GitLabError:
            hooks = []
            if not is_project:
                return False, True
        if any(site in str(h.get("url", "")) for h in hooks):
            return True, False
        if not is_project:
            return False, False
        try:
            project_hooks = await gitlab.project_hooks(token, namespace, path.rsplit("/", 1)[1])
        except GitLabError:
            return False, True
        return any(site in str(h.get("url", "")) for h in project_hooks), False

    # HTTP ------------------------------------------------------------------------------------------

    async def serve_http(self, c: Context, req: HTTPRequest) -> HTTPResponse:
        if req.path.startswith("/setup/"):
            return await self.serve_setup(req)
        if req.path == "/webhook" and req.method == "POST":
            return await self._webhook(req)
        if req.path == "/oauth/connect" and req.method == "GET":
            return await self._oauth_connect(req)
        if req.path == "/oauth/complete" and req.method == "GET":
            return await self._oauth_complete(req)
        if req.path == "/api/v1/connected" and req.method == "GET":
            return await self._connected(req)
        return HTTPResponse(404, b"404 page not found")

    async def _connected(self, req: HTTPRequest) -> HTTPResponse:
        """The web app asks this on start-up; with ``reminder=true`` a user who keeps the daily reminder
        gets their todos from the bot once a day (a new day in their time zone, an hour since the last)."""
        conn = await self._connection(req.user_id) if req.user_id else None
        out: dict[str, Any] = {"connected": conn is not None, "gitlab_url": self.gitlab_url,
                               "organization": str(self._setting("GitlabGroup"))}
        if conn is None:
            return HTTPResponse.json(out)
        settings = {**DEFAULT_SETTINGS, **(conn.get("settings") or {})}
        out.update(gitlab_username=conn["gitlab_username"], gitlab_client_id=str(self._setting("GitlabOAuthClientID")),
                   settings=settings)
        if settings["daily_reminder"] and req.query.get("reminder") == "true":
            try:
                offset = int(req.headers.get("x-timezone-offset", "0"))
            except ValueError:
                offset = 0
            zone = datetime.timezone(datetime.timedelta(minutes=-offset))
            now = int(time.time() * 1000)
            last = int(conn.get("last_todo_post_at", 0))
            now_day = datetime.datetime.fromtimestamp(now / 1000, zone).date()
            last_day = datetime.datetime.fromtimestamp(last / 1000, zone).date()
            if now - last >= 3_600_000 and now_day != last_day:
                await self._dm(req.user_id, await self._todo(conn))
                conn["last_todo_post_at"] = now
                await self.api.kv_set(f"{req.user_id}_gitlabtoken", json.dumps(conn).encode())
        return HTTPResponse.json(out)

    def _redirect_uri(self) -> str:
        return f"{self._plugin_url()}/oauth/complete"

    async def _oauth_connect(self, req: HTTPRequest) -> HTTPResponse:
        if not req.user_id:
            return HTTPResponse(401, b"Not authorized")
        if not self._configured():
            return HTTPResponse(500, b"The GitLab plugin is not configured")
        state = f"{secrets.token_hex(8)}_{req.user_id}"
        await self.api.kv_set(f"oauthstate_{state}", req.user_id.encode(), expire_in_seconds=600)
        query = urlencode({"client_id": self._setting("GitlabOAuthClientID"), "redirect_uri": self._redirect_uri(),
                           "response_type": "code", "state": state, "scope": "api read_user"})
        return HTTPResponse(302, b"", headers={"Location": f"{self.gitlab_url}/oauth/authorize?{query}"})

    async def _oauth_complete(self, req: HTTPRequest) -> HTTPResponse:
        if not req.user_id:
            return HTTPResponse(401, b"Not authorized")
        code, state = req.query.get("code", ""), req.query.get("state", "")
        key = f"oauthstate_{state}"
        stored = await self.api.kv_get(key) if state else None
        if stored is None or stored.decode() != req.user_id or not state.endswith("_" + req.user_id):
            return HTTPResponse(400, b"Invalid state")
        if not await self.api.kv_compare_and_set(key, stored, None):
            return HTTPResponse(400, b"Invalid state")
        gitlab = self._gitlab()
        try:
            token = await gitlab.exchange_code(str(self._setting("GitlabOAuthClientID")),
                                               str(self._setting("GitlabOAuthClientSecret")), code,
                                               self._redirect_uri())
            user = await gitlab.user(token["access_token"])
        except GitLabError as e:
            self.api.log_error("OAuth with GitLab failed", error=str(e))
            return HTTPResponse(500, b"Failed to connect to GitLab")
        username = str(user.get("username", ""))
        existing = await self._mm_user_for(username)
        if existing and existing != req.user_id:
            return HTTPResponse(400, b"This GitLab account is already connected to another user")
        conn = {"user_id": req.user_id, "gitlab_user_id": user.get("id"), "gitlab_username": username,
                "web_url": user.get("web_url", f"{self.gitlab_url}/{username}"),
                "avatar_url": user.get("avatar_url", ""), **self._sealed_token(token),
                "settings": dict(DEFAULT_SETTINGS), "last_todo_post_at": int(time.time() * 1000)}
        await self.api.kv_set(f"{req.user_id}_gitlabtoken", json.dumps(conn).encode())
        await self.api.kv_set(f"{username.lower()}_gitlabusername", req.user_id.encode())
        await self._dm(req.user_id, "#### Welcome to the Mattermost GitLab Plugin!\n"
                                    f"You've connected your Mattermost account to [{username}]({conn['web_url']}) "
                                    "on GitLab. Type `/gitlab help` to see what you can do.")
        page = ("<!DOCTYPE html><html><head><script>window.close();</script></head><body>"
                "<p>Completed connecting to GitLab. Please close this window.</p></body></html>")
        return HTTPResponse(200, page.encode(), "text/html; charset=utf-8")

    async def _webhook(self, req: HTTPRequest) -> HTTPResponse:
        secret = str(self._setting("WebhookSecret"))
        given = req.headers.get("x-gitlab-token", "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return HTTPResponse(401, b"Unauthorized")
        try:
            payload = req.json()
        except ValueError:
            return HTTPResponse(400, b"Invalid payload")
        if not isinstance(payload, dict):
            return HTTPResponse(400, b"Invalid payload")
        rendered = render(req.headers.get("x-gitlab-event", ""), payload, self.gitlab_url)
        if rendered is None:
            return HTTPResponse(200, b"")
        repos, _ = await self._load_subscriptions()
        project = rendered.project.lower()
        channels: dict[str, str] = {}
        for path, subs in repos.items():
            if project == path or project.startswith(path + "/"):
                for s in subs:
                    if wanted(s["features"], rendered):
                        channels[s["channel_id"]] = path
        for channel_id in channels:
            await self.api.create_post(Post(id="", user_id=self.bot_id, channel_id=channel_id,
                                            message=rendered.message, props={"from_gitlab": True}))
        for gitlab_user, message in rendered.notify.items():
            mm_user = await self._mm_user_for(gitlab_user) if gitlab_user else ""
            if mm_user:
                await self._dm(mm_user, message)
        return HTTPResponse(200, b"")
