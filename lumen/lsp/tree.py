"""Generic queries over the syntax tree: children, walking, the nodes under a position, and
the exact range of a declared name (declaration nodes span the whole declaration)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lumen.diagnostics import Span
from lumen.lsp.positions import span_contains
from lumen.syntax import ast

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def children(node: ast.Node) -> Iterator[ast.Node]:
    """The direct child nodes, in field order (tuples and string parts included)."""
    for name in node.__dataclass_fields__:
        if name == "span":
            continue
        value = getattr(node, name, None)
        if isinstance(value, ast.Node):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, ast.Node):
                    yield item


def walk(node: ast.Node) -> Iterator[ast.Node]:
    """`node` and every node below it, parents first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


def nodes_at(root: ast.Node, line: int, column: int) -> list[ast.Node]:
    """The nodes whose span holds the position, outermost first. Nodes without a span
    (synthesised by the parser) are looked through. Iterative: a long operator chain
    nests deeper than Python's recursion limit."""
    found: list[ast.Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        has_span = node.span.line > 0
        if has_span and not span_contains(node.span, line, column):
            continue
        if has_span:
            found.append(node)
        stack.extend(reversed(list(children(node))))
    # Siblings can touch (`a.b`: the end of `a` is the start of `.b`); the deepest wins.
    return found


def word_at(text: str, column: int) -> tuple[str, int] | None:
    """The identifier touching the 1-based `column` of a line, and its 1-based start."""
    for match in _WORD.finditer(text):
        if match.start() + 1 <= column <= match.end() + 1:
            return match.group(), match.start() + 1
    return None


def name_span(lines: list[str], span: Span, name: str) -> Span:
    """The span of the first whole-word `name` at or after the start of `span` (on its
    first lines): where a declaration writes its name. Falls back to `span`'s start."""
    if span.line < 1:
        return span
    pattern = re.compile(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])")
    last = min(span.end_line, span.line + 3, len(lines))
    for line in range(span.line, last + 1):
        text = lines[line - 1]
        start = span.column - 1 if line == span.line else 0
        match = pattern.search(text, start)
        if match is not None:
            return Span(line, match.start() + 1, line, match.end() + 1)
    return Span(span.line, span.column, span.line, span.column + len(name))


def enclosing(path: list[ast.Node], kinds: type | tuple[type, ...]) -> ast.Node | None:
    """The innermost node of `path` (outermost first) that is one of `kinds`."""
    for node in reversed(path):
        if isinstance(node, kinds):
            return node
    return None


def top_level_declarations(program: ast.Program) -> Iterator[ast.Node]:
    """Declarations at the top level and the ones hoisted out of bodies (nested cells,
    records, enums declared inside a cell, §5.14)."""
    for item in program.items:
        if ast.is_decl(item):
            yield item
        elif not isinstance(item, ast.Directive):
            for node in walk(item):
                if isinstance(node, ast.CellDecl | ast.RecordDecl | ast.EnumDecl):
                    yield node
