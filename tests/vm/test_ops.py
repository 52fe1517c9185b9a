"""Operator semantics (§7.7-§7.11, §9.3-§9.7), including exact error messages."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumen.vm import ops
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.values import INT_MAX, INT_MIN, LSet, Record, Variant, ok

MAX, MIN = INT_MAX, INT_MIN


def same(a: object, b: object) -> bool:
    """Exact equality including the Python type and float sign/NaN."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return (math.isnan(a) and math.isnan(b)) or (  # type: ignore[arg-type]
            a == b and math.copysign(1, a) == math.copysign(1, b)  # type: ignore[arg-type]
        )
    return a == b


@pytest.mark.parametrize(
    ("op", "a", "b", "result"),
    [
        (ops.add, 1, 2, 3), (ops.add, 5, 3.0, 8.0), (ops.add, 2.5, -1, 1.5),
        (ops.add, "n=", 3, "n=3"), (ops.add, 2.5, ",", "2.5,"), (ops.add, "x", None, "xnull"),
        (ops.add, "a", ["b"], "a[b]"), (ops.add, [1], [2], [1, 2]),
        (ops.add, 99999999999999999999 * 3, 1, 299999999999999999998),
        (ops.sub, 0.5, 1.25, -0.75), (ops.sub, 2.5, 1, 1.5), (ops.mul, 3, 0.5, 1.5),
        (ops.mul, 99999999999999999999, 3, 299999999999999999997),
        (ops.div, 7, 2, 3), (ops.div, -7, 2, -3), (ops.div, 7, -2, -3), (ops.div, -7, -2, 3),
        (ops.div, 10, 4.0, 2.5), (ops.div, 1.0, 0.0, math.inf), (ops.div, -1.0, 0.0, -math.inf),
        (ops.div, 0.0, 0.0, math.nan), (ops.div, 1, 0.0, math.inf), (ops.div, 1.0, -0.0, -math.inf),
        (ops.floordiv, 7, 2, 3), (ops.floordiv, -7, 2, -4), (ops.floordiv, 7, -2, -3),
        (ops.floordiv, -7, -2, 4), (ops.floordiv, 7.5, 2.0, 3.0), (ops.floordiv, -7.0, 2.0, -4.0),
        (ops.floordiv, 1.0, 0.0, math.inf),
        (ops.mod, 7, 3, 1), (ops.mod, -7, 3, 2), (ops.mod, 7, -3, 1), (ops.mod, -7, -3, 2),
        (ops.mod, 9, 3, 0), (ops.mod, -7.5, 2.0, 0.5), (ops.mod, 7.5, -2.0, 1.5),
        (ops.mod, 7.5, 2.0, 1.5), (ops.mod, 1.0, 0.0, math.nan),
        (ops.pow_, 2, 10, 1024), (ops.pow_, 5, 0, 1), (ops.pow_, -3, 3, -27),
        (ops.pow_, 2.0, 3.0, 8.0), (ops.pow_, 2, 0.5, math.sqrt(2)), (ops.pow_, 0.0, -1.0, math.inf),
        (ops.pow_, -8.0, 1 / 3, math.nan), (ops.pow_, 10.0, 400.0, math.inf),
        (ops.pow_, -1, 10**30, 1), (ops.pow_, 2, 62, 2**62),
        (ops.concat, "ab", "cd", "abcd"), (ops.concat, "abcd", 5, "abcd5"),
        (ops.concat, [1], [2], [1, 2]), (ops.concat, 1, 2, "12"),
        (ops.band, 12, 10, 8), (ops.bor, 12, 10, 14), (ops.bxor, 12, 10, 6),
        (ops.shl, 1, 4, 16), (ops.shr, 256, 3, 32), (ops.shr, -16, 2, -4), (ops.shl, 1, 63, MIN),
    ],
)
def test_binary_operators(op: Callable[[Any, Any], Any], a: Any, b: Any, result: Any) -> None:
    assert same(op(a, b), result)


def test_unary_operators() -> None:
    assert ops.neg(5) == -5 and same(ops.neg(0.0), -0.0) and ops.neg(MAX) == -MAX
    assert ops.bnot(5) == -6


