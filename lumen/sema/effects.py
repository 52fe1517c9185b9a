"""Effect inference and checking (§11.2-§11.4): E0106, E0107, E0108, E0109.

Each cell's direct effects (with the first evidence for each) and its calls of other cells
are collected from its body (lambdas and `handle` bodies included, nested cell
declarations excluded); the inferred sets are then computed to a fixed point over the call
graph, where a callee contributes its declared row if it has one, else its inferred set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.sema import messages
from lumen.sema.builtin_types import BUILTIN_EFFECTS
from lumen.sema.symbols import SymbolTable
from lumen.sema.walk import BodyScan, children
from lumen.syntax import ast

# Effects that never need a grant (§11.2); declared effects are added per program.
GRANT_FREE = frozenset({"emit", "trace", "state", "approve", "cache", "async", "random", "time"})
# Effects rejected under @deterministic (§11.4).
NONDETERMINISTIC = frozenset(
    {"random", "time", "http", "llm", "fs", "database", "email", "mcp", "external"}
)
_STATEFUL_PROCESS_KINDS = frozenset({"memory", "machine"})
_HOISTED = (ast.CellDecl, ast.RecordDecl, ast.EnumDecl)  # as lumen.sema.walk


@dataclass(slots=True)
class Evidence:
    cause: str
    span: Span
    via: str | None = None  # the callee this effect arrives through, if it is a call


@dataclass(slots=True)
class CellEffects:
    """What one cell (or the synthetic `main`) does, directly and through calls."""

    name: str
    span: Span
    declared: frozenset[str] | None
    owner: str | None
    direct: dict[str, Evidence] = field(default_factory=dict)
    calls: list[tuple[str, Span]] = field(default_factory=list)
    inferred: dict[str, Evidence] = field(default_factory=dict)


class _Collector:
    """Finds the direct effects and cell calls of one body."""

    def __init__(self, symbols: SymbolTable, info: CellEffects, locals_: frozenset[str]) -> None:
        self.symbols = symbols
        self.info = info
        self.locals = locals_

    def add(self, effect: str, cause: str, node: ast.Node) -> None:
        self.info.direct.setdefault(effect.lower(), Evidence(cause, node.span))

    def visit(self, scan: BodyScan, body: ast.Node | None = None) -> None:
        for site in scan.effect_sites:
            self.visit_one(site)
        if body is not None and self.symbols.tools:
            self.tool_values(body)

    def tool_values(self, body: ast.Node) -> None:
        """A tool alias used as a value (`let f = Chat`, `apply(Chat, q)`) carries the
        tool's effect where it is named: a call through the value cannot be traced back."""
        tools = self.symbols.tools
        called: set[int] = set()  # Name nodes that are the callee (or owner) of a call
        stack = [body]
        while stack:
            node = stack.pop()
            cls = type(node)
            if cls in _HOISTED and node is not body:
                continue  # nested declarations are collected on their own
            if cls is ast.Call:
                callee = node.callee  # type: ignore[attr-defined]
                if isinstance(callee, ast.Attr):
                    callee = callee.value
                called.add(id(callee))
            elif cls is ast.Attr:
                called.add(id(node.value))  # type: ignore[attr-defined]
            elif cls is ast.Name:
                name = node.id  # type: ignore[attr-defined]
                if name in tools and name not in self.locals and id(node) not in called:
                    self.add(tool_effect(self.symbols, name), messages.cause_tool_call(name),
                             node)
            stack.extend(reversed(list(children(node))))

    def visit_one(self, node: ast.Node) -> None:
        if isinstance(node, ast.Emit | ast.Yield):
            self.add("emit", messages.cause_statement("emit" if isinstance(node, ast.Emit) else "yield"), node)
        elif isinstance(node, ast.Await | ast.Orchestrate):
            self.add("async", messages.cause_construct("await"), node)
        elif isinstance(node, ast.Perform):
            self.add(node.effect, messages.cause_perform(node.effect, node.op), node)
        elif isinstance(node, ast.Call):
            self.call(node)

    def call(self, node: ast.Call) -> None:
        s = self.symbols
        callee = node.callee
        if isinstance(callee, ast.Name):
            name = callee.id
            if name in self.locals:
                return
            if name in s.cells:
                self.info.calls.append((name, node.span))
            elif name in s.tools:
                self.add(tool_effect(s, name), messages.cause_tool_call(name), node)
            elif name in BUILTIN_EFFECTS:
                self.add(BUILTIN_EFFECTS[name], messages.cause_call(name), node)
        elif isinstance(callee, ast.Attr) and isinstance(callee.value, ast.Name):
            owner = callee.value.id
            if owner == "self" and self.info.owner is not None:
                owner = self.info.owner
            elif owner in self.locals:
                return
            qualified = f"{owner}.{callee.name}"
            if qualified in s.cells:
                self.info.calls.append((qualified, node.span))
            elif owner in s.effects:
                self.add(owner, messages.cause_call(qualified), node)
            elif owner in s.tools:
                # `Alias.member(…)` calls the tool `ID.member` (SPEC): the alias's effect.
                self.add(tool_effect(s, owner), messages.cause_tool_call(owner), node)
            elif owner in s.processes and s.processes[owner].kind in _STATEFUL_PROCESS_KINDS:
                self.add("state", messages.cause_call(qualified), node)


