"""Lumen syntax: the grammar (lumen.lark), the parser and the AST.

`parse(code, file, docblocks)` -> `ParseResult(program, diagnostics)`; never raises.
`parse_expression(code, file)` -> `(expr | None, diagnostics)` (the REPL).
Lark is imported only when something is parsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lumen.syntax.docblocks import DocBlock

if TYPE_CHECKING:
    from lumen.diagnostics import Diagnostic
    from lumen.syntax import ast
    from lumen.syntax.parser import ParseResult


def parse(code: str, file: str = "<input>", docblocks: Sequence[DocBlock] = ()) -> ParseResult:
    from lumen.syntax.parser import parse as _parse

    return _parse(code, file, docblocks)


def parse_expression(
    code: str, file: str = "<input>"
) -> tuple[ast.Expr | None, tuple[Diagnostic, ...]]:
    from lumen.syntax.parser import parse_expression as _parse_expression

    return _parse_expression(code, file)


def __getattr__(name: str) -> object:
    if name == "ParseResult":
        from lumen.syntax.parser import ParseResult

        return ParseResult
    raise AttributeError(name)


__all__ = ["DocBlock", "ParseResult", "parse", "parse_expression"]
