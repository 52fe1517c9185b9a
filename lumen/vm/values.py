"""Runtime values (§9.1) and the value-level semantics every stage shares.

Python objects stand for Lumen values directly (ARCHITECTURE.md): `None`, `bool`, `int`,
`float`, `str`, `bytes`, `list`, `tuple`, `dict[str, value]`, plus the classes below.
This module defines equality (§9.3), truthiness (§9.2) and the total order (§9.6).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


def is_int(v: object) -> bool:
    """True for a Lumen Int (a Python bool is a Lumen Bool, not an Int)."""
    return type(v) is int


def is_number(v: object) -> bool:
    return type(v) is int or type(v) is float


def fits_i64(n: int) -> bool:
    return INT_MIN <= n <= INT_MAX


# --- non-primitive values ---------------------------------------------------------------


class Record:
    """A record, agent or process instance: a type name and its fields."""

    __slots__ = ("type_name", "fields")

    def __init__(self, type_name: str, fields: dict[str, Any]) -> None:
        self.type_name = type_name
        self.fields = fields

    def copy_with(self, **changes: Any) -> Record:
        return Record(self.type_name, {**self.fields, **changes})

    def with_field(self, name: str, value: Any) -> Record:
        fields = dict(self.fields)
        fields[name] = value
        return Record(self.type_name, fields)

    def __eq__(self, other: object) -> bool:
        return values_equal(self, other)

    def __hash__(self) -> int:
        return hash(eq_key(self))

    def __repr__(self) -> str:
        return f"Record({self.type_name!r}, {self.fields!r})"


class Variant:
    """An enum variant or `ok`/`err` (enum_name "result"); payload None, a value or a tuple."""

    __slots__ = ("enum_name", "tag", "payload")

    def __init__(self, enum_name: str | None, tag: str, payload: Any = None) -> None:
        self.enum_name = enum_name
        self.tag = tag
        self.payload = payload

    def payload_items(self) -> tuple[Any, ...]:
        """The payload as a tuple of field values (empty when there is none)."""
        if self.payload is None:
            return ()
        if type(self.payload) is tuple:
            return self.payload
        return (self.payload,)

    def __eq__(self, other: object) -> bool:
        return values_equal(self, other)

    def __hash__(self) -> int:
        return hash(eq_key(self))

    def __repr__(self) -> str:
        return f"Variant({self.enum_name!r}, {self.tag!r}, {self.payload!r})"


def ok(value: Any) -> Variant:
    return Variant("result", "ok", value)


def err(value: Any) -> Variant:
    return Variant("result", "err", value)


def is_result(v: object) -> bool:
    return type(v) is Variant and v.enum_name == "result" and v.tag in ("ok", "err")


class Closure:
    """A lambda or cell as a value; `func` is the VM's opaque function handle."""

    __slots__ = ("func", "captures", "name")

    def __init__(self, func: object, captures: tuple[Any, ...] = (), name: str = "<lambda>"):
        self.func = func
        self.captures = captures
        self.name = name

    def __eq__(self, other: object) -> bool:
        return values_equal(self, other)

    def __hash__(self) -> int:
        return hash(eq_key(self))

    def __repr__(self) -> str:
        return f"Closure({self.name!r})"


class BuiltinRef:
    """A builtin named as a value (`map(xs, upper)`)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return type(other) is BuiltinRef and other.name == self.name

    def __hash__(self) -> int:
        return hash(("BuiltinRef", self.name))

    def __repr__(self) -> str:
        return f"BuiltinRef({self.name!r})"


class ToolRef:
    """A tool alias named as a value (`let f = Chat`): calling it is a call of the tool
    under the alias's grants (lumen/vm/tool_calls.py)."""

    __slots__ = ("alias",)

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __eq__(self, other: object) -> bool:
        return type(other) is ToolRef and other.alias == self.alias

    def __hash__(self) -> int:
        return hash(("ToolRef", self.alias))

    def __repr__(self) -> str:
        return f"ToolRef({self.alias!r})"


