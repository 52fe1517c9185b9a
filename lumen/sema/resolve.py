"""Name resolution: type expressions, lexical scopes, global names and suggestions.

Scoping (§6.1, §7.3, §7.14): `let` bindings are cell-scoped like Python, so one `Scope`
serves a whole cell (match-arm and `for` bindings land in it too); lambdas and
comprehensions open a child scope that sees the outer names.
"""

from __future__ import annotations

from collections.abc import Iterable

from lumen.diagnostics import Diagnostic, ErrorCode
from lumen.sema import messages
from lumen.sema.builtin_types import BUILTIN_CONSTANTS, BUILTIN_FUNCTIONS
from lumen.sema.symbols import SymbolTable
from lumen.sema.types import (
    ANY,
    BUILTIN_GENERICS,
    PRIMITIVES,
    FnT,
    ListT,
    MapT,
    NamedT,
    ResultT,
    SetT,
    TupleT,
    Type,
    TypeVar,
    optional,
    substitute,
    union_of,
)
from lumen.syntax import ast

# Type names the runtime knows although no declaration introduces them (§4.7, §16.5).
_OPAQUE_TYPE_NAMES = frozenset(
    {"Self", "Future", "Prob", "TraceRef", "Fn", "Function", "Record", "Enum", "Variant",
     "Number", "Stream", "Channel", "Tensor", "Never", "Unit", "Void", "Object"}
)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning `limit + 1`) once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def suggest(name: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """Up to three names within a small edit distance of `name`, closest first."""
    limit = max(1, min(3, len(name) // 3))
    scored = []
    for candidate in set(candidates):
        if candidate == name or candidate.startswith("__"):
            continue
        distance = edit_distance(name.lower(), candidate.lower(), limit)
        if distance <= limit:
            scored.append((distance, candidate))
    scored.sort()
    return tuple(c for _, c in scored[:3])


class Scope:
    """Variables of one cell, lambda or comprehension, chained to the enclosing scope."""

    __slots__ = ("vars", "parent", "known")

    def __init__(self, parent: Scope | None = None, known: frozenset[str] = frozenset()) -> None:
        self.vars: dict[str, Type] = {}
        self.parent = parent
        # Every name bound anywhere in the function: a use before the binding (in a loop,
        # a recursive lambda) is not reported as undefined, only typed `Any`.
        self.known = known

    def lookup(self, name: str) -> Type | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.vars.get(name)
            if found is not None:
                return found
            if name in scope.known:
                return ANY
            scope = scope.parent
        return None

    def is_bound(self, name: str) -> bool:
        """Has a binding for `name` actually been seen (ignoring `known`)?"""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return True
            scope = scope.parent
        return False

    def define(self, name: str, type_: Type) -> None:
        self.vars[name] = type_


class TypeResolver:
    """Turns `ast.TypeExpr`s into `Type`s, reporting unknown names (E0100/E0205) and
    generic arity mismatches (E0101)."""

    def __init__(self, symbols: SymbolTable, file: str, strict: bool, sink: list[Diagnostic]) -> None:
        self.symbols = symbols
        self.file = file
        self.strict = strict
        self.sink = sink
        self._expanding: set[str] = set()

    def known_type_names(self) -> set[str]:
        s = self.symbols
        return (
            set(s.records) | set(s.enums) | set(s.aliases) | set(s.agents) | set(s.processes)
            | {"Int", "Float", "Bool", "String", "Bytes", "Json", "Null", "Any"}
        )

    def is_known(self, name: str, generics: frozenset[str] = frozenset()) -> bool:
        s = self.symbols
        return (
            name in generics or name in PRIMITIVES or name in BUILTIN_GENERICS
            or name in _OPAQUE_TYPE_NAMES or s.is_type_name(name) or name in s.imported
            or s.star_import or "." in name or name in s.variants
        )

    def report_unknown(self, name: str, node: ast.Node, code: ErrorCode) -> None:
        if not self.strict:
            return
        hints = suggest(name, self.known_type_names())
        self.sink.append(
            Diagnostic(
                code.value, messages.undefined_type(name), self.file, node.span,
                hint=messages.did_you_mean(hints) if hints else None, suggestions=hints,
            )
        )

    def resolve(
        self, texpr: ast.Node | None, generics: frozenset[str] = frozenset(),
        code: ErrorCode = ErrorCode.UNDEFINED_TYPE,
    ) -> Type:
        if texpr is None:
            return ANY
        if isinstance(texpr, ast.NamedType):
            return self._named(texpr, generics, code)
        if isinstance(texpr, ast.TupleType):
            return TupleT(tuple(self.resolve(i, generics, code) for i in texpr.items))
        if isinstance(texpr, ast.FnType):
            params = tuple(self.resolve(p, generics, code) for p in texpr.params)
            return FnT(params, self.resolve(texpr.ret, generics, code))
        if isinstance(texpr, ast.OptionalType):
            return optional(self.resolve(texpr.inner, generics, code))
        if isinstance(texpr, ast.UnionType):
            members = [self.resolve(m, generics, code) for m in texpr.members]
            return ANY if texpr.ampersand else union_of(members)
        if isinstance(texpr, ast.YieldType):
            return ListT(self.resolve(texpr.inner, generics, code))
        return ANY

    def _arity_error(self, node: ast.NamedType, expected: int) -> None:
        self.sink.append(
            Diagnostic(
                ErrorCode.GENERIC_ARITY.value,
                messages.generic_arity(node.name, expected, len(node.args)),
                self.file, node.span,
            )
        )

    def _named(self, node: ast.NamedType, generics: frozenset[str], code: ErrorCode) -> Type:
        name = node.name
        args = [self.resolve(a, generics, code) for a in node.args]
        if name in generics:
            return TypeVar(name)
        if name in PRIMITIVES:
            return PRIMITIVES[name]
        if name in BUILTIN_GENERICS:
            return self._builtin_generic(node, name.lower(), args)
        s = self.symbols
        if name in s.records:
            return self._nominal(node, name, s.records[name].decl.generics, args, "record")
        if name in s.enums:
            return self._nominal(node, name, s.enums[name].decl.generics, args, "enum")
        if name in s.aliases:
            return self._alias(node, name, args)
        if name in s.agents:
            return NamedT(name, (), "agent")
        if name in s.processes:
            return NamedT(name, (), "process")
        if self.is_known(name, generics):
            return ANY
        self.report_unknown(name, node, code)
        return ANY

    def _builtin_generic(self, node: ast.NamedType, name: str, args: list[Type]) -> Type:
        if name == "tuple":
            return TupleT(tuple(args)) if args else ANY
        expected = BUILTIN_GENERICS[name]
        if args and len(args) != expected:
            self._arity_error(node, expected)
            return ANY
        if not args:
            args = [ANY] * expected
        if name == "list":
            return ListT(args[0])
        if name == "set":
            return SetT(args[0])
        if name == "map":
            return MapT(args[0], args[1])
        return ResultT(args[0], args[1])

    def _nominal(
        self, node: ast.NamedType, name: str, params: tuple[ast.Generic, ...], args: list[Type],
        kind: str,
    ) -> Type:
        if args and len(args) != len(params):
            self._arity_error(node, len(params))
            return NamedT(name, (), kind)
        return NamedT(name, tuple(args), kind)

    def _alias(self, node: ast.NamedType, name: str, args: list[Type]) -> Type:
        decl = self.symbols.aliases[name]
        if args and len(args) != len(decl.generics):
            self._arity_error(node, len(decl.generics))
            return ANY
        if name in self._expanding:  # a recursive alias: give up quietly
            return ANY
        self._expanding.add(name)
        try:
            params = frozenset(g.name for g in decl.generics)
            target = self.resolve(decl.type, params)
        finally:
            self._expanding.discard(name)
        bindings = {g.name: a for g, a in zip(decl.generics, args)}
        return substitute(target, bindings)


def is_global_value(symbols: SymbolTable, name: str) -> bool:
    """Is `name` a top-level name usable as a value (§4.6 "Undefined names")?"""
    s = symbols
    return (
        name in s.cells or name in s.records or name in s.enums or name in s.variants
        or name in s.constants or name in s.tools or name in s.agents or name in s.processes
        or name in s.effects or name in s.handlers or name in s.imported or name in s.aliases
        or name in s.traits or name in s.macros or name in BUILTIN_FUNCTIONS
        or name in BUILTIN_CONSTANTS or name in PRIMITIVES or name in BUILTIN_GENERICS
        or name in ("ok", "err")
    )


def portable_signature(cell: ast.CellDecl, imported: frozenset[str] = frozenset()) -> bool:
    """Whether `cell`'s parameter and result types mean the same (or `Any`) in a module
    that imports it (§15.3): they may name builtin types, the cell's own type parameters,
    and names the importer imports too (`imported`), which it types as `Any`. A type
    declared in the cell's module and not imported would be unknown there."""
    known = frozenset(g.name for g in cell.generics) | imported
    return all(_portable(p.type, known) for p in cell.params) and (
        cell.ret is None or _portable(cell.ret, known))


def _portable(texpr: ast.Node | None, known: frozenset[str]) -> bool:
    if texpr is None:
        return True
    if isinstance(texpr, ast.NamedType):
        name = texpr.name
        builtin = name in PRIMITIVES or name in BUILTIN_GENERICS
        return (builtin or name in known) and all(_portable(a, known) for a in texpr.args)
    if isinstance(texpr, ast.TupleType):
        return all(_portable(i, known) for i in texpr.items)
    if isinstance(texpr, ast.FnType):
        return all(_portable(p, known) for p in texpr.params) and _portable(texpr.ret, known)
    if isinstance(texpr, ast.OptionalType):
        return _portable(texpr.inner, known)
    if isinstance(texpr, ast.UnionType):
        return all(_portable(m, known) for m in texpr.members)
    return False  # generators (`yield T`) and anything else stay `Any` when imported
