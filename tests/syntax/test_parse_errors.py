"""Syntax errors: codes, positions, wording, recovery, and never raising."""

from __future__ import annotations

import re
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from lumen.syntax import parse, parse_expression

RAW_TERMINAL = re.compile(r"\b(_NL|_SIGNL|_INDENT|_DEDENT|_ARM|RPAR|LPAR|RSQB|NAME|\$END|__ANON)\b")


def diagnostics(code: str) -> list:
    return list(parse(textwrap.dedent(code), "t.lm").diagnostics)


def test_three_independent_errors_give_three_diagnostics() -> None:
    found = diagnostics("""\
        cell a() -> Int
          let x = 1 +
          return x
        end

        cell b() -> Int
          return (2
        end

        cell c()
          let = 3
        end

        cell fine() -> Int = 4
    """)
    assert [d.line for d in found] == [2, 7, 11]
    assert all(d.file == "t.lm" for d in found)


def test_incomplete_expression_message() -> None:
    (found,) = diagnostics("cell a()\n  let x = 1 +\nend\n")
    assert found.code == "E0015"
    assert found.message == "expected an expression after '+'"
    assert (found.line, found.column) == (2, 13)


def test_missing_end_names_the_open_block() -> None:
    (found,) = diagnostics("""\

        cell main() -> Int
          if true
            return 1
          return 0
        end
    """)
    assert found.code == "E0013"
    assert found.message == "expected 'end' to close 'cell' opened at line 2, col 1"


def test_lexical_errors() -> None:
    (unterminated,) = diagnostics('cell f()\n  return "abc\nend\n')
    assert unterminated.code == "E0002" and unterminated.line == 2
    (bytes_error,) = diagnostics('let b = b"abc"\n')
    assert bytes_error.code == "E0005"
    (escape,) = diagnostics('let s = "\\xZZ"\n')
    assert escape.code == "E0006"
    (char,) = diagnostics("let s = 1 $ 2\n")
    assert char.code == "E0001" and char.column == 11


def test_inconsistent_dedent() -> None:
    found = diagnostics("cell f()\n    let x = 1\n  let y = 2\nend\n")
    assert [d.code for d in found] == ["E0003"]


def test_missing_type_and_unclosed_bracket() -> None:
    (missing,) = diagnostics("cell f(x: ) = 1\n")
    assert missing.code in ("E0014", "E0010")
    (unclosed,) = diagnostics("let x = [1, 2\n")
    assert unclosed.code == "E0012"


def test_messages_never_show_terminal_names() -> None:
    samples = ["cell f(\n", "let = 1\n", "match x\n  1 ->\nend\n", "x = )\n", "if x\n", "fn(", "{a: }"]
    for code in samples:
        for found in parse(code).diagnostics:
            assert not RAW_TERMINAL.search(found.message), found.message


def test_at_most_ten_diagnostics() -> None:
    code = "".join(f"cell f{i}()\n  let = {i}\nend\n" for i in range(15))
    assert len(parse(code).diagnostics) == 10


def test_parse_expression_errors() -> None:
    expr, found = parse_expression("1 +")
    assert expr is None and found and found[0].code in ("E0015", "E0011")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("cel lt=+-*/()[]{}\"'\n @#:.,|>end if match do fn 0 1 x")), max_size=60))
def test_parse_never_raises(code: str) -> None:
    result = parse(code)
    assert all(d.line >= 1 for d in result.diagnostics)
    assert len(result.diagnostics) <= 10
