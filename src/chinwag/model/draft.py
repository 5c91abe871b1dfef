"""Server-side drafts (Mattermost's model/draft.go keys): what a user has typed but not sent in a
channel (``root_id`` "") or a thread, kept per user so every device of theirs shows it."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from chinwag.model.errors import N_, AppError
from chinwag.model.ids import is_valid_id
from chinwag.model.wire import Wire

#: Mattermost takes the message column's size in bytes over four (VARCHAR(65535) → 16383 characters)
DRAFT_MESSAGE_MAX_RUNES = 16383
#: the JSON text of file_ids, props and priority (Mattermost's PostFileidsMaxRunes, PostPropsMaxRunes)
DRAFT_FILEIDS_MAX_RUNES = 300
DRAFT_PROPS_MAX_RUNES = 800000


def _json_len(value: Any) -> int:
    return len(msgspec.json.encode(value).decode())


class Draft(Wire, kw_only=True):
    OMITEMPTY: ClassVar[frozenset[str]] = frozenset({"file_ids", "priority"})
    OMITNIL: ClassVar[frozenset[str]] = frozenset({"metadata"})

    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0
    user_id: str = ""
    channel_id: str = ""
    root_id: str = ""
    message: str = ""
    type: str = ""
    props: dict[str, Any] | None = None
    file_ids: list[str] | None = None
    #: {"files": [FileInfo…]} of the draft's attached files (filled by the app, not stored)
    metadata: dict[str, Any] | None = None
    priority: dict[str, Any] | None = None

    def pre_save(self, now: int) -> None:
        """Mattermost's PreSave: a new draft takes ``now`` as its creation time, a known one as its update
        time; props become ``{}`` and the file ids lose their repeats."""
        if self.create_at == 0:
            self.create_at = self.update_at = now
        else:
            self.update_at = now
        self.delete_at = 0
        if self.props is None:
            self.props = {}
        self.file_ids = list(dict.fromkeys(self.file_ids or []))

    def validate(self, where: str = "Drafts.IsValid") -> None:
        """Mattermost's Draft.IsValid (after ``pre_save``)."""
        detail = f"channelid={self.channel_id}"
        if len(self.message) > DRAFT_MESSAGE_MAX_RUNES:
            raise AppError(where, "model.draft.is_valid.message_length.app_error",
                           "Draft Message property is longer than the maximum permitted length.", 400, detail,
                           {"Length": len(self.message), "MaxLength": DRAFT_MESSAGE_MAX_RUNES})
        checks = [
            (self.create_at == 0, "create_at", N_("Create at must be a valid time.")),
            (self.update_at == 0, "update_at", N_("Update at must be a valid time.")),
            (not is_valid_id(self.user_id), "user_id", N_("Invalid user id.")),
            (not is_valid_id(self.channel_id), "channel_id", N_("Invalid channel id.")),
            (self.root_id != "" and not is_valid_id(self.root_id), "root_id", N_("Invalid root id.")),
            (_json_len(self.file_ids or []) > DRAFT_FILEIDS_MAX_RUNES, "file_ids", N_("Invalid file ids.")),
            (_json_len(self.props) > DRAFT_PROPS_MAX_RUNES, "props", N_("Invalid props.")),
            (_json_len(self.priority) > DRAFT_PROPS_MAX_RUNES, "priority", N_("Invalid priority")),
        ]
        for failed, field, message in checks:
            if failed:
                raise AppError(where, f"model.draft.is_valid.{field}.app_error", message, 400,
                               "" if field in ("user_id", "channel_id", "root_id") else detail)
