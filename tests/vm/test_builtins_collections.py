"""List, higher-order, map/record and set builtins (§10.6-§10.9)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumen.vm.builtins import lookup
from lumen.vm.values import LSet, Record, compare_total, err, ok, total_key


class FakeContext:
    """A stand-in for the VM: Python callables act as Lumen function values."""

    program_args: list[str] = []

    def __init__(self) -> None:
        self.rng = random.Random(1)
        self.calls = 0

    def call(self, fn_value: Any, args: list[Any]) -> Any:
        self.calls += 1
        return fn_value(*args)

    def write_stdout(self, text: str) -> None:
        pass

    def write_stderr(self, text: str) -> None:
        pass

    def read_stdin_line(self) -> str:
        return ""


def call(name: str, *args: Any, ctx: FakeContext | None = None) -> Any:
    spec = lookup(name)
    assert spec is not None, name
    if spec.needs_context:
        return spec.fn(ctx or FakeContext(), *args)
    return spec.fn(*args)


def even(x: int) -> bool:
    return x % 2 == 0


P1 = Record("P", {"a": 1, "b": 2})
P2 = Record("P", {"b": 20, "c": 3})

CASES: list[tuple[str, tuple[Any, ...], Any]] = [
    ("append", ([3, 1, 2], 4), [3, 1, 2, 4]), ("push", ([], 1), [1]), ("append", (None, 1), [1]),
    ("sort", ([4, 1, 3, 1, 2],), [1, 1, 2, 3, 4]), ("sort", (["c", "a", "b"],), ["a", "b", "c"]),
    ("sort", (["b", 2, None, True, "a", 1, False],), [None, False, True, 1, 2, "a", "b"]),
    ("sort_asc", ((2, 1),), [1, 2]), ("sort_desc", ([1, 3, 2],), [3, 2, 1]), ("sort", (5,), None),
    ("reverse", ([1, 2, 3],), [3, 2, 1]),
    ("flatten", ([[1, 2], [3], [4]],), [1, 2, 3, 4]), ("flatten", ([[1, [2]], 3],), [1, [2], 3]),
    ("unique", ([3, 1, 3, 2, 1],), [3, 1, 2]), ("unique", ([1, 1.0, "1"],), [1, "1"]),
    ("zip", ([1, 2, 3], ["a", "b"]), [(1, "a"), (2, "b")]),
    ("enumerate", (["x", "y"],), [(0, "x"), (1, "y")]),
    ("take", ([10, 20, 30, 40, 50], 2), [10, 20]), ("drop", ([10, 20, 30, 40, 50], 3), [40, 50]),
    ("take", ([1, 2], 5), [1, 2]), ("take", ([1, 2], -1), []), ("drop", ([1, 2], 9), []),
    ("first", ([10, 20],), 10), ("last", ([10, 20],), 20), ("first", ([],), None),
    ("last", ([],), None), ("first", (LSet([3, 2]),), 2),
    ("is_empty", ([],), True), ("is_empty", ([1],), False), ("is_empty", ("",), True),
    ("is_empty", ({},), True), ("is_empty", (None,), True), ("is_empty", (0,), False),
    ("is_empty", (LSet(),), True), ("is_empty", ((),), True),
    ("chunk", ([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]), ("chunk", ([1, 2], 0), [[1], [2]]),
    ("window", ([1, 2, 3, 4, 5], 3), [[1, 2, 3], [2, 3, 4], [3, 4, 5]]),
    ("window", ([1, 2], 0), []), ("window", ([1, 2], 3), []),
    ("to_list", ((1, 2),), [1, 2]), ("to_list", (LSet([2, 1]),), [1, 2]),
    ("to_list", ({"b": 2, "a": 1},), [["a", 1], ["b", 2]]), ("to_list", ("ab",), ["a", "b"]),
    ("to_list", (5,), [5]), ("to_list", ([1],), [1]),
    ("binary_search", ([1, 3, 5], 3), ok(1)), ("binary_search", ([1, 3, 5], 4), err(2)),
    ("binary_search", ([], 4), err(0)), ("binary_search", ([1, 3], 9), err(2)),
    ("binary_search", ([1.0, 3], 1), ok(0)),
    ("contains", ([1, 2], 2), True),
    # maps and records
    ("keys", ({"b": 2, "a": 1},), ["a", "b"]), ("values", ({"b": 2, "a": 1},), [1, 2]),
    ("entries", ({"b": 2, "a": 1},), [("a", 1), ("b", 2)]), ("map_sorted_keys", ({"z": 0, "y": 0},), ["y", "z"]),
    ("keys", (Record("P", {"y": 1, "x": 2}),), ["x", "y"]), ("values", (Record("P", {"y": 1, "x": 2}),), [2, 1]),
    ("has_key", ({"a": 1}, "a"), True), ("has_key", ({"a": 1}, "z"), False),
    ("has_key", ({"1": 1}, 1), True), ("has_key", (P1, "a"), True), ("has_key", (5, "a"), False),
    ("merge", ({"b": 2, "a": 1}, {"b": 20, "c": 3}), {"a": 1, "b": 20, "c": 3}),
    ("merge", (P1, P2), Record("P", {"a": 1, "b": 20, "c": 3})), ("merge", (P1, {"a": 1}), None),
    ("remove", ({"b": 2, "a": 1}, "a"), {"b": 2}), ("remove", ({"1": 2}, 1), {}),
    ("remove", (LSet([1, 2, 3]), 2), LSet([1, 3])), ("remove", ([1], 1), None),
    ("json_get", ({"a": [1]}, "a"), [1]), ("json_get", ([5, 6], 1), 6),
    # sets
    ("to_set", ([3, 1, 2, 1],), LSet([1, 2, 3])), ("to_set", ("abc",), None),
    ("add", (LSet([1, 2, 3]), 4), LSet([1, 2, 3, 4])), ("add", (LSet(), 7), LSet([7])),
    ("contains", (LSet([1, 2]), 2), True),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES)
def test_builtin(name: str, args: tuple[Any, ...], expected: Any) -> None:
    result = call(name, *args)
    assert type(result) is type(expected)
    assert result == expected


HIGHER_ORDER: list[tuple[str, tuple[Any, ...], Any]] = [
    ("map", ([1, 2, 3], lambda x: x * 2), [2, 4, 6]),
    ("map", ({"b": 2, "a": 1}, lambda kv: kv[0] * kv[1]), ["a", "bb"]),
    ("map", (LSet([3, 1]), lambda x: x), [1, 3]),
    ("filter", ([1, 2, 3], even), [2]), ("filter", ([0, 1, "", "a"], lambda x: x), [1, "a"]),
    ("reduce", ([1, 2, 3], lambda a, b: a + b, 0), 6),
    ("reduce", ([2, 3, 4], lambda a, b: a * b, 1), 24),
    ("reduce", ([], lambda a, b: a + b, 9), 9),
    ("flat_map", ([1, 2], lambda x: [x, x]), [1, 1, 2, 2]),
    ("flat_map", ([1, 2], lambda x: (x,)), [(1,), (2,)]),
    ("any", ([1, 3, 4, 7], even), True), ("all", ([1, 3, 4, 7], even), False),
    ("any", ([], even), False), ("all", ([], even), True), ("any", ([0, 2], None), True),
    ("find", ([1, 3, 4, 7], even), 4), ("find", ([1, 3, 4, 7], lambda x: x > 10), None),
    ("position", ([1, 3, 4, 7], even), 2), ("position", ([1, 3, 4, 7], lambda x: x > 10), -1),
    ("group_by", (["apple", "banana", "avocado"], lambda w: w[:1]),
     {"a": ["apple", "avocado"], "b": ["banana"]}),
    ("group_by", ([1, 2, 3], even), {"false": [1, 3], "true": [2]}),
    ("partition", ([1, 2, 3, 4], even), ([2, 4], [1, 3])),
    ("sort_by", ([3, 1, 2], lambda a, b: b - a), [3, 2, 1]),
    ("sort_by", ([3, 1, 2], lambda a, b: "x"), [3, 1, 2]),
    ("map", (5, lambda x: x), None),
]


@pytest.mark.parametrize(("name", "args", "expected"), HIGHER_ORDER)
def test_higher_order(name: str, args: tuple[Any, ...], expected: Any) -> None:
    assert call(name, *args) == expected


def test_any_and_all_short_circuit() -> None:
    ctx = FakeContext()
    assert call("any", [2, 1, 1, 1], even, ctx=ctx) is True
    assert ctx.calls == 1
    ctx = FakeContext()
    assert call("all", [1, 2, 2], even, ctx=ctx) is False
    assert ctx.calls == 1


def test_builtins_do_not_mutate_arguments() -> None:
    xs = [3, 1, 2]
    m = {"b": 2, "a": 1}
    for name, args in [
        ("sort", (xs,)), ("append", (xs, 4)), ("reverse", (xs,)), ("sort_desc", (xs,)),
        ("take", (xs, 1)), ("drop", (xs, 1)), ("unique", (xs,)), ("to_list", (xs,)),
        ("merge", (m, {"c": 3})), ("remove", (m, "a")),
    ]:
        call(name, *args)
    assert xs == [3, 1, 2] and m == {"b": 2, "a": 1}


mixed = st.one_of(
    st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False, min_value=-5, max_value=5),
    st.text(max_size=2), st.none(), st.booleans(),
)


@given(st.lists(mixed, max_size=12))
def test_sort_is_ordered_and_idempotent(xs: list[Any]) -> None:
    once = call("sort", xs)
    assert all(compare_total(a, b) <= 0 for a, b in zip(once, once[1:]))
    assert call("sort", once) == once and [total_key(x) for x in call("sort", once)] == [
        total_key(x) for x in once
    ]


@given(st.lists(st.tuples(st.integers(0, 3), st.integers()), max_size=12))
def test_sort_by_is_stable(pairs: list[tuple[int, int]]) -> None:
    result = call("sort_by", pairs, lambda a, b: a[0] - b[0])
    assert result == sorted(pairs, key=lambda p: p[0])


@given(st.lists(st.integers(-20, 20), max_size=15), st.integers(-25, 25))
def test_binary_search_agrees_with_membership(xs: list[int], x: int) -> None:
    ordered = sorted(xs)
    found = call("binary_search", ordered, x)
    if x in ordered:
        assert found.tag == "ok" and ordered[found.payload] == x
    else:
        assert found.tag == "err" and sorted([*ordered, x]).index(x) == found.payload
