"""The constraint form: lowering from source, Python semantics, and z3's verdicts agree."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumen.syntax import parse_expression
from lumen.verify.constraints import (
    FALSE,
    TRUE,
    And,
    Compare,
    IntConst,
    Sort,
    Unsupported,
    Var,
    evaluate,
    lower_constraint,
    negation,
    show,
    substitute,
)
from lumen.verify.z3_backend import Verdict, Z3Backend

NAMES = ("a", "b", "c")
INT_SORTS = {name: Sort.INT for name in NAMES}
OPS = ("==", "!=", "<", "<=", ">", ">=")
BACKEND = Z3Backend(timeout_ms=2000)


def parse(text: str):
    expr, problems = parse_expression(text, "<test>")
    assert expr is not None and not problems, text
    return expr


# ------------------------------------------------------------------------------ generators

literals = st.integers(-50, 50).map(str)
variables = st.sampled_from(NAMES)


@st.composite
def operands(draw: st.DrawFn) -> str:
    """`var`, `literal`, `var + literal`, `var - literal` (the §16.1 forms), `var + var`, and
    the numeric builtins `abs`, `min`, `max`."""
    kind = draw(st.sampled_from(["var", "lit", "plus", "minus", "sum", "abs", "min", "max"]))
    if kind == "var":
        return draw(variables)
    if kind == "abs":
        return f"abs({draw(variables)} - {draw(st.integers(0, 50))})"
    if kind in ("min", "max"):
        return f"{kind}({draw(variables)}, {draw(st.one_of(variables, literals))})"
    if kind == "lit":
        return draw(literals)
    if kind == "sum":
        return f"({draw(variables)} + {draw(variables)})"
    sign = "+" if kind == "plus" else "-"
    return f"({draw(variables)} {sign} {draw(st.integers(0, 50))})"


comparisons = st.builds(lambda left, op, right: f"{left} {op} {right}", operands(), st.sampled_from(OPS), operands())


def constraints(depth: int = 3) -> st.SearchStrategy[str]:
    leaves = st.one_of(comparisons, st.sampled_from(["true", "false"]))
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(lambda a, b: f"({a} and {b})", inner, inner),
            st.builds(lambda a, b: f"({a} or {b})", inner, inner),
            st.builds(lambda a: f"not ({a})", inner),
        ),
        max_leaves=depth * 3,
    )


assignments = st.fixed_dictionaries({name: st.integers(-60, 60) for name in NAMES})


def python_truth(text: str, assignment: dict[str, int]) -> bool:
    """The reference answer: the same text evaluated by Python (same operators, same
    precedence for this subset)."""
    python = text.replace("true", "True").replace("false", "False")
    return bool(eval(python, {}, dict(assignment)))  # noqa: S307 (generated test input only)


# ------------------------------------------------------------------------------ properties


@settings(max_examples=60, deadline=None)
@given(constraints(), assignments)
def test_lowering_keeps_the_meaning(text: str, assignment: dict[str, int]) -> None:
    formula = lower_constraint(parse(text), INT_SORTS)
    assert evaluate(formula, assignment) == python_truth(text, assignment)


@settings(max_examples=40, deadline=None)
@given(constraints(), assignments)
def test_z3_verdict_on_the_substituted_constraint(text: str, assignment: dict[str, int]) -> None:
    formula = lower_constraint(parse(text), INT_SORTS)
    closed = substitute(formula, {Var(name, Sort.INT): IntConst(value) for name, value in assignment.items()})
    answer = BACKEND.classify((), closed)
    assert answer.verdict is (Verdict.PROVED if python_truth(text, assignment) else Verdict.REFUTED)


@settings(max_examples=30, deadline=None)
@given(constraints(), assignments)
def test_z3_verdict_under_equality_facts(text: str, assignment: dict[str, int]) -> None:
    """The same values given as facts (what a `let` of a literal produces)."""
    formula = lower_constraint(parse(text), INT_SORTS)
    facts = [Compare("==", Var(name, Sort.INT), IntConst(value)) for name, value in assignment.items()]
    answer = BACKEND.classify(facts, formula)
    assert answer.verdict is (Verdict.PROVED if python_truth(text, assignment) else Verdict.REFUTED)


@settings(max_examples=30, deadline=None)
@given(constraints())
def test_counterexamples_really_falsify(text: str) -> None:
    """Whenever z3 says the constraint can fail, its model makes it false in Python too."""
    formula = lower_constraint(parse(text), INT_SORTS)
    answer = BACKEND.classify((), formula)
    if answer.verdict in (Verdict.POSSIBLE, Verdict.REFUTED):
        values = BACKEND.values(answer, [Var(name, Sort.INT) for name in NAMES])
        model = {name: values[name] for name in NAMES}
        assert python_truth(text, model) is False
    elif answer.verdict is Verdict.PROVED:
        assert all(python_truth(text, {n: v for n in NAMES}) for v in (-60, 0, 60))


# ------------------------------------------------------------------------------ examples


def test_floats_compare_as_reals_and_mix_with_ints() -> None:
    formula = lower_constraint(parse("x > 0.5 and x < n"), {"x": Sort.REAL, "n": Sort.INT})
    assert evaluate(formula, {"x": Fraction(3, 4), "n": 1}) is True
    closed = substitute(formula, {Var("x", Sort.REAL): IntConst(1), Var("n", Sort.INT): IntConst(1)})
    assert BACKEND.classify((), closed).verdict is Verdict.REFUTED


def test_bool_variables_and_constants() -> None:
    formula = lower_constraint(parse("on and not off"), {"on": Sort.BOOL, "off": Sort.BOOL})
    assert evaluate(formula, {"on": True, "off": False}) is True
    assert lower_constraint(parse("true and true"), {}) == TRUE
    assert lower_constraint(parse("false or false"), {}) == FALSE


def test_chained_comparison_is_a_conjunction() -> None:
    formula = lower_constraint(parse("0 <= n < 10"), INT_SORTS | {"n": Sort.INT})
    assert isinstance(formula, And)
    assert show(formula) == "(0 <= n) and (n < 10)"


@pytest.mark.parametrize("text", [
    "f(n) > 0",  # a call
    "min(n, 1.5) > 0",  # mixed sorts: the chosen argument keeps its own kind
    "name == \"x\"",  # a string
    "n * n > 4",  # non-linear
    "n % 2 == 0",  # outside the language
    "n / 2 > 1",
    "x + 0.1 > 0.3",  # Float arithmetic rounds: not modelled as exact reals
    "xs == [1]",  # a collection
    "unknown > 1",  # a name without a sort
    "n + true > 1",  # arithmetic on a condition
])
def test_unsupported_expressions_are_refused(text: str) -> None:
    with pytest.raises(Unsupported):
        lower_constraint(parse(text), {"n": Sort.INT, "name": Sort.INT, "xs": Sort.INT, "x": Sort.REAL})


def test_negation_flips_comparisons() -> None:
    formula = lower_constraint(parse("a < 3"), INT_SORTS)
    assert negation(formula) == Compare(">=", Var("a", Sort.INT), IntConst(3))
    assert negation(negation(formula)) == formula