@pytest.mark.parametrize(
    ("thunk", "kind", "message"),
    [
        (lambda: ops.add(MAX, 1), "overflow", "integer overflow in addition"),
        (lambda: ops.sub(MIN, 1), "overflow", "integer overflow in subtraction"),
        (lambda: ops.mul(2**62, 2), "overflow", "integer overflow in multiplication"),
        (lambda: ops.pow_(2, 63), "overflow", "integer overflow in exponentiation"),
        (lambda: ops.pow_(2, -1), "overflow", "integer overflow in exponentiation"),
        (lambda: ops.pow_(3, 10**18), "overflow", "integer overflow in exponentiation"),
        (lambda: ops.neg(MIN), "overflow", "integer overflow in negation"),
        (lambda: ops.div(10, 0), "division", "division by zero"),
        (lambda: ops.floordiv(10, 0), "division", "division by zero"),
        (lambda: ops.mod(10, 0), "division", "division by zero"),
        (lambda: ops.div(MIN, -1), "overflow", "integer overflow in division"),
        (lambda: ops.shl(1, 64), "overflow", "shift amount out of range (must be 0..63)"),
        (lambda: ops.shr(1, -1), "overflow", "shift amount out of range (must be 0..63)"),
        (lambda: ops.sub("x", 1), "type",
         "type error at runtime: arithmetic on non-numeric types: String - Int"),
        (lambda: ops.add(None, 1), "type",
         "type error at runtime: arithmetic on non-numeric types: Null + Int"),
        (lambda: ops.add(True, 1), "type",
         "type error at runtime: arithmetic on non-numeric types: Bool + Int"),
        (lambda: ops.neg("x"), "type", "type error at runtime: cannot negate x"),
        (lambda: ops.band(1.0, 1), "type", "type error at runtime: bitwise and requires integers"),
        (lambda: ops.bnot(True), "type", "type error at runtime: bitwise not requires integers"),
        (lambda: ops.index_get([1, 2, 3], 3), "index",
         "runtime error: index 3 out of bounds for list of length 3"),
        (lambda: ops.index_get((1,), -2), "index",
         "runtime error: index -2 out of bounds for tuple of length 1"),
        (lambda: ops.index_set([1], 5, 0), "index",
         "runtime error: index 5 out of bounds for list of length 1"),
        (lambda: ops.index_set([1], "a", 0), "type",
         "type error at runtime: list index must be an integer, got String"),
        (lambda: ops.index_set(5, 0, 0), "type", "type error at runtime: cannot assign by index on Int"),
        (lambda: ops.iterate("abc"), "type", "type error at runtime: cannot iterate over String"),
        (lambda: ops.expect_schema(1, "String"), "type", "value 1 does not match schema String"),
    ],
)
def test_operator_errors(thunk: Callable[[], Any], kind: str, message: str) -> None:
    with pytest.raises(LumenRuntimeError) as raised:
        thunk()
    assert (raised.value.kind, raised.value.message) == (kind, message)


def test_big_integers_never_trap() -> None:
    big = 2**70
    assert ops.add(big, MAX) == big + MAX
    assert ops.sub(-big, MAX) == -big - MAX
    assert ops.neg(big) == -big


@pytest.mark.parametrize(
    ("a", "b", "lt", "le"),
    [
        (1, 2, True, True), (2, 2, False, True), (2.5, 2, False, False), (1, 1.5, True, True),
        ("apple", "banana", True, True), ("Zebra", "apple", True, True), ("ab", "abc", True, True),
        ("b", "a", False, False), (1, "a", False, False), (None, 1, False, False),
        ([1], [2], False, False), (math.nan, 1.0, False, False),
    ],
)
def test_ordering(a: Any, b: Any, lt: bool, le: bool) -> None:
    assert ops.lt(a, b) is lt and ops.le(a, b) is le
    assert ops.gt(b, a) is lt and ops.ge(b, a) is le


def test_ordering_of_other_kinds_is_false_both_ways() -> None:
    for op in (ops.lt, ops.le, ops.gt, ops.ge):
        assert op("1", 1) is False and op(1, "1") is False and op([1], [1]) is False


def test_equality_and_spaceship() -> None:
    assert ops.eq(1, 1.0) and ops.ne(None, False) and not ops.eq([1], (1,))
    assert [ops.spaceship(1, 2), ops.spaceship(2, 2), ops.spaceship(3, 2)] == [-1, 0, 1]
    assert ops.spaceship("b", "a") == 1


@pytest.mark.parametrize(
    ("x", "container", "expected"),
    [
        (2, [1, 2, 3], True), (3, (3, 4), True), ("x", [], False), (2.0, [2], True),
        ("k", {"k": 1}, True), (1, {"1": "a"}, True), (5, LSet([1, 2]), False),
        (2, LSet([1, 2]), True), ("ell", "hello", True), ("z", "hello", False),
        ("", "abc", True), (1, "a1", True), (1, 5, False), (1, None, False),
    ],
)
def test_contains(x: Any, container: Any, expected: bool) -> None:
    assert ops.contains(container, x) is expected


def test_index_get() -> None:
    xs = [10, 20, 30, 40]
    assert [ops.index_get(xs, i) for i in (0, -1, -2, -4)] == [10, 40, 30, 10]
    assert ops.index_get("héllo", 1) == "é"
    assert ops.index_get({"a": 1}, "a") == 1 and ops.index_get({"1": "a"}, 1) == "a"
    assert ops.index_get({"a": 1}, "zzz") is None
    assert ops.index_get(Record("P", {"f": 3}), "f") == 3
    assert ops.index_get(Record("P", {"f": 3}), "g") is None
    assert ops.index_get(LSet([3, 1, 2]), 0) == 1
    assert ops.index_get(None, 0) is None and ops.index_get(5, 0) is None


