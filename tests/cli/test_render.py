"""Diagnostic and runtime-error rendering: exact text, carets under tabs and wide text."""

from __future__ import annotations

import io

import pytest

from lumen.diagnostics import Diagnostic, Severity, Span
from lumen.diagnostics.diagnostic import NO_SPAN
from lumen.diagnostics.render import (
    RuntimeFrame,
    render_diagnostic,
    render_runtime_error,
    should_use_color,
)


def _undefined(span: Span, **extra: object) -> Diagnostic:
    return Diagnostic("E0201", "undefined variable 'totl'", "path/file.lm", span, **extra)  # type: ignore[arg-type]


def test_error_with_hint_renders_location_line_caret_and_hint() -> None:
    diagnostic = _undefined(Span(4, 10, 4, 14), hint="did you mean 'total'?")
    assert render_diagnostic(diagnostic, "  return totl + 1", color=False) == (
        "path/file.lm:4:10: error[E0201]: undefined variable 'totl'\n"
        "   4 |   return totl + 1\n"
        "     |          ^^^^\n"
        "  hint: did you mean 'total'?"
    )


def test_suggestions_become_a_hint_when_there_is_none() -> None:
    diagnostic = _undefined(Span(1, 1, 1, 5), suggestions=("total", "tool", "toll"))
    text = render_diagnostic(diagnostic, "totl", color=False)
    assert text.endswith("  hint: did you mean 'total', 'tool' or 'toll'?")


def test_tabs_expand_and_the_caret_follows() -> None:
    diagnostic = _undefined(Span(2, 9, 2, 13))
    lines = render_diagnostic(diagnostic, "\treturn totl", color=False).split("\n")
    assert lines[1] == "   2 |     return totl"
    assert lines[2] == "     |            ^^^^"
    assert lines[1].index("totl") == lines[2].index("^")


def test_wide_characters_take_two_columns() -> None:
    diagnostic = _undefined(Span(1, 10, 1, 14))  # columns count characters
    lines = render_diagnostic(diagnostic, "let 名前 = totl", color=False).split("\n")
    assert lines[2] == "     | " + " " * 11 + "^^^^"


def test_span_reaching_past_the_line_and_empty_spans_still_get_one_caret() -> None:
    past_end = render_diagnostic(_undefined(Span(1, 6, 1, 6)), "let x", color=False)
    assert past_end.split("\n")[2] == "     |      ^"
    multi_line = render_diagnostic(_undefined(Span(1, 5, 3, 2)), "let x = [", color=False)
    assert multi_line.split("\n")[2] == "     |     ^^^^^"


def test_no_source_line_and_no_span_give_just_the_header() -> None:
    warning = Diagnostic("E0127", "use of deprecated cell 'f'", "a.lm", NO_SPAN, Severity.WARNING)
    assert render_diagnostic(warning, None, color=False) == (
        "a.lm: warning[E0127]: use of deprecated cell 'f'"
    )


def test_big_line_numbers_widen_the_gutter() -> None:
    text = render_diagnostic(_undefined(Span(12345, 1, 12345, 2)), "x", color=False)
    assert text.split("\n")[1:3] == ["12345 | x", "      | ^"]


def test_color_output_has_the_same_text_under_the_styles() -> None:
    import re

    diagnostic = _undefined(Span(4, 10, 4, 14), hint="did you mean 'total'?")
    colored = render_diagnostic(diagnostic, "  return totl + 1", color=True)
    assert "\x1b[" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == render_diagnostic(
        diagnostic, "  return totl + 1", color=False
    )


def test_runtime_error_with_stack() -> None:
    text = render_runtime_error(
        "division",
        "division by zero",
        file="calc.lm",
        line=7,
        column=12,
        stack=[RuntimeFrame("divide", "calc.lm", 7), RuntimeFrame("main", "calc.lm", 12)],
        source_line="  return a / b",
        color=False,
    )
    assert text == (
        "calc.lm:7:12: runtime error[division]: division by zero\n"
        "   7 |   return a / b\n"
        "     |            ^\n"
        "  stack (innermost call first):\n"
        "    at divide (calc.lm:7)\n"
        "    at main (calc.lm:12)"
    )


def test_runtime_error_without_position() -> None:
    text = render_runtime_error("limits", "instruction limit exceeded: 10", file=None, line=None,
                                column=None)
    assert text == "runtime error[limits]: instruction limit exceeded: 10"


def test_runtime_error_without_column_underlines_the_statement() -> None:
    text = render_runtime_error("halt", "halt: boom", file="h.lm", line=3, column=None,
                                source_line="  halt \"boom\"  ")
    assert text.split("\n")[2] == "     |   ^^^^^^^^^^^"


class _FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_color_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert should_use_color(_FakeTerminal()) is True
    assert should_use_color(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert should_use_color(_FakeTerminal()) is False
