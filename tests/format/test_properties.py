"""Hypothesis: random valid programs, some with their brackets broken over many lines,
with comments and blank lines sprinkled wherever the language allows them, format to the
same tree with the same comments, and formatting the result again changes nothing."""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lumen.format import format_plain
from lumen.format.comments import collect_comments, scan_tokens
from lumen.format.wrap import wrap_long_lines
from lumen.syntax import ast as A
from lumen.syntax import parse
from lumen.syntax.printer import print_program
from tests.syntax import strategies as S

EXAMPLES = 200 if os.environ.get("LUMEN_SLOW_TESTS") == "1" else 25
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)
# raw tokens: no line may be inserted inside them, and no comment appended to their lines
_SPANNING = frozenset({"STRING", "MACRO", "ON_BLOCK", "ROLE", "PROTOCOL", "ATTRIBUTE", "DIRECTIVE"})
comment_texts = st.text(
    st.sampled_from(list("abc XYZ#\"{}()[]-=>|`'\\é")), max_size=12
).map(lambda text: "#" + text.rstrip())


# a line indented past one of these would be read as its payload
_PAYLOAD_TAKING = frozenset({"PROTOCOL", "ATTRIBUTE", "DIRECTIVE"})


def _layout_limits(text: str) -> tuple[set[int], set[int], set[int]]:
    """(rows after which a line may be inserted, rows a comment may be appended to,
    rows after which an inserted line must not be indented further); 0-based rows."""
    rows = text.split("\n")
    no_insert: set[int] = set()
    no_append: set[int] = set()
    flush: set[int] = set()
    for token in scan_tokens(text, "gen.lm"):
        first, last = token.line - 1, token.end_line - 1
        if token.type in _PAYLOAD_TAKING:
            flush.add(last)
        if token.type in _SPANNING and last > first:
            no_insert.update(range(first, last))
            no_append.update(range(first, last + (token.type != "STRING")))
        if token.type == "ROLE":
            no_append.add(first)
    inserts = {r for r in range(len(rows)) if r not in no_insert}
    appends = {r for r, row in enumerate(rows) if row.strip() and r not in no_append}
    return inserts, appends, flush


@st.composite
def commented_programs(draw: st.DrawFn, family: st.SearchStrategy[A.Program]):  # noqa: ANN201
    program = draw(family)
    text = print_program(program)
    if draw(st.booleans()):
        # a narrow width breaks brackets over many lines: expressions written over
        # several lines, with comments between their elements
        text = wrap_long_lines(text, "gen.lm", width=draw(st.integers(10, 60)))
        assume(parse(text, "gen.lm").program == program)
    rows = text.split("\n")
    inserts, appends, flush = _layout_limits(text)
    out: list[str] = []
    added: list[str] = []
    for row_number, row in enumerate(rows):
        if row_number in appends and draw(st.integers(0, 3)) == 0:
            comment = draw(comment_texts)
            row += " " * draw(st.integers(0, 3)) + "  " + comment
            added.append(comment)
        out.append(row)
        if row_number in inserts and row_number < len(rows) - 1:
            choice = draw(st.integers(0, 5))
            next_row = rows[row_number + 1]
            indent = next_row[:len(next_row) - len(next_row.lstrip())]
            if choice == 0:
                comment = draw(comment_texts)
                extra = 0 if row_number in flush else draw(st.integers(0, 4))
                out.append(indent + " " * extra + comment)
                added.append(comment)
            elif choice == 1:
                out.append("")
    return program, "\n".join(out), added


def _check(program: A.Program, text: str, added: list[str]) -> None:
    result = format_plain(text, "gen.lm")
    assert result.text is not None, (result.failure, text)
    reread = parse(result.text, "gen.lm")
    assert not reread.diagnostics, result.text
    assert reread.program == program, f"meaning changed:\n{text}\n---\n{result.text}"
    kept = Counter(c.lines[0] for c in collect_comments(result.text, "gen.lm"))
    assert kept == Counter(added), f"comments changed:\n{text}\n---\n{result.text}"
    again = format_plain(result.text, "gen.lm").text
    assert again == result.text, f"not idempotent:\n{result.text}\n---\n{again}"


@PROPERTY
@given(commented_programs(S.statement_programs()))
def test_statements_with_comments_round_trip(case: tuple[A.Program, str, list[str]]) -> None:
    _check(*case)


@PROPERTY
@given(commented_programs(S.declaration_programs()))
def test_declarations_with_comments_round_trip(case: tuple[A.Program, str, list[str]]) -> None:
    _check(*case)


@settings(PROPERTY, max_examples=EXAMPLES // 2)  # large trees: each example is slow
@given(commented_programs(S.expression_programs()))
def test_expressions_with_comments_round_trip(case: tuple[A.Program, str, list[str]]) -> None:
    _check(*case)
