"""Display, quoted and plain renderings (§9.8) and the CLI's JSON encoding of values."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumen.vm.render import display, dump_contract_json, plain, quoted, to_contract_json
from lumen.vm.values import (
    BuiltinRef,
    Closure,
    Composed,
    Future,
    LSet,
    Record,
    Variant,
    err,
    ok,
)

DOT = Variant("Shape", "Dot")
DISC = Variant("Shape", "Disc", 0.5)
RECT = Variant("Shape", "Rect", (2.0, 3.0))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3.0"), (-0.0, "-0.0"), (100000.0, "100000.0"), (0.1, "0.1"), (2.5, "2.5"),
        (0.1 + 0.2, "0.30000000000000004"), (1e-7, "0.0000001"), (1e15, "1000000000000000"),
        (1e21, "1000000000000000000000"), (math.nan, "NaN"), (math.inf, "inf"),
        (-math.inf, "-inf"), (100.0, "100.0"), (123456789012345.6, "123456789012345.6"),
        (-1.5e-10, "-0.00000000015"),
    ],
)
def test_float_display(value: float, text: str) -> None:
    assert display(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"), (True, "true"), (False, "false"), (-42, "-42"), (2**70, str(2**70)),
        ("hi", "hi"), (b"Hi", 'b"4869"'), ([], "[]"), ({}, "{}"), (LSet(), "set[]"),
        ([1.0, "a", ("b", None)], '[1.0, "a", ("b", null)]'),
        ({"b": 2, "a": 1}, '{"a": 1, "b": 2}'), ((1, "x"), '(1, "x")'),
        (LSet([3, 1, 2]), "set[1, 2, 3]"), ([["a"]], '[["a"]]'),
        (Record("Point", {"y": 2, "x": 1}), "Point(x: 1, y: 2)"), (Record("Empty", {}), "Empty()"),
        (Record("P", {"name": "Ada"}), 'P(name: "Ada")'),
        (DOT, "Dot"), (DISC, "Disc(0.5)"), (RECT, "Rect(2.0, 3.0)"), (ok(5), "ok(5)"),
        (err("boom"), 'err("boom")'), (["a\"b"], '["a"b"]'),
        (Closure(object(), (), "double"), "<closure:double>"),
        (Closure(object(), (), "<lambda>"), "<closure:<lambda>>"),
        (BuiltinRef("upper"), "<closure:upper>"),
        (Composed(BuiltinRef("a"), BuiltinRef("b")), "<closure:<lambda>>"),
        (Future(3, "pending"), "<future:3:pending>"), (Future(4, "completed"), "<future:4:completed>"),
    ],
)
def test_display(value: object, text: str) -> None:
    assert display(value) == text


def test_quoted_wraps_only_strings() -> None:
    assert quoted("a") == '"a"'
    assert quoted(1) == "1"
    assert quoted(["a"]) == '["a"]'


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("a", "a"), (["a", "b"], "[a, b]"), ({"k": "v"}, "{k: v}"), ([["a"]], '[["a"]]'),
        ((1, "z"), "(1, z)"), ([1.0, "a"], "[1.0, a]"), (LSet(["x"]), "set[x]"),
        (Record("P", {"name": "Ada"}), "P(name: Ada)"), (err("boom"), "err(boom)"),
        (Variant(None, "Pair", ("a", "b")), "Pair(a, b)"), (ok(["a"]), "ok([a])"),
        (None, "null"), (2.0, "2.0"), ({"m": {"k": "v"}}, '{m: {"k": "v"}}'),
    ],
)
def test_plain(value: object, text: str) -> None:
    assert plain(value) == text


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (None, "null"), (True, "true"), (5, "5"), (5.0, "5.0"), (1e21, "1e+21"),
        (math.nan, '"NaN"'), (math.inf, '"Infinity"'), (-math.inf, '"-Infinity"'),
        ("hé", '"hé"'), (b"\x01\xff", '{"$bytes": "01ff"}'), ((1, 2), "[1, 2]"),
        (LSet([2, 1]), "[1, 2]"), ({"b": 1, "a": 2}, '{"a": 2, "b": 1}'),
        (Record("Point", {"x": 1}), '{"$record": "Point", "x": 1}'),
        (ok(5), '{"$variant": "ok", "payload": [5]}'),
        (DOT, '{"$variant": "Dot", "payload": []}'),
        (RECT, '{"$variant": "Rect", "payload": [2.0, 3.0]}'),
        (Closure(object(), (), "f"), '{"$closure": "f"}'),
        (Future(1, "error"), '{"$future": "error"}'),
        (2**70, str(2**70)),
    ],
)
def test_contract_json(value: object, encoded: str) -> None:
    assert dump_contract_json(value) == encoded
    json.loads(dump_contract_json(value))


def test_contract_json_objects_are_plain_python() -> None:
    assert to_contract_json([1, 2.0, "x"]) == [1, 2.0, "x"]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_display_round_trips(x: float) -> None:
    text = display(x)
    assert "e" not in text and "E" not in text
    assert float(text) == x
    assert math.copysign(1.0, float(text)) == math.copysign(1.0, x)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e14, max_value=1e14))
def test_integral_floats_show_one_decimal(x: float) -> None:
    whole = float(int(x))
    assert display(whole).endswith(".0")