class Composed:
    """`first ~> second`: calling it computes `second(first(x))`."""

    __slots__ = ("first", "second")

    def __init__(self, first: Any, second: Any) -> None:
        self.first = first
        self.second = second

    def __eq__(self, other: object) -> bool:
        return values_equal(self, other)

    def __hash__(self) -> int:
        return hash(eq_key(self))

    def __repr__(self) -> str:
        return f"Composed({self.first!r}, {self.second!r})"


FUTURE_STATES = ("pending", "completed", "error")


class Future:
    """A spawned computation; the scheduler mutates `state`, `value` and `error`."""

    __slots__ = ("id", "state", "value", "error")

    def __init__(self, id: int, state: str = "pending", value: Any = None, error: Any = None):
        self.id = id
        self.state = state
        self.value = value
        self.error = error

    def __eq__(self, other: object) -> bool:
        return type(other) is Future and other.id == self.id

    def __hash__(self) -> int:
        return hash(("Future", self.id))

    def __repr__(self) -> str:
        return f"Future({self.id}, {self.state!r})"


class TraceRef:
    """An opaque reference to a trace position (§16.11)."""

    __slots__ = ("trace_id", "position")

    def __init__(self, trace_id: str, position: int) -> None:
        self.trace_id = trace_id
        self.position = position

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is TraceRef
            and other.trace_id == self.trace_id
            and other.position == self.position
        )

    def __hash__(self) -> int:
        return hash(("TraceRef", self.trace_id, self.position))

    def __repr__(self) -> str:
        return f"TraceRef({self.trace_id!r}, {self.position})"


FUNCTION_TYPES = (Closure, BuiltinRef, Composed, ToolRef)


def is_callable_value(v: object) -> bool:
    return type(v) in FUNCTION_TYPES


class LSet:
    """An immutable set: unique by equality (§9.3), iterated in the total order (§9.6)."""

    __slots__ = ("_items", "_members")

    def __init__(self, elements: Iterable[Any] = ()) -> None:
        seen: dict[Any, Any] = {}
        for element in elements:
            key = eq_key(element)
            if key not in seen:
                seen[key] = element
        items = sorted(seen.values(), key=total_key)
        self._items: tuple[Any, ...] = tuple(items)
        self._members: frozenset[Any] = frozenset(seen)

    @classmethod
    def _from_sorted_unique(cls, items: tuple[Any, ...], members: frozenset[Any]) -> LSet:
        new = cls.__new__(cls)
        new._items = items
        new._members = members
        return new

    @property
    def items(self) -> tuple[Any, ...]:
        return self._items

    def __contains__(self, value: object) -> bool:
        return eq_key(value) in self._members

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Any:
        return self._items[index]

    def add(self, value: Any) -> LSet:
        if value in self:
            return self
        return LSet((*self._items, value))

    def remove(self, value: Any) -> LSet:
        key = eq_key(value)
        if key not in self._members:
            return self
        items = tuple(e for e in self._items if eq_key(e) != key)
        return LSet._from_sorted_unique(items, self._members - {key})

    def __eq__(self, other: object) -> bool:
        return values_equal(self, other)

    def __hash__(self) -> int:
        return hash(self._members)

    def __repr__(self) -> str:
        return f"LSet({list(self._items)!r})"


# --- kinds, truthiness, equality ---------------------------------------------------------

_SIMPLE_KIND_NAMES: dict[type, str] = {
    type(None): "Null",
    bool: "Bool",
    int: "Int",
    float: "Float",
    str: "String",
    bytes: "Bytes",
    list: "List",
    tuple: "Tuple",
    LSet: "Set",
    dict: "Map",
    Variant: "Union",
    Closure: "Closure",
    BuiltinRef: "Closure",
    Composed: "Closure",
    ToolRef: "Closure",
    Future: "Future",
    TraceRef: "TraceRef",
}


