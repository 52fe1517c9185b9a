"""Traits and impls (§5.8): E0103 unknown traits, E0124 missing methods, E0125 signatures."""

from __future__ import annotations

from lumen.diagnostics import Diagnostic, ErrorCode
from lumen.sema import messages
from lumen.sema.resolve import TypeResolver, suggest
from lumen.sema.symbols import SymbolTable
from lumen.sema.types import ANY, Type, TypeVar, contains_any, render
from lumen.syntax import ast


class TraitChecker:
    def __init__(self, symbols: SymbolTable, resolver: TypeResolver, file: str) -> None:
        self.symbols = symbols
        self.resolver = resolver
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def run(self, program: ast.Program) -> None:
        for trait in self.symbols.traits.values():
            for parent in trait.parents:
                self.require_trait(parent, trait)
        for impl in self.symbols.impls:
            if self.require_trait(impl.trait, impl):
                self.check_impl(impl)
        for node in self.generic_owners():
            for generic in node.generics:
                for bound in generic.bounds:
                    self.require_trait(bound, generic)

    def generic_owners(self) -> list[ast.Node]:
        s = self.symbols
        owners: list[ast.Node] = [c.decl for c in s.cells.values()]
        owners += [r.decl for r in s.records.values()] + [e.decl for e in s.enums.values()]
        owners += list(s.aliases.values()) + list(s.impls)
        return owners

    def require_trait(self, name: str, node: ast.Node) -> bool:
        if name in self.symbols.traits:
            return True
        if name in self.symbols.imported or self.symbols.star_import:
            return False
        hints = suggest(name, self.symbols.traits)
        self.diagnostics.append(
            Diagnostic(
                ErrorCode.UNDEFINED_TRAIT.value, messages.undefined_trait(name), self.file,
                node.span, hint=messages.did_you_mean(hints) if hints else None,
                suggestions=hints,
            )
        )
        return False

    def required_methods(self, trait_name: str, seen: set[str] | None = None) -> dict[str, ast.CellDecl]:
        """The methods of a trait and, recursively, of its parents."""
        seen = seen if seen is not None else set()
        trait = self.symbols.traits.get(trait_name)
        if trait is None or trait_name in seen:
            return {}
        seen.add(trait_name)
        methods: dict[str, ast.CellDecl] = {}
        for parent in trait.parents:
            methods.update(self.required_methods(parent, seen))
        methods.update({m.name: m for m in trait.methods})
        return methods

    def check_impl(self, impl: ast.ImplDecl) -> None:
        required = self.required_methods(impl.trait)
        given = {m.name: m for m in impl.methods}
        missing = [name for name in required if name not in given]
        if missing:
            self.diagnostics.append(
                Diagnostic(
                    ErrorCode.TRAIT_MISSING_METHODS.value,
                    messages.trait_missing_methods(impl.trait, impl.target, missing), self.file,
                    impl.span,
                )
            )
        generics = frozenset(g.name for g in impl.generics) | {"Self"}
        for name, method in given.items():
            if name in required:
                self.compare(impl, required[name], method, generics)

    def signature(self, cell: ast.CellDecl, generics: frozenset[str]) -> tuple[list[Type], Type]:
        params = [self.resolver.resolve(p.type, generics) if p.type else ANY for p in cell.params]
        ret = self.resolver.resolve(cell.ret, generics) if cell.ret is not None else ANY
        return params, ret

    @staticmethod
    def render_signature(cell: ast.CellDecl, params: list[Type], ret: Type) -> str:
        shown = ", ".join(f"{p.name}: {render(t)}" for p, t in zip(cell.params, params))
        return f"{cell.name}({shown}) -> {render(ret)}"

    def compare(
        self, impl: ast.ImplDecl, wanted: ast.CellDecl, found: ast.CellDecl, generics: frozenset[str]
    ) -> None:
        wanted_params, wanted_ret = self.signature(wanted, generics)
        found_params, found_ret = self.signature(found, generics)
        reason = None
        if len(wanted_params) != len(found_params):
            reason = f"expected {len(wanted_params)} parameters, found {len(found_params)}"
        else:
            for index, (w, f) in enumerate(zip(wanted_params, found_params)):
                if not _types_match(w, f, impl.target):
                    reason = f"parameter {index + 1} has type {render(f)}, expected {render(w)}"
                    break
            else:
                if not _types_match(wanted_ret, found_ret, impl.target):
                    reason = f"return type is {render(found_ret)}, expected {render(wanted_ret)}"
        if reason is None:
            return
        self.diagnostics.append(
            Diagnostic(
                ErrorCode.TRAIT_SIGNATURE.value,
                messages.trait_signature(
                    wanted.name, impl.trait, impl.target, reason,
                    self.render_signature(wanted, wanted_params, wanted_ret),
                    self.render_signature(found, found_params, found_ret),
                ),
                self.file, found.span,
            )
        )


def _types_match(wanted: Type, found: Type, target: str) -> bool:
    """`Self` and the impl's type parameters match anything (§5.8)."""
    if wanted == found or contains_any(wanted) or contains_any(found):
        return True
    if isinstance(wanted, TypeVar) or isinstance(found, TypeVar):
        return True
    return render(found) == target and render(wanted) == "Self"
