"""Small syntactic questions the verifier asks of the tree (no solver, no state)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

from lumen.diagnostics import Span
from lumen.sema import types as T
from lumen.syntax import ast
from lumen.verify.constraints import Sort
from lumen.verify.state import LIST, OTHER, STRING, TUPLE

LENGTH_BUILTINS = frozenset({"length", "len", "count", "size"})
GROWING_BUILTINS = frozenset({"append", "push"})  # `append(xs, x)`: one element longer
_SORT_OF_PRIM = {"Int": Sort.INT, "Float": Sort.REAL, "Bool": Sort.BOOL}
_SORT_OF_NAME = {"Int": Sort.INT, "int": Sort.INT, "Float": Sort.REAL, "float": Sort.REAL,
                 "Bool": Sort.BOOL, "bool": Sort.BOOL}
# Nodes that are not evaluated where they stand: types, patterns, effect rows, parameters.
NOT_EVALUATED = (ast.NamedType, ast.TupleType, ast.FnType, ast.OptionalType, ast.UnionType,
                 ast.YieldType, ast.EffectRow, ast.WildcardPat, ast.BindPat, ast.LiteralPat,
                 ast.RangePat, ast.TypedPat, ast.VariantPat, ast.FieldPat, ast.RecordPat,
                 ast.TuplePat, ast.ListPat, ast.Param, ast.Attribute)


def sort_of_type(t: T.Type | None) -> Sort | None:
    """The solver sort of a checked type: Int, Float, Bool; anything else is not followed."""
    if isinstance(t, T.Prim):
        return _SORT_OF_PRIM.get(t.name)
    return None


def sort_of_annotation(t: ast.TypeExpr | None) -> Sort | None:
    if isinstance(t, ast.NamedType) and not t.args:
        return _SORT_OF_NAME.get(t.name)
    return None


def kind_of_type(t: T.Type | None) -> str:
    if isinstance(t, T.ListT):
        return LIST
    if isinstance(t, T.TupleT):
        return TUPLE
    if t == T.STRING:
        return STRING
    return OTHER


def kind_of_literal(expr: ast.Expr) -> str | None:
    if isinstance(expr, ast.ListLit):
        return LIST
    if isinstance(expr, (ast.StringLit, ast.InterpString)):
        return STRING
    if isinstance(expr, ast.TupleLit):
        return TUPLE
    return None


def literal_length(expr: ast.Expr) -> int | None:
    """The length of a list/tuple literal without spreads, or of a plain string literal."""
    if isinstance(expr, (ast.ListLit, ast.TupleLit)):
        if any(isinstance(item, ast.Spread) for item in expr.items):
            return None
        return len(expr.items)
    if isinstance(expr, ast.StringLit):
        return len(expr.value)
    return None


def length_argument(call: ast.Call) -> ast.Expr | None:
    """`x` of `length(x)` / `len(x)` / `x.length()`; None for any other call."""
    callee = call.callee
    if isinstance(callee, ast.Name) and callee.id in LENGTH_BUILTINS:
        if len(call.args) == 1 and call.args[0].name is None and not call.args[0].spread:
            return call.args[0].value
    if isinstance(callee, ast.Attr) and callee.name in LENGTH_BUILTINS and not call.args:
        return callee.value
    return None


def children(node: ast.Node) -> Iterator[object]:
    """The fields of a node, in declaration (= evaluation) order."""
    for item in fields(node):  # type: ignore[arg-type]
        if item.name != "span":
            yield getattr(node, item.name)


def pattern_names(pattern: object) -> set[str]:
    """Every name a pattern binds."""
    if isinstance(pattern, (ast.BindPat, ast.TypedPat)):
        return {pattern.name}
    if isinstance(pattern, ast.FieldPat):
        return {pattern.name} if pattern.pattern is None else pattern_names(pattern.pattern)
    names: set[str] = set()
    if isinstance(pattern, ast.RecordPat):
        for field in pattern.fields:
            names |= pattern_names(field)
    elif isinstance(pattern, (ast.TuplePat, ast.ListPat)):
        for item in pattern.items:
            names |= pattern_names(item)
        if isinstance(pattern, ast.ListPat) and pattern.rest:
            names.add(pattern.rest)
    elif isinstance(pattern, ast.VariantPat) and pattern.args:
        for item in pattern.args:
            names |= pattern_names(item)
    return names


def assigned_names(node: object) -> set[str]:
    """Names a statement or block may (re)bind: lets, assignments, loop and pattern
    variables (bindings are cell-scoped, §6.1). Lambdas and nested cells are their own scope."""
    names: set[str] = set()
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(item)
            continue
        if not isinstance(item, ast.Node) or isinstance(item, (ast.Lambda, ast.CellDecl)):
            continue
        if isinstance(item, ast.Let):
            names |= pattern_names(item.target)
        elif isinstance(item, (ast.Assign, ast.CompoundAssign)):
            root = place_root(item.target)
            if root is not None:
                names.add(root)
        elif isinstance(item, (ast.For, ast.IfLet, ast.WhileLet)):
            names |= pattern_names(item.target if isinstance(item, ast.For) else item.pattern)
        elif isinstance(item, ast.MatchArm):
            for pattern in item.patterns:
                names |= pattern_names(pattern)
        stack.extend(children(item))
    return names


def contains_break(node: object) -> bool:
    return contains(node, ast.Break)


def contains(node: object, kind: type) -> bool:
    """Does `node` hold a `kind` node (lambdas and nested cells aside)?"""
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, kind):
            return True
        elif isinstance(item, ast.Node) and not isinstance(item, (ast.Lambda, ast.CellDecl)):
            stack.extend(children(item))
    return False


def place_root(target: ast.Expr) -> str | None:
    """`x` of `x`, `x.f`, `x[i].g`."""
    while isinstance(target, (ast.Attr, ast.Index, ast.PosAccess)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def free_names(expr: object) -> set[str]:
    names: set[str] = set()
    stack: list[object] = [expr]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, ast.Name):
            names.add(item.id)
        elif isinstance(item, ast.Node):
            stack.extend(children(item))
    return names


def source_text(lines: list[str], node: ast.Node) -> str:
    """The text of `node` as written (one line), else as printed."""
    span: Span = node.span
    if span.line and span.line == span.end_line and span.line <= len(lines):
        text = lines[span.line - 1][span.column - 1 : span.end_column - 1].strip()
        if text:
            return text
    from lumen.syntax.printer import print_expr

    return print_expr(node)  # type: ignore[arg-type]


def split_conjuncts(expr: ast.Expr) -> list[ast.Expr]:
    """`a and b and c` -> [a, b, c] (anything else is one conjunct)."""
    if isinstance(expr, ast.Binary) and expr.op == "and":
        return split_conjuncts(expr.left) + split_conjuncts(expr.right)
    return [expr]
