"""Where each comment goes, relative to the anchors (see `anchors.py`).

A comment is placed in the innermost anchor whose source lines contain it (its
*container*; the program when none does):

- an end-of-line comment on the container's own first line trails that line (`head`);
  one on its last line trails the last printed line (`tail`);
- any other comment goes before the next anchor of the container when only blank and
  comment lines separate them (`before`), else after the previous anchor (`after`: the
  comment closed a block, as before an `else` or `end`), else before the next one;
- a container without anchors keeps it inside, before its closing `end` (`inside`),
  and a program without anchors just lists it (`end`).

Blank lines: an element (anchor or comment) gets one blank line before it when the
source had at least one between it and the previous element of the same container.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from lumen.format.anchors import Anchor
from lumen.format.comments import Comment

Where = Literal["before", "after", "head", "tail", "inside", "end", "keyword"]


@dataclass(frozen=True, slots=True)
class Placement:
    comment: Comment
    where: Where
    anchor: int  # -1 with "end"
    blank_before: bool


class SourceLines:
    """What each source line holds: code, comment text, or nothing."""

    def __init__(self, code: str, comments: Sequence[Comment]) -> None:
        self.lines = code.split("\n")
        self.comment_lines: set[int] = set()
        self.own_comment_lines: set[int] = set()  # lines holding nothing but a comment
        for comment in comments:
            lines = range(comment.line, comment.end_line + 1)
            self.comment_lines.update(lines)
            if comment.own_line:
                self.own_comment_lines.update(lines)

    def is_blank(self, line: int) -> bool:
        if line in self.comment_lines:
            return False
        return not (1 <= line <= len(self.lines)) or not self.lines[line - 1].strip()

    def has_code(self, line: int) -> bool:
        if not 1 <= line <= len(self.lines):
            return False
        text = self.lines[line - 1].strip()
        return bool(text) and not text.startswith("#")

    def previous_nonblank(self, line: int) -> int:
        line -= 1
        while line >= 1 and self.is_blank(line):
            line -= 1
        return line


def _sorted_children(anchors: list[Anchor], index: int, roots: list[int]) -> list[int]:
    children = roots if index < 0 else anchors[index].children
    return sorted(children, key=lambda i: (anchors[i].source_first, anchors[i].source_head))


def place_comments(
    anchors: list[Anchor], comments: Sequence[Comment], source: SourceLines,
    printed_lines: Sequence[str],
) -> tuple[list[Placement], dict[int, bool]]:
    """Every comment's placement, and which anchors get a blank line before them."""
    roots = [i for i, anchor in enumerate(anchors) if anchor.parent < 0]
    children_of = {-1: _sorted_children(anchors, -1, roots)}
    for index in range(len(anchors)):
        children_of[index] = _sorted_children(anchors, index, roots)
    placements = [
        _keyword_line(_place(anchors, children_of, comment, source), anchors, printed_lines)
        for comment in comments
    ]
    return placements, _anchor_blanks(anchors, children_of, source)


def _keyword_line(
    placement: Placement, anchors: list[Anchor], printed_lines: Sequence[str]
) -> Placement:
    """`else  # why` keeps trailing its `else`: an end-of-line comment after a line of
    block syntax only (`else`, `with`, ...) that is printed, as written, right above the
    anchor the comment would go before."""
    comment = placement.comment
    if comment.own_line or placement.where != "before":
        return placement
    row = anchors[placement.anchor].row_first - 1
    if row >= 0 and printed_lines[row].strip() == comment.code_before.strip():
        return Placement(comment, "keyword", placement.anchor, False)
    return placement


def _containers_of(
    anchors: list[Anchor], children_of: dict[int, list[int]], line: int
) -> list[int]:
    """The anchors whose lines contain `line`, outermost first (-1: the program)."""
    chain = [-1]
    while True:
        inside = [
            i for i in children_of[chain[-1]]
            if anchors[i].source_first <= line <= anchors[i].source_last
        ]
        if not inside:
            return chain
        chain.append(inside[-1])


def _trailing_placement(anchors: list[Anchor], chain: list[int], comment: Comment) -> Placement | None:
    """An end-of-line comment trails the innermost anchor that ends right before it on its
    line (only a comma between), or else the outermost one whose first line it is on (a
    comment after a cell's header is about the cell, not its last parameter)."""
    line = comment.line
    for index in reversed(chain[1:]):
        span = anchors[index].node.span
        if span.end_line == line and comment.code_before[span.end_column - 1:].strip() in ("", ","):
            return Placement(comment, "tail", index, False)
    for index in chain[1:]:
        if anchors[index].source_head == line:
            return Placement(comment, "head", index, False)
    return None


def _place(
    anchors: list[Anchor], children_of: dict[int, list[int]], comment: Comment,
    source: SourceLines,
) -> Placement:
    line = comment.line
    chain = _containers_of(anchors, children_of, line)
    container = chain[-1]
    if not comment.own_line:
        trailing = _trailing_placement(anchors, chain, comment)
        if trailing is not None:
            return trailing
    children = children_of[container]
    previous = [i for i in children if anchors[i].source_last < line]
    following = [i for i in children if anchors[i].source_first > comment.end_line]
    code_between = bool(following) and any(
        source.has_code(n) for n in range(comment.end_line + 1, anchors[following[0]].source_first)
    )
    where: Where
    if following and (not code_between or not previous):
        where, anchor = "before", following[0]
    elif previous:
        where, anchor = "after", previous[-1]
    else:
        where, anchor = ("end" if container < 0 else "inside"), container
    row = anchors[anchor].row_first if where == "before" else None
    blank = comment.own_line and _blank_before(anchors, container, children, line, row, source)
    return Placement(comment, where, anchor, blank)


def _blank_before(
    anchors: list[Anchor], container: int, siblings: list[int], first_line: int,
    row: int | None, source: SourceLines,
) -> bool:
    """Whether the element starting on source line `first_line`, to be printed at `row`
    (None: right after the element above it), keeps a blank line above it: the source has
    one, the previous non-blank line ends a comment or a sibling anchor that is printed
    right above `row`, and it is not the container's first line (no block opens with a
    blank line)."""
    head = anchors[container].source_head if container >= 0 else 0
    if first_line <= head or not source.is_blank(first_line - 1):
        return False  # on the container's header line (a wrapped parameter, say)
    above = source.previous_nonblank(first_line)
    if above <= 0 or above == head:
        return False
    if above in source.own_comment_lines:
        return True
    for index in siblings:
        anchor = anchors[index]
        if anchor.source_last == above and anchor.source_first < first_line:
            return row is None or anchor.row_last == row - 1
    return False


def _anchor_blanks(
    anchors: list[Anchor], children_of: dict[int, list[int]], source: SourceLines
) -> dict[int, bool]:
    blanks: dict[int, bool] = {}
    for container, children in children_of.items():
        for index in children:
            anchor = anchors[index]
            blanks[index] = _blank_before(
                anchors, container, children, anchor.source_first, anchor.row_first, source
            )
    return blanks
