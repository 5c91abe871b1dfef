"""``POST /hooks/{id}`` (incoming webhooks) and ``POST /hooks/commands/{id}`` (slash command
response_url) — outside /api/v4, without a session, as in Mattermost."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.routing import Route

from chinwag.app.app import App
from chinwag.app.command import decode_response
from chinwag.model import slack
from chinwag.model.errors import AppError
from chinwag.web.handler import Api, HandlerContext, build_routes

hooks = Api()

_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+$")
_FORM_FIELDS = ("text", "username", "icon_url", "icon_emoji", "channel", "type")


def _ok() -> Response:
    return Response(b"ok", status_code=200, headers={"content-type": "text/plain"})


def _parse_error(detail: str) -> AppError:
    return AppError("IncomingWebhookRequestFromJSON", "model.incoming_hook.parse_data.app_error",
                    "Unable to parse incoming data.", 400, detail)


async def _payload(w: HandlerContext) -> Any:
    """The request's payload as decoded JSON: a form's ``payload=`` field, a multipart form's fields,
    or the JSON body (the Content-Type header is optional)."""
    content_type = w.request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    if media and not _MEDIA_TYPE.match(media):
        raise AppError("incomingWebhook", "api.webhook.incoming.error", "Could not decode the multipart "
                       "payload of incoming webhook.", 400, f"bad content type {content_type!r}")
    if media == "application/x-www-form-urlencoded":
        form = parse_qs((await w.body()).decode("utf-8", "replace"), keep_blank_values=True)
        payload = (form.get("payload") or [w.request.query_params.get("payload", "")])[0]
        return slack.decode_json_lenient(payload.encode())
    if media == "multipart/form-data":
        try:
            multipart = await w.request.form()
        except Exception as e:
            raise AppError("incomingWebhook", "api.webhook.incoming.error", "Could not decode the multipart "
                           "payload of incoming webhook.", 400, str(e)) from None
        data: dict[str, Any] = {}
        if isinstance(multipart.get("payload"), str):
            decoded = slack.decode_json_lenient(str(multipart["payload"]).encode())
            if isinstance(decoded, dict):
                data.update(decoded)
        for key in _FORM_FIELDS:
            value = multipart.get(key)
            if isinstance(value, str):
                data[key] = value
        return data
    return slack.decode_json_lenient(await w.body())


@hooks.route("POST", "/hooks/{hook_id}", auth=False, trust_requester=True)
async def incoming_webhook(w: HandlerContext) -> Response:
    hook_id = w.str_param("hook_id")
    try:
        req = slack.parse_incoming(await _payload(w))
    except slack.PayloadError as e:
        raise _parse_error(str(e)) from None
    await w.app.incoming.handle(hook_id, req)
    return _ok()


@hooks.route("POST", "/hooks/commands/{hook_id}", auth=False, trust_requester=True)
async def command_webhook(w: HandlerContext) -> Response:
    try:
        response = decode_response(w.request.headers.get("content-type", ""), await w.body())
    except slack.PayloadError as e:
        raise AppError("commandWebhook", "web.command_webhook.parse.app_error",
                       "Unable to parse incoming data.", 400, str(e)) from None
    await w.app.commands.handle_webhook(w.str_param("hook_id"), response)
    return _ok()


def hook_routes(app: App) -> list[Route]:
    return build_routes(app, hooks, prefix="")
