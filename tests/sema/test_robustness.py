"""`analyze` never raises and never reports an internal error, whatever the AST."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from lumen.sema import analyze
from lumen.syntax import ast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "syntax"))
import strategies  # noqa: E402

INTERNAL = "E0500"
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def _assert_clean(program: ast.Program) -> None:
    for directives in ({}, {"strict": "false"}, {"deterministic": "true"}):
        analysis = analyze(program, "gen.lm", directives)
        internal = [d.message for d in analysis.diagnostics if d.code == INTERNAL]
        assert not internal, internal


@_SETTINGS
@given(strategies.expression_programs())
def test_expressions_never_crash(program: ast.Program) -> None:
    _assert_clean(program)


@_SETTINGS
@given(strategies.statement_programs())
def test_statements_never_crash(program: ast.Program) -> None:
    _assert_clean(program)


@_SETTINGS
@given(strategies.pattern_programs())
def test_patterns_never_crash(program: ast.Program) -> None:
    _assert_clean(program)


@_SETTINGS
@given(strategies.type_programs())
def test_types_never_crash(program: ast.Program) -> None:
    _assert_clean(program)


@_SETTINGS
@given(strategies.declaration_programs())
def test_declarations_never_crash(program: ast.Program) -> None:
    _assert_clean(program)
