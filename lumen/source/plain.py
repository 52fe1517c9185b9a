"""Markdown blocks inside source code (LANGUAGE.md §1.2).

A region between triple-backtick lines is a comment; the compiler sees empty lines in its
place, and the parser receives the blocks separately so that it can attach one to the
declaration that follows it as a docstring. A ``` line inside a multi-line string literal
is string content, so the scan follows string literals line by line.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.source.fences import Fence, closes_fence, opening_fence


@dataclass(frozen=True, slots=True)
class MarkdownBlock:
    """One ``` region: fence lines `start_line`..`end_line` (1-based, inclusive) and the
    dedented text between them."""

    start_line: int
    end_line: int
    text: str


@dataclass(frozen=True, slots=True)
class BlockScan:
    code_lines: tuple[str, ...]
    blocks: tuple[MarkdownBlock, ...]
    diagnostics: tuple[Diagnostic, ...]


def scan_markdown_blocks(lines: list[str] | tuple[str, ...], file: str) -> BlockScan:
    """Blank every Markdown block in `lines` and collect it; an unclosed block is E0007
    (its lines are blanked too, so the parser does not trip over the prose)."""
    code: list[str] = []
    blocks: list[MarkdownBlock] = []
    diagnostics: list[Diagnostic] = []
    open_fence: Fence | None = None
    open_line = 0
    body: list[str] = []
    in_long_string = False
    for number, line in enumerate(lines, start=1):
        if open_fence is not None:
            code.append("")
            if closes_fence(line, open_fence):
                blocks.append(MarkdownBlock(open_line, number, _block_text(body)))
                open_fence, body = None, []
            else:
                body.append(line)
            continue
        fence = None if in_long_string else opening_fence(line)
        if fence is not None:
            open_fence, open_line = fence, number
            code.append("")
            continue
        code.append(line)
        in_long_string = _ends_inside_long_string(line, in_long_string)
    if open_fence is not None:
        span = Span(open_line, open_fence.column, open_line, open_fence.column + open_fence.length)
        diagnostics.append(
            Diagnostic(
                code=ErrorCode.UNTERMINATED_MARKDOWN.value,
                message="unterminated markdown block",
                file=file,
                span=span,
                hint="close the block with a line of ``` (everything after it was read as comment)",
            )
        )
    return BlockScan(tuple(code), tuple(blocks), tuple(diagnostics))


def _block_text(body: list[str]) -> str:
    return textwrap.dedent("\n".join(body)).strip("\n")


def _ends_inside_long_string(line: str, inside: bool) -> bool:
    """Whether a `\"\"\"` string is still open at the end of `line` (given the state at its
    start). Comments and one-line strings are skipped so that quotes in them do not count."""
    index, length = 0, len(line)
    while index < length:
        if inside:
            close = line.find('"""', index)
            if close < 0:
                return True
            index, inside = close + 3, False
            continue
        char = line[index]
        if char == "#":
            return False
        if line.startswith('"""', index):
            index, inside = index + 3, True
        elif char == '"':
            raw = index > 0 and line[index - 1] == "r"
            index = _skip_one_line_string(line, index + 1, raw)
        else:
            index += 1
    return inside


def _skip_one_line_string(line: str, index: int, raw: bool) -> int:
    """The index just past the closing quote of a string whose body starts at `index`;
    escapes are skipped and interpolations (which may hold strings) are balanced."""
    depth = 0
    length = len(line)
    while index < length:
        char = line[index]
        if char == "\\" and not raw and depth == 0:
            index += 2
            continue
        if depth > 0 and char == '"':
            index = _skip_one_line_string(line, index + 1, raw=False)
            continue
        if char == "{" and not raw and (depth > 0 or _starts_interpolation(line, index + 1)):
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        elif char == '"' and depth == 0:
            return index + 1
        index += 1
    return length


def _starts_interpolation(line: str, index: int) -> bool:
    """`{` opens an interpolation only before a letter, `_`, digit, `(`, `[` or `-` (§2.5)."""
    rest = line[index:].lstrip()
    return bool(rest) and (rest[0].isalnum() or rest[0] in "_([-")
