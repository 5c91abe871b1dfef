"""Interactive messages and dialogs: /posts/{post_id}/actions/{action_id}, /actions/dialogs/open|submit."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from chinwag.model.errors import invalid_url_param
from chinwag.model.integration_action import DoPostActionRequest, OpenDialogRequest, SubmitDialogRequest
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok

_ACTION_ID = re.compile(r"^[A-Za-z0-9]+$")


@api.route("POST", "/posts/{post_id}/actions/{action_id}")
async def do_post_action(w: HandlerContext) -> Any:
    post_id = w.id_param("post_id")
    action_id = w.str_param("action_id")
    if not _ACTION_ID.match(action_id):
        raise invalid_url_param("ServeHTTP", "action_id")
    try:  # as Mattermost: a body that does not decode is an empty request
        req = msgspec.json.decode(await w.body() or b"{}", type=DoPostActionRequest)
    except (msgspec.DecodeError, msgspec.ValidationError):
        req = DoPostActionRequest()
    trigger_id = await w.app.actions.do_post_action(w.ctx, post_id, action_id, req.selected_option, req.cookie)
    return {"status": "OK", "trigger_id": trigger_id}


@api.route("POST", "/actions/dialogs/open", auth=False)
async def open_dialog(w: HandlerContext) -> Any:
    await w.app.actions.open_dialog(await w.json(OpenDialogRequest, "dialog"))
    return ok()


@api.route("POST", "/actions/dialogs/lookup")
async def lookup_dialog(w: HandlerContext) -> Any:
    return await w.app.actions.lookup_dialog(w.ctx, await w.json(SubmitDialogRequest, "dialog"))


@api.route("POST", "/actions/dialogs/submit")
async def submit_dialog(w: HandlerContext) -> Any:
    return await w.app.actions.submit_dialog(w.ctx, await w.json(SubmitDialogRequest, "dialog"))