def type_of(v: object) -> str:
    """The §9.1 kind name; a record reports its type name."""
    if type(v) is Record:
        return v.type_name
    return _SIMPLE_KIND_NAMES.get(type(v), "Unknown")


def truthy(v: object) -> bool:
    """§9.2: null, false, 0, 0.0, "" and empty lists/tuples/sets are false."""
    if v is None or v is False:
        return False
    t = type(v)
    if t is int or t is float:
        return v != 0
    if t is str or t is list or t is tuple or t is LSet:
        return len(v) > 0  # type: ignore[arg-type]
    return True


def float_bits(f: float) -> int:
    return struct.unpack("<q", struct.pack("<d", f))[0]


def values_equal(a: object, b: object) -> bool:
    """Structural equality (§9.3)."""
    ta, tb = type(a), type(b)
    if ta is float or tb is float:
        if ta is float and tb is float:
            return a == b and a != 0.0 or float_bits(a) == float_bits(b)  # type: ignore[arg-type]
        if ta is int or tb is int:
            return a == b
        return False
    if ta is not tb:
        return False
    if ta in (int, str, bytes, bool, type(None)):
        return a == b
    if ta is list or ta is tuple:
        return len(a) == len(b) and all(  # type: ignore[arg-type]
            values_equal(x, y) for x, y in zip(a, b)  # type: ignore[call-overload]
        )
    if ta is dict:
        if a.keys() != b.keys():  # type: ignore[union-attr]
            return False
        return all(values_equal(v, b[k]) for k, v in a.items())  # type: ignore[union-attr,index]
    if ta is LSet:
        return len(a) == len(b) and all(  # type: ignore[arg-type]
            values_equal(x, y) for x, y in zip(a, b)  # type: ignore[call-overload]
        )
    if ta is Record:
        return a.type_name == b.type_name and values_equal(a.fields, b.fields)  # type: ignore[union-attr]
    if ta is Variant:
        return a.tag == b.tag and values_equal(a.payload, b.payload)  # type: ignore[union-attr]
    if ta is Closure:
        return a.func is b.func and values_equal(a.captures, b.captures)  # type: ignore[union-attr]
    if ta is Composed:
        return values_equal(a.first, b.first) and values_equal(a.second, b.second)  # type: ignore[union-attr]
    return a == b


def eq_key(v: object) -> Any:
    """A hashable key such that equal values (§9.3) get equal keys (sets, unique, group)."""
    t = type(v)
    if t is float:
        if v == v and v != math.inf and v != -math.inf and float(v).is_integer():  # type: ignore[arg-type]
            if v != 0.0 or math.copysign(1.0, v) > 0:  # type: ignore[arg-type]
                return int(v)  # type: ignore[arg-type]
        return ("F", float_bits(v))  # type: ignore[arg-type]
    if t is int or t is str or v is None:
        return v
    if t is bool:
        return ("B", v)
    if t is bytes:
        return ("Y", v)
    if t is list:
        return ("L", tuple(eq_key(e) for e in v))  # type: ignore[attr-defined]
    if t is tuple:
        return ("T", tuple(eq_key(e) for e in v))  # type: ignore[attr-defined]
    if t is LSet:
        return ("S", v._members)  # type: ignore[union-attr]
    if t is dict:
        return ("M", tuple(sorted((k, eq_key(x)) for k, x in v.items())))  # type: ignore[union-attr]
    if t is Record:
        return ("R", v.type_name, eq_key(v.fields))  # type: ignore[union-attr]
    if t is Variant:
        return ("V", v.tag, eq_key(v.payload))  # type: ignore[union-attr]
    if t is Closure:
        return ("C", id(v.func), eq_key(v.captures))  # type: ignore[union-attr]
    if t is Composed:
        return ("K", eq_key(v.first), eq_key(v.second))  # type: ignore[union-attr]
    if t is BuiltinRef:
        return ("N", v.name)  # type: ignore[union-attr]
    if t is ToolRef:
        return ("T", v.alias)  # type: ignore[union-attr]
    if t is Future:
        return ("U", v.id)  # type: ignore[union-attr]
    if t is TraceRef:
        return ("X", v.trace_id, v.position)  # type: ignore[union-attr]
    return ("?", id(v))


