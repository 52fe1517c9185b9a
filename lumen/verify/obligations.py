"""Proof obligations: one solver query each, turned into diagnostics with counterexamples."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lumen.diagnostics import Diagnostic, ErrorCode, Severity, Span
from lumen.verify import messages
from lumen.verify.constraints import Formula, Term, Value, Var, evaluate, show_number, variables
from lumen.verify.state import PathState, Symbols
from lumen.verify.z3_backend import Answer, Z3Backend

_ROLE_ORDER = {"input": 0, "argument": 1, "bound": 2, "field": 3, "length": 4}


@dataclass(frozen=True, slots=True)
class Obligation:
    goal: Formula
    state: PathState
    span: Span
    # Named values worth showing (a call's arguments, a field's value): label -> term.
    values: tuple[tuple[str, Term | Formula], ...] = ()
    # The goal's conjuncts as written, to name the ones the counterexample makes false.
    conjuncts: tuple[tuple[str, Formula], ...] = ()


class Prover:
    """Runs obligations against the solver and reports what they show."""

    def __init__(self, backend: Z3Backend, symbols: Symbols, file: str) -> None:
        self.backend = backend
        self.symbols = symbols
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def ask(self, obligation: Obligation) -> Answer:
        return self.backend.classify(obligation.state.facts, obligation.goal)

    def report(self, code: ErrorCode, message: str, obligation: Obligation, answer: Answer,
               severity: Severity = Severity.ERROR) -> None:
        relevant = _connected(variables(obligation.goal), obligation.state.facts)
        for _, term in obligation.values:
            relevant |= variables(term)
        model = self.backend.values(answer, sorted(relevant, key=lambda var: var.name))
        failing = [text for text, part in obligation.conjuncts
                   if len(obligation.conjuncts) > 1 and _value_in(part, model) is False]
        hint = messages.values_hint(self._values(obligation, model),
                                    self._counterexample(obligation, relevant, model), failing)
        self.diagnostics.append(Diagnostic(code.value, message, self.file, obligation.span,
                                           severity=severity, hint=hint))

    def note(self, message: str, span: Span) -> None:
        self.diagnostics.append(Diagnostic(ErrorCode.UNVERIFIABLE.value, message, self.file, span,
                                           severity=Severity.NOTE))

    # ------------------------------------------------------------------ counterexamples

    @staticmethod
    def _values(obligation: Obligation, model: Mapping[str, Value]) -> Iterable[str]:
        for label, term in obligation.values:
            value = _value_in(term, model)
            if value is not None:
                yield f"{label} = {show_number(value)}"

    def _counterexample(self, obligation: Obligation, relevant: set[Var],
                        model: Mapping[str, Value]) -> list[str]:
        """Values of the variables the goal depends on (through the facts), each with its
        role; only the current version of a re-assigned variable is shown."""
        current = {b.value for b in obligation.state.env.values() if b.value is not None}
        shown: list[tuple[int, str, str]] = []
        for var in relevant:
            role = self.symbols.role(var)
            if role not in _ROLE_ORDER or var.name not in model:
                continue
            if role == "bound" and var not in current:
                continue
            entry = f"{self.symbols.display(var)} = {show_number(model[var.name])} ({role})"
            shown.append((_ROLE_ORDER[role], self.symbols.display(var), entry))
        return [entry for _, _, entry in sorted(set(shown))]


def _value_in(term: Term | Formula, model: Mapping[str, Value]) -> Value | None:
    try:
        return evaluate(term, model)
    except (KeyError, TypeError):
        return None


def _connected(start: set[Var], facts: Iterable[Formula]) -> set[Var]:
    """`start` plus every variable linked to it through a chain of shared facts."""
    found = set(start)
    pending = [(fact, variables(fact)) for fact in facts]
    changed = True
    while changed:
        changed = False
        remaining = []
        for fact, names in pending:
            if names & found:
                found |= names
                changed = True
            else:
                remaining.append((fact, names))
        pending = remaining
    return found

