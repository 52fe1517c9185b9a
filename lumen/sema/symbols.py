"""Collect the declarations of a program into one symbol table (§5).

Phase 1 of analysis: every top-level declaration, every declaration hoisted out of a cell
body (§5.1 "local definitions"), every method (`Enum.m`, `Type.m` from impls, `Agent.m`,
`Process.m`) is recorded here, and duplicates are reported (E0105).  Types in signatures
are resolved later (`resolve.TypeResolver`), once every type name is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lumen.diagnostics import Diagnostic, ErrorCode
from lumen.sema import messages
from lumen.sema.types import ANY, Type
from lumen.sema.walk import BodyScan, scan_body
from lumen.syntax import ast


@dataclass(slots=True)
class ParamInfo:
    name: str
    type: Type
    has_default: bool
    variadic: bool


@dataclass(slots=True)
class CellInfo:
    """A cell; `name` is qualified for methods (`Shape.area`)."""

    name: str
    decl: ast.CellDecl
    owner: str | None = None
    owner_kind: str | None = None  # "enum" | "impl" | "agent" | "process" | "effect"
    params: tuple[ParamInfo, ...] = ()
    ret: Type | None = None  # None when no return type is declared
    generics: frozenset[str] = frozenset()
    declared_effects: frozenset[str] | None = None
    is_generator: bool = False

    @property
    def implicit_self(self) -> bool:
        """Agent and process cells receive `self` without declaring it (§5.9)."""
        declares_self = bool(self.decl.params) and self.decl.params[0].name == "self"
        return self.owner_kind in ("agent", "process") and not declares_self


@dataclass(slots=True)
class FieldInfo:
    name: str
    type: Type = ANY
    has_default: bool = False


@dataclass(slots=True)
class RecordInfo:
    name: str
    decl: ast.RecordDecl
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    generics: tuple[str, ...] = ()


@dataclass(slots=True)
class VariantInfo:
    name: str
    enum: str
    decl: ast.VariantDecl
    fields: tuple[Type, ...] | None = None  # None: payload-less


@dataclass(slots=True)
class EnumInfo:
    name: str
    decl: ast.EnumDecl
    variants: dict[str, VariantInfo] = field(default_factory=dict)
    generics: tuple[str, ...] = ()


@dataclass(slots=True)
class SymbolTable:
    cells: dict[str, CellInfo] = field(default_factory=dict)
    records: dict[str, RecordInfo] = field(default_factory=dict)
    enums: dict[str, EnumInfo] = field(default_factory=dict)
    variants: dict[str, VariantInfo] = field(default_factory=dict)  # bare name -> first enum's
    aliases: dict[str, ast.TypeAlias] = field(default_factory=dict)
    alias_types: dict[str, Type] = field(default_factory=dict)
    constants: dict[str, ast.ConstDecl] = field(default_factory=dict)
    constant_types: dict[str, Type] = field(default_factory=dict)
    traits: dict[str, ast.TraitDecl] = field(default_factory=dict)
    impls: list[ast.ImplDecl] = field(default_factory=list)
    effects: dict[str, ast.EffectDecl] = field(default_factory=dict)  # by declared name
    handlers: dict[str, ast.HandlerDecl] = field(default_factory=dict)
    agents: dict[str, ast.AgentDecl] = field(default_factory=dict)
    processes: dict[str, ast.ProcessDecl] = field(default_factory=dict)
    tools: dict[str, ast.UseTool] = field(default_factory=dict)
    grants: list[ast.GrantDecl] = field(default_factory=list)
    bindings: list[ast.BindEffect] = field(default_factory=list)
    macros: dict[str, ast.MacroDecl] = field(default_factory=dict)
    imported: dict[str, ast.ImportDecl] = field(default_factory=dict)
    # Imported cells whose signatures mean the same here (builtin types only): calls of
    # them are checked like calls of local cells; other imported names stay `Any`.
    imported_cells: dict[str, CellInfo] = field(default_factory=dict)
    star_import: bool = False
    top_level_statements: list[ast.Node] = field(default_factory=list)
    # One scan per cell body (and one of the top-level statements), shared by the passes.
    scans: dict[int, BodyScan] = field(default_factory=dict)
    top_level_scan: BodyScan = field(default_factory=lambda: scan_body(None))

    def scan_of(self, body: ast.Node | None) -> BodyScan:
        if body is None:
            return scan_body(None)
        found = self.scans.get(id(body))
        if found is None:
            found = scan_body(body)
            self.scans[id(body)] = found
        return found

    @property
    def imports_types(self) -> bool:
        """Does the program import a type (whose variants are then visible unseen)?"""
        return self.star_import or any(name[:1].isupper() for name in self.imported)

    def is_type_name(self, name: str) -> bool:
        return (
            name in self.records or name in self.enums or name in self.aliases
            or name in self.agents or name in self.processes or name in self.traits
        )

    def global_names(self) -> set[str]:
        """Every top-level name a reference could mean (for "did you mean")."""
        names: set[str] = set()
        for table in (
            self.cells, self.records, self.enums, self.variants, self.aliases, self.constants,
            self.traits, self.effects, self.handlers, self.agents, self.processes, self.tools,
            self.imported,
        ):
            names.update(n for n in table if "." not in n)
        return names


# Kinds whose names share one namespace for E0105 (§5).
_NAMESPACE_KINDS = (
    ast.CellDecl, ast.RecordDecl, ast.EnumDecl, ast.TypeAlias, ast.ConstDecl, ast.TraitDecl,
    ast.EffectDecl, ast.HandlerDecl, ast.AgentDecl, ast.ProcessDecl,
)


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.table = SymbolTable()
        self.diagnostics: list[Diagnostic] = []
        self._namespace: dict[str, ast.Node] = {}

    def duplicate(self, name: str, node: ast.Node) -> None:
        self.diagnostics.append(
            Diagnostic(
                ErrorCode.DUPLICATE.value, messages.duplicate_definition(name), self.file, node.span
            )
        )

    def claim(self, name: str, node: ast.Node) -> bool:
        """Reserve `name` in the shared namespace; report E0105 when taken."""
        if name in self._namespace:
            self.duplicate(name, node)
            return False
        self._namespace[name] = node
        return True

    def add_cell(self, name: str, decl: ast.CellDecl, owner: str | None, owner_kind: str | None) -> None:
        if owner is None:
            if not self.claim(name, decl):
                return
        elif name in self.table.cells:
            self.duplicate(name, decl)
            return
        self.table.cells[name] = CellInfo(name, decl, owner, owner_kind)
        self.hoist(self.table.scan_of(decl.body))

    def collect(self, program: ast.Program) -> None:
        for item in program.items:
            if isinstance(item, ast.Directive):
                continue
            if ast.is_decl(item):
                self.declaration(item)
            else:
                self.table.top_level_statements.append(item)
        statements = self.table.top_level_statements
        if statements:
            self.table.top_level_scan = scan_body(ast.Block(tuple(statements)))  # type: ignore[arg-type]
            self.hoist(self.table.top_level_scan)

    def hoist(self, scan: BodyScan) -> None:
        """Record records, enums and cells declared inside bodies (§5.14)."""
        for inner in scan.nested:
            self.declaration(inner)

    def declaration(self, decl: ast.Node) -> None:
        table = self.table
        if isinstance(decl, ast.CellDecl):
            self.add_cell(decl.name, decl, None, None)
        elif isinstance(decl, ast.RecordDecl):
            if self.claim(decl.name, decl):
                table.records[decl.name] = RecordInfo(decl.name, decl)
        elif isinstance(decl, ast.EnumDecl):
            if self.claim(decl.name, decl):
                info = EnumInfo(decl.name, decl)
                table.enums[decl.name] = info
                for variant in decl.variants:
                    vinfo = VariantInfo(variant.name, decl.name, variant)
                    if variant.name in info.variants:
                        self.duplicate(variant.name, variant)
                    info.variants[variant.name] = vinfo
                    table.variants.setdefault(variant.name, vinfo)
                for method in decl.methods:
                    self.add_cell(f"{decl.name}.{method.name}", method, decl.name, "enum")
        elif isinstance(decl, ast.TypeAlias):
            if self.claim(decl.name, decl):
                table.aliases[decl.name] = decl
        elif isinstance(decl, ast.ConstDecl):
            if self.claim(decl.name, decl):
                table.constants[decl.name] = decl
        elif isinstance(decl, ast.TraitDecl):
            if self.claim(decl.name, decl):
                table.traits[decl.name] = decl
        elif isinstance(decl, ast.ImplDecl):
            table.impls.append(decl)
            for method in decl.methods:
                self.add_cell(f"{decl.target}.{method.name}", method, decl.target, "impl")
        elif isinstance(decl, ast.EffectDecl):
            if self.claim(decl.name, decl):
                table.effects[decl.name] = decl
        elif isinstance(decl, ast.HandlerDecl):
            if self.claim(decl.name, decl):
                table.handlers[decl.name] = decl
        elif isinstance(decl, ast.AgentDecl):
            if self.claim(decl.name, decl):
                table.agents[decl.name] = decl
            table.grants.extend(decl.grants)
            for cell in decl.cells:
                self.add_cell(f"{decl.name}.{cell.name}", cell, decl.name, "agent")
        elif isinstance(decl, ast.ProcessDecl):
            if self.claim(decl.name, decl):
                table.processes[decl.name] = decl
            table.grants.extend(decl.grants)
            for cell in decl.cells:
                self.add_cell(f"{decl.name}.{cell.name}", cell, decl.name, "process")
        elif isinstance(decl, ast.UseTool):
            table.tools[decl.alias] = decl
        elif isinstance(decl, ast.GrantDecl):
            table.grants.append(decl)
        elif isinstance(decl, ast.BindEffect):
            table.bindings.append(decl)
        elif isinstance(decl, ast.MacroDecl):
            table.macros[decl.name] = decl
        elif isinstance(decl, ast.ImportDecl):
            if decl.names is None:
                table.star_import = True
            else:
                for imported in decl.names:
                    table.imported[imported.alias or imported.name] = decl


def collect_symbols(program: ast.Program, file: str) -> tuple[SymbolTable, list[Diagnostic]]:
    collector = _Collector(file)
    collector.collect(program)
    table = collector.table
    # An imported name that clashes with a local declaration is E0105 (§15.3).
    for name, decl in table.imported.items():
        if name in collector._namespace:
            collector.duplicate(name, decl)
    # Grants and effect bindings must name a declared tool alias (E0104, §12.1).
    referenced = [(g.alias, g) for g in table.grants] + [(b.tool, b) for b in table.bindings]
    for alias, node in referenced:
        if alias not in table.tools and not table.star_import:
            collector.diagnostics.append(
                Diagnostic(
                    ErrorCode.UNDEFINED_TOOL.value, messages.undefined_tool(alias), file, node.span
                )
            )
    return table, collector.diagnostics
