"""Calls (§7.5, §7.6): declared cells (argument checks of §4.6), record construction
(§5.3), variant construction, builtins (§10.19), methods, tools, pipes."""

from __future__ import annotations

from lumen.diagnostics import ErrorCode
from lumen.sema import messages
from lumen.sema.builtin_types import BUILTIN_FUNCTIONS, builtin_result_type
from lumen.sema.check_expr import ExprChecker
from lumen.sema.resolve import suggest
from lumen.sema.symbols import CellInfo, RecordInfo
from lumen.sema.types import (
    ANY,
    NULL,
    FnT,
    ListT,
    NamedT,
    Prim,
    ResultT,
    Type,
    compatible,
    infer_bindings,
    render,
    substitute,
)
from lumen.syntax import ast


class CallChecker(ExprChecker):
    def _call(self, node: ast.Call) -> Type:
        return self.check_call(node, node.callee, node.args, ())

    def pipe(self, node: ast.Binary) -> Type:
        """`x |> f(a)` is `f(x, a)`; `x |> g` is `g(x)` (§7.9)."""
        piped = (self.expr(node.left),)
        right = node.right
        if isinstance(right, ast.Call):
            return self.check_call(right, right.callee, right.args, piped)
        if isinstance(right, ast.Name | ast.Attr):
            return self.check_call(node, right, (), piped)
        callee = self.expr(right)
        return callee.ret if isinstance(callee, FnT) else ANY

    def check_call(
        self, node: ast.Node, callee: ast.Node, args: tuple[ast.Arg, ...], piped: tuple[Type, ...]
    ) -> Type:
        arg_types = [self.expr(arg.value) for arg in args]
        if isinstance(callee, ast.Name):
            return self.call_name(node, callee, args, arg_types, piped)
        if isinstance(callee, ast.Attr):
            return self.call_attr(node, callee, args, arg_types, piped)
        found = self.expr(callee)
        return found.ret if isinstance(found, FnT) else ANY

    # ------------------------------------------------------------------ f(args)

    def call_name(
        self, node: ast.Node, callee: ast.Name, args: tuple[ast.Arg, ...], arg_types: list[Type],
        piped: tuple[Type, ...],
    ) -> Type:
        name = callee.id
        s = self.symbols
        local = self.scope.lookup(name)
        if local is not None:
            return local.ret if isinstance(local, FnT) else ANY
        cell = s.cells.get(name) or s.imported_cells.get(name)
        if cell is not None:
            return self.call_cell(node, cell, args, arg_types, piped)
        if name in s.records:
            return self.construct_record(node, s.records[name], args, arg_types)
        if name in s.variants:
            return self.variant_type(s.variants[name].enum)
        if name in ("ok", "err"):
            payload = (list(piped) + arg_types or [NULL])[0]
            return ResultT(payload, ANY) if name == "ok" else ResultT(ANY, payload)
        if name in BUILTIN_FUNCTIONS:
            return self.builtin_call(name, list(piped) + arg_types)
        if name in s.agents:
            return NamedT(name, (), "agent")
        if name in s.processes:
            return NamedT(name, (), "process")
        if name in s.constants or self.name_type(name) is not None:
            return ANY
        if self.strict:
            candidates = set(s.cells) | set(BUILTIN_FUNCTIONS) | set(s.records) | set(s.tools)
            hints = suggest(name, candidates)
            self.error(
                ErrorCode.UNDEFINED_CELL, messages.undefined_cell(name), callee,
                hint=messages.did_you_mean(hints) if hints else None, suggestions=hints,
            )
        return ANY

    def builtin_call(self, name: str, arg_types: list[Type]) -> Type:
        mapper = None
        if name == "map" and len(arg_types) >= 2 and isinstance(arg_types[1], FnT):
            mapper = arg_types[1].ret
        return builtin_result_type(name, arg_types, mapper)

    def call_cell(
        self, node: ast.Node, cell: CellInfo, args: tuple[ast.Arg, ...], arg_types: list[Type],
        piped: tuple[Type, ...],
    ) -> Type:
        """Check arguments against a declared cell's parameters (§4.6, §5.1)."""
        params = list(cell.params)
        positional_params = [p for p in params if not p.variadic]
        variadic = next((p for p in params if p.variadic), None)
        by_name = {p.name: p for p in params}
        bound: set[str] = set()
        bindings: dict[str, Type] = {}
        has_spread = any(arg.spread for arg in args)
        positional: list[tuple[ast.Node, Type]] = [(node, t) for t in piped]
        named: list[tuple[ast.Arg, Type]] = []
        for arg, found in zip(args, arg_types):
            if arg.spread:
                continue
            if arg.name is None:
                positional.append((arg.value, found))
            else:
                named.append((arg, found))
        for index, (arg_node, found) in enumerate(positional):
            if index < len(positional_params):
                param = positional_params[index]
                bound.add(param.name)
                self.check_argument(param.type, arg_node, found, bindings)
            elif variadic is not None:
                self.check_argument(variadic.type, arg_node, found, bindings)
        if variadic is None and not has_spread and len(positional) > len(positional_params):
            self.error(
                ErrorCode.ARG_COUNT, messages.arg_count(len(positional_params), len(positional)),
                node,
            )
        for arg, found in named:
            param = by_name.get(arg.name or "")
            if param is None:
                self.error(ErrorCode.MISMATCH, messages.unknown_argument(cell.name, arg.name or ""), arg)
                continue
            if param.name in bound:
                self.error(
                    ErrorCode.MISMATCH, messages.duplicate_argument(cell.name, param.name), arg
                )
                continue
            bound.add(param.name)
            self.check_argument(param.type, arg.value, found, bindings)
        if cell.ret is None:
            return ANY
        return substitute(cell.ret, bindings)

    def check_argument(
        self, expected: Type, arg_node: ast.Node, found: Type, bindings: dict[str, Type]
    ) -> None:
        if not compatible(expected, found):
            self.error(
                ErrorCode.MISMATCH, messages.mismatch(render(expected), render(found)), arg_node
            )
        infer_bindings(expected, found, bindings)

    def construct_record(
        self, node: ast.Node, record: RecordInfo, args: tuple[ast.Arg, ...], arg_types: list[Type]
    ) -> Type:
        """`Rec(f: v, ...)`: named fields only (or property shorthand `Rec(f)`), §5.3."""
        given: set[str] = set()
        bindings: dict[str, Type] = {}
        has_spread = False
        for arg, found in zip(args, arg_types):
            if arg.spread:
                has_spread = True
                continue
            field_name = arg.name
            if field_name is None:
                if not isinstance(arg.value, ast.Name):
                    self.error(
                        ErrorCode.MISMATCH, messages.positional_record_argument(record.name), arg
                    )
                    continue
                field_name = arg.value.id
            field = record.fields.get(field_name)
            if field is None:
                hints = suggest(field_name, record.fields)
                self.error(
                    ErrorCode.UNKNOWN_FIELD, messages.unknown_field(field_name, record.name), arg,
                    hint=messages.did_you_mean(hints) if hints else None, suggestions=hints,
                )
                continue
            given.add(field_name)
            self.check_argument(field.type, arg.value, found, bindings)
        if not has_spread:
            for field in record.fields.values():
                if not field.has_default and field.name not in given:
                    self.error(ErrorCode.MISMATCH, messages.missing_field(field.name), node)
        type_args = tuple(bindings.get(g, ANY) for g in record.generics)
        if all(a == ANY for a in type_args):
            type_args = ()
        return NamedT(record.name, type_args, "record")

    # ------------------------------------------------------------------ e.m(args)

    def call_attr(
        self, node: ast.Node, callee: ast.Attr, args: tuple[ast.Arg, ...], arg_types: list[Type],
        piped: tuple[Type, ...],
    ) -> Type:
        s = self.symbols
        if isinstance(callee.value, ast.Name) and self.scope.lookup(callee.value.id) is None:
            owner = callee.value.id
            enum = s.enums.get(owner)
            if enum is not None and callee.name in enum.variants:
                return self.variant_type(owner)
            method = s.cells.get(f"{owner}.{callee.name}")
            if method is not None:
                if method.owner_kind in ("agent", "process"):
                    return method.ret if method.ret is not None else ANY
                return self.call_cell(node, method, args, arg_types, piped)
            if owner in s.effects:
                return self.effect_operation_type(owner, callee.name)
            if owner in s.agents or owner in s.processes or owner in s.tools:
                return ANY
            if owner in s.records or owner in s.enums or owner in s.imported:
                return ANY
        receiver = self.expr(callee.value)
        return self.method_result(receiver, callee.name, list(piped) + arg_types)

    def method_result(self, receiver: Type, method: str, arg_types: list[Type]) -> Type:
        """§7.6 order: callable field, `T.m` cell for the receiver's type, then builtin."""
        type_name = None
        if isinstance(receiver, NamedT):
            record = self.symbols.records.get(receiver.name)
            if record is not None and method in record.fields:
                return ANY
            type_name = receiver.name
        elif isinstance(receiver, Prim):
            type_name = receiver.name
        elif isinstance(receiver, ListT):
            type_name = "List"
        if type_name is not None:
            cell = self.symbols.cells.get(f"{type_name}.{method}")
            if cell is not None:
                return cell.ret if cell.ret is not None else ANY
        if isinstance(receiver, NamedT) and receiver.kind in ("agent", "process"):
            return ANY  # built-in process methods (§13) are untyped
        if any(name.endswith(f".{method}") for name in self._method_names()):
            return ANY
        if method in BUILTIN_FUNCTIONS:
            return self.builtin_call(method, [receiver, *arg_types])
        return ANY

    def _method_names(self) -> list[str]:
        names = getattr(self, "_cached_method_names", None)
        if names is None:
            names = [n for n in self.symbols.cells if "." in n]
            self._cached_method_names = names
        return names
