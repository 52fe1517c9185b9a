"""Long lines: a row wider than `LINE_WIDTH` is split inside its outermost bracket pair.

The printer writes every expression on one line. Inside `( )`, `[ ]` and `{ }` line ends
and indentation mean nothing to the lexer (§2.1), so a too-wide row is split there, one
element per line, one level deeper, the closing bracket on a line of its own:

    return [
      first_item,
      second_item
    ]

The chosen pair is the outermost (then widest) pair opened and closed on the row with a
comma directly inside it; the new rows are split again while they are too wide and have
such a pair. Rows holding or continuing a multi-line or raw token (strings, role text,
attributes, macro bodies) are never split. The decision depends on the printed text only,
so formatting stays idempotent.
"""

from __future__ import annotations

from lumen.format.comments import scan_tokens
from lumen.syntax.printer import INDENT
from lumen.syntax.scanner import CLOSE_BRACKETS, OPEN_BRACKETS, Token

LINE_WIDTH = 100
# tokens whose text is raw: a row holding one is left as it is
_RAW_TOKENS = frozenset({"ROLE", "PROTOCOL", "ATTRIBUTE", "DIRECTIVE", "MACRO", "ON_BLOCK",
                         "HEADER_REST"})
_MAX_PASSES = 64  # each pass splits every wide row once; nesting deeper than this stays


def wrap_long_lines(text: str, file: str, width: int = LINE_WIDTH) -> str:
    for _ in range(_MAX_PASSES):
        wrapped = _wrap_pass(text, file, width)
        if wrapped == text:
            break
        text = wrapped
    return text


def _wrap_pass(text: str, file: str, width: int) -> str:
    rows = text.split("\n")
    if all(len(row) <= width for row in rows):
        return text
    tokens_by_row: dict[int, list[Token]] = {}
    blocked: set[int] = set()
    for token in scan_tokens(text, file):
        if token.end_line > token.line or token.type in _RAW_TOKENS:
            blocked.update(range(token.line - 1, token.end_line))
        elif token.type != "NL":
            tokens_by_row.setdefault(token.line - 1, []).append(token)
    out: list[str] = []
    for number, row in enumerate(rows):
        if len(row) > width and number not in blocked:
            out.extend(_split_row(row, tokens_by_row.get(number, [])))
        else:
            out.append(row)
    return "\n".join(out)


def _split_row(row: str, tokens: list[Token]) -> list[str]:
    pair = _widest_outer_pair(tokens)
    if pair is None:
        return [row]
    open_index, close_index, commas = pair
    opening, closing = tokens[open_index], tokens[close_index]
    indent = row[:len(row) - len(row.lstrip())]
    inner = indent + INDENT
    starts = [opening.end_column - 1] + [tokens[i].end_column - 1 for i in commas]
    ends = [tokens[i].column - 1 for i in commas] + [closing.column - 1]
    items = [row[start:end].strip() for start, end in zip(starts, ends, strict=True)]
    if not items[-1]:  # a trailing comma, as in a one-element tuple `(x,)`: keep it
        items.pop()
        lines = [inner + item + "," for item in items]
    else:
        lines = [inner + item + "," for item in items[:-1]] + [inner + items[-1]]
    return [row[:opening.end_column - 1], *lines, indent + row[closing.column - 1:]]


def _widest_outer_pair(tokens: list[Token]) -> tuple[int, int, list[int]] | None:
    """(open, close, commas directly inside) of the outermost, widest bracket pair of the
    row that has a comma directly inside it."""
    stack: list[tuple[int, list[int]]] = []
    best: tuple[tuple[int, int], tuple[int, int, list[int]]] | None = None
    for index, token in enumerate(tokens):
        if token.type in OPEN_BRACKETS:
            stack.append((index, []))
        elif token.type in CLOSE_BRACKETS and stack:
            open_index, commas = stack.pop()
            if commas:
                rank = (len(stack), -(token.column - tokens[open_index].column))
                if best is None or rank < best[0]:
                    best = (rank, (open_index, index, commas))
        elif token.type == "COMMA" and stack:
            stack[-1][1].append(index)
    return None if best is None else best[1]
