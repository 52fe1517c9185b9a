"""AST scans the lowering needs before it emits code.

- `bound_names`: every local name a cell or lambda body binds (bindings are cell-scoped,
  §6.1), so that each gets one register up front.
- `mentioned_names`: every identifier an expression mentions, used to decide what a
  lambda captures (§7.14).
- `nested_declarations`: local `cell`/`record`/`enum`/`const` declarations to hoist (§5.14).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from functools import cache

from lumen.syntax import ast


@cache
def _child_fields(node_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(node_type) if f.name != "span")


def children(node: object) -> Iterator[object]:
    """Direct AST children of `node` (nodes only, tuples flattened)."""
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, ast.Node):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, ast.Node):
                    yield item


def pattern_names(pattern: ast.Node, is_variant: Callable[[str], bool]) -> list[str]:
    """Names a pattern binds, in order (a bare variant name binds nothing)."""
    found: list[str] = []

    def visit(p: object) -> None:
        if isinstance(p, ast.BindPat):
            if not is_variant(p.name):
                found.append(p.name)
        elif isinstance(p, ast.TypedPat):
            found.append(p.name)
        elif isinstance(p, ast.FieldPat):
            if p.pattern is None:
                found.append(p.name)
            else:
                visit(p.pattern)
        elif isinstance(p, ast.ListPat):
            for item in p.items:
                visit(item)
            if p.rest:
                found.append(p.rest)
        elif isinstance(p, (ast.TuplePat, ast.VariantPat)):
            for item in (p.items if isinstance(p, ast.TuplePat) else (p.args or ())):
                visit(item)
        elif isinstance(p, ast.RecordPat):
            for item in p.fields:
                visit(item)

    visit(pattern)
    return list(dict.fromkeys(found))


_SCOPE_BOUNDARIES = (ast.Lambda, ast.CellDecl, ast.Comprehension, ast.RecordDecl,
                     ast.EnumDecl, ast.ConstDecl, ast.ImplDecl, ast.TraitDecl)


def bound_names(body: object, is_variant: Callable[[str], bool]) -> list[str]:
    """Local names bound anywhere in `body`, not descending into nested scopes."""
    found: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, ast.Let):
            found.extend(pattern_names(node.target, is_variant))
        elif isinstance(node, (ast.Assign, ast.CompoundAssign)):
            if isinstance(node.target, ast.Name):
                found.append(node.target.id)
        elif isinstance(node, ast.For):
            found.extend(pattern_names(node.target, is_variant))
        elif isinstance(node, (ast.IfLet, ast.WhileLet)):
            found.extend(pattern_names(node.pattern, is_variant))
        elif isinstance(node, ast.MatchArm):
            for pattern in node.patterns:
                found.extend(pattern_names(pattern, is_variant))
        elif isinstance(node, ast.TryElse):
            found.append(node.name or "_err")
        for child in children(node):
            if isinstance(child, _SCOPE_BOUNDARIES):
                continue
            visit(child)

    visit(body)
    return list(dict.fromkeys(found))


def mentioned_names(node: object) -> set[str]:
    """Every identifier mentioned in `node`, including inside nested lambdas."""
    found: set[str] = set()

    def visit(n: object) -> None:
        if isinstance(n, ast.Name):
            found.add(n.id)
        elif isinstance(n, (ast.Assign, ast.CompoundAssign)) and isinstance(n.target, ast.Name):
            found.add(n.target.id)
        for child in children(n):
            visit(child)

    visit(node)
    return found


def nested_declarations(body: object) -> list[ast.Node]:
    """Local cells, records, enums and constants declared inside a body (hoisted)."""
    found: list[ast.Node] = []

    def visit(node: object) -> None:
        for child in children(node):
            if isinstance(child, (ast.CellDecl, ast.RecordDecl, ast.EnumDecl, ast.ConstDecl)):
                found.append(child)
                if isinstance(child, ast.CellDecl) and child.body is not None:
                    visit(child.body)
            elif isinstance(child, ast.Lambda):
                visit(child.body)
            else:
                visit(child)

    visit(body)
    return found
