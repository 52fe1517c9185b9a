"""print ∘ parse round trips.

(a) For random valid trees: `parse(print_program(tree)).program == tree`, without
    diagnostics (hypothesis, several hundred examples per family).
(b) For every conformance case that parses cleanly: printing and re-parsing gives the same
    tree, and printing is idempotent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumen.source import source_from_text
from lumen.syntax import ast as A
from lumen.syntax import parse
from lumen.syntax.printer import print_program
from tests.syntax import strategies as S
from tests.syntax import test_printer as golden

CONFORMANCE = Path("/work/shared/conformance/cases")
EXAMPLES = 300

ROUNDTRIP = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)


def assert_roundtrip(program: A.Program) -> None:
    text = print_program(program)
    result = parse(text, "roundtrip.lm")
    messages = [f"{d.code} {d.line}:{d.column} {d.message}" for d in result.diagnostics]
    assert not messages, f"printed text does not parse:\n{text}\n{messages}"
    assert result.program == program, f"re-parsed tree differs; printed text:\n{text}"
    assert print_program(result.program) == text, f"printing is not idempotent:\n{text}"


FAMILIES = {
    "expressions": S.expression_programs(),
    "statements": S.statement_programs(),
    "patterns": S.pattern_programs(),
    "types": S.type_programs(),
    "declarations": S.declaration_programs(),
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_random_trees_survive_print_and_parse(family: str) -> None:
    @ROUNDTRIP
    @given(FAMILIES[family])
    def check(program: A.Program) -> None:
        assert_roundtrip(program)

    check()


@given(st.data())
@settings(max_examples=50, deadline=None)
def test_round_trip_of_single_literals(data: st.DataObject) -> None:
    literal = data.draw(S.simple_literals)
    assert_roundtrip(A.Program((A.Let(A.BindPat("v"), literal),)))


GOLDEN_EXPRESSIONS = [
    tree for tree, _ in golden.PRECEDENCE_CASES + golden.LITERAL_CASES + golden.POSTFIX_CASES
    # A negative Float literal has no spelling: `-0.0` reads as `-(0.0)`.
    if not (isinstance(tree, A.FloatLit) and str(tree.value).startswith("-"))
]


@pytest.mark.parametrize("tree", GOLDEN_EXPRESSIONS, ids=repr)
def test_golden_expressions_round_trip(tree: A.Expr) -> None:
    assert_roundtrip(A.Program((A.Let(A.BindPat("v"), tree),)))


@pytest.mark.parametrize("pattern", [p for p, _ in golden.PATTERN_CASES], ids=repr)
def test_golden_patterns_round_trip(pattern: A.Pattern) -> None:
    if isinstance(pattern, A.RecordPat) and pattern.type_name is None:
        assert_roundtrip(A.Program((A.Let(pattern, A.Name("s")),)))
        return
    arm = A.MatchArm((pattern, A.LiteralPat(A.FloatLit(-2.5))), A.Block((A.ExprStmt(A.NullLit()),)))
    assert_roundtrip(A.Program((A.ExprStmt(A.Match(A.Name("s"), (arm,))),)))


def test_golden_programs_round_trip() -> None:
    assert_roundtrip(golden.EFFECTS_PROGRAM)
    text = print_program(golden.DECLARATIONS_PROGRAM)
    unit = source_from_text(text, "golden.lm")  # it has a docstring: needs the source stage
    result = parse(unit.code, "golden.lm", unit.docblocks)
    assert not unit.diagnostics and not result.diagnostics
    assert result.program == golden.DECLARATIONS_PROGRAM


def test_docstrings_round_trip_through_the_source_stage() -> None:
    cell = A.CellDecl("f", (), A.IntLit(1), expr_body=True, attributes=(A.Attribute("must_use"),),
                      doc="Returns one.\n\nSecond paragraph.")
    record = A.RecordDecl("R", (A.FieldDecl("a", A.NamedType("Int")),), doc="A record.")
    text = print_program(A.Program((cell, record)))
    unit = source_from_text(text, "doc.lm")
    result = parse(unit.code, "doc.lm", unit.docblocks)
    assert not unit.diagnostics and not result.diagnostics
    assert result.program == A.Program((cell, record))
    assert [item.doc for item in result.program.items] == [cell.doc, record.doc]


def _conformance_files() -> list[Path]:
    return sorted(CONFORMANCE.rglob("*.lm")) if CONFORMANCE.is_dir() else []


@pytest.mark.skipif(not _conformance_files(), reason="conformance corpus not available")
def test_conformance_cases_round_trip_and_print_idempotently() -> None:
    checked = 0
    failures: list[str] = []
    for path in _conformance_files():
        source = path.read_text(encoding="utf-8")
        first = parse(source, str(path))
        if first.diagnostics:
            continue
        checked += 1
        printed = print_program(first.program)
        second = parse(printed, str(path))
        if second.diagnostics or second.program != first.program:
            failures.append(f"{path}: re-parse differs ({[d.code for d in second.diagnostics]})")
            continue
        if print_program(second.program) != printed:
            failures.append(f"{path}: printing is not idempotent")
    assert checked > 0
    assert not failures, "\n".join(failures)
