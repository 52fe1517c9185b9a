"""Z3 answers for constraint-form queries (imported only by the verification pass).

`classify(facts, goal)` asks two questions: can `goal` be false under `facts` (if not, it is
PROVED), and can it be true (if not, it is REFUTED: false on every path). Either way the
model of `facts and not goal` is the counterexample. A timeout or an `unknown` answer is
UNKNOWN, never an error. Every solver gets a fixed seed, so runs are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

import z3

from lumen.verify.constraints import (
    And,
    Arith,
    BoolConst,
    Compare,
    Formula,
    IntConst,
    Neg,
    Not,
    Or,
    RealConst,
    Sort,
    Term,
    Value,
    Var,
    conjunction,
    negation,
    sort_of,
    variables,
)

DEFAULT_TIMEOUT_MS = 2000


class Verdict(StrEnum):
    PROVED = "proved"  # the goal holds on every path the facts allow
    REFUTED = "refuted"  # the goal is false on every such path
    POSSIBLE = "possible"  # it can go either way: `model` shows a failing case
    UNKNOWN = "unknown"  # the solver gave up (timeout, non-linear remainder)


@dataclass(frozen=True, slots=True)
class Answer:
    verdict: Verdict
    # A counterexample (variable name -> value) when the goal can be false.
    model: dict[str, Value] = field(default_factory=dict)


class Z3Backend:
    """Translates constraint forms to z3 terms (cached per variable) and runs queries."""

    def __init__(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self.timeout_ms = timeout_ms
        self._symbols: dict[Var, Any] = {}
        self.queries = 0

    # ------------------------------------------------------------------ queries

    def classify(self, facts: Sequence[Formula], goal: Formula) -> Answer:
        assumptions = conjunction(list(facts))
        failing = self._check(conjunction([assumptions, negation(goal)]))
        if failing is None:
            return Answer(Verdict.UNKNOWN)
        if failing is False:
            return Answer(Verdict.PROVED)
        holding = self._check(conjunction([assumptions, goal]))
        if holding is None:
            return Answer(Verdict.UNKNOWN, failing)
        return Answer(Verdict.REFUTED if holding is False else Verdict.POSSIBLE, failing)

    def _check(self, formula: Formula) -> dict[str, Value] | bool | None:
        """A model of `formula`, False when it is unsatisfiable, None when unknown."""
        self.queries += 1
        solver = z3.SolverFor("QF_LIRA") if _is_linear_mix(formula) else z3.Solver()
        solver.set("timeout", self.timeout_ms)
        solver.set("random_seed", 0)
        solver.add(self.to_z3(formula))
        result = solver.check()
        if result == z3.unsat:
            return False
        if result != z3.sat:
            return None
        model = solver.model()
        return {var.name: _from_z3(model.eval(self.to_z3(var), model_completion=True))
                for var in sorted(variables(formula), key=lambda v: v.name)}

    # ------------------------------------------------------------------ translation

    def to_z3(self, value: Term | Formula) -> Any:
        if isinstance(value, Var):
            return self._symbol(value)
        if isinstance(value, BoolConst):
            return z3.BoolVal(value.value)
        if isinstance(value, IntConst):
            return z3.IntVal(value.value)
        if isinstance(value, RealConst):
            return z3.RealVal(value.value)
        if isinstance(value, Neg):
            return -self._numeric(value.operand, sort_of(value))
        if isinstance(value, Arith):
            sort = sort_of(value)
            left, right = self._numeric(value.left, sort), self._numeric(value.right, sort)
            if value.op == "+":
                return left + right
            if value.op == "-":
                return left - right
            return left * right
        if isinstance(value, Compare):
            return self._compare(value)
        if isinstance(value, And):
            return z3.And(*[self.to_z3(item) for item in value.items])
        if isinstance(value, Or):
            return z3.Or(*[self.to_z3(item) for item in value.items])
        if isinstance(value, Not):
            return z3.Not(self.to_z3(value.operand))
        raise TypeError(f"not a constraint: {value!r}")

    def _compare(self, value: Compare) -> Any:
        if sort_of(value.left) is Sort.BOOL:
            left, right = self.to_z3(value.left), self.to_z3(value.right)
        else:
            # Mixed Int/Float comparisons compare numerically (§9.4): both sides as reals.
            both = (sort_of(value.left), sort_of(value.right))
            sort = Sort.REAL if Sort.REAL in both else Sort.INT
            left, right = self._numeric(value.left, sort), self._numeric(value.right, sort)
        op = value.op
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        return left >= right

    def _numeric(self, term: Term | Formula, sort: Sort) -> Any:
        translated = self.to_z3(term)
        if sort is Sort.REAL and sort_of(term) is Sort.INT:
            return z3.ToReal(translated)
        return translated

    def _symbol(self, var: Var) -> Any:
        found = self._symbols.get(var)
        if found is None:
            make = {Sort.INT: z3.Int, Sort.REAL: z3.Real, Sort.BOOL: z3.Bool}[var.sort]
            found = self._symbols[var] = make(var.name)
        return found


def _is_linear_mix(formula: Formula) -> bool:
    """Queries mixing Int and Real variables use the combined linear logic."""
    sorts = {var.sort for var in variables(formula)}
    return Sort.INT in sorts and Sort.REAL in sorts


def _from_z3(value: Any) -> Value:
    if z3.is_true(value):
        return True
    if z3.is_false(value):
        return False
    if z3.is_int_value(value):
        return value.as_long()
    if z3.is_rational_value(value):
        return Fraction(value.numerator_as_long(), value.denominator_as_long())
    if z3.is_algebraic_value(value):  # an irrational root: shown approximately
        return Fraction(value.approx(10).as_fraction())
    return 0


def model_values(model: dict[str, Value], names: Iterable[str]) -> dict[str, Value]:
    return {name: model[name] for name in names if name in model}
