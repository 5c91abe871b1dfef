"""PluginHooks: the one place the app's services call plugins from (post, channel and command paths).

The services hold this object (wired in ``app/app.py``) and call it at one line each: before a post is
saved (``will_be_posted``), after (``has_been_posted``), and so on. The plugin host
(``app/plugins.py``) attaches and detaches the running plugins here. With no plugin implementing a
hook, a call costs one dict lookup.

A plugin never breaks the path that called it: a hook that raises or runs past its deadline is
skipped (the post goes on as it was) and reported to the host through ``on_failure``, which marks the
plugin failed and restarts it. Hooks after the fact (``has_been_posted``, …) run in the background.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec
import structlog

from chinwag.app.background import BackgroundTasks
from chinwag.app.context import Ctx
from chinwag.app.directory import Directory
from chinwag.app.mentions import parse_hashtags
from chinwag.model import post as post_model
from chinwag.model.channel import Channel, ChannelMember
from chinwag.model.errors import AppError
from chinwag.model.integration import Command, CommandArgs, CommandResponse
from chinwag.model.post import Post, Reaction
from chinwag.model.push import PushNotification
from chinwag.model.user import User
from chinwag.plugin import Context, HTTPRequest, HTTPResponse, Plugin

log = structlog.get_logger("chinwag.plugins")

T = TypeVar("T")

#: hooks that may change or reject what they are given, and so run on the request path
WILL_HOOKS = ("message_will_be_posted", "message_will_be_updated")
#: every hook the host looks for in a plugin class
HOOKS = (*WILL_HOOKS, "message_has_been_posted", "message_has_been_updated", "message_has_been_deleted",
         "reaction_has_been_added", "reaction_has_been_removed", "channel_has_been_created",
         "user_has_joined_channel", "user_has_left_channel", "user_has_been_created", "user_has_logged_in",
         "execute_command", "serve_http", "on_configuration_change", "websocket_message_has_been_posted",
         "on_websocket_disconnect", "on_plugin_cluster_event", "notification_will_be_pushed")


@dataclass
class AutocompleteItem:
    """A choice for a plugin command's first argument (``/meme classic``), as its autocomplete lists it."""

    name: str
    hint: str = ""
    description: str = ""


@dataclass
class RegisteredCommand:
    plugin_id: str
    command: Command
    items: list[AutocompleteItem] = field(default_factory=list)


def plugin_context(ctx: Ctx) -> Context:
    s = ctx.session
    return Context(session_id=s.id if s else "", request_id=ctx.request_id, user_id=ctx.user_id,
                   ip_address=ctx.ip, user_agent=ctx.user_agent)


class PluginFailed(Exception):
    """A plugin's hook raised or ran past its deadline."""


