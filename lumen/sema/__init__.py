"""Semantic analysis: name resolution, type checking, exhaustiveness, effects, processes.

Entry point: `analyze(program, file, directives, imported_cells) -> Analysis`.  It never raises: a bug in
one checker phase becomes an internal diagnostic (E0500) rather than a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.sema import messages
from lumen.sema.checker import Checker
from lumen.sema.effects import EffectChecker
from lumen.sema.processes import check_processes
from lumen.sema.resolve import TypeResolver, portable_signature
from lumen.sema.symbols import CellInfo, SymbolTable, collect_symbols
from lumen.sema.traits import TraitChecker
from lumen.sema.types import Type
from lumen.syntax import ast

__all__ = ["Analysis", "Settings", "analyze"]

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


@dataclass(frozen=True, slots=True)
class Settings:
    """The directives that change checking (§1.3)."""

    strict: bool = True
    doc_mode: bool = False
    deterministic: bool = False


@dataclass(frozen=True, slots=True)
class Analysis:
    diagnostics: tuple[Diagnostic, ...]
    settings: Settings = Settings()
    symbols: SymbolTable = field(default_factory=SymbolTable)
    # Inferred type of each `let`, keyed by the (line, column) where the `let` starts.
    let_types: Mapping[tuple[int, int], Type] = field(default_factory=dict)
    # Inferred effect set of each cell (qualified names; the synthetic main as "main" or
    # "__script_main").
    effects: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    def is_variant(self, name: str) -> bool:
        """Does a bare name (in a pattern or expression) denote an enum variant?"""
        return name in self.symbols.variants


def parse_flag(raw: str | None) -> bool | None:
    """A directive's boolean value (`true/yes/on/1`, `false/no/off/0`; missing = true)."""
    if raw is None:
        return True
    text = raw.strip().strip('"').strip().lower()
    if text == "":
        return True
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def read_settings(program: ast.Program, directives: Mapping[str, str | None]) -> Settings:
    values: dict[str, bool] = {}

    def apply(name: str, raw: str | None) -> None:
        if name in ("strict", "doc_mode", "deterministic"):
            flag = parse_flag(raw)
            if flag is not None:
                values[name] = flag

    for name, raw in directives.items():
        apply(name.lstrip("@"), raw)
    for item in program.items:
        if isinstance(item, ast.Directive):
            apply(item.name, item.value)
        for attribute in getattr(item, "attributes", ()) or ():
            if attribute.args is None:
                apply(attribute.name, None)
    doc_mode = values.get("doc_mode", False)
    strict = values.get("strict", True) and not doc_mode
    return Settings(strict, doc_mode, values.get("deterministic", False))


def analyze(
    program: ast.Program, file: str = "<input>", directives: Mapping[str, str | None] | None = None,
    imported_cells: Mapping[str, ast.CellDecl] | None = None,
) -> Analysis:
    """Resolve, type-check and effect-check `program`; never raises. `imported_cells`: the
    cells its imports make visible (local name -> declaration in its module)."""
    try:
        return _analyze(program, file, directives or {}, imported_cells or {})
    except Exception as exc:  # noqa: BLE001 - last line of defence against checker bugs
        diagnostic = Diagnostic(
            ErrorCode.INTERNAL_LOWERING.value,
            messages.internal_error("analysis", f"{type(exc).__name__}: {exc}"),
            file, Span(1, 1, 1, 2),
        )
        return Analysis((diagnostic,))


def _analyze(program: ast.Program, file: str, directives: Mapping[str, str | None],
             imported_cells: Mapping[str, ast.CellDecl]) -> Analysis:
    settings = read_settings(program, directives)
    symbols, diagnostics = collect_symbols(program, file)
    imported_names = frozenset(symbols.imported)
    for name, decl in imported_cells.items():
        if portable_signature(decl, imported_names) and name not in symbols.cells:
            symbols.imported_cells[name] = CellInfo(name, decl)
    resolver = TypeResolver(symbols, file, settings.strict, diagnostics)
    checker = Checker(symbols, resolver, file, settings.strict, diagnostics)
    checker.check_program(program)
    check_processes(checker)
    traits = TraitChecker(symbols, resolver, file)
    checker.guarded("traits", program, lambda: traits.run(program))
    diagnostics.extend(traits.diagnostics)
    effects_checker = EffectChecker(
        symbols, file, settings.strict, settings.doc_mode, settings.deterministic
    )
    effects: dict[str, frozenset[str]] = {}

    def run_effects() -> None:
        effects.update(effects_checker.run())

    checker.guarded("effects", program, run_effects)
    diagnostics.extend(effects_checker.diagnostics)
    ordered = sorted(_dedupe(diagnostics), key=lambda d: (d.span.line, d.span.column))
    return Analysis(tuple(ordered), settings, symbols, dict(checker.tables.let_types), effects)


def _dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[str, str, Span]] = set()
    unique = []
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.message, diagnostic.span)
        if key not in seen:
            seen.add(key)
            unique.append(diagnostic)
    return unique
