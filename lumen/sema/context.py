"""State shared by the checker mixins: the symbol table, the current scope and function,
the diagnostics sink and the tables recorded for later stages."""

from __future__ import annotations

from dataclasses import dataclass, field

from lumen.diagnostics import Diagnostic, ErrorCode, Severity, Span
from lumen.sema.resolve import Scope, TypeResolver
from lumen.sema.symbols import SymbolTable
from lumen.sema.types import ANY, Type
from lumen.syntax import ast


@dataclass(slots=True)
class FunctionContext:
    """The cell or lambda being checked: what `return e` is checked against."""

    name: str
    ret: Type | None  # None: no declared return type, `return` is unchecked
    generics: frozenset[str] = frozenset()
    is_generator: bool = False


@dataclass(slots=True)
class CheckerTables:
    """What the checker learns for later stages, keyed by the (line, column) of a node."""

    let_types: dict[tuple[int, int], Type] = field(default_factory=dict)
    expr_types: dict[tuple[int, int], Type] = field(default_factory=dict)


class CheckerBase:
    def __init__(
        self, symbols: SymbolTable, resolver: TypeResolver, file: str, strict: bool,
        sink: list[Diagnostic],
    ) -> None:
        self.symbols = symbols
        self.resolver = resolver
        self.file = file
        self.strict = strict
        self.sink = sink
        self.scope = Scope()
        self.function = FunctionContext("main", None)
        self.tables = CheckerTables()

    def error(
        self, code: ErrorCode, message: str, node: ast.Node | Span, hint: str | None = None,
        suggestions: tuple[str, ...] = (), severity: Severity = Severity.ERROR,
    ) -> None:
        span = node if isinstance(node, Span) else node.span
        self.sink.append(
            Diagnostic(code.value, message, self.file, span, severity, hint, suggestions)
        )

    def resolve_type(
        self, texpr: ast.Node | None, code: ErrorCode = ErrorCode.UNDEFINED_TYPE
    ) -> Type:
        if texpr is None:
            return ANY
        return self.resolver.resolve(texpr, self.function.generics, code)
