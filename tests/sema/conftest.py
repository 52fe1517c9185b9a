"""Helpers: parse a snippet and analyse it."""

from __future__ import annotations

import textwrap

import pytest

from lumen.diagnostics import Diagnostic


def get_parse():  # type: ignore[no-untyped-def]
    """`lumen.syntax.parse` (the contract), or the parser module while it is not exported."""
    try:
        from lumen.syntax import parse
    except ImportError:
        from lumen.syntax.parser import parse
    return parse


def analyse_source(source: str, **directives: str) -> list[Diagnostic]:
    from lumen.sema import analyze

    parse = get_parse()

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
        get_parse()
    except ImportError:
        pytest.skip("the parser (lumen.syntax.parse) is not available yet")
