"""The server API a running plugin gets (``chinwag.plugin.API``): users, channels, posts (ephemeral
ones too), its own key/value store, slash commands, bots, its settings and custom WebSocket events.
One object per running plugin, built by the host (``app/plugins.py``) from the services below; it acts
with every permission (a plugin is code the admin installed), as Mattermost's plugin API does."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog

from chinwag.app.bot import BotService
from chinwag.app.channel_direct import DirectChannelService
from chinwag.app.channel_member import ChannelMemberService
from chinwag.app.command import CommandService
from chinwag.app.command_builtin import BUILT_INS
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.file import FileService
from chinwag.app.permissions import PermissionService
from chinwag.app.plugin_hooks import AutocompleteItem, PluginHooks, RegisteredCommand
from chinwag.app.post import PostService
from chinwag.app.push_notification import PushNotificationService
from chinwag.model.channel import Channel, ChannelMember
from chinwag.model.errors import AppError, invalid_body_param
from chinwag.model.file import FileInfo
from chinwag.model.integration import Command
from chinwag.model.integration_action import OpenDialogRequest
from chinwag.model.post import Post, PostCreate, PostPatch
from chinwag.model.push import PushNotification
from chinwag.model.team import Team
from chinwag.model.user import Session, User
from chinwag.platform.events import Broadcast, Event
from chinwag.store.errors import NotFound

#: Mattermost's limits on a plugin's keys
KV_KEY_MAX = 150
#: the internal event carrying a plugin's cluster event to the other nodes
PLUGIN_CLUSTER_EVENT = "_plugin_cluster_event"


@dataclass
class PluginApiServices:
    """What the plugin API uses, handed over by the composition root."""

    core: AppCore
    directory: Directory
    posts: PostService
    members: ChannelMemberService
    direct: DirectChannelService
    bots: BotService
    files: FileService
    commands: CommandService
    hooks: PluginHooks
    #: saves ``PluginSettings.Plugins.<id>`` (the host's, so every node sees the change)
    save_settings: Callable[[str, dict[str, Any]], Awaitable[None]]
    #: (plugin id, job name, interval in seconds or None to stop): the host's scheduler
    schedule: Callable[[str, str, float | None], None]
    #: opens an interactive dialog for the user a trigger id was given to (the integration actions')
    open_dialog: Callable[[OpenDialogRequest], Awaitable[None]]
    #: this server node's id (``cluster_id`` in the plugin statuses, ``id`` in /cluster/status)
    node_id: str = ""
    #: the permission checks (HasPermissionTo…) and mobile push (SendPushNotification)
    perms: PermissionService | None = None
    push: PushNotificationService | None = None


def _trusted() -> Ctx:
    return Ctx(local=True)


class PluginAPI:
    def __init__(self, s: PluginApiServices, plugin_id: str) -> None:
        self.s = s
        self.plugin_id = plugin_id
        self.log = structlog.get_logger("chinwag.plugin").bind(plugin_id=plugin_id)

    # users, teams, channels ------------------------------------------------------------------

    async def get_user(self, user_id: str) -> User:
        return await self.s.directory.user(user_id, "GetUser")

    async def get_user_by_username(self, username: str) -> User:
        try:
            return await self.s.core.store.users.get_by_username(username.lower())
        except NotFound:
            raise AppError("GetUserByUsername", "app.user.get_by_username.app_error",
                           "Unable to find an existing account matching your username for this team.",
                           404) from None

    async def get_channel(self, channel_id: str) -> Channel:
        return await self.s.directory.channel(channel_id, "GetChannel")

    async def get_channel_by_name(self, team_id: str, name: str) -> Channel:
        try:
            return await self.s.core.store.channels.get_by_name(team_id, name, include_deleted=False)
        except NotFound:
            raise AppError("GetChannelByName", "app.channel.get_by_name.missing.app_error",
                           "Channel does not exist.", 404) from None

    async def get_direct_channel(self, user_id_1: str, user_id_2: str) -> Channel:
        channel, _ = await self.s.direct.create_direct(_trusted(), [user_id_1, user_id_2])
        return channel

    async def get_users_in_channel(self, channel_id: str, page: int = 0, per_page: int = 60) -> list[User]:
        """Mattermost's GetUsersInChannel sorted by username: a page of the channel's members (deactivated
        ones included, as there)."""
        ids = await self.s.core.store.channels.member_ids(channel_id)
        users = sorted(await self.s.core.store.users.get_many(ids), key=lambda u: u.username)
        start = max(page, 0) * max(per_page, 0)
        return users[start:start + max(per_page, 0)]

    async def get_team(self, team_id: str) -> Team:
        return await self.s.directory.team(team_id, "GetTeam")

    def _user_ctx(self, user: User) -> Ctx:
        session = Session(id="", token="", create_at=0, expires_at=0, last_activity_at=0, user_id=user.id,
                          roles=user.roles)
        return Ctx(session=session)

    def _perms(self) -> PermissionService:
        if self.s.perms is None:
            raise AppError("HasPermissionTo", "plugin.api.permissions.app_error", "Permission checks are not "
                           "available.", 500)
        return self.s.perms

    async def has_permission_to(self, user_id: str, permission: str) -> bool:
        """Mattermost's HasPermissionTo: the user's system roles grant ``permission`` (``manage_system``…)."""
        user = await self.get_user(user_id)
        return self._perms().has_system(self._user_ctx(user), permission)

    async def has_permission_to_team(self, user_id: str, team_id: str, permission: str) -> bool:
        """Mattermost's HasPermissionToTeam: through the user's system or team roles."""
        user = await self.get_user(user_id)
        return await self._perms().has_team(self._user_ctx(user), team_id, permission)

    async def has_permission_to_channel(self, user_id: str, channel_id: str, permission: str) -> bool:
        """Mattermost's HasPermissionToChannel: through the user's system, channel or team roles (so a system
        admin holds ``read_channel`` in a channel they are not a member of)."""
        user = await self.get_user(user_id)
        return await self._perms().has_channel(self._user_ctx(user), channel_id, permission)

    async def get_channel_member(self, channel_id: str, user_id: str) -> ChannelMember | None:
        try:
            return await self.s.core.store.channels.get_member(channel_id, user_id)
        except NotFound:
            return None

    async def add_channel_member(self, channel_id: str, user_id: str) -> None:
        await self.s.members.add_member(_trusted(), channel_id, user_id)

    # posts -----------------------------------------------------------------------------------

    async def create_post(self, post: Post) -> Post:
        """Save a post as ``post.user_id`` (usually the plugin's bot), through the normal post path."""
        props = {**(post.props or {}), "from_plugin": True}
        data = PostCreate(channel_id=post.channel_id, message=post.message, root_id=post.root_id,
                          file_ids=list(post.file_ids) or None, props=props, type=post.type,
                          user_id=post.user_id)
        return await self.s.posts.create(_trusted(), data, set_online=False)

    async def update_post(self, post: Post) -> Post:
        return await self.s.posts.patch(_trusted(), post.id, PostPatch(message=post.message, props=post.props))

    async def get_post(self, post_id: str) -> Post:
        return await self.s.directory.post(post_id, "GetPost")

    async def upload_file(self, data: bytes, channel_id: str, filename: str, user_id: str) -> FileInfo:
        """Store a file in a channel as ``user_id`` (Mattermost's UploadFile); attach it with a post's
        ``file_ids``."""
        session = Session(id="", token="", create_at=0, expires_at=0, last_activity_at=0, user_id=user_id)
        ctx = Ctx(session=session, local=True)
        channel = await self.s.files.upload_target(ctx, channel_id)

        async def chunks() -> AsyncIterator[bytes]:
            yield data

        return await self.s.files.upload(ctx, channel, filename, chunks(), content_length=len(data))

    async def send_push_notification(self, notification: dict[str, Any], user_id: str) -> int:
        """Mattermost's SendPushNotification: the push (its fields as the push proxy takes them: ``type``,
        ``sub_type``, ``channel_id``, ``post_id``, ``message``…) to every device of the user; the plugin
        respects the push settings and ``PushNotificationContents`` itself. How many devices the proxy took."""
        try:
            msg = msgspec.convert(notification, PushNotification)
        except msgspec.ValidationError:
            raise invalid_body_param("SendPushNotification", "notification") from None
        if self.s.push is None:
            return 0
        return await self.s.push.send_to_user(user_id, msg)

    async def send_ephemeral_post(self, user_id: str, post: Post) -> Post:
        return await self.s.commands.send_ephemeral(user_id, post.channel_id, post.root_id, post.message,
                                              {**(post.props or {}), "from_plugin": True})

    # key/value store -------------------------------------------------------------------------

    def _key(self, key: str) -> str:
        if not key or len(key) > KV_KEY_MAX:
            raise AppError("KVSet", "app.plugin_store.save.app_error",
                           f"Keys must be 1 to {KV_KEY_MAX} characters.", 400)
        return key

    async def kv_get(self, key: str) -> bytes | None:
        return await self.s.core.store.plugins.get(self.plugin_id, self._key(key), self.s.core.now())

    async def kv_set(self, key: str, value: bytes, expire_in_seconds: int = 0) -> None:
        expire = self.s.core.now() + expire_in_seconds * 1000 if expire_in_seconds > 0 else 0
        await self.s.core.store.plugins.set(self.plugin_id, self._key(key), bytes(value), expire)

    async def kv_compare_and_set(self, key: str, old: bytes | None, new: bytes | None) -> bool:
        return await self.s.core.store.plugins.compare_and_set(self.plugin_id, self._key(key), old, new,
                                                               self.s.core.now())

    async def kv_delete(self, key: str) -> None:
        await self.s.core.store.plugins.delete(self.plugin_id, self._key(key))

    async def kv_delete_all(self) -> None:
        await self.s.core.store.plugins.delete_all(self.plugin_id)

    async def kv_list(self, page: int = 0, per_page: int = 100) -> list[str]:
        return await self.s.core.store.plugins.keys(self.plugin_id, self.s.core.now(), max(page, 0) * per_page,
                                                    per_page)

    # commands, bots, config, events ------------------------------------------------------------

    async def register_command(self, command: Command, items: list[dict[str, str]] | None = None) -> None:
        """A slash command of this plugin; ``items`` ({name, hint, description}) are the choices the
        autocomplete offers for its first argument."""
        trigger = command.trigger.strip().lower().lstrip("/")
        if not trigger or " " in trigger or trigger in BUILT_INS:
            raise AppError("RegisterCommand", "plugin.api.register_command.invalid_trigger",
                           f"The trigger {trigger!r} cannot be registered.", 400)
        taken = self.s.hooks.commands.get((command.team_id, trigger))
        if taken is not None and taken.plugin_id != self.plugin_id:
            raise AppError("RegisterCommand", "plugin.api.register_command.taken",
                           f"The command /{trigger} is registered by the plugin {taken.plugin_id}.", 400)
        cmd = msgspec.structs.replace(command, trigger=trigger, plugin_id=self.plugin_id)
        choices = [AutocompleteItem(str(i.get("name", "")), str(i.get("hint", "")), str(i.get("description", "")))
                   for i in items or [] if isinstance(i, dict) and i.get("name")]
        self.s.hooks.commands[(command.team_id, trigger)] = RegisteredCommand(self.plugin_id, cmd, choices)

    async def unregister_command(self, team_id: str, trigger: str) -> None:
        key = (team_id, trigger.strip().lower().lstrip("/"))
        reg = self.s.hooks.commands.get(key)
        if reg is not None and reg.plugin_id == self.plugin_id:
            del self.s.hooks.commands[key]

    async def ensure_bot(self, username: str, display_name: str = "", description: str = "") -> str:
        bot = await self.s.bots.ensure(username, display_name, description, self.plugin_id)
        return bot.user_id

    async def schedule_job(self, name: str, interval_seconds: float) -> None:
        """Run ``on_scheduled_job(name)`` every ``interval_seconds`` on one node of the cluster."""
        if not name or len(name) > 64 or interval_seconds <= 0:
            raise AppError("ScheduleJob", "plugin.api.schedule_job.invalid", "A job needs a name (at most 64 "
                           "characters) and a positive interval.", 400)
        self.s.schedule(self.plugin_id, name, float(interval_seconds))

    async def unschedule_job(self, name: str) -> None:
        self.s.schedule(self.plugin_id, name, None)

    def get_config(self) -> dict[str, Any]:
        out: dict[str, Any] = msgspec.to_builtins(self.s.core.cfg)
        return out

    def get_plugin_config(self) -> dict[str, Any]:
        return dict(self.s.core.cfg.PluginSettings.Plugins.get(self.plugin_id) or {})

    async def save_plugin_config(self, config: dict[str, Any]) -> None:
        await self.s.save_settings(self.plugin_id, dict(config))

    async def open_interactive_dialog(self, request: dict[str, Any]) -> None:
        """Mattermost's OpenInteractiveDialog: ``{"trigger_id", "url", "dialog": {…}}`` — the trigger id
        from a slash command or a button press; the dialog's ``url`` may be the plugin's own
        (``/plugins/<id>/…``), where its submission then arrives as a POST to ``serve_http``."""
        try:
            req = msgspec.convert(request, OpenDialogRequest)
        except msgspec.ValidationError:
            raise invalid_body_param("OpenInteractiveDialog", "dialog") from None
        await self.s.open_dialog(req)

    def publish_websocket_event(self, event: str, payload: dict[str, Any], *, user_id: str = "",
                                channel_id: str = "", team_id: str = "", connection_id: str = "") -> None:
        """Mattermost's PublishWebSocketEvent: the event reaches clients as ``custom_<plugin id>_<event>``
        (``connection_id``: that one WebSocket connection only)."""
        self.s.core.publish(Event(f"custom_{self.plugin_id}_{event}", dict(payload),
                                  Broadcast(user_id=user_id, channel_id=channel_id, team_id=team_id,
                                            connection_id=connection_id)))

    def publish_plugin_cluster_event(self, event_id: str, data: bytes, target_node_id: str = "") -> None:
        """Mattermost's PublishPluginClusterEvent: ``on_plugin_cluster_event(event_id, data)`` of this
        plugin on the other nodes (``target_node_id``: that node only), over the cluster's event stream;
        never on this node. The events one node publishes reach a plugin in the order they were published."""
        if not event_id or not isinstance(data, bytes | bytearray):
            raise AppError("PublishPluginClusterEvent", "plugin.api.publish_plugin_cluster_event.invalid",
                           "A plugin cluster event needs an id and bytes.", 400)
        self.s.core.publish(Event(PLUGIN_CLUSTER_EVENT, {
            "plugin_id": self.plugin_id, "id": event_id, "data": base64.b64encode(bytes(data)).decode(),
            "from": self.s.node_id, "to": target_node_id}))

    async def get_node_id(self) -> str:
        """This server node's id (Mattermost's plugin status ``ClusterId``)."""
        return self.s.node_id

    def site_url(self) -> str:
        return self.s.core.cfg.ServiceSettings.SiteURL.rstrip("/")

    def log_info(self, msg: str, **kv: Any) -> None:
        self.log.info(msg, **kv)

    def log_error(self, msg: str, **kv: Any) -> None:
        self.log.error(msg, **kv)
