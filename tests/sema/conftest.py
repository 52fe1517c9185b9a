"""Helpers: parse a snippet and analyse it."""

from __future__ import annotations

import textwrap

import pytest

from lumen.diagnostics import Diagnostic


def analyse_source(source: str, **directives: str) -> list[Diagnostic]:
    from lumen.sema import analyze
    from lumen.syntax import parse

    code = textwrap.dedent(source).lstrip("\n")
    parsed = parse(code, "t.lm")
    parse_errors = [d for d in parsed.diagnostics if d.is_error]
    assert not parse_errors, parse_errors
    return list(analyze(parsed.program, "t.lm", directives).diagnostics)


def errors_of(source: str, **directives: str) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in analyse_source(source, **directives) if d.is_error]


@pytest.fixture(autouse=True)
def _need_parser() -> None:
    try:
        from lumen.syntax import parse  # noqa: F401
    except ImportError:
        pytest.skip("the parser (lumen.syntax.parse) is not available yet")
