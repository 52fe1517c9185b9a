"""The type checker driver: resolves signatures, then checks every body.

Each declaration is checked inside its own guard so that a bug in the checker becomes one
E0500 diagnostic for that declaration instead of a traceback (and the rest still runs).
"""

from __future__ import annotations

from collections.abc import Callable

from lumen.diagnostics import ErrorCode
from lumen.sema import messages
from lumen.sema.check_stmt import StmtChecker
from lumen.sema.context import FunctionContext
from lumen.sema.resolve import Scope
from lumen.sema.symbols import CellInfo, EnumInfo, FieldInfo, ParamInfo, RecordInfo
from lumen.sema.types import ANY, ListT, NamedT, Type
from lumen.syntax import ast


class Checker(StmtChecker):
    def guarded(self, where: str, node: ast.Node, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - a checker bug must not reach the user
            self.error(
                ErrorCode.INTERNAL_LOWERING,
                messages.internal_error(where, f"{type(exc).__name__}: {exc}"), node,
            )

    # ------------------------------------------------------------------ signatures

    def resolve_signatures(self) -> None:
        s = self.symbols
        for record in s.records.values():
            self.guarded(f"record '{record.name}'", record.decl, lambda r=record: self._record(r))
        for enum in s.enums.values():
            self.guarded(f"enum '{enum.name}'", enum.decl, lambda e=enum: self._enum(e))
        for name, alias in s.aliases.items():
            generics = frozenset(g.name for g in alias.generics)
            s.alias_types[name] = self.resolver.resolve(alias.type, generics)
        for cell in s.cells.values():
            self.guarded(f"cell '{cell.name}'", cell.decl, lambda c=cell: self._signature(c))
        for cell in s.imported_cells.values():
            self.guarded(f"imported cell '{cell.name}'", cell.decl,
                         lambda c=cell: self._signature(c))
        for name, const in s.constants.items():
            self.guarded(f"constant '{name}'", const, lambda n=name, c=const: self._constant(n, c))

    def _record(self, record: RecordInfo) -> None:
        record.generics = tuple(g.name for g in record.decl.generics)
        generics = frozenset(record.generics)
        for field in record.decl.fields:
            field_type = self.resolver.resolve(field.type, generics)
            record.fields[field.name] = FieldInfo(field.name, field_type, field.default is not None)

    def _enum(self, enum: EnumInfo) -> None:
        enum.generics = tuple(g.name for g in enum.decl.generics)
        generics = frozenset(enum.generics)
        for variant in enum.variants.values():
            fields = variant.decl.fields
            if fields is not None:
                variant.fields = tuple(self.resolver.resolve(f.type, generics) for f in fields)
            if variant.decl.result is not None:
                self.resolver.resolve(variant.decl.result, generics)

    def owner_generics(self, cell: CellInfo) -> frozenset[str]:
        s = self.symbols
        names = {g.name for g in cell.decl.generics}
        if cell.owner_kind == "enum" and cell.owner in s.enums:
            names |= {g.name for g in s.enums[cell.owner].decl.generics}
        if cell.owner_kind == "impl":
            for impl in s.impls:
                if impl.target == cell.owner and cell.decl in impl.methods:
                    names |= {g.name for g in impl.generics}
            if cell.owner in s.records:
                names |= {g.name for g in s.records[cell.owner].decl.generics}
        return frozenset(names)

    def _signature(self, cell: CellInfo) -> None:
        decl = cell.decl
        cell.generics = self.owner_generics(cell)
        params = []
        for param in decl.params:
            if param.type is None and param.name == "self" and cell.owner:
                declared: Type = self.owner_type(cell)
            else:
                declared = self.resolver.resolve(param.type, cell.generics)
            params.append(ParamInfo(param.name, declared, param.default is not None, param.variadic))
        cell.params = tuple(params)
        cell.is_generator = isinstance(decl.ret, ast.YieldType)
        cell.ret = self.resolver.resolve(decl.ret, cell.generics) if decl.ret is not None else None
        if decl.effects is not None:
            cell.declared_effects = frozenset(
                e.lower() for e in decl.effects.effects if e.lower() != "pure"
            )

    def owner_type(self, cell: CellInfo) -> Type:
        s = self.symbols
        owner = cell.owner or ""
        if owner in s.enums:
            return NamedT(owner, (), "enum")
        if owner in s.records:
            return NamedT(owner, (), "record")
        if owner in s.agents:
            return NamedT(owner, (), "agent")
        if owner in s.processes:
            return NamedT(owner, (), "process")
        return ANY

    def _constant(self, name: str, const: ast.ConstDecl) -> None:
        found = self.expr(const.value)
        if const.type is not None:
            declared = self.resolver.resolve(const.type)
            self.expect_type(declared, const.value, found)
            found = declared
        self.symbols.constant_types[name] = found

    # ------------------------------------------------------------------ bodies

    def check_program(self, program: ast.Program) -> None:
        self.resolve_signatures()
        s = self.symbols
        for record in s.records.values():
            self.guarded(f"record '{record.name}'", record.decl, lambda r=record: self._defaults(r.decl))
        for cell in s.cells.values():
            self.guarded(f"cell '{cell.name}'", cell.decl, lambda c=cell: self.check_cell(c))
        for handler in s.handlers.values():
            for op in handler.ops:
                self.guarded(f"handler '{handler.name}'", op, lambda o=op: self.check_handler_op(o))
        if s.top_level_statements:
            first = s.top_level_statements[0]
            self.guarded("top-level statements", first, self.check_top_level)

    def _defaults(self, decl: ast.RecordDecl) -> None:
        self.scope = Scope()
        self.function = FunctionContext(decl.name, None, frozenset(g.name for g in decl.generics))
        for field in decl.fields:  # a default may mention the other fields
            self.scope.define(field.name, ANY)
        for field in decl.fields:
            if field.default is not None:
                self.expr(field.default)

    def enter_function(
        self, name: str, ret: Type | None, generics: frozenset[str], known: frozenset[str],
        is_generator: bool = False,
    ) -> None:
        self.function = FunctionContext(name, ret, generics, is_generator)
        self.scope = Scope(None, known - self.symbols.variants.keys())

    def check_cell(self, cell: CellInfo) -> None:
        decl = cell.decl
        if decl.body is None:
            return
        known = self.symbols.scan_of(decl.body).binders
        self.enter_function(cell.name, cell.ret, cell.generics, known, cell.is_generator)
        if cell.owner_kind in ("agent", "process"):
            self.scope.define("self", self.owner_type(cell))
        for param, info in zip(decl.params, cell.params):
            if param.default is not None:
                self.expr(param.default)
            self.scope.define(param.name, ListT(info.type) if info.variadic else info.type)
        if isinstance(decl.body, ast.Block):
            self.block(decl.body)
        else:
            self.expr(decl.body)

    def check_handler_op(self, op: ast.HandlerOp) -> None:
        ret = self.resolver.resolve(op.ret) if op.ret is not None else None
        known = self.symbols.scan_of(op.body).binders
        self.enter_function(f"{op.effect}.{op.op}", ret, frozenset(), known)
        for param in op.params:
            self.scope.define(param.name, self.resolver.resolve(param.type))
        self.block(op.body)

    def check_top_level(self) -> None:
        statements = tuple(self.symbols.top_level_statements)
        body = ast.Block(statements)  # type: ignore[arg-type]
        self.enter_function("main", None, frozenset(), self.symbols.top_level_scan.binders)
        self.block(body)
