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


def _direct(cls: type[Wire]) -> bool:
    """Whether msgspec's own encoding of the struct writes what ``wire_dict`` would: the class shapes
    nothing itself (no ``to_dict``/``wire_dict`` of its own, no omitted fields), and msgspec's struct
    encoding is a dict of every field under its attribute name in declaration order (no renames, tags,
    arrays, omitted defaults or fields that may be UNSET)."""
    if cls.wire_dict is not Wire.wire_dict or cls.to_dict is not Wire.to_dict or cls.OMITEMPTY or cls.OMITNIL:
        return False
    cfg = cls.__struct_config__
    if cfg.omit_defaults or cfg.array_like or cfg.tag is not None or cfg.tag_field is not None:
        return False
    if cls.__struct_encode_fields__ != cls.__struct_fields__:
        return False
    return not any("Unset" in repr(f.type) or f.default is msgspec.UNSET for f in msgspec.structs.fields(cls))


def _same(w: Wire) -> Any:
    return w


#: per wire class, what ``encode`` writes for one of its values: the struct itself when msgspec
#: encodes it as ``wire_dict`` would (no dict built at all), else its ``wire_dict``
_WIRE_LEAF: dict[type, Callable[[Any], Any]] = {}


def _wire_leaf(w: Wire) -> Any:
    cls = type(w)
    leaf = _WIRE_LEAF.get(cls)
    if leaf is None:
        leaf = _WIRE_LEAF[cls] = _same if _direct(cls) else cls.wire_dict
    return leaf(w)


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
    if isinstance(value, Wire):  # the common case, one struct: no walk
        return _encoder.encode(_wire_leaf(value))
    return _encoder.encode(_walk(value, _wire_leaf))


def decode_json(raw: bytes) -> Any:
    return msgspec.json.decode(raw)