class PluginHooks:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.plugins: dict[str, Plugin] = {}
        #: hook name → ids of the running plugins that override it, in activation order
        self.implementers: dict[str, list[str]] = {h: [] for h in HOOKS}
        #: (team id or "" for every team, trigger) → the plugin command
        self.commands: dict[tuple[str, str], RegisteredCommand] = {}
        #: deadline (seconds) of a hook on the request path (message_will_be_*, execute_command, serve_http)
        self.timeout = 2.0
        #: deadline of a hook run in the background
        self.background_timeout = 30.0
        #: set by the host: (plugin id, what went wrong) when a hook failed
        self.on_failure: Callable[[str, str], None] | None = None
        self._background = BackgroundTasks("plugins")
        #: (plugin id, connection id) → the last task handing that connection's messages to the plugin
        self._ws_chains: dict[tuple[str, str], asyncio.Future[None]] = {}

    # the host's side ---------------------------------------------------------------------------

    def attach(self, plugin_id: str, plugin: Plugin, implements: Iterable[str] | None = None) -> None:
        """Start calling ``plugin``'s hooks: those it ``implements`` (by default, those its class overrides)."""
        self.plugins[plugin_id] = plugin
        wanted = set(implements) if implements is not None else \
            {h for h in HOOKS if getattr(type(plugin), h, None) is not getattr(Plugin, h)}
        for hook in HOOKS:
            ids = self.implementers[hook]
            if plugin_id in ids:
                ids.remove(plugin_id)
            if hook in wanted:
                ids.append(plugin_id)

    def detach(self, plugin_id: str) -> None:
        self.plugins.pop(plugin_id, None)
        for ids in self.implementers.values():
            if plugin_id in ids:
                ids.remove(plugin_id)
        for key in [k for k, v in self.commands.items() if v.plugin_id == plugin_id]:
            del self.commands[key]

    async def drain(self) -> None:
        await self._background.drain()

    async def close(self) -> None:
        await self._background.cancel()

    async def call(self, plugin_id: str, what: str, coro: Awaitable[T], deadline: float | None = None) -> T:
        """Run one plugin's hook under its deadline; a failure is reported and raised as PluginFailed."""
        try:
            # asyncio.timeout runs the call in this task (wait_for would wrap it in a new one: a task and
            # two more turns of the loop on every post, measured in bench/plugin_hooks.py)
            async with asyncio.timeout(self.timeout if deadline is None else deadline):
                return await coro
        except asyncio.CancelledError:
            raise
        except AppError:
            raise
        except TimeoutError:
            reason = f"{what} did not answer within its deadline"
        except Exception as e:
            reason = f"{what} raised {e!r}"
        log.warning("plugin hook failed", plugin_id=plugin_id, reason=reason)
        if self.on_failure is not None:
            self.on_failure(plugin_id, reason)
        raise PluginFailed(reason)

    def _later(self, hook: str, make: Callable[[Plugin], Awaitable[Any]]) -> None:
        for pid in list(self.implementers[hook]):
            plugin = self.plugins.get(pid)
            if plugin is not None:
                self._background.spawn(self._quiet(pid, hook, make(plugin)), f"{pid} {hook}")

    async def _quiet(self, plugin_id: str, hook: str, coro: Awaitable[Any]) -> None:
        try:
            await self.call(plugin_id, hook, coro, self.background_timeout)
        except (PluginFailed, AppError):
            pass

    # posts ---------------------------------------------------------------------------------------

    async def will_be_posted(self, ctx: Ctx, post: Post) -> Post:
        """MessageWillBePosted, plugin after plugin: each may change the post or reject it (AppError)."""
        return await self._filter("message_will_be_posted", "createPost", ctx, post)

    async def will_be_updated(self, ctx: Ctx, new: Post, old: Post) -> Post:
        return await self._filter("message_will_be_updated", "updatePost", ctx, new, old)

    async def _filter(self, hook: str, where: str, ctx: Ctx, post: Post, *rest: Post) -> Post:
        """A will-hook: each implementing plugin in turn is given (its copy of) the post as the previous
        one left it, and may change it or reject it; a plugin that fails is passed over."""
        ids = self.implementers[hook]
        if not ids:
            return post
        c = plugin_context(ctx)
        for pid in list(ids):
            plugin = self.plugins.get(pid)
            if plugin is None:
                continue
            try:
                out = await self.call(pid, hook, getattr(plugin, hook)(c, _copy(post), *map(_copy, rest)))
            except (PluginFailed, AppError):
                continue
            post = _take(post, out, where)
        return post

    # push notifications ------------------------------------------------------------------------

    def pushes_hooked(self) -> bool:
        return bool(self.implementers["notification_will_be_pushed"])

    async def will_be_pushed(self, msg: PushNotification, user_id: str, post_type: str,
                             channel_type: str) -> PushNotification | None:
        """NotificationWillBePushed, plugin after plugin: each may leave the user's push as it is, change it,
        or drop it (None). A plugin that fails, or answers with what is not a push, is passed over."""
        for pid in list(self.implementers["notification_will_be_pushed"]):
            plugin = self.plugins.get(pid)
            if plugin is None:
                continue
            given = {**msg.to_dict(), "post_type": post_type, "channel_type": channel_type}
            try:
                out = await self.call(pid, "notification_will_be_pushed",
                                      plugin.notification_will_be_pushed(given, user_id), self.background_timeout)
            except (PluginFailed, AppError):
                continue
            if not isinstance(out, tuple) or len(out) != 2:
                continue
            new, reason = out
            if new is None:
                if reason:
                    log.debug("push dropped by plugin", plugin_id=pid, user_id=user_id, reason=str(reason))
                    return None
                continue
            if isinstance(new, dict):
                try:
                    msg = msgspec.convert({k: v for k, v in new.items() if k not in ("post_type", "channel_type")},
                                          PushNotification)
                except msgspec.ValidationError:
                    continue
        return msg

    def _notify(self, hook: str, ctx: Ctx, *args: Any) -> None:
        """An after-the-fact hook: handed to every plugin that implements it, in the background; each
        plugin gets its own copy of a post."""
        if self.implementers[hook]:
            c = plugin_context(ctx)
            self._later(hook, lambda p: getattr(p, hook)(c, *(_copy(a) if isinstance(a, Post) else a for a in args)))

    def has_been_posted(self, ctx: Ctx, post: Post) -> None:
        self._notify("message_has_been_posted", ctx, post)

    def has_been_updated(self, ctx: Ctx, new: Post, old: Post) -> None:
        self._notify("message_has_been_updated", ctx, new, old)

    def has_been_deleted(self, ctx: Ctx, post: Post) -> None:
        self._notify("message_has_been_deleted", ctx, post)

    def reaction_added(self, ctx: Ctx, reaction: Reaction) -> None:
        self._notify("reaction_has_been_added", ctx, reaction)

    def reaction_removed(self, ctx: Ctx, reaction: Reaction) -> None:
        self._notify("reaction_has_been_removed", ctx, reaction)

    # users ---------------------------------------------------------------------------------------

    def user_created(self, ctx: Ctx, user: User) -> None:
        self._notify("user_has_been_created", ctx, user)

    def user_logged_in(self, ctx: Ctx, user: User) -> None:
        self._notify("user_has_logged_in", ctx, user)

    # channels ------------------------------------------------------------------------------------

    def channel_created(self, ctx: Ctx, channel: Channel) -> None:
        self._notify("channel_has_been_created", ctx, channel)

    def user_joined(self, ctx: Ctx, member: ChannelMember, actor_id: str = "") -> None:
        """UserHasJoinedChannel; ``actor_id`` is who added the member (empty when they joined)."""
        self._notify_with_actor("user_has_joined_channel", ctx, member, actor_id)

    def user_left(self, ctx: Ctx, member: ChannelMember, actor_id: str = "") -> None:
        """UserHasLeftChannel; ``actor_id`` is who removed the member (empty when they left)."""
        self._notify_with_actor("user_has_left_channel", ctx, member, actor_id)

    def _notify_with_actor(self, hook: str, ctx: Ctx, member: ChannelMember, actor_id: str) -> None:
        """A membership hook: the actor (a User, or None) is looked up in the background first."""
        if self.implementers[hook]:
            self._background.spawn(self._with_actor(hook, ctx, member, actor_id), hook)

    async def _with_actor(self, hook: str, ctx: Ctx, member: ChannelMember, actor_id: str) -> None:
        actor: User | None = await self.directory.user(actor_id) if actor_id else None
        self._notify(hook, ctx, member, actor)

    # slash commands and HTTP -----------------------------------------------------------------------

    def command(self, team_id: str, trigger: str) -> RegisteredCommand | None:
        return self.commands.get((team_id, trigger)) or self.commands.get(("", trigger))

    def team_commands(self, team_id: str) -> list[Command]:
        return [r.command for (team, _), r in self.commands.items() if team in ("", team_id)]

    async def execute_command(self, ctx: Ctx, reg: RegisteredCommand, args: CommandArgs) -> CommandResponse:
        plugin = self.plugins.get(reg.plugin_id)
        failed = AppError("ExecutePluginCommand", "model.plugin_command_error.error.app_error",
                          "Unable to execute the plugin command.", 500)
        if plugin is None:
            raise failed
        try:
            out = await self.call(reg.plugin_id, "execute_command", plugin.execute_command(plugin_context(ctx), args))
        except PluginFailed as e:
            failed.detailed_error = str(e)
            raise failed from None
        if not isinstance(out, CommandResponse):
            failed.detailed_error = "execute_command returned no CommandResponse"
            raise failed
        return out

    async def serve_http(self, ctx: Ctx, plugin_id: str, request: HTTPRequest) -> HTTPResponse:
        """The plugin's answer to a request for ``/plugins/{plugin_id}/…``; a plugin that is not running
        (unknown, disabled, failed) answers as Mattermost's router does there: Go's plain ``http.NotFound``."""
        plugin = self.plugins.get(plugin_id)
        if plugin is None:
            return not_found_response()
        try:
            out = await self.call(plugin_id, "serve_http", plugin.serve_http(plugin_context(ctx), request),
                                  self.background_timeout)
        except PluginFailed as e:
            raise AppError("ServePluginRequest", "app.plugin.serve_http.app_error",
                           "The plugin failed to answer the request.", 500, str(e)) from None
        if not isinstance(out, HTTPResponse):
            raise AppError("ServePluginRequest", "app.plugin.serve_http.app_error",
                           "The plugin failed to answer the request.", 500, "serve_http returned no HTTPResponse")
        return out


    # WebSocket messages -----------------------------------------------------------------------------

    def websocket_message(self, conn_id: str, user_id: str, action: str, data: dict[str, Any]) -> bool:
        """A client's ``custom_<plugin id>_<name>`` action: handed to that plugin in the background, in
        the order they came (Mattermost's WebSocketMessageHasBeenPosted). False when no running plugin
        takes it."""
        for pid in self.implementers["websocket_message_has_been_posted"]:
            prefix = f"custom_{pid}_"
            plugin = self.plugins.get(pid)
            if action.startswith(prefix) and plugin is not None:
                name = action[len(prefix):]
                self._ordered(pid, conn_id, "websocket_message_has_been_posted",
                              plugin.websocket_message_has_been_posted(conn_id, user_id, name, data))
                return True
        return False

    def websocket_disconnected(self, conn_id: str, user_id: str) -> None:
        for pid in list(self.implementers["on_websocket_disconnect"]):
            plugin = self.plugins.get(pid)
            if plugin is not None:
                self._ordered(pid, conn_id, "on_websocket_disconnect", plugin.on_websocket_disconnect(conn_id, user_id))

    def cluster_event(self, plugin_id: str, from_node: str, event_id: str, data: bytes) -> None:
        """Another node's ``publish_plugin_cluster_event`` for this plugin: handed to it in the background,
        the events of one node one after another in the order that node published them."""
        plugin = self.plugins.get(plugin_id)
        if plugin is not None and plugin_id in self.implementers["on_plugin_cluster_event"]:
            self._ordered(plugin_id, "node:" + from_node, "on_plugin_cluster_event",
                          plugin.on_plugin_cluster_event(event_id, data))

    def _ordered(self, plugin_id: str, conn_id: str, hook: str, coro: Awaitable[Any]) -> None:
        """Run a connection's messages to a plugin one after another (an SDP answer must not overtake the
        join before it); ``conn_id`` is the key of the chain (``node:<id>`` for a node's cluster events)."""
        key = (plugin_id, conn_id)
        previous = self._ws_chains.get(key)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._ws_chains[key] = done

        async def run() -> None:
            try:
                if previous is not None:
                    await asyncio.shield(previous)
                await self._quiet(plugin_id, hook, coro)
            finally:
                done.set_result(None)
                if self._ws_chains.get(key) is done:
                    del self._ws_chains[key]

        self._background.spawn(run(), f"{plugin_id} {hook}")


