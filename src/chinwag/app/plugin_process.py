"""A running plugin's process, seen from the server: ``python -m chinwag.plugin.runner`` on one end of a
socket pair, a ``RemotePlugin`` that PluginHooks calls like any plugin (each hook an RPC call), and the
server's side of the plugin API (calls from the process dispatched to its ``PluginAPI``)."""

from __future__ import annotations

import asyncio
import collections
import inspect
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog

from chinwag.app.plugin_api import PluginAPI
from chinwag.model.channel import Channel, ChannelMember
from chinwag.model.integration import CommandArgs, CommandResponse
from chinwag.model.post import Post, Reaction
from chinwag.model.user import User
from chinwag.plugin import Context, HTTPRequest, HTTPResponse, Plugin
from chinwag.plugin.rpc import Connection, RemoteError

log = structlog.get_logger("chinwag.plugins")

#: what a plugin process may call on the server (chinwag.plugin.API)
API_METHODS = frozenset({
    "get_user", "get_user_by_username", "get_channel", "get_channel_by_name", "get_direct_channel",
    "get_channel_member", "add_channel_member", "create_post", "update_post", "get_post", "send_ephemeral_post",
    "upload_file", "kv_get", "kv_set", "kv_compare_and_set", "kv_delete", "kv_delete_all", "kv_list",
    "register_command", "unregister_command", "ensure_bot", "schedule_job", "unschedule_job", "save_plugin_config",
    "publish_websocket_event", "open_interactive_dialog", "publish_plugin_cluster_event", "get_node_id",
    "log_info", "log_error", "get_team", "has_permission_to", "has_permission_to_team", "has_permission_to_channel",
    "send_push_notification", "get_users_in_channel",
})


class PluginProcess:
    def __init__(self, plugin_id: str, bundle: Path, api: PluginAPI,
                 on_exit: Callable[[PluginProcess, str], None]) -> None:
        self.plugin_id = plugin_id
        self.bundle = bundle.absolute()
        self.api = api
        self.on_exit = on_exit
        self.proc: asyncio.subprocess.Process | None = None
        self.conn: Connection | None = None
        self.stderr: collections.deque[str] = collections.deque(maxlen=20)
        self.stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._pending: set[asyncio.Future[Any]] = set()

    async def start(self) -> list[str]:
        """Start the process; answer the hooks the plugin implements."""
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "chinwag.plugin.runner", str(child.fileno()), str(self.bundle),
                pass_fds=(child.fileno(),), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE, cwd=str(self.bundle))
        finally:
            child.close()
        reader, writer = await asyncio.open_unix_connection(sock=parent)
        self.conn = Connection(reader, writer, self._api_call, self._api_notified)
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self.conn.serve()), loop.create_task(self._read_stderr()),
                       loop.create_task(self._watch())]
        implements = await self.conn.call("hello")
        return [str(h) for h in implements]

    async def call(self, method: str, *args: Any) -> Any:
        if self.conn is None:
            raise RemoteError("the plugin process is not running")
        return await self.conn.call(method, *args)

    def error_text(self, what: str) -> str:
        tail = [line for line in self.stderr if line.strip()]
        return what + (": " + tail[-1] if tail else "")

    async def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        while line := await self.proc.stderr.readline():
            text = line.decode("utf-8", "replace").rstrip()
            self.stderr.append(text)
            log.info("plugin output", plugin_id=self.plugin_id, line=text)

    async def _watch(self) -> None:
        assert self.proc is not None
        code = await self.proc.wait()
        if self.conn is not None:
            self.conn.close()
        if not self.stopping:
            self.on_exit(self, self.error_text(f"the plugin process exited with code {code}"))

    async def stop(self, grace: float = 5.0) -> None:
        """Ask the plugin to stop (on_deactivate), close the channel, and make sure the process is gone."""
        self.stopping = True
        if self.conn is not None and not self.conn.closed.is_set():
            try:
                await asyncio.wait_for(self.conn.call("on_deactivate"), grace)
            except Exception as e:
                log.warning("plugin on_deactivate failed", plugin_id=self.plugin_id, error=repr(e))
            self.conn.close()
        await self.kill()

    async def kill(self) -> None:
        self.stopping = True
        if self.proc is not None and self.proc.returncode is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
            await self.proc.wait()
        if self.conn is not None:
            self.conn.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # the server's side of the plugin API -----------------------------------------------------------

    async def _api_call(self, method: str, args: list[Any]) -> Any:
        name = method.removeprefix("api.")
        if not method.startswith("api.") or name not in API_METHODS:
            raise RemoteError(f"no such API method {method}")
        positional = args[0] if args and isinstance(args[0], list) else []
        keywords = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
        result = getattr(self.api, name)(*positional, **keywords)
        if inspect.isawaitable(result):
            result = await result
        return result

    def _api_notified(self, method: str, args: list[Any]) -> None:
        name = method.removeprefix("api.")
        if name in ("send_ephemeral_post", "publish_websocket_event", "publish_plugin_cluster_event", "log_info",
                    "log_error"):
            positional = args[0] if args and isinstance(args[0], list) else []
            keywords = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
            result = getattr(self.api, name)(*positional, **keywords)
            if inspect.isawaitable(result):  # sent without waiting: run it on the server's loop
                task = asyncio.ensure_future(result)
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)


