"""What the verifier knows at one point of a path: variable bindings and facts.

Each Lumen variable maps to a `Binding`: a version number (every assignment makes a new
one, like SSA) and, when the value is an Int, Float or Bool the verifier can follow, a
solver variable. Facts are formulas over those variables. Branches extend the fact tuple;
`join` keeps what holds on every live branch (the shared prefix, plus the disjunction of
each branch's own facts), so after an `if` only facts true on both sides remain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from lumen.verify.constraints import (
    TRUE,
    Compare,
    Formula,
    Sort,
    Term,
    Var,
    conjunction,
    disjunction,
    sort_of,
)

# What a variable holds, as far as bounds checks care; a record of type R is "record:R".
LIST, STRING, TUPLE, OTHER = "list", "string", "tuple", "other"
RECORD_PREFIX = "record:"
SEQUENCE_KINDS = frozenset({LIST, STRING, TUPLE})


@dataclass(frozen=True, slots=True)
class Binding:
    version: int
    value: Var | None = None  # None: a value the verifier does not follow
    kind: str = OTHER


@dataclass(frozen=True, slots=True)
class PathState:
    env: Mapping[str, Binding]
    facts: tuple[Formula, ...] = ()

    def with_fact(self, fact: Formula) -> PathState:
        if fact == TRUE:
            return self
        return PathState(self.env, (*self.facts, fact))

    def with_binding(self, name: str, binding: Binding) -> PathState:
        env = dict(self.env)
        env[name] = binding
        return PathState(env, self.facts)


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    display: str  # the Lumen name shown in counterexamples
    role: str  # "input", "bound", "argument", "field", "length", "opaque"


class Symbols:
    """Fresh solver variables (numbered in walk order, so runs are deterministic) and what
    each one stands for."""

    def __init__(self) -> None:
        self._counter = 0
        self.info: dict[str, SymbolInfo] = {}
        self._derived: dict[tuple[str, int], Var] = {}

    def next_version(self) -> int:
        self._counter += 1
        return self._counter

    def fresh(self, display: str, sort: Sort, role: str) -> Var:
        version = self.next_version()
        var = Var(f"{display}#{version}", sort)
        self.info[var.name] = SymbolInfo(display, role)
        return var

    def opaque(self) -> Var:
        return self.fresh("?", Sort.BOOL, "opaque")

    def length_of(self, name: str, binding: Binding) -> Var:
        """The length of the value `name` holds in `binding` (one variable per version)."""
        key = (name, binding.version)
        found = self._derived.get(key)
        if found is None:
            version = self.next_version()
            found = self._derived[key] = Var(f"length({name})#{version}", Sort.INT, nonnegative=True)
            self.info[found.name] = SymbolInfo(f"length({name})", "length")
        return found

    def field_of(self, name: str, binding: Binding, field: str, sort: Sort) -> Var:
        """Field `field` of the record `name` holds in `binding` (one variable per version)."""
        key = (f"{name}.{field}", binding.version)
        found = self._derived.get(key)
        if found is None or found.sort is not sort:
            version = self.next_version()
            found = self._derived[key] = Var(f"{name}.{field}#{version}", sort)
            self.info[found.name] = SymbolInfo(f"{name}.{field}", "field")
        return found

    def role(self, var: Var) -> str:
        info = self.info.get(var.name)
        return info.role if info else "bound"

    def display(self, var: Var) -> str:
        info = self.info.get(var.name)
        return info.display if info else var.name


def bind_value(symbols: Symbols, state: PathState, name: str, value: Term | Formula | None,
               sort: Sort | None, kind: str = OTHER, role: str = "bound") -> PathState:
    """`name` gets a new version: equal to `value` when it is modelled, else a fresh variable
    of `sort` (unconstrained), else an unfollowed value."""
    if value is not None:
        sort = sort_of(value)
    version = symbols.next_version()
    if sort is None:
        return state.with_binding(name, Binding(version, None, kind))
    var = symbols.fresh(name, sort, role)
    state = state.with_binding(name, Binding(version, var, kind))
    if value is not None:
        state = state.with_fact(Compare("==", var, value))
    return state


def havoc(symbols: Symbols, state: PathState, names: Iterable[str]) -> PathState:
    """Forget the values of `names` (loop bodies, pattern bindings): new versions, fresh
    unconstrained variables of the same sort."""
    env = dict(state.env)
    for name in sorted(set(names)):
        old = env.get(name)
        version = symbols.next_version()
        if old is not None and old.value is not None:
            env[name] = Binding(version, symbols.fresh(name, old.value.sort, "bound"), old.kind)
        else:
            env[name] = Binding(version, None, old.kind if old else OTHER)
    return PathState(env, state.facts)


def havoc_all(symbols: Symbols, state: PathState) -> PathState:
    return havoc(symbols, state, state.env.keys())


def join(symbols: Symbols, states: Iterable[PathState | None]) -> PathState | None:
    """The state after branches meet: None when no branch continues."""
    live = [state for state in states if state is not None]
    if len(live) <= 1:
        return live[0] if live else None
    shared = _shared_prefix(live)
    extras: list[list[Formula]] = [list(state.facts[shared:]) for state in live]
    env: dict[str, Binding] = {}
    for name in sorted({name for state in live for name in state.env}):
        bindings = [state.env.get(name) for state in live]
        first = bindings[0]
        if first is not None and all(b == first for b in bindings):
            env[name] = first
            continue
        env[name] = _merged_binding(symbols, name, bindings, extras)
    joined = disjunction([conjunction(extra) for extra in extras])
    facts = live[0].facts[:shared] + (() if joined == TRUE else (joined,))
    return PathState(env, facts)


def _merged_binding(symbols: Symbols, name: str, bindings: list[Binding | None],
                    extras: list[list[Formula]]) -> Binding:
    present = [b for b in bindings if b is not None]
    kinds = {b.kind for b in present}
    kind = kinds.pop() if len(kinds) == 1 else OTHER
    sorts = {b.value.sort if b.value is not None else None for b in present}
    version = symbols.next_version()
    merged = Binding(version, None, kind)
    if len(sorts) == 1 and None not in sorts:
        merged = replace(merged, value=symbols.fresh(name, sorts.pop(), "bound"))  # type: ignore[arg-type]
    for binding, extra in zip(bindings, extras, strict=True):
        if binding is None:
            continue
        if merged.value is not None and binding.value is not None:
            extra.append(Compare("==", merged.value, binding.value))
        if kind in SEQUENCE_KINDS:
            extra.append(Compare("==", symbols.length_of(name, merged),
                                 symbols.length_of(name, binding)))
    return merged


def _shared_prefix(states: list[PathState]) -> int:
    shortest = min(len(state.facts) for state in states)
    first = states[0].facts
    for index in range(shortest):
        if any(state.facts[index] is not first[index] for state in states[1:]):
            return index
    return shortest

