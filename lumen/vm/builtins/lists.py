"""List and sequence builtins (§10.6). Sets and tuples are read as lists."""

from __future__ import annotations

import bisect

from lumen.vm.builtins.common import sequence
from lumen.vm.builtins.registry import builtin
from lumen.vm.values import LSet, eq_key, err, ok, total_key, values_equal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@builtin("append", "push")
def append(xs: Any = None, x: Any = None) -> list[Any]:
    if type(xs) is not list:
        return [x]
    return [*xs, x]


@builtin("sort", "sort_asc")
def sort(xs: Any = None) -> list[Any] | None:
    items = sequence(xs)
    return None if items is None else sorted(items, key=total_key)


@builtin("sort_desc")
def sort_desc(xs: Any = None) -> list[Any] | None:
    items = sequence(xs)
    return None if items is None else sorted(items, key=total_key, reverse=True)


@builtin("flatten")
def flatten(xs: Any = None) -> list[Any] | None:
    items = sequence(xs)
    if items is None:
        return None
    flat: list[Any] = []
    for item in items:
        if type(item) is list:
            flat.extend(item)
        else:
            flat.append(item)
    return flat


@builtin("unique")
def unique(xs: Any = None) -> list[Any] | None:
    items = sequence(xs)
    if items is None:
        return None
    seen: set[Any] = set()
    kept: list[Any] = []
    for item in items:
        key = eq_key(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


@builtin("zip")
def zip_(a: Any = None, b: Any = None) -> list[tuple[Any, Any]] | None:
    left, right = sequence(a), sequence(b)
    if left is None or right is None:
        return None
    return list(zip(left, right))


@builtin("enumerate")
def enumerate_(xs: Any = None) -> list[tuple[int, Any]] | None:
    items = sequence(xs)
    return None if items is None else list(enumerate(items))


def _count(n: Any, length: int) -> int | None:
    return min(max(n, 0), length) if type(n) is int else None


@builtin("take")
def take(xs: Any = None, n: Any = None) -> list[Any] | None:
    items = sequence(xs)
    count = None if items is None else _count(n, len(items))
    return None if count is None else items[:count]  # type: ignore[index]


@builtin("drop")
def drop(xs: Any = None, n: Any = None) -> list[Any] | None:
    items = sequence(xs)
    count = None if items is None else _count(n, len(items))
    return None if count is None else items[count:]  # type: ignore[index]


@builtin("first")
def first(xs: Any = None) -> Any:
    items = sequence(xs)
    return items[0] if items else None


@builtin("last")
def last(xs: Any = None) -> Any:
    items = sequence(xs)
    return items[-1] if items else None


@builtin("is_empty")
def is_empty(x: Any = None) -> bool:
    if x is None:
        return True
    if type(x) in (list, tuple, LSet, dict, str):
        return len(x) == 0
    return False


@builtin("chunk")
def chunk(xs: Any = None, n: Any = None) -> list[list[Any]] | None:
    items = sequence(xs)
    if items is None:
        return None
    size = n if type(n) is int and n >= 1 else 1
    return [items[i : i + size] for i in range(0, len(items), size)]


@builtin("window")
def window(xs: Any = None, n: Any = None) -> list[list[Any]] | None:
    items = sequence(xs)
    if items is None or type(n) is not int:
        return None
    if n <= 0 or n > len(items):
        return []
    return [items[i : i + n] for i in range(len(items) - n + 1)]


@builtin("to_list")
def to_list(x: Any = None) -> list[Any]:
    t = type(x)
    if t is list:
        return x
    if t is tuple or t is LSet:
        return list(x)
    if t is dict:
        return [[k, x[k]] for k in sorted(x)]
    if t is str:
        return list(x)
    return [x]


@builtin("binary_search")
def binary_search(xs: Any = None, x: Any = None) -> Any:
    """`ok(index)` when found in a sorted list, else `err(insertion_index)`."""
    items = sequence(xs)
    if items is None:
        return None
    keys = [total_key(item) for item in items]
    index = bisect.bisect_left(keys, total_key(x))
    for candidate in (index, index - 1, index + 1):
        if 0 <= candidate < len(items) and values_equal(items[candidate], x):
            return ok(candidate)
    return err(index)
