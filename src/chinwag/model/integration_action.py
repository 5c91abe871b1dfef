"""Interactive messages and dialogs (Mattermost's model/integration_action.go): buttons and menus in a
post's attachments, the request sent to the integration, and its answer."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import msgspec

from chinwag.model.ids import new_id
from chinwag.model.wire import Wire

ACTION_TYPE_BUTTON = "button"
ACTION_TYPE_SELECT = "select"
#: props kept from the original post when an integration's ``update`` replaces the props
RETAIN_PROP_KEYS = ("from_webhook", "override_username", "override_icon_url")


def actions_of(props: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action (a dict) in ``props.attachments[].actions``."""
    out: list[dict[str, Any]] = []
    attachments = props.get("attachments")
    if not isinstance(attachments, list):
        return out
    for a in attachments:
        if isinstance(a, dict) and isinstance(a.get("actions"), list):
            out += [x for x in a["actions"] if isinstance(x, dict)]
    return out


def generate_action_ids(props: dict[str, Any]) -> dict[str, Any]:
    """Mattermost's Post.GenerateActionIds: an id for every action that has none (in place)."""
    for action in actions_of(props):
        if not action.get("id"):
            action["id"] = new_id()
    return props


def find_action(props: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    return next((a for a in actions_of(props) if a.get("id") == action_id), None)


def strip_action_integrations(props: dict[str, Any]) -> dict[str, Any]:
    """Props as clients see them (Mattermost's StripActionIntegrations): the actions' ``integration``
    (URL and private context) removed. Returns ``props`` itself when there is nothing to strip."""
    if not any("integration" in a for a in actions_of(props)):
        return props
    out = dict(props)
    out["attachments"] = copy.deepcopy(props["attachments"])
    for action in actions_of(out):
        action.pop("integration", None)
    return out


class PostActionCookie(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What the server seals into an action's ``cookie`` so an action on a post that is not stored
    (an ephemeral post) can still be run."""

    type: str = ""
    post_id: str = ""
    root_post_id: str = ""
    channel_id: str = ""
    data_source: str = ""
    integration: dict[str, Any] | None = None
    retain_props: dict[str, Any] | None = None
    remove_props: list[str] | None = None


class DoPostActionRequest(msgspec.Struct, kw_only=True):
    selected_option: str = ""
    cookie: str = ""


class PostActionIntegrationRequest(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset({"context"})

    user_id: str
    user_name: str = ""
    channel_id: str = ""
    channel_name: str = ""
    team_id: str = ""
    team_domain: str = ""
    post_id: str = ""
    trigger_id: str = ""
    type: str = ""
    data_source: str = ""
    context: dict[str, Any] | None = None


class PostActionOption(msgspec.Struct, kw_only=True):
    text: str = ""
    value: str = ""


class DialogElement(msgspec.Struct, kw_only=True, omit_defaults=False):
    """Mattermost's DialogElement: every field is sent, as Go marshals it (the ``omitempty`` ones only
    when set)."""

    display_name: str = ""
    name: str = ""
    type: str = ""
    subtype: str = ""
    default: str = ""
    placeholder: str = ""
    help_text: str = ""
    optional: bool = False
    min_length: int = 0
    max_length: int = 0
    data_source: str = ""
    data_source_url: str | msgspec.UnsetType = msgspec.UNSET
    options: list[PostActionOption] | None = None
    multiselect: bool = False
    refresh: bool | msgspec.UnsetType = msgspec.UNSET
    min_date: str | msgspec.UnsetType = msgspec.UNSET
    max_date: str | msgspec.UnsetType = msgspec.UNSET
    time_interval: int | msgspec.UnsetType = msgspec.UNSET


class Dialog(msgspec.Struct, kw_only=True):
    callback_id: str = ""
    title: str = ""
    introduction_text: str = ""
    icon_url: str = ""
    elements: list[DialogElement] | None = None
    submit_label: str = ""
    notify_on_cancel: bool = False
    state: str = ""
    source_url: str | msgspec.UnsetType = msgspec.UNSET


class OpenDialogRequest(msgspec.Struct, kw_only=True):
    trigger_id: str = ""
    url: str = ""
    dialog: Dialog = msgspec.field(default_factory=Dialog)


class SubmitDialogRequest(msgspec.Struct, kw_only=True):
    type: str = ""
    url: str = ""
    callback_id: str = ""
    state: str = ""
    user_id: str = ""
    channel_id: str = ""
    team_id: str = ""
    submission: dict[str, Any] = msgspec.field(default_factory=dict)
    cancelled: bool = False
