"""chinwag's plugin SDK: what a plugin's server code imports.

A plugin subclasses :class:`Plugin` and overrides the hooks it wants (all ``async``; Mattermost's hook
names in snake case). The server sets ``self.api`` (:class:`API`), ``self.id`` and ``self.manifest``
before ``on_activate``. See docs/plugins.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from chinwag.model.channel import Channel, ChannelMember
from chinwag.model.file import FileInfo
from chinwag.model.integration import Command, CommandArgs, CommandResponse
from chinwag.model.post import Post, Reaction
from chinwag.model.team import Team
from chinwag.model.user import User
from chinwag.plugin.manifest import Manifest, ManifestError, parse_manifest

__all__ = [
    "API",
    "Channel",
    "ChannelMember",
    "Command",
    "CommandArgs",
    "CommandResponse",
    "Context",
    "FileInfo",
    "HTTPRequest",
    "HTTPResponse",
    "Manifest",
    "ManifestError",
    "Plugin",
    "Post",
    "Reaction",
    "Team",
    "User",
    "parse_manifest",
]


@dataclass
class Context:
    """Mattermost's plugin.Context: who and which request caused the hook."""

    session_id: str = ""
    request_id: str = ""
    user_id: str = ""
    ip_address: str = ""
    user_agent: str = ""


