"""Declarative mapping between table rows and the msgspec wire structs.

The wire structs (``chinwag.model``) use Mattermost's JSON keys (``create_at``, ``channel_id``); the
tables use Mattermost's lower-case column names (``createat``, ``channelid``). A :class:`RowMap`
pairs a struct with a table and derives the mapping from the struct's fields: field ``create_at``
is column ``createat`` (the underscores dropped). Only the exceptions are written down:

- ``columns``: a field stored under another column name (``explicit_roles`` → ``roles``);
- ``skip``: struct fields that are not stored (filled in by the app, or only on the wire);
- ``read``: a field computed from the row by a Python expression over ``{column}`` placeholders
  (columns of a joined table, derived values); the field's own column, if any, is still written;
- ``write``: columns computed from the struct when writing (``searchtext`` from the message); one
  that is also a field's own column replaces the field's plain value (a list stored as text).

Nullable columns read into a field that does not take ``None`` fall back to the field's default
(``props`` NULL → ``{}``), as the hand-written mappers did with ``or``.

Declaring a map checks it against the table: a struct field with neither a column, a ``read``
expression nor a ``skip`` entry is an error at import time, so a field added to a struct without
a column fails loudly instead of silently never being stored.

Speed: the mappers are generated once as Python source and compiled, so a row costs what a
hand-written mapper costs, or less. :meth:`RowMap.all` reads the result's layout (its column names in
order) once and maps the whole list in one generated list comprehension with positional access —
``[Post(id=r[0], create_at=r[1], …) for r in rows]``, cached per layout; ``RowMap.one`` looks the
columns up by name (``r._mapping["createat"]``), which for a single row is cheaper than reading the
layout. ``bench/rowmap.py`` measures both against the hand-written mappers they replaced."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import msgspec
import sqlalchemy as sa

S = TypeVar("S", bound=msgspec.Struct)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: defaults written as literals in the generated code (immutable, or a fresh literal per call)
_LITERAL_FACTORIES: dict[Any, str] = {dict: "{}", list: "[]"}


def _takes_none(typ: Any) -> bool:
    return typ is None or typ is type(None) or type(None) in getattr(typ, "__args__", ())


class RowMap(Generic[S]):
    """Maps rows of ``table`` (or of a select over it) to ``struct`` and back."""

    def __init__(
        self,
        struct: type[S],
        table: sa.Table,
        *,
        columns: Mapping[str, str] | None = None,
        skip: Iterable[str] = (),
        read: Mapping[str, str] | None = None,
        write: Mapping[str, Callable[[S], Any]] | None = None,
    ) -> None:
        self.struct = struct
        self.table = table
        renames = dict(columns or {})
        skipped = set(skip)
        reads = dict(read or {})
        self._write_extra = dict(write or {})
        self._ns: dict[str, Any] = {"_S": struct}
        fields = {f.name: f for f in msgspec.structs.fields(struct)}
        for name in (*renames, *skipped, *reads):
            if name not in fields:
                raise ValueError(f"{struct.__name__} has no field {name!r}")
        for name in self._write_extra:
            if name not in table.c:
                raise ValueError(f"{table.name} has no column {name!r}")
        #: (field, column) pairs stored in the table, in struct order
        self.stored: list[tuple[str, str]] = []
        #: (field, expression template) for reading
        self._read: list[tuple[str, str]] = []
        missing = []
        for name, f in fields.items():
            if name in skipped:
                continue
            col_name = renames.get(name, name.replace("_", ""))
            col = table.c.get(col_name)
            if col is not None:
                self.stored.append((name, col_name))
            if name in reads:
                self._read.append((name, reads[name]))
            elif col is not None:
                self._read.append((name, self._plain(f, col)))
            else:
                missing.append(name)
        if missing:
            raise ValueError(f"{struct.__name__} fields without a column in {table.name} "
                             f"(map them with columns=/read= or list them in skip=): {', '.join(missing)}")
        #: column names written by values(), in table order
        order = {c.name: i for i, c in enumerate(table.c)}
        self._write = sorted([(c, f"s.{name}") for name, c in self.stored if c not in self._write_extra]
                             + [(c, f"_w_{c}(s)") for c in self._write_extra],
                             key=lambda cv: order[cv[0]])
        for c, fn in self._write_extra.items():
            self._ns[f"_w_{c}"] = fn
        src = "def values(s):\n    return {" + ", ".join(f"{c!r}: {expr}" for c, expr in self._write) + "}\n"
        exec(compile(src, f"<rowmap {struct.__name__} values>", "exec"), self._ns)
        self.values: Callable[[S], dict[str, Any]] = self._ns["values"]
        self._layouts: dict[tuple[str, ...], tuple[Callable[[Any], S], Callable[[Sequence[Any]], list[S]]]] = {}
        # one row by column name: the table's columns must be in the row, joined ones may be missing
        by_name = [f"{name}=" + _PLACEHOLDER.sub(
            lambda m: f"m[{m[1]!r}]" if m[1] in table.c else f"m.get({m[1]!r})", template)
            for name, template in self._read]
        # looking up a dozen names is cheaper than reading the row's layout for a single row; a
        # select of only some of the table's columns goes by its layout
        src = (f"def one(r):\n    m = r._mapping\n    try:\n        return _S({', '.join(by_name)})\n"
               f"    except KeyError:\n        return _by_layout(r)\n")
        self._ns["_by_layout"] = self._one_by_layout
        exec(compile(src, f"<rowmap {struct.__name__} one>", "exec"), self._ns)
        #: the struct for one result row
        self.one: Callable[[Any], S] = self._ns["one"]

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns ``values()`` writes, in table order."""
        return tuple(c for c, _ in self._write)

    def _plain(self, f: Any, col: sa.Column[Any]) -> str:
        """``{column}``, with the field's default for NULL when the field does not take None."""
        expr = "{" + col.name + "}"
        if not col.nullable or _takes_none(f.type):
            return expr
        if f.default_factory is not msgspec.NODEFAULT:
            literal = _LITERAL_FACTORIES.get(f.default_factory)
            if literal is None:
                self._ns[f"_d_{f.name}"] = f.default_factory
                literal = f"_d_{f.name}()"
            return f"({expr} or {literal})"
        if f.default is not msgspec.NODEFAULT:
            if isinstance(f.default, str | int | float | bool | bytes):
                return f"({expr} or {f.default!r})"
            self._ns[f"_v_{f.name}"] = f.default
            return f"({expr} or _v_{f.name})"
        return expr

    def _compile(self, keys: tuple[str, ...]) -> tuple[Callable[[Any], S], Callable[[Sequence[Any]], list[S]]]:
        index: dict[str, int] = {}
        for i, k in enumerate(keys):
            index.setdefault(k, i)
        args = []
        for name, template in self._read:
            cols = _PLACEHOLDER.findall(template)
            if not any(c in index for c in cols):
                continue  # none of its columns in this result: the field keeps its default
            expr = _PLACEHOLDER.sub(lambda m: f"r[{index[m[1]]}]" if m[1] in index else "None", template)
            args.append(f"{name}={expr}")
        call = f"_S({', '.join(args)})"
        src = f"def one(r):\n    return {call}\ndef many(rows):\n    return [{call} for r in rows]\n"
        ns = dict(self._ns)
        exec(compile(src, f"<rowmap {self.struct.__name__} {','.join(keys)}>", "exec"), ns)
        fns = (ns["one"], ns["many"])
        self._layouts[keys] = fns
        return fns

    def _one_by_layout(self, row: Any) -> S:
        keys = row._fields
        fns = self._layouts.get(keys) or self._compile(keys)
        return fns[0](row)

    def all(self, rows: Sequence[Any]) -> list[S]:
        """The structs for a list of result rows (all from the same result)."""
        if not rows:
            return []
        keys = rows[0]._fields
        fns = self._layouts.get(keys) or self._compile(keys)
        return fns[1](rows)
