"""Interactive messages and dialogs (Mattermost's app/integration_action.go).

A user clicks a button or picks a menu option in a post's attachment: the server POSTs Mattermost's
request body (user, channel, team, post, a signed ``trigger_id``, the action's private ``context``) to
the action's integration URL through the outbound guard (internal addresses refused unless allowed) —
or, for a URL under ``/plugins/<id>/``, to that plugin's ``serve_http`` in the server, with the user's id —
and applies the answer: ``update`` replaces the post (keeping ``from_webhook``/``override_*`` props,
pinning and reactions), ``ephemeral_text`` goes to the user alone. An integration holding a trigger id
may open a dialog (``open_dialog`` event to that user, within OutgoingIntegrationRequestsTimeout); the
submitted dialog is POSTed to the dialog's URL and its answer (``errors``) returned to the client."""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import parse_qsl, urlparse

import httpx
import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore, service
from chinwag.app.directory import Directory
from chinwag.app.ephemeral import EphemeralService
from chinwag.app.integration import IntegrationCore
from chinwag.app.outbound import OutboundRefused
from chinwag.app.permissions import PermissionService
from chinwag.app.plugin_hooks import PluginHooks
from chinwag.app.post import PostService
from chinwag.app.signing import SigningService
from chinwag.model import permissions, slack
from chinwag.model.errors import AppError, invalid_param, permission_denied
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.integration_action import (
    ACTION_TYPE_SELECT,
    RETAIN_PROP_KEYS,
    OpenDialogRequest,
    PostActionCookie,
    PostActionIntegrationRequest,
    SubmitDialogRequest,
    find_action,
)
from chinwag.model.post import Post
from chinwag.platform.events import Broadcast, Event
from chinwag.plugin import HTTPRequest
from chinwag.store.errors import NotFound


def _integration_error(detail: str, where: str = "DoPostActionWithCookie") -> AppError:
    return AppError(where, "api.post.do_action.action_integration.app_error", "Action integration error.",
                    400, detail)