@dataclass
class HTTPRequest:
    """A request to ``/plugins/{id}/…``: ``path`` is what follows the plugin id (``/webhook``).
    ``user_id`` is the caller's when the request carried a valid session (Mattermost's
    ``Mattermost-User-Id`` header, also set in ``headers``), else empty."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    user_id: str = ""

    def json(self) -> Any:
        import json

        return json.loads(self.body or b"null")


@dataclass
class HTTPResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> HTTPResponse:
        import json

        return cls(status, json.dumps(data).encode(), "application/json")


class API(Protocol):
    """What the server offers a plugin (the useful core of Mattermost's plugin API). Every method is a
    coroutine; a failure raises ``chinwag.model.errors.AppError``."""

    plugin_id: str

    # users, teams, channels
    async def get_user(self, user_id: str) -> User: ...
    async def get_user_by_username(self, username: str) -> User: ...
    async def get_channel(self, channel_id: str) -> Channel: ...
    async def get_channel_by_name(self, team_id: str, name: str) -> Channel: ...
    async def get_direct_channel(self, user_id_1: str, user_id_2: str) -> Channel: ...
    async def get_channel_member(self, channel_id: str, user_id: str) -> ChannelMember | None: ...
    async def add_channel_member(self, channel_id: str, user_id: str) -> None: ...
    async def get_users_in_channel(self, channel_id: str, page: int = 0, per_page: int = 60) -> list[User]: ...
    async def get_team(self, team_id: str) -> Team: ...

    # permissions (Mattermost's HasPermissionTo, …ToTeam, …ToChannel; permission ids as ``manage_system``)
    async def has_permission_to(self, user_id: str, permission: str) -> bool: ...
    async def has_permission_to_team(self, user_id: str, team_id: str, permission: str) -> bool: ...
    async def has_permission_to_channel(self, user_id: str, channel_id: str, permission: str) -> bool: ...

    # posts
    async def create_post(self, post: Post) -> Post: ...
    async def update_post(self, post: Post) -> Post: ...
    async def get_post(self, post_id: str) -> Post: ...
    def send_ephemeral_post(self, user_id: str, post: Post) -> Post: ...
    async def upload_file(self, data: bytes, channel_id: str, filename: str, user_id: str) -> FileInfo: ...

    # mobile push (the push proxy's fields; the plugin respects the push settings itself)
    async def send_push_notification(self, notification: dict[str, Any], user_id: str) -> int: ...

    # key/value store (per plugin)
    async def kv_get(self, key: str) -> bytes | None: ...
    async def kv_set(self, key: str, value: bytes, expire_in_seconds: int = 0) -> None: ...
    async def kv_compare_and_set(self, key: str, old: bytes | None, new: bytes | None) -> bool: ...
    async def kv_delete(self, key: str) -> None: ...
    async def kv_delete_all(self) -> None: ...
    async def kv_list(self, page: int = 0, per_page: int = 100) -> list[str]: ...

    # slash commands, bots, config, events
    async def register_command(self, command: Command, items: list[dict[str, str]] | None = None) -> None: ...
    async def unregister_command(self, team_id: str, trigger: str) -> None: ...
    async def ensure_bot(self, username: str, display_name: str = "", description: str = "") -> str: ...
    async def schedule_job(self, name: str, interval_seconds: float) -> None: ...
    async def unschedule_job(self, name: str) -> None: ...
    def get_config(self) -> dict[str, Any]: ...
    def get_plugin_config(self) -> dict[str, Any]: ...
    async def save_plugin_config(self, config: dict[str, Any]) -> None: ...
    async def open_interactive_dialog(self, request: dict[str, Any]) -> None: ...
    def publish_websocket_event(self, event: str, payload: dict[str, Any], *, user_id: str = "",
                                channel_id: str = "", team_id: str = "", connection_id: str = "") -> None: ...
    def publish_plugin_cluster_event(self, event_id: str, data: bytes, target_node_id: str = "") -> None: ...
    async def get_node_id(self) -> str: ...
    def site_url(self) -> str: ...
    def log_info(self, msg: str, **kv: Any) -> None: ...
    def log_error(self, msg: str, **kv: Any) -> None: ...


class Plugin:
    """Subclass this; override the hooks you need. Hooks left as they are cost nothing: the server
    calls only what a plugin overrides."""

    api: API
    id: str = ""
    manifest: Manifest

    async def on_activate(self) -> None:
        """The plugin was enabled (or the server started with it enabled). Raise to refuse."""

    async def on_deactivate(self) -> None:
        """The plugin is being disabled, removed or replaced."""

    async def on_configuration_change(self) -> None:
        """``PluginSettings.Plugins.<id>`` (or anything else in the config) changed."""

    async def message_will_be_posted(self, c: Context, post: Post) -> tuple[Post | None, str]:
        """Before a post is saved: return ``(post, "")`` (possibly changed) to let it through, or
        ``(None, reason)`` to reject it."""
        return post, ""

    async def message_will_be_updated(self, c: Context, new_post: Post, old_post: Post
                                      ) -> tuple[Post | None, str]:
        return new_post, ""

    async def message_has_been_posted(self, c: Context, post: Post) -> None:
        """After a post was saved (runs in the background)."""

    async def notification_will_be_pushed(self, notification: dict[str, Any], user_id: str
                                          ) -> tuple[dict[str, Any] | None, str]:
        """Before a post's push goes to the user's devices (Mattermost's NotificationWillBePushed; in the
        background, once per user): ``notification`` has the push proxy's fields and ``post_type``,
        ``channel_type``. Return ``(None, "")`` to leave it as it is, ``(notification, "")`` (changed) to send
        that instead, or ``(None, reason)`` to send none."""
        return None, ""

    async def message_has_been_updated(self, c: Context, new_post: Post, old_post: Post) -> None:
        """After an edit was saved (runs in the background)."""

    async def message_has_been_deleted(self, c: Context, post: Post) -> None:
        """After a post was deleted (runs in the background)."""

    async def reaction_has_been_added(self, c: Context, reaction: Reaction) -> None:
        """After a reaction was added (runs in the background)."""

    async def reaction_has_been_removed(self, c: Context, reaction: Reaction) -> None:
        """After a reaction was removed (runs in the background)."""

    async def user_has_left_channel(self, c: Context, member: ChannelMember, actor: User | None) -> None:
        """After a user left (or was removed from) a channel (runs in the background)."""

    async def user_has_been_created(self, c: Context, user: User) -> None:
        """After an account was created (runs in the background)."""

    async def user_has_logged_in(self, c: Context, user: User) -> None:
        """After a successful sign-in (runs in the background)."""

    async def channel_has_been_created(self, c: Context, channel: Channel) -> None:
        """After a channel was created (runs in the background)."""

    async def user_has_joined_channel(self, c: Context, member: ChannelMember, actor: User | None) -> None:
        """After a user joined (or was added to) a channel (runs in the background)."""

    async def on_scheduled_job(self, name: str) -> None:
        """A job the plugin scheduled (``api.schedule_job``) is due: called on one node of the cluster
        once per interval."""

    async def execute_command(self, c: Context, args: CommandArgs) -> CommandResponse:
        """A slash command this plugin registered was run."""
        return CommandResponse()

    async def serve_http(self, c: Context, request: HTTPRequest) -> HTTPResponse:
        """A request to ``/plugins/{id}/…``."""
        return HTTPResponse(404, b"Not found")

    async def websocket_message_has_been_posted(self, conn_id: str, user_id: str, action: str,
                                                data: dict[str, Any]) -> None:
        """A client sent ``custom_<plugin id>_<action>`` over its WebSocket (Mattermost's
        WebSocketMessageHasBeenPosted); ``action`` is what follows the prefix. Binary (msgpack) frames
        arrive with their bytes values as ``bytes``."""

    async def on_websocket_disconnect(self, conn_id: str, user_id: str) -> None:
        """A WebSocket connection closed (Mattermost's OnWebSocketDisconnect)."""

    async def on_plugin_cluster_event(self, event_id: str, data: bytes) -> None:
        """This plugin on another node of the cluster sent ``api.publish_plugin_cluster_event`` (Mattermost's
        OnPluginClusterEvent); the events of one node arrive one after another, in the order it sent them."""
