"""Finding the comments of a code unit, with their positions.

The scanner drops `#` comments, so they are found in the gaps between its tokens: a gap
holds only whitespace, line ends, line continuations and comments. Line-start raw forms
(attributes, directives, agent-protocol lines) swallow the rest of their first line, so a
comment there is cut off their first line the way the scanner does it. Comments inside
the raw text of macros, `on_*` blocks, role blocks or attribute payloads are part of the
tree (printed verbatim) and are not collected.

Markdown blocks of plain files (``` regions, §1.2) are blank lines in the code; they are
collected from the original text as verbatim *block comments*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lumen.source.unit import DocBlock
from lumen.syntax.scanner import Scanner, Token, _strip_comment  # the scanner's own rule

# raw tokens whose span runs to the end of their first line, comment included
_LINE_SWALLOWING = frozenset({"ATTRIBUTE", "DIRECTIVE", "PROTOCOL"})


@dataclass(frozen=True, slots=True)
class Comment:
    """A `#` comment (`lines` is one line, no trailing whitespace) or a Markdown block
    (`lines` are its verbatim lines, fences included). `line`/`end_line` are 1-based;
    `own_line` says nothing but whitespace precedes it on its line."""

    line: int
    end_line: int
    column: int
    lines: tuple[str, ...]
    own_line: bool
    is_block: bool = False
    code_before: str = ""  # what precedes an end-of-line comment on its line

    @property
    def key(self) -> str:
        """What must survive formatting: the text, independent of indentation."""
        if not self.is_block:
            return self.lines[0]
        return "\n".join(_dedent_lines(self.lines))


def line_starts(code: str) -> list[int]:
    """Offsets where each line begins (index 0 is line 1)."""
    starts = [0]
    index = code.find("\n")
    while index >= 0:
        starts.append(index + 1)
        index = code.find("\n", index + 1)
    return starts


def scan_tokens(code: str, file: str) -> list[Token]:
    from lumen.syntax.parser import get_parser

    return Scanner(code, file, get_parser().tables, []).scan()


def collect_comments(
    code: str, file: str, tokens: Sequence[Token] | None = None
) -> list[Comment]:
    """Every `#` comment of `code`, in source order."""
    if tokens is None:
        tokens = scan_tokens(code, file)
    starts = line_starts(code)
    found: list[Comment] = []
    position = 0
    for token in tokens:
        if token.start_pos > position:
            _gap_comments(code, position, token.start_pos, starts, found)
        end = _offset(starts, token.end_line, token.end_column)
        if token.type in _LINE_SWALLOWING:
            _first_line_comment(code, token.start_pos, starts, found)
        position = max(position, end)
    if position < len(code):
        _gap_comments(code, position, len(code), starts, found)
    found.sort(key=lambda c: (c.line, c.column))
    return found


def _offset(starts: list[int], line: int, column: int) -> int:
    if line - 1 >= len(starts):
        return starts[-1]
    return starts[line - 1] + column - 1


def _line_of(starts: list[int], offset: int) -> int:
    """1-based line holding `offset` (binary search)."""
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low + 1


def _make_comment(code: str, start: int, starts: list[int]) -> Comment:
    end = code.find("\n", start)
    end = len(code) if end < 0 else end
    line = _line_of(starts, start)
    line_start = starts[line - 1]
    before = code[line_start:start]
    text = code[start:end].rstrip()
    return Comment(line, line, start - line_start + 1, (text,), not before.strip(),
                   code_before=before.rstrip())


def _gap_comments(code: str, start: int, end: int, starts: list[int], found: list[Comment]) -> None:
    index = code.find("#", start, end)
    while index >= 0:
        comment = _make_comment(code, index, starts)
        found.append(comment)
        line_end = code.find("\n", index, end)
        if line_end < 0:
            return
        index = code.find("#", line_end, end)


def _first_line_comment(code: str, start: int, starts: list[int], found: list[Comment]) -> None:
    line_end = code.find("\n", start)
    line_end = len(code) if line_end < 0 else line_end
    first_line = code[start:line_end]
    kept = _strip_comment(first_line)
    if len(kept) < len(first_line):
        found.append(_make_comment(code, start + len(kept), starts))


# ------------------------------------------------------------------ Markdown blocks


def block_comments(text_lines: Sequence[str], docblocks: Sequence[DocBlock]) -> list[Comment]:
    """The ``` blocks of a plain file as verbatim block comments."""
    found = []
    for block in docblocks:
        lines = tuple(text_lines[block.start_line - 1:block.end_line])
        first = lines[0]
        column = len(first) - len(first.lstrip()) + 1
        found.append(Comment(block.start_line, block.end_line, column, lines, True, True))
    return found


def _dedent_lines(lines: Sequence[str]) -> list[str]:
    """Strip the indentation the block's lines share (blank lines do not count)."""
    widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(widths, default=0)
    return [line[cut:].rstrip() for line in lines]


def indented_lines(comment: Comment, indent: str) -> list[str]:
    """The comment's lines re-indented to `indent` (a block keeps its inner layout)."""
    if not comment.is_block:
        return [indent + comment.lines[0]]
    return [indent + line if line else "" for line in _dedent_lines(comment.lines)]
