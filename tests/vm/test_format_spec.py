"""Format specs: the §2.5 grammar, `__format_spec` (§10.1) and `format`."""

from __future__ import annotations

import math

import pytest

from lumen.vm.errors import LumenRuntimeError
from lumen.vm.format_spec import Spec, format_spec, format_template, parse_spec


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        (".2f", Spec(precision=2, type="f")),
        (">4", Spec(align=">", width=4)),
        ("*^9", Spec(fill="*", align="^", width=9)),
        ("+08.3f", Spec(sign="+", zero=True, width=8, precision=3, type="f")),
        ("#x", Spec(alternate=True, type="x")),
        ("05", Spec(zero=True, width=5)),
        ("<<3", Spec(fill="<", align="<", width=3)),
        ("e", Spec(type="e")),
        ("10", Spec(width=10)),
    ],
)
def test_parse_spec_accepts(text: str, spec: Spec) -> None:
    assert parse_spec(text) == spec


@pytest.mark.parametrize("text", ["", "k", "2f3", ".f", "x y", "abc", "10q", ">4.", "ab>3"])
def test_parse_spec_rejects(text: str) -> None:
    assert parse_spec(text) is None


@pytest.mark.parametrize(
    ("value", "spec", "text"),
    [
        (3.14159, ".2f", "3.14"),
        (7, ">4", "   7"),
        (2, ".1f", "2.0"),
        (2.5, ".0f", "2"),
        (3.5, ".0f", "4"),
        (0.125, ".2f", "0.12"),
        (0.375, ".2f", "0.38"),
        (2.675, ".2f", "2.67"),
        (1.0, ".3", "1.000"),
        (255, "#x", "0xff"),
        (8, "#o", "0o10"),
        (5, "#b", "0b101"),
        (-255, "#x", "-0xff"),
        (255, "x", "ff"),
        (255, "X", "FF"),
        (-255, "x", "-ff"),
        (8, "o", "10"),
        (5, "b", "101"),
        (1234.5, "e", "1.2345e3"),
        (1234.5, ".2e", "1.23e3"),
        (1234.5, "E", "1.2345E3"),
        (0.00015, "e", "1.5e-4"),
        (1000, "e", "1e3"),
        (5, "+", "+5"),
        (-5, "+", "-5"),
        (0.5, "+.1f", "+0.5"),
        (42, "05", "00042"),
        (-42, "05", "-0042"),
        (3.5, "+07.2f", "+003.50"),
        ("ab", ">5", "   ab"),
        ("ab", "<5", "ab   "),
        ("ab", "^5", " ab  "),
        ("ab", "*^6", "**ab**"),
        ("ab", "5", "ab   "),
        (42, "5", "   42"),
        (1.5, "6", "   1.5"),
        ("toolong", "3", "toolong"),
        (True, "5", "true "),
        ("hi", "s", "hi"),
        (42, "d", "42"),
        ([1, "a"], "", '[1, "a"]'),
        (2.0, "f", "2.0"),
        (math.nan, ".2f", "NaN"),
        (math.inf, ".1f", "inf"),
        (255, "#010x", "0000000xff"),  # zeros go after a sign only (§10.1 step 3)
        ("é", "^4", " é  "),
    ],
)
def test_format_spec(value: object, spec: str, text: str) -> None:
    assert format_spec(value, spec) == text


@pytest.mark.parametrize(
    ("value", "spec", "message"),
    [
        (2.5, "#x", "__format_spec: #x requires an integer value"),
        ("a", "#o", "__format_spec: #o requires an integer value"),
        ("a", ".2f", "__format_spec: precision format requires a numeric value"),
        (True, ".1f", "__format_spec: precision format requires a numeric value"),
    ],
)
def test_format_spec_errors(value: object, spec: str, message: str) -> None:
    with pytest.raises(LumenRuntimeError) as raised:
        format_spec(value, spec)
    assert raised.value.message == message


@pytest.mark.parametrize(
    ("template", "args", "text"),
    [
        ("{} + {} = {}", [1, 2, 3], "1 + 2 = 3"),
        ("name: {}, tags: {}", ["Ada", ["x"]], 'name: Ada, tags: ["x"]'),
        ("{} and {}", [1], "1 and {}"),
        ("none", [1, 2], "none"),
        ("{}{}", [2.0, None], "2.0null"),
    ],
)
def test_format_template(template: str, args: list[object], text: str) -> None:
    assert format_template(template, args) == text
