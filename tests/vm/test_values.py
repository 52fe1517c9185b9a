"""Value kinds, truthiness, equality, the total order and LSet (§9.1-§9.3, §9.6)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumen.vm.values import (
    INT_MAX,
    INT_MIN,
    BuiltinRef,
    Closure,
    Composed,
    Future,
    LSet,
    Record,
    TraceRef,
    Variant,
    compare_total,
    eq_key,
    err,
    fits_i64,
    is_int,
    ok,
    total_key,
    truthy,
    type_of,
    values_equal,
)

POINT = Record("Point", {"x": 1, "y": 2})


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, "Null"), (True, "Bool"), (1, "Int"), (2**80, "Int"), (1.5, "Float"),
        ("s", "String"), (b"\x01", "Bytes"), ([1], "List"), ((1, 2), "Tuple"),
        (LSet([1]), "Set"), ({"a": 1}, "Map"), (POINT, "Point"),
        (Variant("Shape", "Dot"), "Union"), (ok(1), "Union"),
        (Closure(object(), (), "f"), "Closure"), (BuiltinRef("upper"), "Closure"),
        (Composed(BuiltinRef("a"), BuiltinRef("b")), "Closure"),
        (Future(1), "Future"), (TraceRef("t", 3), "TraceRef"),
    ],
)
def test_type_of(value: object, kind: str) -> None:
    assert type_of(value) == kind


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False), (False, False), (0, False), (0.0, False), (-0.0, False), ("", False),
        ([], False), ((), False), (LSet(), False),
        (True, True), (1, True), (math.nan, True), ("a", True), ([0], True), ({}, True),
        (POINT, True), (Variant(None, "Dot"), True), (BuiltinRef("f"), True), (Future(1), True),
    ],
)
def test_truthiness(value: object, expected: bool) -> None:
    assert truthy(value) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (1, 1.0, True), (math.nan, math.nan, True), (0.0, -0.0, False), (True, 1, False),
        (None, False, False), ([1], (1,), False), ([1, [2, 3]], [1, [2, 3]], True),
        ({"a": 1}, {"a": 1.0}, True), ({"a": 1}, {"b": 1}, False),
        (LSet([1, 2]), LSet([2, 1]), True), (POINT, Record("Point", {"y": 2, "x": 1}), True),
        (POINT, Record("Other", {"x": 1, "y": 2}), False),
        (Variant("A", "T", 1), Variant("B", "T", 1), True), (ok(1), err(1), False),
        (Future(1), Future(1), True), (Future(1), Future(2), False),
        ("a", "a", True), (b"a", "a", False), (2**70, float(2**70), True),
    ],
)
def test_values_equal(a: object, b: object, expected: bool) -> None:
    assert values_equal(a, b) is expected
    assert values_equal(b, a) is expected


def test_closure_equality_is_identity_of_function_and_captures() -> None:
    func = object()
    assert values_equal(Closure(func, (1,), "f"), Closure(func, (1,), "f"))
    assert not values_equal(Closure(func, (1,), "f"), Closure(func, (2,), "f"))
    assert not values_equal(Closure(func, (), "f"), Closure(object(), (), "f"))


def test_int_helpers() -> None:
    assert is_int(3) and not is_int(True) and not is_int(3.0)
    assert fits_i64(INT_MAX) and fits_i64(INT_MIN)
    assert not fits_i64(INT_MAX + 1) and not fits_i64(INT_MIN - 1)


def test_total_order_across_kinds() -> None:
    ordered = [
        None, False, True, -1, 1, 1.0, 1.5, math.nan, "a", "b", b"\x00", [1], [1, 2], (0,),
        LSet([9]), LSet([1, 2]), {"a": 1}, Record("A", {"x": 1}), Record("B", {}),
        Variant(None, "A"), Variant(None, "B", 1), BuiltinRef("f"),
    ]
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            assert compare_total(a, b) == -1, (a, b)
            assert compare_total(b, a) == 1, (a, b)


def test_int_sorts_before_equal_float_and_negative_zero_before_zero() -> None:
    assert compare_total(1, 1.0) == -1
    assert compare_total(-0.0, 0.0) == -1
    assert compare_total(0, -0.0) == -1


def test_lset_sorted_unique_and_membership() -> None:
    s = LSet([3, 1, 2, 3, 1])
    assert list(s) == [1, 2, 3]
    assert 2 in s and 5 not in s and 2.0 in s
    assert list(s.add(0)) == [0, 1, 2, 3]
    assert list(s.remove(2)) == [1, 3]
    assert list(s) == [1, 2, 3], "add/remove return new sets"
    assert list(LSet(["b", 1, None])) == [None, 1, "b"]
    assert len(LSet([[1], [1], (1,)])) == 2
    assert list(LSet([1, 1.0])) == [1]


# --- properties ------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    # -0.0 is left out: Int/Float equality is numeric but 0.0 != -0.0 (§9.3), so equality
    # is not transitive across the three zeros and dedup/sort properties cannot hold there.
    st.floats(allow_nan=True, allow_infinity=True).filter(
        lambda f: f != 0.0 or math.copysign(1.0, f) > 0
    ),
    st.text(max_size=4),
    st.binary(max_size=3),
)


def _containers(children: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.lists(children, max_size=3).map(LSet),
        st.dictionaries(st.text(max_size=2), children, max_size=3),
        st.dictionaries(st.sampled_from("abc"), children, max_size=2).map(
            lambda fields: Record("R", fields)
        ),
        st.tuples(st.sampled_from(["A", "B"]), children).map(lambda p: Variant(None, *p)),
    )


values = st.recursive(scalars, _containers, max_leaves=10)


@given(values)
def test_equality_is_reflexive(v: object) -> None:
    assert values_equal(v, v)


@given(values, values)
def test_equal_values_have_equal_keys(a: object, b: object) -> None:
    if values_equal(a, b):
        assert eq_key(a) == eq_key(b)


@given(values, values)
def test_total_order_is_antisymmetric(a: object, b: object) -> None:
    assert compare_total(a, b) == -compare_total(b, a)
    if compare_total(a, b) == 0:
        assert values_equal(a, b)


@given(values, values, values)
def test_total_order_is_transitive(a: object, b: object, c: object) -> None:
    x, y, z = sorted([a, b, c], key=total_key)
    assert compare_total(x, y) <= 0 and compare_total(y, z) <= 0 and compare_total(x, z) <= 0


@given(st.lists(values, max_size=8))
def test_lset_is_sorted_and_deduplicated(items: list[object]) -> None:
    s = LSet(items)
    elements = list(s)
    assert all(compare_total(a, b) < 0 for a, b in zip(elements, elements[1:]))
    for item in items:
        assert item in s
    for i, a in enumerate(elements):
        assert not any(values_equal(a, b) for b in elements[i + 1 :])
