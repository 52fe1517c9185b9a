"""Local names: parameters, `let` bindings, loop targets and pattern bindings, each with
the region where it is visible. Read from the syntax tree; the types come from the
declarations and from what the checker recorded (`Analysis.let_types`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lumen.diagnostics import Span
from lumen.lsp.tree import children, name_span
from lumen.syntax import ast


@dataclass(frozen=True, slots=True)
class LocalBinding:
    name: str
    span: Span  # where the name is written
    scope: Span  # where uses of the name refer to this binding
    kind: str  # "parameter" | "variable" | "pattern"
    type_text: str | None = None
    mutable: bool = False


CallResult = Callable[[str], "str | None"]


def local_bindings(program: ast.Program, analysis: Any, lines: list[str],
                   call_result: CallResult | None = None) -> list[LocalBinding]:
    """Every local binding of the file, in source order. `call_result(name)` gives the
    declared result type of calling `name`: the checker types calls of imported cells
    and records as Any, so `let r = Rect(...)` falls back to it."""
    collector = _Collector(analysis, lines, call_result)
    stack: list[tuple[ast.Node, Span]] = [(program, program.span)]
    while stack:  # iterative: a long operator chain nests deeper than the recursion limit
        node, block_scope = stack.pop()
        stack.extend(reversed(collector.visit(node, block_scope)))
    return collector.found


def visible_at(bindings: list[LocalBinding], line: int, column: int) -> dict[str, LocalBinding]:
    """The bindings a name at (line, column) can refer to, the innermost (latest) of each
    name winning. A binding is also "visible" on its own name."""
    position = (line, column)
    found: dict[str, tuple[tuple[int, int], LocalBinding]] = {}
    for binding in bindings:
        on_itself = _inside(binding.span, position)
        if not on_itself and not _inside(binding.scope, position):
            continue
        start = (binding.scope.line, binding.scope.column) if not on_itself else (10**9, 0)
        current = found.get(binding.name)
        if current is None or start >= current[0]:
            found[binding.name] = (start, binding)
    return {name: binding for name, (_, binding) in found.items()}


def _inside(span: Span, position: tuple[int, int]) -> bool:
    return (span.line, span.column) <= position <= (span.end_line, span.end_column)


def _later_end(own: Span, outer: Span) -> Span:
    if (outer.end_line, outer.end_column) > (own.end_line, own.end_column):
        return outer
    return own


def _after(node: ast.Node, scope: Span) -> Span:
    """From the end of `node` to the end of `scope`."""
    return Span(node.span.end_line, node.span.end_column, scope.end_line, scope.end_column)


class _Collector:
    def __init__(self, analysis: Any, lines: list[str], call_result: CallResult | None) -> None:
        self.analysis = analysis
        self.lines = lines
        self.call_result = call_result
        self.found: list[LocalBinding] = []

    def visit(self, node: ast.Node, block_scope: Span) -> list[tuple[ast.Node, Span]]:
        """Record what `node` binds and return its children to visit, each with the span
        of its innermost block (where a `let` stays visible)."""
        if isinstance(node, ast.CellDecl | ast.Lambda | ast.HandlerOp | ast.HandlerArm):
            self.parameters(node.params, node.span)
        elif isinstance(node, ast.Let):
            self.pattern(node.target, _after(node, block_scope), "variable", node)
        elif isinstance(node, ast.For):
            self.pattern(node.target, node.span, "variable")
        elif isinstance(node, ast.Comprehension):
            for clause in node.clauses:
                self.pattern(clause.target, node.span, "variable")
        elif isinstance(node, ast.MatchArm):
            for pattern in node.patterns:
                self.pattern(pattern, node.span, "pattern")
        elif isinstance(node, ast.IfLet):
            self.pattern(node.pattern, node.then.span, "pattern")
        elif isinstance(node, ast.WhileLet):
            self.pattern(node.pattern, node.body.span, "pattern")
        if isinstance(node, ast.Program):
            block_scope = node.span
        elif isinstance(node, ast.Block):
            # A block's span ends at its last statement; the construct around it (passed
            # in) ends at `end`, and a cursor on a new line before `end` is still inside.
            block_scope = node.span.to(_later_end(node.span, block_scope))
        return [(child, node.span if isinstance(child, ast.Block) else block_scope)
                for child in children(node)]

    def parameters(self, params: tuple[ast.Param, ...], scope: Span) -> None:
        from lumen.syntax.printer import print_type

        for param in params:
            type_text = print_type(param.type) if param.type is not None else None
            self.found.append(LocalBinding(param.name, name_span(self.lines, param.span, param.name),
                                           scope, "parameter", type_text))

    def pattern(self, pattern: ast.Node, scope: Span, kind: str, let: ast.Let | None = None) -> None:
        for name, span in self.binders(pattern):
            self.found.append(LocalBinding(name, span, scope, kind, self.let_type(let, pattern),
                                           mutable=bool(let and let.mutable)))

    def let_type(self, let: ast.Let | None, pattern: ast.Node) -> str | None:
        if let is None or not isinstance(pattern, ast.BindPat):
            return None
        from lumen.syntax.printer import print_type

        if let.type is not None:
            return print_type(let.type)
        from lumen.sema.types import ANY, render

        recorded = getattr(self.analysis, "let_types", {}).get((let.span.line, let.span.column))
        if recorded is not None and recorded != ANY:
            return render(recorded)
        value = let.value
        is_call = isinstance(value, ast.Call) and isinstance(value.callee, ast.Name)
        if self.call_result is not None and is_call:
            declared = self.call_result(value.callee.id)
            if declared is not None:
                return declared
        return render(recorded) if recorded is not None else None

    def binders(self, pattern: ast.Node) -> Iterator[tuple[str, Span]]:
        """The names a pattern binds (a bare name of a payload-less variant binds nothing)."""
        if isinstance(pattern, ast.BindPat):
            if self.analysis is None or not self.analysis.is_variant(pattern.name):
                yield pattern.name, pattern.span
        elif isinstance(pattern, ast.TypedPat):
            yield pattern.name, name_span(self.lines, pattern.span, pattern.name)
        elif isinstance(pattern, ast.FieldPat):
            if pattern.pattern is None:
                yield pattern.name, name_span(self.lines, pattern.span, pattern.name)
            else:
                yield from self.binders(pattern.pattern)
        elif isinstance(pattern, ast.ListPat):
            for item in pattern.items:
                yield from self.binders(item)
            if pattern.rest:
                yield pattern.rest, name_span(self.lines, pattern.span, pattern.rest)
        elif isinstance(pattern, ast.VariantPat | ast.RecordPat | ast.TuplePat):
            for child in children(pattern):
                yield from self.binders(child)


class BindingTable:
    """`visible_at` for many positions of one file: bindings grouped by name and by the
    top-level item whose lines hold them, so that a lookup looks at a handful (bindings
    of top-level statements, visible further down, are looked at every time)."""

    def __init__(self, bindings: list[LocalBinding], program: ast.Program) -> None:
        import bisect

        self._bisect = bisect.bisect_right
        items = sorted((item.span.line, item.span.end_line)
                       for item in program.items if item.span.line > 0)
        self._starts = [start for start, _ in items]
        self._ends = [end for _, end in items]
        self._groups: dict[tuple[int, str], list[LocalBinding]] = {}
        for binding in bindings:
            item = self._item_of(binding.span.line)
            if item >= 0 and binding.scope.end_line > self._ends[item]:
                item = -1  # a top-level `let`: seen by the statements after it
            self._groups.setdefault((item, binding.name), []).append(binding)

    def _item_of(self, line: int) -> int:
        """The index of the top-level item whose lines hold `line` (-1: none)."""
        index = self._bisect(self._starts, line) - 1
        return index if index >= 0 and line <= self._ends[index] else -1

    def visible(self, name: str, line: int, column: int) -> LocalBinding | None:
        item = self._item_of(line)
        candidates = self._groups.get((-1, name), [])
        if item >= 0:
            candidates = candidates + self._groups.get((item, name), [])
        return visible_at(candidates, line, column).get(name)
