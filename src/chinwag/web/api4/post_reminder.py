"""/users/{user_id}/posts/{post_id}/reminder: "Remind me" on a post (Team Edition). Acknowledgements
(/users/{user_id}/posts/{post_id}/ack) need a Professional licence in Mattermost: see enterprise.py."""

from __future__ import annotations

from typing import Any

from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


@api.route("POST", "/users/{user_id}/posts/{post_id}/reminder")
async def set_post_reminder(w: HandlerContext) -> Any:
    post_id = w.id_param("post_id")
    user_id = w.user_param()
    await w.app.post_reminders.set(w.ctx, user_id, post_id, await w.body())
    return ok()
