"""Higher-order builtins (§10.7, plus `sort_by` and `partition` of §10.6).

They call back into Lumen through `ctx.call`; tests of the callable's result use
truthiness (§9.2). Maps are visited as (key, value) tuples, sets in ascending order.
"""

from __future__ import annotations

import functools

from lumen.vm.builtins.common import elements
from lumen.vm.builtins.registry import BuiltinContext, builtin
from lumen.vm.render import plain
from lumen.vm.values import truthy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _test(ctx: BuiltinContext, f: Any, x: Any) -> bool:
    return truthy(x if f is None else ctx.call(f, [x]))


@builtin("map", context=True)
def map_(ctx: BuiltinContext, xs: Any = None, f: Any = None) -> list[Any] | None:
    items = elements(xs)
    return None if items is None else [ctx.call(f, [x]) for x in items]


@builtin("filter", context=True)
def filter_(ctx: BuiltinContext, xs: Any = None, f: Any = None) -> list[Any] | None:
    items = elements(xs)
    return None if items is None else [x for x in items if _test(ctx, f, x)]


@builtin("reduce", context=True)
def reduce_(ctx: BuiltinContext, xs: Any = None, f: Any = None, init: Any = None) -> Any:
    items = elements(xs)
    if items is None:
        return None
    accumulator = init
    for x in items:
        accumulator = ctx.call(f, [accumulator, x])
    return accumulator


@builtin("flat_map", context=True)
def flat_map(ctx: BuiltinContext, xs: Any = None, f: Any = None) -> list[Any] | None:
    items = elements(xs)
    if items is None:
        return None
    result: list[Any] = []
    for x in items:
        produced = ctx.call(f, [x])
        if type(produced) is list:
            result.extend(produced)
        else:
            result.append(produced)
    return result


@builtin("any", context=True)
def any_(ctx: BuiltinContext, xs: Any = None, f: Any = None) -> bool | None:
    items = elements(xs)
    return None if items is None else any(_test(ctx, f, x) for x in items)


@builtin("all", context=True)
def all_(ctx: BuiltinContext, xs: Any = None, f: Any = None) -> bool | None:
    items = elements(xs)
    return None if items is None else all(_test(ctx, f, x) for x in items)


@builtin("find", context=True)
def find(ctx: BuiltinContext, xs: Any = None, f: Any = None) -> Any:
    for x in elements(xs) or ():
        if _test(ctx, f, x):
            return x
    return None


@builtin("position", context=True)
def position(ctx: BuiltinContext, xs: Any = None, f: Any = None) -> int:
    for index, x in enumerate(elements(xs) or ()):
        if _test(ctx, f, x):
            return index
    return -1


@builtin("group_by", context=True)
def group_by(ctx: BuiltinContext, xs: Any = None, f: Any = None) -> dict[str, list[Any]] | None:
    items = elements(xs)
    if items is None:
        return None
    groups: dict[str, list[Any]] = {}
    for x in items:
        groups.setdefault(plain(ctx.call(f, [x])), []).append(x)
    return groups


@builtin("partition", context=True)
def partition(ctx: BuiltinContext, xs: Any = None, f: Any = None) -> Any:
    items = elements(xs)
    if items is None:
        return None
    selected: list[Any] = []
    rest: list[Any] = []
    for x in items:
        (selected if _test(ctx, f, x) else rest).append(x)
    return (selected, rest)


@builtin("sort_by", context=True)
def sort_by(ctx: BuiltinContext, xs: Any = None, cmp: Any = None) -> list[Any] | None:
    """Stable sort; `cmp(a, b) > 0` puts `a` after `b` (non-Int results count as 0)."""
    items = elements(xs)
    if items is None:
        return None

    def compare(a: Any, b: Any) -> int:
        result = ctx.call(cmp, [a, b])
        return result if type(result) is int else 0

    return sorted(items, key=functools.cmp_to_key(compare))
