"""A plugin's own process: ``python -m chinwag.plugin.runner FD BUNDLE_DIR`` (started by the server's
plugin host with one end of a socket pair as FD). It loads the plugin, answers the server's hook calls and
forwards the plugin's API calls to the server. It exits when the server closes the socket.

The synchronous parts of the API (``get_config``, ``get_plugin_config``, ``site_url``) read a copy the
server sends before activation and before each ``on_configuration_change``; ``send_ephemeral_post``,
``publish_websocket_event``, ``publish_plugin_cluster_event`` and the log calls are sent without waiting for an answer.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import resource
import socket
import sys
from pathlib import Path
from typing import Any

from chinwag.model.ids import new_id
from chinwag.model.post import POST_TYPE_EPHEMERAL, Post
from chinwag.plugin import Plugin
from chinwag.plugin.loader import load_plugin_class
from chinwag.plugin.manifest import parse_manifest
from chinwag.plugin.rpc import Connection

#: address space a plugin process may take (a runaway plugin fails with MemoryError, alone)
MEMORY_LIMIT = int(os.environ.get("CHINWAG_PLUGIN_MEMORY_LIMIT", str(2 * 1024 ** 3)))
#: hooks the server may call, and what the process answers to besides them
HOOKS = ("on_activate", "on_deactivate", "on_configuration_change", "message_will_be_posted",
         "message_will_be_updated", "message_has_been_posted", "message_has_been_updated",
         "message_has_been_deleted", "reaction_has_been_added", "reaction_has_been_removed",
         "channel_has_been_created", "user_has_joined_channel", "user_has_left_channel", "user_has_been_created",
         "user_has_logged_in", "on_scheduled_job", "execute_command", "serve_http",
         "websocket_message_has_been_posted", "on_websocket_disconnect", "on_plugin_cluster_event",
         "notification_will_be_pushed")


class RemoteAPI:
    """``chinwag.plugin.API`` in the plugin process: every call goes to the server."""

    def __init__(self, conn: Connection, plugin_id: str) -> None:
        self._conn = conn
        self.plugin_id = plugin_id
        self.config: dict[str, Any] = {}
        self.plugin_config: dict[str, Any] = {}
        self.url = ""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        async def call(*args: Any, **kw: Any) -> Any:
            return await self._conn.call("api." + name, list(args), kw)

        return call

    def get_config(self) -> dict[str, Any]:
        return self.config

    def get_plugin_config(self) -> dict[str, Any]:
        return dict(self.plugin_config)

    def site_url(self) -> str:
        return self.url

    def send_ephemeral_post(self, user_id: str, post: Post) -> Post:
        post.id = post.id or new_id()
        post.type = POST_TYPE_EPHEMERAL
        self._conn.notify("api.send_ephemeral_post", [user_id, post], {})
        return post

    def publish_websocket_event(self, event: str, payload: dict[str, Any], *, user_id: str = "",
                                channel_id: str = "", team_id: str = "", connection_id: str = "") -> None:
        self._conn.notify("api.publish_websocket_event", [event, payload],
                          {"user_id": user_id, "channel_id": channel_id, "team_id": team_id,
                           "connection_id": connection_id})

    def publish_plugin_cluster_event(self, event_id: str, data: bytes, target_node_id: str = "") -> None:
        self._conn.notify("api.publish_plugin_cluster_event", [event_id, bytes(data)],
                          {"target_node_id": target_node_id})

    def log_info(self, msg: str, **kv: Any) -> None:
        self._conn.notify("api.log_info", [msg], kv)

    def log_error(self, msg: str, **kv: Any) -> None:
        self._conn.notify("api.log_error", [msg], kv)


async def main(fd: int, bundle: Path) -> None:
    sock = socket.socket(fileno=fd)
    reader, writer = await asyncio.open_unix_connection(sock=sock)
    manifest = parse_manifest(next((bundle / n).read_bytes() for n in ("plugin.json", "plugin.yaml", "plugin.yml")
                                   if (bundle / n).is_file()))
    plugin: Plugin | None = None
    api: RemoteAPI | None = None

    async def handle(method: str, args: list[Any]) -> Any:
        assert plugin is not None and api is not None
        if method == "hello":
            return [h for h in HOOKS if getattr(type(plugin), h) is not getattr(Plugin, h)]
        if method == "config":
            api.config, api.plugin_config, api.url = args[0], args[1], args[2]
            return None
        if method not in HOOKS:
            raise ValueError(f"no such hook {method}")
        result = getattr(plugin, method)(*args)
        return await result if inspect.isawaitable(result) else result  # a plain ``def`` hook works too

    conn = Connection(reader, writer, handle)
    api = RemoteAPI(conn, manifest.id)
    cls = load_plugin_class(bundle, manifest.server.executable if manifest.server else "")
    plugin = cls()
    plugin.id, plugin.manifest, plugin.api = manifest.id, manifest, api
    await conn.serve()


if __name__ == "__main__":
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ValueError, OSError):
        pass
    try:
        import uvloop  # as the server runs: a cheaper turn of the loop on every call

        loop_factory: Any = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(main(int(sys.argv[1]), Path(sys.argv[2])))