@service
class IntegrationActionService:
    core: AppCore
    directory: Directory
    perms: PermissionService
    integrations: IntegrationCore
    posts: PostService
    ephemeral: EphemeralService
    signing: SigningService
    plugin_hooks: PluginHooks

    async def _post(self, post_id: str) -> Post | None:
        try:
            return await self.core.store.posts.get(post_id)
        except NotFound:
            return None

    async def do_post_action(self, ctx: Ctx, post_id: str, action_id: str, selected_option: str,
                             cookie_value: str) -> str:
        """Run an action; returns the client's trigger id."""
        where = "DoPostActionWithCookie"
        cookie: PostActionCookie | None = None
        if cookie_value:
            cookie = await self.signing.open_cookie(cookie_value)
            await self.perms.require_channel(ctx, cookie.channel_id, permissions.READ_CHANNEL, "doPostAction")
        post = await self._post(post_id)
        if cookie is None and (post is None or not await self.perms.has_channel(
                ctx, post.channel_id, permissions.READ_CHANNEL)):
            raise permission_denied("doPostAction", f"permission={permissions.READ_CHANNEL}")
        retain: dict[str, Any] = {}
        remove: list[str] = []
        original: Post | None = None
        if post is None:
            assert cookie is not None
            if cookie.integration is None:
                raise _integration_error("no Integration in action cookie")
            if cookie.post_id != post_id:
                raise _integration_error("postId doesn't match")
            channel = await self.directory.channel(cookie.channel_id, where)
            action_type, data_source, integration = cookie.type, cookie.data_source, cookie.integration
            retain, remove = dict(cookie.retain_props or {}), list(cookie.remove_props or [])
            root_id = cookie.root_post_id
        else:
            channel = await self.directory.channel(post.channel_id, where)
            action = find_action(post.props, action_id)
            if action is None or not isinstance(action.get("integration"), dict):
                raise AppError(where, "api.post.do_action.action_id.app_error", "Invalid action id.", 404,
                               f"action={action}")
            action_type, data_source = str(action.get("type") or ""), str(action.get("data_source") or "")
            integration = action["integration"]
            for key in RETAIN_PROP_KEYS:
                if key in post.props:
                    retain[key] = post.props[key]
                else:
                    remove.append(key)
            original = post
            root_id = post.root_id or post.id
        user = await self.directory.user(ctx.user_id, where)
        context = integration.get("context") if isinstance(integration.get("context"), dict) else None
        upstream = PostActionIntegrationRequest(
            user_id=user.id, user_name=user.username, channel_id=channel.id, channel_name=channel.name,
            team_id=channel.team_id, post_id=post_id, type=action_type, context=dict(context) if context else None)
        if channel.team_id:
            upstream.team_domain = (await self.directory.team(channel.team_id, where)).name
        if action_type == ACTION_TYPE_SELECT and selected_option:
            upstream.context = {**(upstream.context or {}), "selected_option": selected_option}
            upstream.data_source = data_source
        client_trigger_id, upstream.trigger_id = await self.signing.trigger_id(user.id)
        answer = await self._call(str(integration.get("url") or ""), msgspec.json.encode(upstream.to_dict()), where,
                                  ctx)
        response = answer if isinstance(answer, dict) else {}
        update = response.get("update")
        if isinstance(update, dict) and original is not None:
            props = update.get("props")
            if not isinstance(props, dict):
                props = original.props
            else:
                props = dict(props)
                props.update(retain)
                for key in remove:
                    props.pop(key, None)
            await self.posts.update_from_integration(ctx, post_id, str(update.get("message") or ""), props)
        text = response.get("ephemeral_text")
        if isinstance(text, str) and text:
            if not response.get("skip_slack_parsing"):
                text = slack.links_to_markdown(text)
            now = self.core.now()
            await self.ephemeral.deliver(user.id, Post(
                id=new_id(), create_at=now, update_at=now, user_id=user.id, channel_id=channel.id,
                root_id=root_id, message=text, props=dict(retain)))
        return client_trigger_id

    async def _call(self, url: str, body: bytes, where: str, ctx: Ctx) -> Any:
        """POST to an integration (Mattermost's DoActionRequest): only a 200 answer counts. A URL under
        ``/plugins/<id>/`` is the plugin's own ``serve_http``, called in the server with the user's id
        (Mattermost's DoLocalRequest), never over the network."""
        if not url or url.startswith("rpc://"):
            raise _integration_error("no integration URL" if not url else f"no plugin serves {url!r}", where)
        local = posixpath.normpath("/" + url.lstrip("/")) if url.startswith(("/plugins/", "plugins/")) else ""
        if local:
            status, raw = await self._plugin_request(local, body, where, ctx)
        else:
            try:
                status, _headers, raw = await self.integrations.http.request(
                    "POST", url, content=body,
                    headers={"Content-Type": "application/json", "Accept": "application/json"})
            except (OutboundRefused, httpx.HTTPError, ValueError) as e:
                raise _integration_error(f"err={e or repr(e)}", where) from None
        if status != 200:
            raise _integration_error(f"status={status}", where)
        if not raw.strip():
            return None
        try:
            return msgspec.json.decode(raw)
        except msgspec.DecodeError as e:
            if where == "SubmitInteractiveDialog":  # an empty or odd answer is acceptable there
                return None
            if where == "LookupInteractiveDialog":
                raise AppError(where, "app.lookup_interactive_dialog.decode_json_error",
                               "Encountered an error decoding JSON response from the lookup.", 500, str(e)) from None
            raise _integration_error(str(e), where) from None

    async def _plugin_request(self, path: str, body: bytes, where: str, ctx: Ctx) -> tuple[int, bytes]:
        plugin_id, _, rest = path.removeprefix("/plugins/").partition("/")
        rest, _, query = ("/" + rest).partition("?")
        request = HTTPRequest(method="POST", path=rest, query=dict(parse_qsl(query)), body=body, user_id=ctx.user_id,
                              headers={"content-type": "application/json", "mattermost-user-id": ctx.user_id})
        try:
            answer = await self.plugin_hooks.serve_http(ctx, plugin_id, request)
        except AppError as e:
            raise _integration_error(f"plugin {plugin_id}: {e.message}", where) from None
        return answer.status, answer.body

    # dialogs ------------------------------------------------------------------------------------

    async def open_dialog(self, req: OpenDialogRequest) -> None:
        if not req.url:
            raise invalid_param("openDialog", "url")
        timeout_ms = self.core.cfg.ServiceSettings.OutgoingIntegrationRequestsTimeout * 1000
        client_trigger_id, user_id = await self.signing.verify_trigger_id(req.trigger_id, timeout_ms)
        opened = msgspec.structs.replace(req, trigger_id=client_trigger_id)
        self.core.publish(Event("open_dialog", {"dialog": msgspec.json.encode(opened).decode()},
                                Broadcast(user_id=user_id)))

    async def lookup_dialog(self, ctx: Ctx, req: SubmitDialogRequest) -> dict[str, Any]:
        """``POST /actions/dialogs/lookup``: a dynamic select field of an open dialog asks its integration for
        options (``type`` ``dialog_lookup``, the typed ``query`` and ``selected_field`` in ``submission``); the
        answer's ``items`` (``{text, value}``) go back to the client. The URL is an http(s) one or a plugin's
        ``/plugins/...`` path."""
        where = "lookupDialog"
        if not valid_lookup_url(req.url):
            raise invalid_param(where, "url")
        if not is_valid_id(req.channel_id):
            raise invalid_param(where, "channel_id")
        await self.directory.channel(req.channel_id, where)
        await self.perms.require_channel(ctx, req.channel_id, permissions.READ_CHANNEL, where)
        if not await self.perms.has_team(ctx, req.team_id, permissions.VIEW_TEAM):
            raise permission_denied(where, f"permission={permissions.VIEW_TEAM}")
        payload = msgspec.to_builtins(msgspec.structs.replace(req, url="", type="dialog_lookup", user_id=ctx.user_id))
        payload.pop("url", None)
        answer = await self._call(req.url, msgspec.json.encode(payload), "LookupInteractiveDialog", ctx)
        raw = answer.get("items") if isinstance(answer, dict) else None
        items = None
        if isinstance(raw, list):
            items = [{"text": str(i.get("text", "")), "value": str(i.get("value", ""))} for i in raw
                     if isinstance(i, dict)]
        return {"items": items}

    async def submit_dialog(self, ctx: Ctx, req: SubmitDialogRequest) -> dict[str, Any]:
        where = "submitDialog"
        if not req.url:
            raise invalid_param(where, "url")
        if req.channel_id and not is_valid_id(req.channel_id):
            raise invalid_param(where, "channel_id")
        await self.perms.require_channel(ctx, req.channel_id, permissions.READ_CHANNEL, where)
        if not await self.perms.has_team(ctx, req.team_id, permissions.VIEW_TEAM):
            raise permission_denied(where, f"permission={permissions.VIEW_TEAM}")
        url = req.url
        body = msgspec.structs.replace(req, url="", type="dialog_submission", user_id=ctx.user_id)
        payload = msgspec.to_builtins(body)
        payload.pop("url", None)
        answer = await self._call(url, msgspec.json.encode(payload), "SubmitInteractiveDialog", ctx)
        out: dict[str, Any] = {}
        if isinstance(answer, dict):
            for key in ("error", "errors", "type", "form"):
                if answer.get(key):
                    out[key] = answer[key]
        return out


def valid_lookup_url(url: str) -> bool:
    """Mattermost's IsValidLookupURL: a plugin path without ``..`` or ``//``, or an http(s) URL."""
    if not url:
        return False
    if url.startswith("/plugins/"):
        return ".." not in url and "//" not in url
    if not url.startswith(("http://", "https://")):
        return False
    parsed = urlparse(url)
    return bool(parsed.netloc)
