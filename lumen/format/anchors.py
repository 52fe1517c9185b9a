"""Anchors: the nodes that begin a line of the printed program, matched to the source.

Comments are re-inserted next to anchors (statements, declarations, members, fields,
variants, match/when/handler arms, attributes, directives). Which nodes are anchors is
decided on the *printed* text, by re-parsing it: a node is an anchor when it is the
outermost node starting at the first non-blank column of a printed line. The printed tree
equals the original tree (the printer's round-trip guarantee), so walking both in lockstep
gives every anchor its lines in the source and its rows in the printed text.

Nothing inside a string literal or role text is visited: an interpolation that happens to
start a line of a triple-quoted string is string content, not a place for a comment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lumen.diagnostics.diagnostic import NO_SPAN
from lumen.syntax import ast as A

# nodes whose children are text, not places between lines
_OPAQUE = (A.StringLit, A.InterpString, A.RoleBlock)


class TreeMismatch(Exception):
    """The printed tree is not the original tree (a printer bug): do not format."""


@dataclass(slots=True)
class Anchor:
    """`source_*`: 1-based lines in the original code (`source_first`/`source_last` cover
    the node and everything inside it, attributes included; `source_head` is the line the
    node's own span starts on). `row_*`: 0-based rows of the printed text, likewise.
    `parent` is the index of the enclosing anchor (-1: the program)."""

    node: A.Node
    source_first: int
    source_last: int
    source_head: int
    row_first: int
    row_last: int
    row_head: int
    parent: int
    children: list[int] = field(default_factory=list)


def child_nodes(node: A.Node) -> list[A.Node]:
    if isinstance(node, _OPAQUE):
        return []
    children: list[A.Node] = []
    for name in type(node).__dataclass_fields__:
        if name == "span":
            continue
        value = getattr(node, name)
        if isinstance(value, A.Node):
            children.append(value)
        elif isinstance(value, tuple):
            children.extend(item for item in value if isinstance(item, A.Node))
    return children


def _line_range(node: A.Node) -> tuple[int, int]:
    """First and last line of the node and its descendants (0, 0 when none has a span)."""
    first, last = 0, 0
    stack = [node]
    while stack:
        current = stack.pop()
        span = current.span
        if span != NO_SPAN and span.line > 0:
            first = span.line if first == 0 else min(first, span.line)
            last = max(last, span.end_line, span.line)
        stack.extend(child_nodes(current))
    return first, last


def find_anchors(original: A.Program, printed: A.Program, printed_lines: list[str]) -> list[Anchor]:
    """The anchors, parents before children, in source order among siblings."""
    anchors: list[Anchor] = []
    claimed: set[tuple[int, int]] = set()

    def starts_line(node: A.Node) -> bool:
        span = node.span
        if span == NO_SPAN or span.line <= 0 or span.line > len(printed_lines):
            return False
        text = printed_lines[span.line - 1]
        return not text[:span.column - 1].strip()

    def visit(source: A.Node, shown: A.Node, parent: int) -> None:
        if type(source) is not type(shown):
            raise TreeMismatch(f"{type(source).__name__} printed as {type(shown).__name__}")
        here = parent
        if not isinstance(shown, (A.Program, A.Block)) and starts_line(shown):
            position = (shown.span.line, shown.span.column)
            if position not in claimed:
                claimed.add(position)
                first, last = _line_range(source)
                row_first, row_last = _line_range(shown)
                head = source.span.line if source.span != NO_SPAN else first
                anchor = Anchor(source, first, last, head or first, row_first - 1,
                                row_last - 1, shown.span.line - 1, parent)
                anchors.append(anchor)
                here = len(anchors) - 1
                if parent >= 0:
                    anchors[parent].children.append(here)
        source_children = child_nodes(source)
        shown_children = child_nodes(shown)
        if len(source_children) != len(shown_children):
            raise TreeMismatch(f"{type(source).__name__} changed shape when printed")
        for source_child, shown_child in zip(source_children, shown_children, strict=True):
            visit(source_child, shown_child, here)

    visit(original, printed, -1)
    for anchor in anchors:
        if anchor.source_first == 0:
            raise TreeMismatch(f"{type(anchor.node).__name__} has no source position")
    return anchors
