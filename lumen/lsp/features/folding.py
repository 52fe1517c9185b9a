"""textDocument/foldingRange: every `... end` block, every fenced code block (Markdown) and
every ``` documentation block (plain files)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types as lsp

from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.tree import walk
from lumen.source.fences import closes_fence, opening_fence
from lumen.syntax import ast


def folding_ranges(document: AnalyzedDocument, params: Any = None) -> list[lsp.FoldingRange]:
    lines = document.lines.lines
    by_start: dict[int, int] = {}  # 1-based start line -> last folded line
    if document.program is not None:
        for node in walk(document.program):
            span = node.span
            if isinstance(node, ast.Program):
                continue
            if span.end_line > span.line and _ends_with_end(lines, span.end_line, span.end_column):
                # The `end` line stays visible, as the fence of a code block does.
                by_start[span.line] = max(by_start.get(span.line, 0), span.end_line - 1)
    found = [lsp.FoldingRange(start_line=start - 1, end_line=last - 1)
             for start, last in sorted(by_start.items()) if last > start]
    found += _fenced_blocks(lines)
    return found


def _ends_with_end(lines: list[str], line: int, end_column: int) -> bool:
    if not 1 <= line <= len(lines):
        return False
    return lines[line - 1][: end_column - 1].rstrip().endswith("end")


def _fenced_blocks(lines: list[str]) -> list[lsp.FoldingRange]:
    """Backtick fences: code blocks of a Markdown file, doc blocks of a plain one."""
    found: list[lsp.FoldingRange] = []
    index = 0
    while index < len(lines):
        fence = opening_fence(lines[index])
        if fence is None:
            index += 1
            continue
        close = index + 1
        while close < len(lines) and not closes_fence(lines[close], fence):
            close += 1
        if close >= len(lines):
            break  # unterminated: E0007 says so; nothing to fold
        found.append(lsp.FoldingRange(start_line=index, end_line=close,
                                      kind=lsp.FoldingRangeKind.Region))
        index = close + 1
    return found