def not_found_response() -> HTTPResponse:
    """Go's ``http.NotFound``, what Mattermost answers for a plugin route of a plugin that is not active."""
    return HTTPResponse(404, b"404 page not found\n", "text/plain; charset=utf-8",
                        {"X-Content-Type-Options": "nosniff"})


def _copy(post: Post) -> Post:
    """What a plugin is given: its own copy, so a hook that changes it and then fails changes nothing."""
    return msgspec.structs.replace(post, props=copy.deepcopy(post.props), file_ids=list(post.file_ids),
                                   metadata=dict(post.metadata))


def _take(current: Post, out: Any, where: str) -> Post:
    """What a will-hook answered: ``(post, "")`` lets it through (changed or not), ``(None, reason)``
    rejects it. Only the content may change: message, props, file ids, type."""
    if not isinstance(out, tuple) or len(out) != 2:
        return current
    new, reason = out
    if new is None:
        raise AppError(where, f"Post rejected by plugin. {reason}", f"Post rejected by plugin. {reason}", 400)
    if not isinstance(new, Post):
        return current
    if len(new.message) > post_model.POST_MESSAGE_MAX_RUNES:
        return current
    current.message = new.message
    current.hashtags = parse_hashtags(new.message)
    current.props = dict(new.props or {})
    current.file_ids = list(new.file_ids)
    current.type = new.type if not new.type.startswith("system_") or current.type == new.type else current.type
    return current
