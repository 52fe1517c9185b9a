"""Z3 answers for constraint-form queries (imported only by the verification pass).

`classify(facts, goal)` asks two questions: can `goal` be false under `facts` (if not, it is
PROVED), and can it be true (if not, it is REFUTED: false on every path). A model of
`facts and not goal` is the counterexample. A timeout or an `unknown` answer is UNKNOWN,
never an error.

One incremental solver serves a whole run: its assertion stack mirrors the fact tuple of
the last query (one scope per fact), so consecutive queries along a path only push the
facts that are new, instead of re-solving every fact from scratch. The solver has a fixed
seed and the walk asks in a fixed order, so runs are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
    Ite,
    Neg,
    Not,
    Or,
    RealConst,
    Sort,
    Term,
    Value,
    Var,
    negation,
    sort_of,
)

DEFAULT_TIMEOUT_MS = 2000
# All queries of one run together: past this, remaining queries answer UNKNOWN.
DEFAULT_BUDGET_MS = 30_000


class Verdict(StrEnum):
    PROVED = "proved"  # the goal holds on every path the facts allow
    REFUTED = "refuted"  # the goal is false on every such path
    POSSIBLE = "possible"  # it can go either way: the model shows a failing case
    UNKNOWN = "unknown"  # the solver gave up (timeout, budget spent)


@dataclass(frozen=True, slots=True)
class Answer:
    verdict: Verdict
    model: Any = None  # a z3 model of `facts and not goal`, when there is one


class Z3Backend:
    """Translates constraint forms to z3 terms and runs queries on one incremental solver."""

    def __init__(self, timeout_ms: int = DEFAULT_TIMEOUT_MS, budget_ms: int = DEFAULT_BUDGET_MS) -> None:
        self.timeout_ms = timeout_ms
        self.budget_ms = budget_ms
        self.queries = 0
        self._spent_ms = 0.0
        self._symbols: dict[Var, Any] = {}
        self._solver: Any = None
        self._asserted: list[Formula] = []  # one solver scope per fact, bottom first
        self._reset()

    # ------------------------------------------------------------------ queries

    def classify(self, facts: Sequence[Formula], goal: Formula) -> Answer:
        try:
            return self._classify(facts, goal)
        except z3.Z3Exception:  # a query z3 refuses: no answer, and a clean solver next time
            self._reset()
            return Answer(Verdict.UNKNOWN)

    def _reset(self) -> None:
        self._solver = z3.Solver()
        self._solver.set("random_seed", 0)
        self._asserted = []

    def _classify(self, facts: Sequence[Formula], goal: Formula) -> Answer:
        self._sync(facts)
        failing = self._check(negation(goal))
        if failing is None:
            return Answer(Verdict.UNKNOWN)
        if failing is False:
            return Answer(Verdict.PROVED)
        holding = self._check(goal)
        if holding is None:
            return Answer(Verdict.UNKNOWN, failing)
        return Answer(Verdict.REFUTED if holding is False else Verdict.POSSIBLE, failing)

    def values(self, answer: Answer, wanted: Iterable[Var]) -> dict[str, Value]:
        """The counterexample's value of each wanted variable (by variable name)."""
        if answer.model is None:
            return {}
        return {var.name: _from_z3(answer.model.eval(self.to_z3(var), model_completion=True))
                for var in wanted}

    def _sync(self, facts: Sequence[Formula]) -> None:
        """Make the solver's scopes hold exactly `facts` (pop the stale tail, push the rest)."""
        shared = 0
        limit = min(len(facts), len(self._asserted))
        while shared < limit and facts[shared] is self._asserted[shared]:
            shared += 1
        if shared < len(self._asserted):
            self._solver.pop(len(self._asserted) - shared)
            del self._asserted[shared:]
        for fact in facts[shared:]:
            self._solver.push()
            self._solver.add(self.to_z3(fact))
            self._asserted.append(fact)

    def _check(self, extra: Formula) -> Any:
        """A model of the facts and `extra`, False when unsatisfiable, None when unknown."""
        remaining = self.budget_ms - self._spent_ms
        if remaining <= 0:
            return None
        self.queries += 1
        solver = self._solver
        solver.push()
        try:
            solver.add(self.to_z3(extra))
            solver.set("timeout", int(min(self.timeout_ms, remaining)))
            started = _now_ms()
            result = solver.check()
            self._spent_ms += _now_ms() - started
            if result == z3.unsat:
                return False
            if result != z3.sat:
                return None
            return solver.model()
        finally:
            solver.pop()

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
        if isinstance(value, Ite):
            return z3.If(self.to_z3(value.condition), self.to_z3(value.then), self.to_z3(value.otherwise))
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
            found = make(var.name)
            if var.nonnegative:  # a length: |v| ranges over exactly the values >= 0
                found = z3.If(found >= 0, found, -found)
            self._symbols[var] = found
        return found


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



def _now_ms() -> float:
    import time

    return time.perf_counter() * 1000
