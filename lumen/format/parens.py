"""Grouping parentheses the author wrote around an operator expression are kept.

The tree has no node for parentheses, so the printer writes only those that precedence
needs: `(a and b) or (c and d)` would lose its (redundant, but telling) parentheses.
A one-line operator expression (binary, comparison, `is`/`as`, prefix, `try`, `await`,
lambda, inline `if`) that the source wraps in a grouping pair gets the pair back in the
printed text unless a bracket pair already encloses it there (a call's, or the printer's
own). Grouping parentheses around names, literals and calls are dropped: they never help.
A pair is *grouping* when the token before `(` cannot end an expression (else it is a
call). The result is checked like every other step.
"""

from __future__ import annotations

from dataclasses import dataclass

from lumen.diagnostics.diagnostic import NO_SPAN, Span
from lumen.format.anchors import TreeMismatch, child_nodes
from lumen.format.comments import scan_tokens
from lumen.syntax import ast as A
from lumen.syntax.lexer import EXPRESSION_ENDS
from lumen.syntax.scanner import Token

_GROUPABLE = (
    A.Binary, A.ChainCompare, A.IsExpr, A.AsExpr, A.Unary, A.ExpectSchema, A.TryElse,
    A.TryOp, A.Lambda, A.If, A.IfLet, A.Await,
)
_OPAQUE = (A.StringLit, A.InterpString, A.RoleBlock)


class _TokenIndex:
    """Tokens of a text by start and end position, with matching parentheses."""

    def __init__(self, text: str, file: str) -> None:
        self.tokens: list[Token] = [t for t in scan_tokens(text, file) if t.type != "NL"]
        self.by_start = {(t.line, t.column): i for i, t in enumerate(self.tokens)}
        self.by_end = {(t.end_line, t.end_column): i for i, t in enumerate(self.tokens)}
        self.partner: dict[int, int] = {}
        stack: list[int] = []
        for index, token in enumerate(self.tokens):
            if token.type == "LPAR":
                stack.append(index)
            elif token.type == "RPAR" and stack:
                opening = stack.pop()
                self.partner[opening] = index

    def enclosing_pair(self, span: Span) -> tuple[int, int] | None:
        """The `( )` pair directly around the text of `span`, if any."""
        first = self.by_start.get((span.line, span.column))
        last = self.by_end.get((span.end_line, span.end_column))
        if first is None or last is None or first == 0:
            return None
        if self.partner.get(first - 1) != last + 1:
            return None
        return first - 1, last + 1

    def is_grouping(self, span: Span) -> bool:
        pair = self.enclosing_pair(span)
        if pair is None:
            return False
        return pair[0] == 0 or self.tokens[pair[0] - 1].type not in EXPRESSION_ENDS


@dataclass(frozen=True, slots=True)
class _Insert:
    row: int
    column: int  # 0-based
    text: str  # "(" or ")"
    depth: int

    def order(self) -> tuple[int, int, int, int]:
        """Right to left; at one column `(` first, inner `(` before outer, outer `)`
        before inner (each insert pushes the earlier ones right)."""
        closing = self.text == ")"
        return (-self.column, closing, self.depth if closing else -self.depth, 0)


def keep_grouping_parens(
    code: str, program: A.Program, printed: str, printed_program: A.Program, file: str
) -> str:
    source_index = _TokenIndex(code, file)
    printed_index = _TokenIndex(printed, file)
    inserts: list[_Insert] = []

    def visit(source: A.Node, shown: A.Node, depth: int) -> None:
        if type(source) is not type(shown):
            raise TreeMismatch(f"{type(source).__name__} printed as {type(shown).__name__}")
        if isinstance(source, _OPAQUE):
            return
        if isinstance(source, _GROUPABLE) and _one_line(source.span) and _one_line(shown.span):
            if source_index.is_grouping(source.span) and not printed_index.enclosing_pair(shown.span):
                span = shown.span
                inserts.append(_Insert(span.line - 1, span.column - 1, "(", depth))
                inserts.append(_Insert(span.end_line - 1, span.end_column - 1, ")", depth))
        for source_child, shown_child in zip(child_nodes(source), child_nodes(shown), strict=True):
            visit(source_child, shown_child, depth + 1)

    visit(program, printed_program, 0)
    rows = printed.split("\n")
    for insert in sorted(inserts, key=lambda i: (i.row, *i.order())):
        row = rows[insert.row]
        rows[insert.row] = row[:insert.column] + insert.text + row[insert.column:]
    return "\n".join(rows)


def _one_line(span: Span) -> bool:
    return span != NO_SPAN and span.line == span.end_line
