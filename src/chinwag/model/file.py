"""FileInfo and the file API's request/response structs (Mattermost's model/file_info.go keys)."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from chinwag.model.wire import Wire

#: Mattermost's team segment of storage paths for files outside a team (DMs, group messages).
NO_TEAM = "noteam"
THUMBNAIL_WIDTH = 120
THUMBNAIL_HEIGHT = 100
PREVIEW_WIDTH = 1920
MINI_PREVIEW_SIZE = 16
PREVIEW_IMAGE_TYPE = "image/jpeg"


class FileInfo(Wire, kw_only=True):
    """A file's metadata. ``path``, ``thumbnail_path``, ``preview_path`` and ``content`` are internal
    (Mattermost's ``json:"-"`` fields) and never leave the server."""

    OMITEMPTY: ClassVar[frozenset[str]] = frozenset({"post_id", "width", "height", "has_preview_image"})
    INTERNAL: ClassVar[frozenset[str]] = frozenset({"path", "thumbnail_path", "preview_path", "content"})

    id: str
    user_id: str = ""
    post_id: str = ""
    channel_id: str = ""
    create_at: int = 0
    update_at: int = 0
    delete_at: int = 0
    name: str = ""
    extension: str = ""
    size: int = 0
    mime_type: str = ""
    width: int = 0
    height: int = 0
    has_preview_image: bool = False
    mini_preview: bytes | None = None
    remote_id: str | None = None
    archived: bool = False
    path: str = ""
    thumbnail_path: str = ""
    preview_path: str = ""
    content: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        for key in self.INTERNAL:
            d.pop(key, None)
        return d

    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")


class FileUploadResponse(Wire, kw_only=True):
    file_infos: list[FileInfo] = msgspec.field(default_factory=list)
    client_ids: list[str] = msgspec.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"file_infos": [f.to_dict() for f in self.file_infos], "client_ids": list(self.client_ids)}


class FileInfoList(Wire, kw_only=True):
    order: list[str] = msgspec.field(default_factory=list)
    file_infos: dict[str, FileInfo] = msgspec.field(default_factory=dict)
    next_file_info_id: str = ""
    prev_file_info_id: str = ""
    first_inaccessible_file_time: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "order": list(self.order),
            "file_infos": {k: f.to_dict() for k, f in self.file_infos.items()},
            "next_file_info_id": self.next_file_info_id,
            "prev_file_info_id": self.prev_file_info_id,
            "first_inaccessible_file_time": self.first_inaccessible_file_time,
        }


class FileSearchParams(msgspec.Struct, kw_only=True):
    """Mattermost's SearchParameter (every field optional; null means the default)."""

    terms: str | None = None
    is_or_search: bool | None = None
    time_zone_offset: int | None = None
    include_deleted_channels: bool | None = None
    page: int | None = None
    per_page: int | None = None
    channel_id: str | None = None
