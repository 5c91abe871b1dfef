"""POST /posts/ephemeral: a message only one user sees, sent by an integration or admin with
``create_post_ephemeral`` (Mattermost's createEphemeralPost). Never stored; delivered as the
``ephemeral_message`` event to that user."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.app.context import Ctx
from chinwag.app.core import AppCore
from chinwag.app.permissions import PermissionService
from chinwag.app.signing import SigningService
from chinwag.model import permissions
from chinwag.model.errors import invalid_param
from chinwag.model.ids import is_valid_id, new_id
from chinwag.model.post import POST_TYPE_EPHEMERAL, Post
from chinwag.platform.events import Broadcast, Event


class EphemeralService:
    def __init__(self, core: AppCore, perms: PermissionService, signing: SigningService) -> None:
        self.core = core
        self.perms = perms
        self.signing = signing

    async def send(self, ctx: Ctx, user_id: str, post: dict[str, Any] | None) -> Post:
        where = "createEphemeralPost"
        if not user_id:
            raise invalid_param(where, "user_id")
        if post is None:
            raise invalid_param(where, "post")
        self.perms.require_system(ctx, permissions.CREATE_POST_EPHEMERAL, where)
        channel_id = str(post.get("channel_id") or "")
        root_id = str(post.get("root_id") or "")
        if not is_valid_id(user_id):
            raise invalid_param(where, "user_id")
        if not is_valid_id(channel_id):
            raise invalid_param(where, "channel_id")
        if root_id and not is_valid_id(root_id):
            raise invalid_param(where, "root_id")
        props = post.get("props") if isinstance(post.get("props"), dict) else {}
        now = self.core.now()
        sent = Post(id=new_id(), create_at=now, update_at=now, user_id=ctx.user_id, channel_id=channel_id,
                    root_id=root_id, message=str(post.get("message") or ""), type=POST_TYPE_EPHEMERAL,
                    props=props or {})
        return await self.deliver(user_id, sent)

    async def deliver(self, user_id: str, post: Post) -> Post:
        """Mattermost's SendEphemeralPost: actions get ids and cookies; ``ephemeral_message`` to the user."""
        post.type = POST_TYPE_EPHEMERAL
        await self.signing.add_cookies(post)
        body = msgspec.json.encode(post.to_dict()).decode()
        self.core.publish(Event("ephemeral_message", {"post": body},
                                Broadcast(user_id=user_id, channel_id=post.channel_id)))
        return post