def tool_effect(symbols: SymbolTable, alias: str) -> str:
    """The effect of calling tool `alias` (§11.2)."""
    for binding in symbols.bindings:
        if binding.tool == alias:
            return binding.effect.split(".")[0].lower()
    for grant in symbols.grants:
        if grant.alias == alias:
            listed = grant_effects(grant)
            if listed:
                return listed[0]
    return "external"


def grant_effects(grant: ast.GrantDecl) -> list[str]:
    """The effects named by a grant's `effect`/`effects` constraint (lowercased)."""
    names: list[str] = []
    for constraint in grant.constraints:
        if constraint.key not in ("effect", "effects"):
            continue
        value = constraint.value
        items = value.items if isinstance(value, ast.ListLit) else (value,)
        for item in items:
            if isinstance(item, ast.StringLit):
                names.append(item.value.lower())
            elif isinstance(item, ast.Name):
                names.append(item.id.lower())
    return names


def _has_effect_constraint(grant: ast.GrantDecl) -> bool:
    return any(c.key in ("effect", "effects") for c in grant.constraints)


class EffectChecker:
    def __init__(
        self, symbols: SymbolTable, file: str, strict: bool, doc_mode: bool, deterministic: bool
    ) -> None:
        self.symbols = symbols
        self.file = file
        self.strict = strict
        self.doc_mode = doc_mode
        self.deterministic = deterministic
        self.cells: dict[str, CellEffects] = {}
        self.diagnostics: list[Diagnostic] = []
        self.declared_effect_names = frozenset(name.lower() for name in symbols.effects)

    def run(self) -> dict[str, frozenset[str]]:
        self.collect()
        self.infer()
        self.report()
        return {name: frozenset(info.inferred) for name, info in self.cells.items()}

    def collect(self) -> None:
        for name, cell in self.symbols.cells.items():
            info = CellEffects(name, cell.decl.span, cell.declared_effects, cell.owner)
            if cell.decl.body is not None:
                scan = self.symbols.scan_of(cell.decl.body)
                locals_ = scan.binders | {p.name for p in cell.decl.params}
                _Collector(self.symbols, info, locals_).visit(scan, cell.decl.body)
            self.cells[name] = info
        statements = self.symbols.top_level_statements
        if statements:
            main_name = "__script_main" if "main" in self.cells else "main"
            scan = self.symbols.top_level_scan
            info = CellEffects(main_name, statements[0].span, None, None)
            collector = _Collector(self.symbols, info, scan.binders)
            collector.visit(scan)
            if self.symbols.tools:
                for statement in statements:
                    collector.tool_values(statement)
            self.cells[main_name] = info

    def contribution(self, callee: str) -> frozenset[str]:
        info = self.cells[callee]
        return info.declared if info.declared is not None else frozenset(info.inferred)

    def infer(self) -> None:
        for info in self.cells.values():
            info.inferred = dict(info.direct)
        changed = True
        while changed:
            changed = False
            for info in self.cells.values():
                for callee, span in info.calls:
                    for effect in self.contribution(callee):
                        if effect not in info.inferred:
                            info.inferred[effect] = Evidence(messages.cause_call(callee), span, callee)
                            changed = True

    # ------------------------------------------------------------------ diagnostics

    def emit(self, code: ErrorCode, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code.value, message, self.file, span, hint=hint))

    def report(self) -> None:
        for info in self.cells.values():
            if self.strict and info.declared is not None:
                self.check_row(info)
            if not self.doc_mode:
                self.check_grants(info)
            if self.deterministic:
                self.check_deterministic(info)

    def check_row(self, info: CellEffects) -> None:
        declared = info.declared or frozenset()
        for effect, evidence in info.direct.items():
            if effect not in declared:
                self.emit(
                    ErrorCode.UNDECLARED_EFFECT,
                    messages.undeclared_effect(info.name, effect, evidence.span.line, evidence.cause),
                    evidence.span, messages.add_effect_hint(effect),
                )
        reported = set(info.direct)
        for callee, span in info.calls:
            callee_info = self.cells[callee]
            for effect in sorted(self.contribution(callee)):
                if effect in declared or effect in reported:
                    continue
                reported.add(effect)
                if callee_info.declared is not None:
                    self.emit(
                        ErrorCode.EFFECT_CONTRACT,
                        messages.effect_contract(info.name, callee, effect, span.line), span,
                        messages.add_effect_hint(effect),
                    )
                else:
                    self.emit(
                        ErrorCode.UNDECLARED_EFFECT,
                        messages.undeclared_effect(
                            info.name, effect, span.line, self.call_chain(callee, span, effect)
                        ),
                        span, messages.add_effect_hint(effect),
                    )

    def call_chain(self, callee: str, span: Span, effect: str) -> str:
        """How `effect` reaches a call of `callee`: each call on the way down to the
        construct that performs it, for the E0107 cause hint."""
        links = [(callee, span.line)]
        seen = {callee}
        info = self.cells[callee]
        while True:
            evidence = info.inferred.get(effect) or info.direct.get(effect)
            if evidence is None or evidence.via is None or evidence.via in seen:
                return messages.cause_chain(links, evidence.cause if evidence else None,
                                            evidence.span.line if evidence else None)
            links.append((evidence.via, evidence.span.line))
            seen.add(evidence.via)
            info = self.cells[evidence.via]

    def needs_grant(self, effect: str) -> bool:
        return effect not in GRANT_FREE and effect not in self.declared_effect_names

    def grants_in_scope(self, info: CellEffects) -> list[ast.GrantDecl]:
        grants = [g for g in self.symbols.grants if self._is_top_level_grant(g)]
        owner = info.owner
        s = self.symbols
        if owner in s.agents:
            grants += list(s.agents[owner].grants)
        elif owner in s.processes:
            grants += list(s.processes[owner].grants)
        return grants

    def _is_top_level_grant(self, grant: ast.GrantDecl) -> bool:
        s = self.symbols
        nested = getattr(self, "_nested_grants", None)
        if nested is None:
            nested = {id(g) for a in s.agents.values() for g in a.grants}
            nested |= {id(g) for p in s.processes.values() for g in p.grants}
            self._nested_grants = nested
        return id(grant) not in nested

    def grant_covers(self, grant: ast.GrantDecl, effect: str) -> bool:
        if not _has_effect_constraint(grant):
            return True
        if effect in grant_effects(grant):
            return True
        return any(
            b.tool == grant.alias and b.effect.split(".")[0].lower() == effect
            for b in self.symbols.bindings
        )

    def check_grants(self, info: CellEffects) -> None:
        effects = dict(info.inferred)
        for effect in sorted(info.declared or ()):
            effects.setdefault(effect, Evidence("declared effect row", info.span))
        wanted = [e for e in effects if self.needs_grant(e)]
        if not wanted:
            return
        grants = self.grants_in_scope(info)
        for effect in wanted:
            if not any(self.grant_covers(g, effect) for g in grants):
                evidence = effects[effect]
                self.emit(
                    ErrorCode.MISSING_EFFECT_GRANT,
                    messages.missing_effect_grant(info.name, effect, evidence.span.line),
                    evidence.span,
                )

    def check_deterministic(self, info: CellEffects) -> None:
        effects = dict(info.inferred)
        for effect in sorted(info.declared or ()):
            effects.setdefault(effect, Evidence("declared effect row", info.span))
        for effect, evidence in effects.items():
            if effect in NONDETERMINISTIC:
                self.emit(
                    ErrorCode.NONDETERMINISTIC,
                    messages.nondeterministic(info.name, effect, evidence.span.line), evidence.span,
                )
