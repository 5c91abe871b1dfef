"""Turning structs into Mattermost's JSON: omit-empty fields, exact content type."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

_encoder = msgspec.json.Encoder()


class Wire(msgspec.Struct, kw_only=True):
    """Base of wire structs. ``OMITEMPTY`` names fields Go's ``omitempty`` drops when empty."""

    OMITEMPTY: ClassVar[frozenset[str]] = frozenset()
    #: fields Go sends unless nil (``*bool`` with omitempty: ``false`` is sent)
    OMITNIL: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = msgspec.to_builtins(self)
        for key in self.OMITEMPTY:
            if key in d and not d[key]:
                del d[key]
        for key in self.OMITNIL:
            if key in d and d[key] is None:
                del d[key]
        return d

    def wire_dict(self) -> dict[str, Any]:
        """What ``encode`` writes: ``to_dict()`` made shallow — nested values are the struct's own (the
        encoder turns nested structs and containers into JSON itself, as ``to_builtins`` would have), so
        it is only for encoding, never to be changed. A class that shapes its own ``to_dict`` keeps it
        unless it shapes ``wire_dict`` too."""
        if type(self).to_dict is not Wire.to_dict:
            return self.to_dict()
        return self._shallow_dict()

    def _shallow_dict(self) -> dict[str, Any]:
        d = msgspec.structs.asdict(self)
        for key in self.OMITEMPTY:
            if key in d and not d[key]:
                del d[key]
        for key in self.OMITNIL:
            if key in d and d[key] is None:
                del d[key]
        return d


def to_jsonable(value: Any) -> Any:
    """Recursively turn wire structs (and lists/dicts of them) into JSON-ready builtins."""
    if isinstance(value, Wire):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def _encodable(value: Any) -> Any:
    """``to_jsonable`` for the encoder only: wire structs by ``wire_dict`` (no deep copies)."""
    if isinstance(value, Wire):
        return value.wire_dict()
    if isinstance(value, list | tuple):
        return [_encodable(v) for v in value]
    if isinstance(value, dict):
        return {k: _encodable(v) for k, v in value.items()}
    return value


def encode(value: Any) -> bytes:
    return _encoder.encode(_encodable(value))


def decode_json(raw: bytes) -> Any:
    return msgspec.json.decode(raw)
