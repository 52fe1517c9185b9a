"""Rows wider than the line width are split inside their outermost bracket pair."""

from __future__ import annotations

from lumen.format.wrap import LINE_WIDTH, wrap_long_lines
from tests.format.helpers import fmt

ITEMS = ", ".join(f"value_number_{n}" for n in range(12))


def test_a_wide_list_gets_one_element_per_line() -> None:
    result = fmt(f"cell main() -> List\n  return [{ITEMS}]\nend\n")
    lines = result.split("\n")
    assert lines[1] == "  return ["
    assert lines[2] == "    value_number_0,"
    assert lines[13] == "    value_number_11"
    assert lines[14] == "  ]"
    assert all(len(line) <= LINE_WIDTH for line in lines)
    assert fmt(result) == result


def test_nested_pairs_are_split_only_while_too_wide() -> None:
    inner = ", ".join(f"argument_{n}" for n in range(9))
    result = fmt(f"let x = outer(short, inner_call({inner}), {ITEMS})\n")
    assert result.startswith("let x = outer(\n  short,\n  inner_call(")
    assert all(len(line) <= LINE_WIDTH for line in result.split("\n"))
    assert fmt(result) == result


def test_comments_between_elements_stay_with_their_element() -> None:
    source = "let xs = [\n" + "".join(
        f"  value_number_{n},  # note {n}\n" for n in range(11)
    ) + "  last_one\n]\n"
    result = fmt(source)
    assert "  value_number_3,  # note 3\n" in result
    assert fmt(result) == result


def test_a_one_element_tuple_keeps_its_comma() -> None:
    text = "let t = (" + "x" * 120 + ",)\n"
    wrapped = wrap_long_lines(text, "t.lm")
    assert wrapped == "let t = (\n  " + "x" * 120 + ",\n)\n"


def test_strings_and_rows_without_a_split_point_stay_long() -> None:
    long_string = 'let s = "' + "word, " * 30 + '"\n'
    assert fmt(long_string) == long_string
    call = "let v = " + "f" * 120 + "(x)\n"
    assert fmt(call) == call
