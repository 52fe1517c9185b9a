"""Small helpers shared by the AST builder modules: spans and literal values."""

from __future__ import annotations

from typing import Any

from lumen.diagnostics import Span
from lumen.syntax import ast
from lumen.syntax.scanner import Token


def span_of(first: Any, last: Any) -> Span:
    """The span from the start of `first` to the end of `last` (tokens or nodes)."""
    if type(first) is Token:
        line, column = first.line, first.column
    else:
        start = first.span
        line, column = start.line, start.column
    if type(last) is Token:
        return Span(line, column, last.end_line, last.end_column)
    end = last.span
    return Span(line, column, end.end_line, end.end_column)


def token_span(token: Token) -> Span:
    return Span(token.line, token.column, token.end_line, token.end_column)


def nodes(children: list[Any]) -> list[Any]:
    """The AST nodes among `children` (tokens and placeholders dropped)."""
    return [child for child in children if isinstance(child, ast.Node)]


def int_value(text: str) -> int:
    digits = text.replace("_", "")
    prefix = digits[:2].lower()
    try:
        if prefix == "0x":
            return int(digits[2:], 16)
        if prefix == "0b":
            return int(digits[2:], 2)
        if prefix == "0o":
            return int(digits[2:], 8)
        return int(digits)
    except ValueError:
        return 0
