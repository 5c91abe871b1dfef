"""Integrations: incoming and outgoing webhooks, slash commands, bots and personal access tokens."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from chinwag.model.wire import Wire

DEFAULT_WEBHOOK_USERNAME = "webhook"
TRIGGER_WORDS_EXACT_MATCH = 0
TRIGGER_WORDS_STARTS_WITH = 1
CONTENT_TYPE_JSON = "application/json"
CONTENT_TYPE_FORM = "application/x-www-form-urlencoded"
COMMAND_METHOD_POST = "P"
COMMAND_METHOD_GET = "G"
RESPONSE_TYPE_IN_CHANNEL = "in_channel"
RESPONSE_TYPE_EPHEMERAL = "ephemeral"
RESPONSE_TYPE_COMMENT = "comment"
#: a command's response_url accepts this many follow-ups, within this many milliseconds
COMMAND_WEBHOOK_USES = 5
COMMAND_WEBHOOK_TTL_MS = 30 * 60_000
SESSION_TYPE_USER_ACCESS_TOKEN = "UserAccessToken"


class IncomingWebhook(Wire, kw_only=True):
    id: str = ""
    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0
    user_id: str = ""
    channel_id: str = ""
    team_id: str = ""
    display_name: str = ""
    description: str = ""
    username: str = ""
    icon_url: str = ""
    channel_locked: bool = False


class OutgoingWebhook(Wire, kw_only=True):
    id: str = ""
    token: str = ""
    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0
    creator_id: str = ""
    channel_id: str = ""
    team_id: str = ""
    trigger_words: list[str] = msgspec.field(default_factory=list)
    trigger_when: int = 0
    callback_urls: list[str] = msgspec.field(default_factory=list)
    display_name: str = ""
    description: str = ""
    content_type: str = ""
    username: str = ""
    icon_url: str = ""

    def match(self, first_word: str) -> str | None:
        """The trigger word this hook fires on for a post starting with ``first_word`` (None: no match)."""
        if not first_word:
            return None
        for word in self.trigger_words:
            if self.trigger_when == TRIGGER_WORDS_STARTS_WITH:
                if first_word.startswith(word):
                    return word
            elif word == first_word:
                return word
        return None


class Command(Wire, kw_only=True):
    id: str = ""
    token: str = ""
    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0
    creator_id: str = ""
    team_id: str = ""
    trigger: str = ""
    method: str = ""
    username: str = ""
    icon_url: str = ""
    auto_complete: bool = False
    auto_complete_desc: str = ""
    auto_complete_hint: str = ""
    display_name: str = ""
    description: str = ""
    url: str = ""
    plugin_id: str = ""

    def sanitized(self) -> Command:
        """What Mattermost shows of a command to someone who may only run it."""
        return msgspec.structs.replace(self, token="", creator_id="", method="", url="", username="",
                                       icon_url="")


class CommandWebhook(msgspec.Struct, kw_only=True):
    """One execution's response_url: follow-up responses post as the command's caller."""

    id: str
    create_at: int
    command_id: str
    user_id: str
    channel_id: str
    root_id: str = ""
    use_count: int = 0


class CommandArgs(msgspec.Struct, kw_only=True):
    channel_id: str = ""
    team_id: str = ""
    root_id: str = ""
    parent_id: str = ""
    trigger_id: str = ""
    command: str = ""


class CommandResponse(Wire, kw_only=True):
    response_type: str = ""
    text: str = ""
    username: str = ""
    channel_id: str = ""
    icon_url: str = ""
    type: str = ""
    props: dict[str, Any] | None = None
    goto_location: str = ""
    trigger_id: str = ""
    skip_slack_parsing: bool = False
    attachments: list[dict[str, Any]] | None = None
    extra_responses: list[CommandResponse] | None = None


class Bot(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset({"display_name", "description", "last_icon_update"})

    user_id: str
    username: str = ""
    display_name: str = ""
    description: str = ""
    owner_id: str = ""
    last_icon_update: int = 0
    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0


class BotPatch(msgspec.Struct, kw_only=True):
    username: str | None = None
    display_name: str | None = None
    description: str | None = None


class UserAccessToken(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset({"token"})

    id: str
    token: str = ""
    user_id: str = ""
    description: str = ""
    is_active: bool = True
