"""A user's custom status (Mattermost's model.CustomStatus): kept as JSON text in the user's
``props["customStatus"]``; the last five set are a preference (``custom_status``/``recent_custom_statuses``)."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

PROPS_KEY = "customStatus"
PREFERENCE_CATEGORY = "custom_status"
PREFERENCE_NAME = "recent_custom_statuses"
TEXT_MAX_RUNES = 100
MAX_RECENT = 5
DEFAULT_EMOJI = "speech_balloon"
DURATIONS = frozenset({"thirty_minutes", "one_hour", "four_hours", "today", "this_week", "date_and_time"})
#: Go's zero time.Time, as Mattermost writes "no expiry"
ZERO_TIME = "0001-01-01T00:00:00Z"


class CustomStatus(msgspec.Struct, kw_only=True, omit_defaults=False):
    emoji: str = ""
    text: str = ""
    duration: str = ""
    expires_at: str = ZERO_TIME

    def expiry(self) -> datetime | None:
        """When it expires, or None for never (the zero time). Raises ValueError when malformed."""
        if not self.expires_at or self.expires_at.startswith("0001-01-01"):
            return None
        at = datetime.fromisoformat(self.expires_at)
        if at.tzinfo is None:
            raise ValueError("expires_at needs a time zone")
        return at

    def expired(self, now: datetime) -> bool:
        try:
            at = self.expiry()
        except ValueError:
            return False
        return at is not None and at < now

    def valid(self, now: datetime) -> bool:
        """Mattermost's AreDurationAndExpirationTimeValid, and a readable expires_at."""
        try:
            at = self.expiry()
        except ValueError:
            return False
        if self.duration == "":
            return at is None or at >= now
        return self.duration in DURATIONS and at is not None and at >= now

    def presave(self, now: datetime) -> None:
        """Mattermost's PreSave: the default emoji, date_and_time for a bare expiry, text cut to 100
        characters; expires_at written in UTC as Go writes times."""
        self.text = self.text[:TEXT_MAX_RUNES]
        if not self.emoji:
            self.emoji = DEFAULT_EMOJI
        at = self.expiry()
        if self.duration == "" and at is not None and at >= now:
            self.duration = "date_and_time"
        self.expires_at = format_time(at) if at is not None else ZERO_TIME

    def encode(self) -> str:
        return msgspec.json.encode(self).decode()


def format_time(at: datetime) -> str:
    """RFC 3339 in UTC with as many fraction digits as needed (Go's RFC3339Nano)."""
    s = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
    return s + "Z"


def decode(value: object) -> CustomStatus | None:
    """The status kept in props (a JSON string), or None when unset, cleared or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return msgspec.json.decode(value, type=CustomStatus)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def decode_recent(value: str) -> list[CustomStatus]:
    try:
        return msgspec.json.decode(value or "[]", type=list[CustomStatus])
    except (msgspec.DecodeError, msgspec.ValidationError):
        return []


def add_recent(recent: list[CustomStatus], cs: CustomStatus) -> list[CustomStatus]:
    """The new status first; an older one with the same text gives way; five at most."""
    return [cs, *[r for r in recent if r.text != cs.text]][:MAX_RECENT]
