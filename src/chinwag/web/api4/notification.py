"""Mobile push: device registration on the session, and the apps' acknowledgement of a push."""

from __future__ import annotations

from typing import Any

import msgspec

from chinwag.model.push import PushNotificationAck
from chinwag.web.api4 import api
from chinwag.web.handler import HandlerContext
from chinwag.web.responses import ok


class _Device(msgspec.Struct):
    device_id: str = ""


@api.route("PUT", "/users/sessions/device")
async def attach_device_id(w: HandlerContext) -> Any:
    body = await w.json(_Device, "device_id")
    await w.app.push_notifications.attach_device(w.ctx, body.device_id)
    return ok()


@api.route("POST", "/notifications/ack")
async def push_notification_ack(w: HandlerContext) -> Any:
    ack = await w.json(PushNotificationAck, "ack")
    msg = await w.app.push_notifications.ack(w.ctx, ack)
    return msg.to_dict() if msg is not None else ok()
