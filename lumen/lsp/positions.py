"""Lumen spans <-> LSP positions.

A `Span` is 1-based (line, column) in code points, end exclusive, and always refers to the
ORIGINAL file: `lumen.source` blanks the prose lines of a Markdown file instead of removing
them, so a span in `SourceUnit.code` is already a span in the `.lm.md` text the editor shows.
What remains is the unit of a column: LSP counts UTF-16 code units unless the client and
server agreed on another encoding at `initialize`.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from lumen.diagnostics import Span

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"


def _units(char: str, encoding: str) -> int:
    """How many code units of `encoding` one code point takes."""
    if encoding == UTF32:
        return 1
    code = ord(char)
    if encoding == UTF8:
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return 2 if code >= 0x10000 else 1


class LineMap:
    """The lines of one document, for converting columns between code points (Lumen) and
    the negotiated LSP encoding."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.lines = text.replace("\r\n", "\n").split("\n")
        self.encoding = encoding

    def line(self, index: int) -> str:
        """A 0-based line's text, or '' past the end."""
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    # ---- Lumen (1-based, code points) -> LSP (0-based, code units)

    def position(self, line: int, column: int) -> lsp.Position:
        if line < 1:
            return lsp.Position(line=0, character=0)
        return lsp.Position(line=line - 1, character=self.character(line, column))

    def character(self, line: int, column: int) -> int:
        """The LSP character offset of a 1-based (line, column)."""
        prefix = self.line(line - 1)[: max(column - 1, 0)]
        if self.encoding == UTF32 or prefix.isascii():
            return max(column - 1, 0)
        return sum(_units(ch, self.encoding) for ch in prefix)

    def range(self, span: Span) -> lsp.Range:
        """The range of `span`; an unknown span (line 0) is the file's first character, an
        empty one is widened to one character so that editors can show it."""
        if span.line < 1:
            origin = lsp.Position(line=0, character=0)
            return lsp.Range(start=origin, end=origin)
        start = self.position(span.line, span.column)
        end_line, end_column = span.end_line, span.end_column
        if (end_line, end_column) <= (span.line, span.column):
            end_line, end_column = span.line, span.column + 1
        return lsp.Range(start=start, end=self.position(end_line, end_column))

    # ---- LSP -> Lumen

    def lumen_position(self, position: lsp.Position) -> tuple[int, int]:
        """The 1-based (line, column) in code points of an LSP position."""
        text = self.line(position.line)
        if self.encoding == UTF32 or text.isascii():
            return position.line + 1, min(position.character, len(text)) + 1
        units = 0
        for index, char in enumerate(text):
            if units >= position.character:
                return position.line + 1, index + 1
            units += _units(char, self.encoding)
        return position.line + 1, len(text) + 1

    def whole_document(self) -> lsp.Range:
        last = len(self.lines) - 1
        end = self.position(last + 1, len(self.lines[last]) + 1)
        return lsp.Range(start=lsp.Position(line=0, character=0), end=end)


def span_contains(span: Span, line: int, column: int) -> bool:
    """Is the 1-based (line, column) inside `span` (its end included, so that a cursor
    right after a name still counts as on it)?"""
    if span.line < 1:
        return False
    if (line, column) < (span.line, span.column):
        return False
    return (line, column) <= (span.end_line, span.end_column)
