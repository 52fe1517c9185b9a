"""Generic traversal of AST nodes (children in field order), cached per node class."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from lumen.syntax import ast

_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_SCALAR_WORDS = frozenset({"str", "int", "bool", "float", "bytes", "None", "|", ""})


def _may_hold_nodes(annotation: object) -> bool:
    """False for fields annotated with scalars only (`str`, `bool`, `str | None`, ...)."""
    words = str(annotation).replace("|", " | ").split()
    return not all(word in _SCALAR_WORDS for word in words)


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(cls) if f.name != "span" and _may_hold_nodes(f.type)
        )
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


# Annotation words of subtrees that never bind names, declare or perform anything.
_INERT_WORDS = frozenset({"TypeExpr", "EffectRow", "Attribute", "Generic", "None", "|", ""})
_PUSHERS: dict[type, object] = {}


def _pusher(cls: type):  # type: ignore[no-untyped-def]
    """A generated function that pushes the scan-relevant children of a `cls` node.

    Generated once per class so the hot loop of `scan_body` does no per-field reflection.
    """
    lines = ["def push(node, stack, node_type):"]
    for f in dataclasses.fields(cls):
        annotation = str(f.type)
        words = set(annotation.replace("|", " | ").replace("[", " ").replace("]", " ")
                    .replace(",", " ").split())
        if f.name == "span" or not _may_hold_nodes(annotation) or words <= _INERT_WORDS | {"..."}:
            continue
        if annotation.startswith("tuple[") and "None" not in words:
            if words & {"str", "int"}:
                lines.append(f"    stack.extend(x for x in node.{f.name} if isinstance(x, node_type))")
            else:
                lines.append(f"    stack.extend(node.{f.name})")
        elif "tuple[" in annotation:
            lines.append(f"    v = node.{f.name}")
            lines.append("    if v is not None:")
            lines.append("        stack.extend(x for x in v if isinstance(x, node_type))")
        else:
            lines.append(f"    v = node.{f.name}")
            lines.append("    if isinstance(v, node_type):")
            lines.append("        stack.append(v)")
    lines.append("    return None")
    namespace: dict[str, object] = {}
    exec("\n".join(lines), namespace)  # noqa: S102 - generated from dataclass fields only
    push = namespace["push"]
    _PUSHERS[cls] = push
    return push


_HOISTED = (ast.CellDecl, ast.RecordDecl, ast.EnumDecl)
# Nodes the effect pass looks at (§11.2 sources).
EFFECT_SITES = (ast.Emit, ast.Yield, ast.Await, ast.Orchestrate, ast.Perform, ast.Call)


@dataclass(frozen=True, slots=True)
class BodyScan:
    """What one pass over a cell body finds.

    `binders`: every name bound anywhere inside (lambdas included). Bindings are
    cell-scoped (§6.1), so such a name is a known local everywhere in the body; the checker
    only types an early use `Any`.  `nested`: record/enum/cell declarations to hoist (the
    scan does not enter them).  `effect_sites`: the nodes that may carry an effect, in
    source order.
    """

    binders: frozenset[str]
    nested: tuple[ast.Node, ...]
    effect_sites: tuple[ast.Node, ...]


def scan_body(body: ast.Node | None) -> BodyScan:
    if body is None:
        return BodyScan(frozenset(), (), ())
    names: set[str] = set()
    nested: list[ast.Node] = []
    sites: list[ast.Node] = []
    stack: list[ast.Node] = [body]
    node_type = ast.Node
    pushers = _PUSHERS
    while stack:
        node = stack.pop()
        cls = type(node)
        if cls in _HOISTED and node is not body:
            nested.append(node)
            continue
        if cls in EFFECT_SITES:
            sites.append(node)
        if cls is ast.BindPat or cls is ast.TypedPat or cls is ast.Param:
            names.add(node.name)  # type: ignore[attr-defined]
        elif cls is ast.FieldPat:
            if node.pattern is None:  # type: ignore[attr-defined]
                names.add(node.name)  # type: ignore[attr-defined]
        elif cls is ast.ListPat:
            if node.rest:  # type: ignore[attr-defined]
                names.add(node.rest)  # type: ignore[attr-defined]
        elif cls is ast.Assign or cls is ast.CompoundAssign:
            target = node.target  # type: ignore[attr-defined]
            if type(target) is ast.Name:
                names.add(target.id)
        elif cls is ast.TryElse:
            names.add(node.name or "_err")  # type: ignore[attr-defined]
        elif cls is ast.Orchestrate:
            if node.for_target:  # type: ignore[attr-defined]
                names.add(node.for_target)  # type: ignore[attr-defined]
        push = pushers.get(cls) or _pusher(cls)
        push(node, stack, node_type)  # type: ignore[operator]
    sites.sort(key=lambda n: (n.span.line, n.span.column))
    nested.sort(key=lambda n: (n.span.line, n.span.column))
    return BodyScan(frozenset(names), tuple(nested), tuple(sites))
