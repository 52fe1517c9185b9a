"""Literal spellings: strings and bytes keep the way they were written.

The printer spells a string from its value (escapes decoded, `\\u{e9}` becomes `é`,
`b"CAFE"` becomes `b"cafe"`). A formatter should not rewrite what the user chose to
write inside a literal, so every one-line string or bytes literal of the source replaces
its printed spelling (a literal token delimits itself, so the context cannot change its
meaning; the formatter's final check compares the trees anyway). Literals written over
several lines keep the printer's layout, which follows the new indentation.
"""

from __future__ import annotations

from lumen.diagnostics.diagnostic import NO_SPAN, Span
from lumen.format.anchors import TreeMismatch, child_nodes
from lumen.syntax import ast as A

_LITERALS = (A.StringLit, A.InterpString, A.BytesLit)
_OPAQUE = (A.RoleBlock,)  # role text is raw, not a literal token


def keep_literal_spellings(
    code: str, program: A.Program, printed: str, printed_program: A.Program
) -> str:
    """`printed` with each one-line literal spelled as in `code`."""
    code_lines = code.split("\n")
    rows = printed.split("\n")
    edits: list[tuple[int, int, int, str]] = []  # (row, start, end, text), 0-based columns

    def visit(source: A.Node, shown: A.Node) -> None:
        if type(source) is not type(shown):
            raise TreeMismatch(f"{type(source).__name__} printed as {type(shown).__name__}")
        if isinstance(source, _OPAQUE):
            return
        if isinstance(source, _LITERALS):
            edit = _edit(code_lines, source.span, shown.span)
            if edit is not None:
                edits.append(edit)
            return
        for source_child, shown_child in zip(child_nodes(source), child_nodes(shown), strict=True):
            visit(source_child, shown_child)

    visit(program, printed_program)
    for row, start, end, text in sorted(edits, key=lambda e: (e[0], -e[1])):
        rows[row] = rows[row][:start] + text + rows[row][end:]
    return "\n".join(rows)


def _edit(code_lines: list[str], source: Span, shown: Span) -> tuple[int, int, int, str] | None:
    if NO_SPAN in (source, shown) or source.line != source.end_line or shown.line != shown.end_line:
        return None
    if not 1 <= source.line <= len(code_lines):
        return None
    text = code_lines[source.line - 1][source.column - 1:source.end_column - 1]
    return shown.line - 1, shown.column - 1, shown.end_column - 1, text