# --- total order (§9.6) ------------------------------------------------------------------
# null < bools < numbers < strings < bytes < lists < tuples < sets < maps < records
#   < variants < functions < others

_RANK_NULL, _RANK_BOOL, _RANK_NUMBER, _RANK_STRING, _RANK_BYTES = 0, 1, 2, 3, 4
_RANK_LIST, _RANK_TUPLE, _RANK_SET, _RANK_MAP, _RANK_RECORD = 5, 6, 7, 8, 9
_RANK_VARIANT, _RANK_FUNCTION, _RANK_OTHER = 10, 11, 12


def _number_key(v: int | float) -> tuple[Any, ...]:
    if type(v) is int:
        return (_RANK_NUMBER, 0, v, 0)
    if v != v:
        # NaN sorts after every number; ties among NaNs are broken by bit pattern.
        return (_RANK_NUMBER, 1, 0, float_bits(v))
    # An Int sorts before an equal Float, and -0.0 before 0.0.
    return (_RANK_NUMBER, 0, v, 1 if math.copysign(1.0, v) < 0 else 2)


def total_key(v: object) -> tuple[Any, ...]:
    """A Python-comparable key that realises the total order of §9.6."""
    t = type(v)
    if t is int or t is float:
        return _number_key(v)  # type: ignore[arg-type]
    if t is str:
        return (_RANK_STRING, v)
    if v is None:
        return (_RANK_NULL,)
    if t is bool:
        return (_RANK_BOOL, v)
    if t is bytes:
        return (_RANK_BYTES, v)
    if t is list:
        return (_RANK_LIST, tuple(total_key(e) for e in v))  # type: ignore[attr-defined]
    if t is tuple:
        return (_RANK_TUPLE, tuple(total_key(e) for e in v))  # type: ignore[attr-defined]
    if t is LSet:
        return (_RANK_SET, len(v), tuple(total_key(e) for e in v))  # type: ignore[arg-type]
    if t is dict:
        keys = tuple(sorted(v))  # type: ignore[call-overload]
        return (_RANK_MAP, keys, tuple(total_key(v[k]) for k in keys))  # type: ignore[index]
    if t is Record:
        names = tuple(sorted(v.fields))  # type: ignore[union-attr]
        values = tuple(total_key(v.fields[n]) for n in names)  # type: ignore[union-attr]
        return (_RANK_RECORD, v.type_name, names, values)  # type: ignore[union-attr]
    if t is Variant:
        return (_RANK_VARIANT, v.tag, total_key(v.payload))  # type: ignore[union-attr]
    if t in FUNCTION_TYPES:
        return (_RANK_FUNCTION, function_name(v), id(v))
    if t is Future:
        return (_RANK_OTHER, 0, v.id)  # type: ignore[union-attr]
    if t is TraceRef:
        return (_RANK_OTHER, 1, v.trace_id, v.position)  # type: ignore[union-attr]
    return (_RANK_OTHER, 2, id(v))


def compare_total(a: object, b: object) -> int:
    """-1, 0 or 1 by the total order."""
    ka, kb = total_key(a), total_key(b)
    return -1 if ka < kb else (1 if ka > kb else 0)


def function_name(v: object) -> str:
    """The NAME in `<closure:NAME>`."""
    if type(v) is Closure:
        return v.name  # type: ignore[union-attr]
    if type(v) is BuiltinRef:
        return v.name  # type: ignore[union-attr]
    if type(v) is ToolRef:
        return v.alias  # type: ignore[union-attr]
    return "<lambda>"
