"""Push notifications as the push proxy (Mattermost's HPNS/MPNS) takes them, and the mobile
apps' acknowledgement."""

from __future__ import annotations

import msgspec

PUSH_TYPE_MESSAGE = "message"
PUSH_TYPE_CLEAR = "clear"
PUSH_TYPE_UPDATE_BADGE = "update_badge"
PUSH_MESSAGE_V2 = "v2"
CATEGORY_CAN_REPLY = "CAN_REPLY"
PUSH_STATUS_OK = "OK"
PUSH_STATUS_REMOVE = "REMOVE"
PUSH_STATUS_FAIL = "FAIL"


class PushNotification(msgspec.Struct, kw_only=True, omit_defaults=True):
    ack_id: str = ""
    platform: str = ""
    server_id: str = ""
    device_id: str = ""
    post_id: str = ""
    category: str = ""
    sound: str = ""
    message: str = ""
    badge: int = 0
    cont_ava: int = 0
    team_id: str = ""
    channel_id: str = ""
    root_id: str = ""
    channel_name: str = ""
    type: str = ""
    #: "calls": a call started in a DM or group message, which the mobile app rings for (the calls plugin's)
    sub_type: str = ""
    sender_id: str = ""
    sender_name: str = ""
    override_username: str = ""
    override_icon_url: str = ""
    from_webhook: str = ""
    version: str = ""
    is_crt_enabled: bool = False
    is_id_loaded: bool = False

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = msgspec.to_builtins(self)
        # the proxy and the apps read these even when false/empty
        out.setdefault("ack_id", self.ack_id)
        out.setdefault("platform", self.platform)
        out.setdefault("server_id", self.server_id)
        out.setdefault("device_id", self.device_id)
        out.setdefault("post_id", self.post_id)
        out["is_crt_enabled"] = self.is_crt_enabled
        out["is_id_loaded"] = self.is_id_loaded
        return out


class PushNotificationAck(msgspec.Struct, kw_only=True):
    id: str = ""
    received_at: int = 0
    platform: str = ""
    type: str = ""
    post_id: str = ""
    is_id_loaded: bool = False


class PushResponse(msgspec.Struct, kw_only=True):
    status: str = ""
    error: str = ""
