"""What the author wrote and the tree does not record: literal spellings and grouping
parentheses around operator expressions."""

from __future__ import annotations

from tests.format.helpers import fmt


def test_grouping_parentheses_around_operators_are_kept() -> None:
    source = "let a = (x and y) or (z and w)\nlet c = (1 + 2) * 3\nlet h = [(a + b), c]\n"
    assert fmt(source) == source


def test_parentheses_around_names_calls_and_doubled_ones_go() -> None:
    assert fmt("let g = (x)\nlet b = f((1 + 2))\nlet c = ((1 + 2)) * 3\n") == (
        "let g = x\nlet b = f(1 + 2)\nlet c = (1 + 2) * 3\n"
    )


def test_call_parentheses_are_not_mistaken_for_grouping() -> None:
    assert fmt("let v = f(a + b)\nhalt(1 + 2)\n") == "let v = f(a + b)\nhalt(1 + 2)\n"


def test_kept_parentheses_are_idempotent_next_to_the_printers_own() -> None:
    source = "let d = (-2) ** 2\nlet k = (fn(x) => x + 1)\nlet m = ((a + b) | c) == d\n"
    result = fmt(source)
    assert fmt(result) == result
    assert "(fn(x) => x + 1)" in result and "(-2) ** 2" in result


def test_literal_spellings_are_kept() -> None:
    source = 'let s = "\\u{48}i {name}"\nlet b = b"CAFE"\nlet n = 0xFF_FF\nlet r = r"\\d+"\n'
    assert fmt(source) == source
