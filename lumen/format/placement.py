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

Where = Literal["before", "after", "head", "tail", "inside", "end"]


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
    anchors: list[Anchor], comments: Sequence[Comment], source: SourceLines
) -> tuple[list[Placement], dict[int, bool]]:
    """Every comment's placement, and which anchors get a blank line before them."""
    roots = [i for i, anchor in enumerate(anchors) if anchor.parent < 0]
    children_of = {-1: _sorted_children(anchors, -1, roots)}
    for index in range(len(anchors)):
        children_of[index] = _sorted_children(anchors, index, roots)
    placements = [_place(anchors, children_of, comment, source) for comment in comments]
    return placements, _anchor_blanks(anchors, children_of, source)


def _container_of(anchors: list[Anchor], children_of: dict[int, list[int]], line: int) -> int:
    container = -1
    while True:
        inside = [
            i for i in children_of[container]
            if anchors[i].source_first <= line <= anchors[i].source_last
        ]
        if not inside:
            return container
        container = inside[-1]


def _place(
    anchors: list[Anchor], children_of: dict[int, list[int]], comment: Comment,
    source: SourceLines,
) -> Placement:
    line = comment.line
    container = _container_of(anchors, children_of, line)
    blank = _comment_blank(anchors, children_of, container, comment, source)
    if not comment.own_line and container >= 0:
        anchor = anchors[container]
        if line == anchor.source_head:
            return Placement(comment, "head", container, False)
        if line == anchor.source_last:
            return Placement(comment, "tail", container, False)
    children = children_of[container]
    previous = [i for i in children if anchors[i].source_last < line]
    following = [i for i in children if anchors[i].source_first > comment.end_line]
    if following:
        target = following[0]
        code_between = any(
            source.has_code(n) for n in range(comment.end_line + 1, anchors[target].source_first)
        )
        if not code_between or not previous:
            return Placement(comment, "before", target, blank)
    if previous:
        return Placement(comment, "after", previous[-1], blank)
    if container >= 0:
        return Placement(comment, "inside", container, blank)
    return Placement(comment, "end", -1, blank)


def _ends_element(
    anchors: list[Anchor], siblings: list[int], line: int, source: SourceLines, before: int
) -> bool:
    """Whether source `line` is the last line of an element (a comment line, or the last
    line of a sibling anchor) that comes before line `before`."""
    if line <= 0:
        return False
    if line in source.own_comment_lines:
        return True
    return any(anchors[i].source_last == line and anchors[i].source_first < before for i in siblings)


def _comment_blank(
    anchors: list[Anchor], children_of: dict[int, list[int]], container: int,
    comment: Comment, source: SourceLines,
) -> bool:
    if not comment.own_line or not source.is_blank(comment.line - 1):
        return False
    above = source.previous_nonblank(comment.line)
    return _ends_element(anchors, children_of[container], above, source, comment.line)


def _anchor_blanks(
    anchors: list[Anchor], children_of: dict[int, list[int]], source: SourceLines
) -> dict[int, bool]:
    blanks: dict[int, bool] = {}
    for children in children_of.values():
        for index in children:
            first = anchors[index].source_first
            if not source.is_blank(first - 1):
                continue
            above = source.previous_nonblank(first)
            blanks[index] = _ends_element(anchors, children, above, source, first)
    return blanks
