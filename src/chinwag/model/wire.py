"""Turning structs into Mattermost's JSON: omit-empty fields, exact content type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import msgspec

_encoder = msgspec.json.Encoder()


class Wire(msgspec.Struct, kw_only=True):
    """Base of wire structs. ``OMITEMPTY`` names fields Go's ``omitempty`` drops when empty."""

    OMITEMPTY: ClassVar[frozenset[str]] = frozenset()
    #: fields Go sends unless nil (``*bool`` with omitempty: ``false`` is sent)
    OMITNIL: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        return self._omit(msgspec.to_builtins(self))

    def _omit(self, d: dict[str, Any]) -> dict[str, Any]:
        """Drop what Go would not send: empty ``OMITEMPTY`` fields and nil ``OMITNIL`` ones."""
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
        return self._omit(msgspec.structs.asdict(self))


def _walk(value: Any, leaf: Callable[[Wire], dict[str, Any]]) -> Any:
    """Lists, tuples and dicts rebuilt with every wire struct in them replaced by ``leaf(struct)``."""
    if isinstance(value, Wire):
        return leaf(value)
    if isinstance(value, list | tuple):
        return [_walk(v, leaf) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, leaf) for k, v in value.items()}
    return value


def to_jsonable(value: Any) -> Any:
    """Recursively turn wire structs (and lists/dicts of them) into JSON-ready builtins."""
    return _walk(value, lambda w: w.to_dict())


def encode(value: Any) -> bytes:
    return _encoder.encode(_walk(value, lambda w: w.wire_dict()))


def decode_json(raw: bytes) -> Any:
    return msgspec.json.decode(raw)
