"""What webhooks, slash commands and bots share: posting as an integration (Mattermost's
CreateWebhookPost), Slack text processing, the outbound HTTP client that refuses internal addresses,
and background tasks that run off the request path."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

import msgspec
import structlog

from chinwag.app.background import BackgroundTasks
from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.directory import Directory
from chinwag.app.outbound import OutboundHttp
from chinwag.app.permissions import PermissionService
from chinwag.app.post import PostService
from chinwag.model import permissions, slack
from chinwag.model.channel import Channel
from chinwag.model.errors import AppError, invalid_param
from chinwag.model.integration import DEFAULT_WEBHOOK_USERNAME
from chinwag.model.post import POST_MESSAGE_MAX_RUNES, POST_TYPE_SLACK_ATTACHMENT, Post, PostCreate
from chinwag.model.user import Session

log = structlog.get_logger("chinwag.integrations")

def user_ctx(session_user_id: str, roles: str, *, trusted: bool = False) -> Ctx:
    """A context acting as ``session_user_id`` (``trusted``: skip permission checks, as Mattermost
    does for posts an integration makes on its creator's behalf)."""
    session = Session(id="", token="", create_at=0, expires_at=0, last_activity_at=0, user_id=session_user_id,
                      roles=roles)
    return Ctx(session=session, local=trusted)


class IntegrationCore:
    """Posting as an integration, Slack text processing and background tasks."""

    def __init__(
        self,
        core: AppCore,
        directory: Directory,
        perms: PermissionService,
        posts: PostService,
    ) -> None:
        self.core = core
        self.directory = directory
        self.perms = perms
        self.posts = posts
        self.http = OutboundHttp(core)
        self._background = BackgroundTasks("integration")

    # background tasks --------------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        self._background.spawn(coro, what)

    async def drain(self) -> None:
        """Wait for running background work (tests and shutdown)."""
        await self._background.drain()

    async def close(self) -> None:
        await self._background.cancel()
        await self.http.close()

    # Slack text --------------------------------------------------------------------------------

    async def process_slack_text(self, text: str) -> str:
        """Mattermost's ProcessSlackText: announcements and ``<@user>`` references."""
        text = slack.expand_announcements(text)
        refs = slack.user_refs(text)
        if not refs:
            return text
        store = self.core.store
        names: dict[str, str] = {}
        for u in await store.users.get_many([r for r in refs if len(r) == 26]):
            names[u.id] = u.username
        for u in await store.users.get_many_by_usernames(sorted(refs)):
            names[u.username] = u.username
        return slack.replace_user_refs(text, names)

    async def process_attachments(self, attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for a in attachments:
            for key in ("pretext", "text", "title"):
                if a.get(key):
                    a[key] = await self.process_slack_text(a[key])
            for f in a.get("fields") or []:
                if isinstance(f.get("value"), str):
                    f["value"] = await self.process_slack_text(f["value"])
        return attachments

    # posting as an integration ------------------------------------------------------------------

    async def create_webhook_post(
        self,
        user_id: str,
        channel: Channel,
        text: str,
        *,
        override_username: str = "",
        override_icon_url: str = "",
        override_icon_emoji: str = "",
        props: dict[str, Any] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        post_type: str = "",
        root_id: str = "",
        priority: dict[str, Any] | None = None,
        where: str = "CreateWebhookPost",
    ) -> list[Post]:
        """Mattermost's CreateWebhookPost: links to Markdown, override props, attachments, and text
        longer than a post split over several posts (attachments on the last). Every piece is checked
        before the first is saved, so a bad payload creates no post."""
        s = self.core.cfg.ServiceSettings
        text = slack.links_to_markdown(text)
        if priority is not None and not priority.get("priority"):
            raise invalid_param(where, "webhook.priority.priority",
                                "Setting the priority of a post is required to use priority.")
        if post_type.startswith("system_"):
            raise invalid_param(where, "post.type")
        if post_type not in ("", POST_TYPE_SLACK_ATTACHMENT) and not post_type.startswith("custom_"):
            raise AppError(where, "model.post.is_valid.type.app_error", "Invalid type.", 400)
        base: dict[str, Any] = {"from_webhook": "true"}
        if s.EnablePostUsernameOverride:
            base["override_username"] = override_username or DEFAULT_WEBHOOK_USERNAME
        if s.EnablePostIconOverride:
            if override_icon_url:
                base["override_icon_url"] = override_icon_url
            if override_icon_emoji:
                base["override_icon_emoji"] = override_icon_emoji
        for key, val in (props or {}).items():
            if key not in ("attachments", "override_icon_url", "override_username", "from_webhook"):
                base[key] = val
        if attachments:
            if not post_type:
                post_type = POST_TYPE_SLACK_ATTACHMENT
            slack.map_attachment_text(attachments, slack.links_to_markdown, ("text", "pretext"))
        pieces = self._split(text, base, attachments or [], where)
        user = await self.directory.user(user_id, where)
        trusted = user_ctx(user.id, user.roles, trusted=True)
        metadata = {"priority": priority} if priority is not None else None
        sender_name = str(base.get("override_username", ""))
        created: list[Post] = []
        for message, piece_props in pieces:
            data = PostCreate(channel_id=channel.id, message=message, root_id=root_id, props=piece_props,
                              type=post_type, metadata=metadata)
            created.append(await self.posts.create(trusted, data, from_webhook=True,
                                                        sender_name=sender_name))
        return created

    def _split(self, text: str, base: dict[str, Any], attachments: list[dict[str, Any]],
               where: str) -> list[tuple[str, dict[str, Any]]]:
        limit = slack.POST_PROPS_MAX_USER_RUNES
        too_big = AppError(where, "web.incoming_webhook.split_props_length.app_error",
                           "Unable to split webhook props into {Max} character parts.", 400,
                           params={"Max": limit})
        if _json_len(base) > limit:
            raise too_big
        pieces: list[tuple[str, dict[str, Any]]] = [
            (t, dict(base)) for t in slack.split_runes(text, POST_MESSAGE_MAX_RUNES)]
        for attachment in attachments:
            current = dict(attachment)
            while True:
                props = pieces[-1][1]
                existing = list(props.get("attachments") or [])
                candidate = {**props, "attachments": [*existing, current]}
                size = _json_len(candidate)
                if size <= limit:
                    pieces[-1] = (pieces[-1][0], candidate)
                    break
                if existing:
                    pieces.append(("", dict(base)))
                    continue
                excess = size - limit
                body = str(current.get("text") or "")
                if len(body) < excess:
                    raise too_big
                current["text"] = body[: len(body) - excess]
                pieces[-1] = (pieces[-1][0], {**props, "attachments": [current]})
                break
        return pieces

    async def check_can_post(self, user_id: str, channel: Channel, where: str, error_id: str) -> None:
        """Private channels and DMs need the integration's creator to read the channel."""
        if channel.type == "O":
            return
        user = await self.directory.user(user_id, where)
        ctx = user_ctx(user.id, user.roles)
        if not await self.perms.has_channel(ctx, channel.id, permissions.READ_CHANNEL_CONTENT, channel.team_id):
            raise AppError(where, error_id, "The integration's creator cannot post in this channel.", 403)


def _json_len(value: Any) -> int:
    return len(msgspec.json.encode(value).decode())
