"""Generic traversal of AST nodes (children in field order), cached per node class."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from lumen.syntax import ast

_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name != "span")
        _CHILD_FIELDS[cls] = names
    return names


def children(node: ast.Node) -> Iterator[ast.Node]:
    """The direct child nodes of `node`, in field order (tuples are flattened)."""
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, ast.Node):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, ast.Node):
                    yield item


def walk(node: ast.Node) -> Iterator[ast.Node]:
    """`node` and all its descendants, depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


def pattern_names(pattern: ast.Node) -> list[str]:
    """The names a pattern binds, in order (variant names are filtered by the caller)."""
    names: list[str] = []
    for node in walk(pattern):
        if isinstance(node, ast.BindPat | ast.TypedPat):
            names.append(node.name)
        elif isinstance(node, ast.FieldPat) and node.pattern is None:
            names.append(node.name)
        elif isinstance(node, ast.ListPat) and node.rest:
            names.append(node.rest)
    return names


def function_binders(body: ast.Node | None) -> frozenset[str]:
    """Every name bound anywhere inside a cell or lambda body (nested lambdas included).

    Bindings are cell-scoped (§6.1), so a name bound later in the body, or in a branch,
    is a known local everywhere in it; the checker only types such early uses `Any`.
    """
    if body is None:
        return frozenset()
    names: set[str] = set()
    for node in walk(body):
        if isinstance(node, ast.Let):
            names.update(pattern_names(node.target))
        elif isinstance(node, ast.Assign | ast.CompoundAssign):
            if isinstance(node.target, ast.Name):
                names.add(node.target.id)
        elif isinstance(node, ast.For | ast.CompFor):
            names.update(pattern_names(node.target))
        elif isinstance(node, ast.MatchArm):
            for pattern in node.patterns:
                names.update(pattern_names(pattern))
        elif isinstance(node, ast.IfLet | ast.WhileLet):
            names.update(pattern_names(node.pattern))
        elif isinstance(node, ast.Lambda | ast.HandlerArm):
            names.update(p.name for p in node.params)
        elif isinstance(node, ast.TryElse):
            names.add(node.name or "_err")
        elif isinstance(node, ast.Orchestrate) and node.for_target:
            names.add(node.for_target)
    return frozenset(names)
