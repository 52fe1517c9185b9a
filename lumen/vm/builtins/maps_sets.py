"""Map, record and set builtins (§10.8, §10.9)."""

from __future__ import annotations

from lumen.vm import ops
from lumen.vm.builtins.common import sequence, text
from lumen.vm.builtins.registry import builtin
from lumen.vm.values import LSet, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _entries(m: Any) -> dict[str, Any] | None:
    """The key/value view of a map or record, else None."""
    if type(m) is dict:
        return m
    if type(m) is Record:
        return m.fields
    return None


@builtin("keys", "map_sorted_keys")
def keys(m: Any = None) -> list[str] | None:
    entries = _entries(m)
    return None if entries is None else sorted(entries)


@builtin("values")
def values(m: Any = None) -> list[Any] | None:
    entries = _entries(m)
    return None if entries is None else [entries[k] for k in sorted(entries)]


@builtin("entries")
def entries(m: Any = None) -> list[tuple[str, Any]] | None:
    found = _entries(m)
    return None if found is None else [(k, found[k]) for k in sorted(found)]


@builtin("has_key")
def has_key(m: Any = None, k: Any = None) -> bool:
    found = _entries(m)
    return found is not None and text(k) in found


@builtin("merge")
def merge(a: Any = None, b: Any = None) -> Any:
    if type(a) is dict and type(b) is dict:
        return {**a, **b}
    if type(a) is Record and type(b) is Record and a.type_name == b.type_name:
        return Record(a.type_name, {**a.fields, **b.fields})
    return None


@builtin("remove")
def remove(container: Any = None, k: Any = None) -> Any:
    """A map without key `string(k)`, or a set without `k`."""
    if type(container) is dict:
        key = text(k)
        return {name: v for name, v in container.items() if name != key}
    if type(container) is LSet:
        return container.remove(k)
    return None


@builtin("json_get")
def json_get(m: Any = None, k: Any = None) -> Any:
    return ops.index_get(m, k)


@builtin("to_set")
def to_set(xs: Any = None) -> LSet | None:
    items = sequence(xs)
    return None if items is None else LSet(items)


@builtin("add")
def add(s: Any = None, x: Any = None) -> LSet | None:
    return s.add(x) if type(s) is LSet else None
