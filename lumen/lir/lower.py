"""AST -> LIR: the lowering driver (module-level declarations, cells, constructors).

`lower_program(program, analysis=None, file="")` collects the declarations it needs from
the AST itself (cells, records, enums and their variants, constants, impl/enum methods,
agents, processes), hoists local declarations (§5.14), and lowers every cell plus the synthetic
`main` that holds the top-level statements (§1.4). The optional `analysis` is accepted for
later optimisations; correctness never depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import count
from typing import TypeVar

from lumen.lir.lower_builder import FunctionBuilder, Label
from lumen.lir.lower_calls import CallLowering
from lumen.lir.lower_effects import EffectLowering, collect_effect_item, is_deterministic
from lumen.lir.lower_expr import ExprLowering
from lumen.lir.lower_pattern import PatternLowering
from lumen.lir.lower_process import (
    collect_instance_type,
    lower_instance_types,
    reserve_constructors,
)
from lumen.lir.lower_scan import bound_names, children, nested_declarations
from lumen.lir.lower_stmt import StmtLowering
from lumen.lir.lower_tools import ToolLowering, collect_tool_item, tool_infos
from lumen.lir.module import (
    FORMAT_VERSION,
    EnumInfo,
    Function,
    Module,
    ParamInfo,
    RecordInfo,
    VariantInfo,
)
from lumen.lir.opcodes import Op
from lumen.syntax import ast
from lumen.syntax.printer import print_type

_T = TypeVar("_T")


class ModuleContext:
    """Module-wide declarations and the growing function table."""

    def __init__(self, file: str) -> None:
        self.file = file
        # Multi-file programs (§15): the file whose declarations are being collected or
        # lowered, and the file of each function that comes from an imported module.
        self.current_file = file
        self.origins: dict[int, str] = {}
        self.record_files: dict[str, str] = {}
        self.functions: list[Function | None] = []
        self.cells: dict[str, int] = {}
        self.externs: set[str] = set()
        self.records: dict[str, ast.RecordDecl] = {}
        self.constructors: dict[str, int] = {}
        self.enums: dict[str, ast.EnumDecl] = {}
        self.variants: dict[str, tuple[str, ast.VariantDecl]] = {}
        self.consts: dict[str, ast.Node] = {}
        self.pending: list[tuple[int, ast.CellDecl, str, bool]] = []
        self.agents: dict[str, ast.AgentDecl] = {}
        self.processes: dict[str, ast.ProcessDecl] = {}
        self.process_builtins: dict[int, tuple[str, str]] = {}  # index -> (process, method)
        self.machine_specs: dict[str, object] = {}
        # §11: declared effects, top-level handler arms ("E.op" -> cell name), and
        # `bind effect` routes ("E.op" or "E" -> tool alias).
        self.effects: dict[str, ast.EffectDecl] = {}
        self.effect_handlers: dict[str, str] = {}
        self.effect_bindings: dict[str, str] = {}
        # §12: tool aliases and every grant (top level, agents, processes) in source order.
        self.tools: dict[str, ast.UseTool] = {}
        self.grants: list[ast.GrantDecl] = []
        self._lambda_ids = count(1)

    # ---------------------------------------------------------------- queries

    def is_variant(self, name: str) -> bool:
        return name in self.variants

    def variants_of(self, enum_name: str) -> set[str]:
        decl = self.enums.get(enum_name)
        return {v.name for v in decl.variants} if decl else set()

    def variant_fields(self, enum_name: str, tag: str) -> tuple[str, ...] | None:
        decl = self.enums.get(enum_name)
        if decl is None:
            return None
        for variant in decl.variants:
            if variant.name == tag:
                if variant.fields is None:
                    return None
                return tuple(f.name or "" for f in variant.fields)
        return None

    # ---------------------------------------------------------------- registration

    def reserve(self) -> int:
        self.functions.append(None)
        return len(self.functions) - 1

    def add_cell(self, name: str, decl: ast.CellDecl, implicit_self: bool = False) -> None:
        if name in self.cells:
            return  # duplicate: a compile error reported by the checker; first one wins
        if decl.is_extern or decl.body is None:
            self.externs.add(name)
        index = self.reserve()
        self.cells[name] = index
        if self.current_file != self.file:
            self.origins[index] = self.current_file
        self.pending.append((index, decl, name, implicit_self))

    def collect(self, items: tuple[ast.Node, ...]) -> None:
        for item in items:
            if isinstance(item, ast.CellDecl):
                self.add_cell(item.name, item)
            elif isinstance(item, ast.RecordDecl):
                self.records.setdefault(item.name, item)
                self.record_files.setdefault(item.name, self.current_file)
            elif isinstance(item, ast.EnumDecl):
                if item.name in self.enums:
                    continue
                self.enums[item.name] = item
                for variant in item.variants:
                    self.variants.setdefault(variant.name, (item.name, variant))
                for method in item.methods:
                    self.add_cell(f"{item.name}.{method.name}", method)
            elif isinstance(item, ast.ImplDecl):
                for method in item.methods:
                    self.add_cell(f"{item.target}.{method.name}", method)
            elif isinstance(item, ast.ConstDecl):
                self.consts.setdefault(item.name, item.value)
            elif isinstance(item, (ast.UseTool, ast.GrantDecl)):
                collect_tool_item(self, item)
                continue
            elif isinstance(item, (ast.EffectDecl, ast.HandlerDecl, ast.BindEffect)):
                collect_effect_item(self, item)
                continue
            elif isinstance(item, (ast.AgentDecl, ast.ProcessDecl)):
                collect_tool_item(self, item)  # its grants join the aliases' policies
                collect_instance_type(self, item)  # also hoists its cells' local declarations
                continue
            if isinstance(item, (ast.CellDecl, ast.EnumDecl, ast.ImplDecl)):
                self.collect(tuple(nested_declarations(item)))
            elif not isinstance(item, (ast.RecordDecl, ast.ConstDecl)) and \
                    not ast.is_decl(item):
                self.collect(tuple(nested_declarations(item)))

    # ---------------------------------------------------------------- lowering

    def lower_lambda(self, e: ast.Lambda, captures: tuple[str, ...],
                     parent: CellLowerer) -> int:
        index = self.reserve()
        if self.current_file != self.file:
            self.origins[index] = self.current_file
        name = f"{parent.b.name}.<lambda#{next(self._lambda_ids)}>"
        b = FunctionBuilder(name, _param_infos(e.params), captures=captures, is_lambda=True,
                            display_name="<lambda>", return_type=_type_text(e.ret))
        lowerer = CellLowerer(self, b)
        for param in e.params:
            b.declare_local(param.name)
        for name_ in captures:
            b.declare_local(name_)
        body = e.body
        lowerer.b.position = parent.b.position
        lowerer.prologue(e.params, body)
        if isinstance(body, ast.Block):
            lowerer.cell_body(body.stmts, tail_value=e.ret is not None)
        else:
            lowerer.b.emit(Op.RETURN, lowerer.expr(body))
        self.functions[index] = b.finish()
        return index


class CellLowerer(ExprLowering, CallLowering, EffectLowering, ToolLowering, StmtLowering,
                  PatternLowering):
    """Lowers the body of one function into a `FunctionBuilder`."""

    def __init__(self, mod: ModuleContext, builder: FunctionBuilder) -> None:
        self.mod = mod
        self.b = builder
        self.const_stack: list[str] = []
        self.handle_scopes: list[tuple[object, ...]] = []  # loops enclosing each `handle`

    def cell_body(self, stmts: tuple[ast.Node, ...], tail_value: bool) -> None:
        b = self.b
        if b.generator_reg is not None or not tail_value:
            self.block(stmts, None)
            self.return_stmt(None)
            return
        result = b.alloc()
        self.block(stmts, result)
        b.emit(Op.RETURN, result)


def _type_text(t: ast.TypeExpr | None) -> str:
    return "" if t is None else print_type(t)


def _param_infos(params: tuple[ast.Param, ...]) -> tuple[ParamInfo, ...]:
    return tuple(ParamInfo(p.name, p.default is not None, p.variadic, _type_text(p.type))
                 for p in params)


def _contains_yield(node: object) -> bool:
    if isinstance(node, ast.Yield):
        return True
    return any(not isinstance(child, (ast.Lambda, ast.CellDecl)) and _contains_yield(child)
               for child in children(node))


def _lower_cell(mod: ModuleContext, index: int, decl: ast.CellDecl, name: str,
                implicit_self: bool) -> Function:
    params = decl.params
    if implicit_self and not (params and params[0].name == "self"):
        params = (ast.Param("self"), *params)
    generator = isinstance(decl.ret, ast.YieldType) or (
        decl.body is not None and _contains_yield(decl.body))
    b = FunctionBuilder(name, _param_infos(params), is_generator=generator,
                        display_name=name,
                        return_type="" if generator else _type_text(decl.ret))
    lowerer = CellLowerer(mod, b)
    lowerer.at(decl)
    for param in params:
        b.declare_local(param.name)
    if decl.body is None:  # extern / signature: the host must provide it
        b.emit(Op.UNDEFINED, b.const(decl.name))
        return b.finish()
    lowerer.prologue(params, decl.body)
    if generator:
        b.generator_reg = b.alloc()
        b.emit(Op.NEWLIST, b.generator_reg, 0, 0)
    if isinstance(decl.body, ast.Block):
        lowerer.cell_body(decl.body.stmts, tail_value=decl.ret is not None)
    else:
        if generator:
            lowerer.expr(decl.body)
            lowerer.return_stmt(None)
        else:
            b.emit(Op.RETURN, lowerer.expr(decl.body))
    return b.finish()


def _lower_constructor(mod: ModuleContext, decl: ast.RecordDecl) -> Function:
    """`Rec(f: v, ...)`: defaults at construction, `where` checks on supplied fields."""
    fields = decl.fields
    b = FunctionBuilder(decl.name, tuple(ParamInfo(f.name, f.default is not None)
                                         for f in fields), display_name=decl.name)
    lowerer = CellLowerer(mod, b)
    lowerer.at(decl)
    for field_decl in fields:
        b.declare_local(field_decl.name)
    for position, field_decl in enumerate(fields):
        lowerer.at(field_decl)
        after = Label()
        if field_decl.default is not None:
            supplied = Label()
            b.emit(Op.DEFAULT, position, supplied)
            lowerer.expr_to(field_decl.default, position)
            b.emit(Op.JMP, after)
            b.place(supplied)
        if field_decl.where is not None:
            mark = b.mark()
            check = lowerer.expr(field_decl.where)
            lowerer.at(field_decl)
            b.emit(Op.CONSTRAINT, check, b.const(field_decl.name))
            b.release(mark)
        b.place(after)
    result = b.alloc()
    names = tuple(f.name for f in fields)
    b.emit(Op.RECORD, result, b.const((decl.name, names)), 0)
    b.emit(Op.RETURN, result)
    return b.finish()


def _lower_main(mod: ModuleContext, name: str, stmts: tuple[ast.Node, ...]) -> Function:
    b = FunctionBuilder(name, (), display_name=name)
    lowerer = CellLowerer(mod, b)
    body = ast.Block(stmts)
    for local in bound_names(body, mod.is_variant):
        b.declare_local(local)
    if _contains_yield(body):
        b.generator_reg = b.alloc()
        b.emit(Op.NEWLIST, b.generator_reg, 0, 0)
    lowerer.cell_body(stmts, tail_value=False)
    return b.finish()


def lower_program(program: ast.Program, analysis: object | None = None,
                  file: str = "", imported: Sequence[tuple[str, Sequence[ast.Node]]] = (),
                  aliases: Mapping[str, str] | None = None) -> Module:
    """Lower a parsed program to an LIR module (see the module docstring).

    A multi-file program (§15) passes the declarations of each imported module with its
    file (`imported`, dependencies first; top-level statements already left out) and the
    program-wide renamings of `import m: x as y` (`aliases`, y -> x): everything becomes
    one LIR module whose functions remember the file they come from."""
    mod = ModuleContext(file)
    for module_file, declarations in imported:
        mod.current_file = module_file
        mod.collect(tuple(declarations))
    mod.current_file = file
    mod.collect(program.items)
    for record in mod.records.values():
        mod.constructors[record.name] = mod.reserve()
        if mod.record_files[record.name] != file:
            mod.origins[mod.constructors[record.name]] = mod.record_files[record.name]
    reserve_constructors(mod)  # agents and processes
    _bind_aliases(mod, aliases or {})
    statements = tuple(item for item in program.items
                       if not ast.is_decl(item) and not isinstance(item, ast.Directive))
    main_name = "__script_main" if "main" in mod.cells else "main"
    main_index = None
    if statements or main_name == "main":
        main_index = mod.reserve()
    while mod.pending:
        index, decl, name, implicit_self = mod.pending.pop(0)
        mod.current_file = mod.origins.get(index, file)
        mod.functions[index] = _lower_cell(mod, index, decl, name, implicit_self)
    mod.current_file = file
    for record in _unique(mod.records.values()):
        mod.functions[mod.constructors[record.name]] = _lower_constructor(mod, record)
    lower_instance_types(mod)
    if main_index is not None:
        mod.functions[main_index] = _lower_main(mod, main_name, statements)
    entry_points = dict(mod.cells)
    for type_name_, index in mod.constructors.items():
        entry_points.setdefault(type_name_, index)
    if main_index is not None:
        entry_points[main_name] = main_index
    functions = tuple(f if f is None or index not in mod.origins
                      else replace(f, file=mod.origins[index])
                      for index, f in enumerate(mod.functions))
    assert None not in functions, "every reserved function is lowered"
    records = tuple(
        RecordInfo(r.name, tuple(f.name for f in r.fields),
                   tuple(f.default is not None for f in r.fields),
                   tuple(f.where is not None for f in r.fields), mod.constructors[r.name])
        for r in _unique(mod.records.values()))
    enums = tuple(
        EnumInfo(e.name, tuple(
            VariantInfo(v.name, None if v.fields is None else tuple(f.name or ""
                                                                     for f in v.fields))
            for v in e.variants))
        for e in _unique(mod.enums.values()))
    return Module(FORMAT_VERSION, file, functions, records, enums, entry_points,
                  deterministic=is_deterministic(program, analysis), tools=tool_infos(mod))


def _bind_aliases(mod: ModuleContext, aliases: Mapping[str, str]) -> None:
    """Make each `import m: x as y` name `y` denote what `x` denotes (§15.3)."""
    for alias, original in aliases.items():
        if alias in mod.cells or alias in mod.constructors or alias in mod.enums:
            continue  # a clash with a declaration: reported by the checker
        if original in mod.cells:
            mod.cells[alias] = mod.cells[original]
        if original in mod.constructors:
            mod.constructors[alias] = mod.constructors[original]
        if original in mod.records:
            mod.records[alias] = mod.records[original]
        if original in mod.enums:
            mod.enums[alias] = mod.enums[original]
            prefix = original + "."
            for qualified in [name for name in mod.cells if name.startswith(prefix)]:
                mod.cells[alias + qualified[len(original):]] = mod.cells[qualified]


def _unique(items: Iterable[_T]) -> list[_T]:
    """Distinct declarations (an alias maps a second name to the same one)."""
    return list({id(item): item for item in items}.values())