class RemotePlugin(Plugin):
    """What PluginHooks calls: every hook is a call into the plugin's process."""

    def __init__(self, process: PluginProcess) -> None:
        self.process = process

    async def on_activate(self) -> None:
        await self.process.call("on_activate")

    async def on_deactivate(self) -> None:
        await self.process.call("on_deactivate")

    async def on_configuration_change(self) -> None:
        await self.process.call("on_configuration_change")

    async def message_will_be_posted(self, c: Context, post: Post) -> tuple[Post | None, str]:
        out: tuple[Post | None, str] = await self.process.call("message_will_be_posted", c, post)
        return out

    async def message_will_be_updated(self, c: Context, new_post: Post, old_post: Post
                                      ) -> tuple[Post | None, str]:
        out: tuple[Post | None, str] = await self.process.call("message_will_be_updated", c, new_post, old_post)
        return out

    async def message_has_been_posted(self, c: Context, post: Post) -> None:
        await self.process.call("message_has_been_posted", c, post)

    async def message_has_been_updated(self, c: Context, new_post: Post, old_post: Post) -> None:
        await self.process.call("message_has_been_updated", c, new_post, old_post)

    async def message_has_been_deleted(self, c: Context, post: Post) -> None:
        await self.process.call("message_has_been_deleted", c, post)

    async def reaction_has_been_added(self, c: Context, reaction: Reaction) -> None:
        await self.process.call("reaction_has_been_added", c, reaction)

    async def reaction_has_been_removed(self, c: Context, reaction: Reaction) -> None:
        await self.process.call("reaction_has_been_removed", c, reaction)

    async def user_has_left_channel(self, c: Context, member: ChannelMember, actor: User | None) -> None:
        await self.process.call("user_has_left_channel", c, member, actor)

    async def user_has_been_created(self, c: Context, user: User) -> None:
        await self.process.call("user_has_been_created", c, user)

    async def user_has_logged_in(self, c: Context, user: User) -> None:
        await self.process.call("user_has_logged_in", c, user)

    async def channel_has_been_created(self, c: Context, channel: Channel) -> None:
        await self.process.call("channel_has_been_created", c, channel)

    async def user_has_joined_channel(self, c: Context, member: ChannelMember, actor: User | None) -> None:
        await self.process.call("user_has_joined_channel", c, member, actor)

    async def execute_command(self, c: Context, args: CommandArgs) -> CommandResponse:
        out: CommandResponse = await self.process.call("execute_command", c, args)
        return out

    async def serve_http(self, c: Context, request: HTTPRequest) -> HTTPResponse:
        out: HTTPResponse = await self.process.call("serve_http", c, request)
        return out

    async def websocket_message_has_been_posted(self, conn_id: str, user_id: str, action: str,
                                                data: dict[str, Any]) -> None:
        await self.process.call("websocket_message_has_been_posted", conn_id, user_id, action, data)

    async def on_websocket_disconnect(self, conn_id: str, user_id: str) -> None:
        await self.process.call("on_websocket_disconnect", conn_id, user_id)

    async def on_plugin_cluster_event(self, event_id: str, data: bytes) -> None:
        await self.process.call("on_plugin_cluster_event", event_id, data)

    async def notification_will_be_pushed(self, notification: dict[str, Any], user_id: str
                                          ) -> tuple[dict[str, Any] | None, str]:
        out: tuple[dict[str, Any] | None, str] = await self.process.call("notification_will_be_pushed", notification,
                                                                         user_id)
        return out