def test_index_set_copies() -> None:
    xs = [1, 2, 3]
    assert ops.index_set(xs, 1, 20) == [1, 20, 3] and ops.index_set(xs, -1, 99) == [1, 2, 99]
    assert xs == [1, 2, 3]
    m = {"a": 1}
    assert ops.index_set(m, "z", 26) == {"a": 1, "z": 26} and ops.index_set(m, 1, 0)["1"] == 0
    assert m == {"a": 1}
    p = Record("P", {"x": 1})
    assert ops.index_set(p, "x", 5).fields == {"x": 5} and p.fields == {"x": 1}
    assert ops.set_attr(p, "x", 7).fields == {"x": 7} and p.fields == {"x": 1}


def test_attribute_and_positional_access() -> None:
    assert ops.get_attr(Record("P", {"x": 3}), "x") == 3
    assert ops.get_attr({"b": 2}, "b") == 2 and ops.get_attr({"b": 2}, "z") is None
    assert ops.get_attr(5, "x") is None and ops.get_attr(None, "x") is None
    assert ops.pos_access((1, "a", True), 2) is True
    assert ops.pos_access(Variant(None, "Rect", (2.0, 3.0)), 1) == 3.0
    assert ops.pos_access(ok(5), 0) == 5 and ops.pos_access(ok(5), 1) is None


def test_ranges() -> None:
    assert ops.make_range(1, 5) == [1, 2, 3, 4]
    assert ops.make_range(5, 1) == [] and ops.make_range(0, 3, inclusive=True) == [0, 1, 2, 3]
    with pytest.raises(LumenRuntimeError):
        ops.make_range(1.0, 3)


@pytest.mark.parametrize(
    ("value", "type_name", "expected"),
    [
        (1, "Int", True), (1, "int", True), (True, "Int", False), (1.0, "Float", True),
        ("s", "String", True), ("s", "string", True), (True, "Bool", True), (None, "Null", True),
        (b"", "Bytes", True), ([1], "List", True), ([1], "list", True), ({}, "Map", True),
        (LSet(), "Set", True), ((), "Tuple", True), ([1], "Tuple", False),
        (Record("Point", {}), "Point", True), (Record("Point", {}), "Other", False),
        (Variant("Shape", "Dot"), "Shape", True), (Variant("Shape", "Dot"), "Dot", True),
        (Variant("Shape", "Dot"), "Disc", False), (ok(1), "ok", True), (1, "Any", True),
        ([1], "list[Int]", True),
    ],
)
def test_is_type(value: Any, type_name: str, expected: bool) -> None:
    assert ops.is_type(value, type_name) is expected


def test_is_type_with_enum_lookup() -> None:
    assert ops.is_type(Variant(None, "Dot"), "Shape", {"Dot": "Shape"})


def test_as_convert() -> None:
    assert ops.as_convert("42", "Int") == 42 and ops.as_convert(3.9, "Int") == 3
    assert ops.as_convert(2, "Float") == 2.0 and ops.as_convert([1], "String") == "[1]"
    assert ops.as_convert("", "Bool") is False and ops.as_convert([1], "Point") == [1]


def test_expect_schema_returns_value() -> None:
    p = Record("Point", {"x": 1})
    assert ops.expect_schema(p, "Point") is p and ops.expect_schema([1], "List") == [1]


def test_iterate() -> None:
    assert ops.iterate([1, 2]) == [1, 2] and ops.iterate((1, 2)) == [1, 2]
    assert ops.iterate(LSet([3, 1])) == [1, 3]
    assert ops.iterate({"b": 2, "a": 1}) == [("a", 1), ("b", 2)]


i64 = st.integers(min_value=MIN, max_value=MAX)


@given(i64, i64.filter(lambda b: b != 0))
def test_euclidean_division_identity(a: int, b: int) -> None:
    if a == MIN and b == -1:
        return
    q, r = ops.floordiv(a, b), ops.mod(a, b)
    assert a == b * q + r and 0 <= r < abs(b)
    assert ops.div(a, b) == int(a / b) if abs(a) < 2**52 else True


@given(i64, i64)
def test_checked_addition(a: int, b: int) -> None:
    if MIN <= a + b <= MAX:
        assert ops.add(a, b) == a + b
    else:
        with pytest.raises(LumenRuntimeError):
            ops.add(a, b)


def test_float_floor_division_and_remainder_zero_signs() -> None:
    assert same(ops.floordiv(-0.0, 1.0), -0.0) and same(ops.floordiv(-0.5, 1.0), -1.0)
    assert same(ops.mod(-0.0, 2.0), 0.0) and same(ops.mod(-4.0, 2.0), 0.0)
    assert ops.pow is ops.pow_
