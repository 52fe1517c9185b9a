"""The solver-independent form of `where` constraints (§16.1) and its lowering from the AST.

A constraint is a `Formula` over `Term`s: linear Int arithmetic over variables and
literals, comparisons of Int and Float values, `and`/`or`/`not`, Bool variables and `true`/`false`. Everything else
(calls, strings, collections, division, products of two variables) is outside the language:
`lower_formula` raises `Unsupported`, or, when the caller passes `opaque`, replaces just that
boolean sub-expression by a fresh, unconstrained Bool variable (so `n > 0 and f(n)` still
yields the fact `n > 0`).

Nothing here imports z3: `z3_backend.py` translates this form; `evaluate` gives the
reference semantics in Python (used by the tests to cross-check the solver).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Union

from lumen.syntax import ast


class Sort(StrEnum):
    INT = "Int"
    REAL = "Float"  # Lumen Floats are approximated by exact reals (no NaN, no rounding)
    BOOL = "Bool"


@dataclass(frozen=True, slots=True)
class Var:
    """A solver variable. `name` is unique within one verification run."""

    name: str
    sort: Sort
    nonnegative: bool = False  # lengths: the solver only considers values >= 0


@dataclass(frozen=True, slots=True)
class IntConst:
    value: int


@dataclass(frozen=True, slots=True)
class RealConst:
    value: Fraction


@dataclass(frozen=True, slots=True)
class BoolConst:
    value: bool


@dataclass(frozen=True, slots=True)
class Arith:
    """`left op right` with `op` in `+ - *` (a product always has a constant side).
    `sort` is derived once here: recomputing it per node would be quadratic on long sums."""

    op: str
    left: Term
    right: Term
    sort: Sort = field(default=Sort.INT, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        both = (sort_of(self.left), sort_of(self.right))
        object.__setattr__(self, "sort", Sort.REAL if Sort.REAL in both else Sort.INT)


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Term
    sort: Sort = field(default=Sort.INT, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sort", sort_of(self.operand))


@dataclass(frozen=True, slots=True)
class Ite:
    """`then` when `condition` holds, else `otherwise` (`abs`, `min`, `max`, `clamp`); both
    branches have one sort."""

    condition: Formula
    then: Term
    otherwise: Term
    sort: Sort = field(default=Sort.INT, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sort", sort_of(self.then))


@dataclass(frozen=True, slots=True)
class Compare:
    """`left op right`, `op` one of `== != < <= > >=`; Bool operands allow `==`/`!=` only."""

    op: str
    left: Term | Formula
    right: Term | Formula


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Formula, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Formula, ...]


@dataclass(frozen=True, slots=True)
class Not:
    operand: Formula


Term = Union[Var, IntConst, RealConst, Arith, Neg, Ite]  # noqa: UP007 (forward references)
Formula = Union[BoolConst, Var, Compare, And, Or, Not]  # noqa: UP007

TRUE = BoolConst(True)
FALSE = BoolConst(False)
COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


class Unsupported(Exception):
    """An expression outside the constraint language; `reason` says which part."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ------------------------------------------------------------------------------ building


def conjunction(items: tuple[Formula, ...] | list[Formula]) -> Formula:
    """`and` of `items`, flattened, with `true` dropped and `false` absorbing."""
    flat: list[Formula] = []
    for item in items:
        if item == TRUE:
            continue
        if item == FALSE:
            return FALSE
        flat.extend(item.items if isinstance(item, And) else (item,))
    if not flat:
        return TRUE
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def disjunction(items: tuple[Formula, ...] | list[Formula]) -> Formula:
    flat: list[Formula] = []
    for item in items:
        if item == FALSE:
            continue
        if item == TRUE:
            return TRUE
        flat.extend(item.items if isinstance(item, Or) else (item,))
    if not flat:
        return FALSE
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def negation(formula: Formula) -> Formula:
    """`not formula`, pushed into comparisons and constants so messages stay readable."""
    if isinstance(formula, BoolConst):
        return BoolConst(not formula.value)
    if isinstance(formula, Not):
        return formula.operand
    if isinstance(formula, Compare):
        return Compare(_NEGATED[formula.op], formula.left, formula.right)
    return Not(formula)


def sort_of(value: Term | Formula) -> Sort:
    if isinstance(value, Var):
        return value.sort
    if isinstance(value, IntConst):
        return Sort.INT
    if isinstance(value, RealConst):
        return Sort.REAL
    if isinstance(value, (Arith, Neg, Ite)):
        return value.sort
    return Sort.BOOL


def is_numeric(value: Term | Formula) -> bool:
    return sort_of(value) is not Sort.BOOL


def variables(value: Term | Formula) -> set[Var]:
    """Every variable that occurs in `value`."""
    found: set[Var] = set()
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Var):
            found.add(item)
        elif isinstance(item, (Arith, Compare)):
            stack += (item.left, item.right)
        elif isinstance(item, (Neg, Not)):
            stack.append(item.operand)
        elif isinstance(item, (And, Or)):
            stack.extend(item.items)
        elif isinstance(item, Ite):
            stack += (item.condition, item.then, item.otherwise)
    return found


def substitute(value: Term | Formula, mapping: Mapping[Var, Term | Formula]) -> Term | Formula:
    """`value` with each variable in `mapping` replaced (call sites: parameters -> arguments)."""
    if isinstance(value, Var):
        return mapping.get(value, value)
    if isinstance(value, Arith):
        return Arith(value.op, substitute(value.left, mapping), substitute(value.right, mapping))  # type: ignore[arg-type]
    if isinstance(value, Neg):
        return Neg(substitute(value.operand, mapping))  # type: ignore[arg-type]
    if isinstance(value, Compare):
        return Compare(value.op, substitute(value.left, mapping), substitute(value.right, mapping))
    if isinstance(value, And):
        return And(tuple(substitute(item, mapping) for item in value.items))  # type: ignore[misc]
    if isinstance(value, Or):
        return Or(tuple(substitute(item, mapping) for item in value.items))  # type: ignore[misc]
    if isinstance(value, Not):
        return Not(substitute(value.operand, mapping))  # type: ignore[arg-type]
    if isinstance(value, Ite):
        return Ite(substitute(value.condition, mapping), substitute(value.then, mapping),  # type: ignore[arg-type]
                   substitute(value.otherwise, mapping))  # type: ignore[arg-type]
    return value


# ------------------------------------------------------------------------------ semantics


Value = Union[int, Fraction, bool]  # noqa: UP007


def evaluate(value: Term | Formula, assignment: Mapping[str, Value]) -> Value:
    """The value of `value` under `assignment` (variable name -> value), exactly."""
    if isinstance(value, Var):
        return assignment[value.name]
    if isinstance(value, (IntConst, RealConst, BoolConst)):
        return value.value
    if isinstance(value, Neg):
        return -evaluate(value.operand, assignment)
    if isinstance(value, Arith):
        left, right = evaluate(value.left, assignment), evaluate(value.right, assignment)
        if value.op == "+":
            return left + right
        if value.op == "-":
            return left - right
        return left * right
    if isinstance(value, Compare):
        return _compare(value.op, evaluate(value.left, assignment), evaluate(value.right, assignment))
    if isinstance(value, And):
        return all(evaluate(item, assignment) for item in value.items)
    if isinstance(value, Or):
        return any(evaluate(item, assignment) for item in value.items)
    if isinstance(value, Not):
        return not evaluate(value.operand, assignment)
    if isinstance(value, Ite):
        chosen = value.then if evaluate(value.condition, assignment) else value.otherwise
        return evaluate(chosen, assignment)
    raise TypeError(f"not a constraint: {value!r}")


def _compare(op: str, left: Value, right: Value) -> bool:
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


# ------------------------------------------------------------------------------ lowering

# How a name in a constraint reads: a term/formula, or None when the name is not modelled.
NameResolver = Callable[[str], "Term | Formula | None"]
# Lowering of a call the caller knows (e.g. `length(xs)` as a length variable), else None.
CallResolver = Callable[[ast.Call], "Term | Formula | None"]


@dataclass(slots=True)
class Lowering:
    """Lowers AST expressions to the constraint form.

    `opaque`, when given, makes an unsupported boolean sub-expression a fresh Bool variable
    instead of failing; `unsupported` then lists why each such part was left out.
    """

    resolve_name: NameResolver
    resolve_call: CallResolver | None = None
    opaque: Callable[[], Var] | None = None
    unsupported: list[str] | None = None
    # `o.f` of a record the caller follows, else None.
    resolve_attr: Callable[[ast.Attr], Term | Formula | None] | None = None

    def formula(self, expr: ast.Expr) -> Formula:
        try:
            return self._formula(expr)
        except Unsupported as exc:
            return self._opaque_or_raise(exc)

    def term(self, expr: ast.Expr) -> Term | Formula:
        """A numeric term or a Bool formula (what a `let` may bind)."""
        return self._value(expr)

    def _opaque_or_raise(self, exc: Unsupported) -> Formula:
        if self.opaque is None:
            raise exc
        if self.unsupported is not None:
            self.unsupported.append(exc.reason)
        return self.opaque()

    def _formula(self, expr: ast.Expr) -> Formula:
        if isinstance(expr, ast.Binary) and expr.op in ("and", "or"):
            parts = [self.formula(expr.left), self.formula(expr.right)]
            return conjunction(parts) if expr.op == "and" else disjunction(parts)
        if isinstance(expr, ast.Unary) and expr.op == "not":
            return negation(self.formula(expr.operand))
        value = self._value(expr)
        if is_numeric(value):
            raise Unsupported("a number where a condition is expected")
        return value  # type: ignore[return-value]

    def _value(self, expr: ast.Expr) -> Term | Formula:
        if isinstance(expr, ast.BoolLit):
            return BoolConst(expr.value)
        if isinstance(expr, ast.IntLit):
            return IntConst(expr.value)
        if isinstance(expr, ast.FloatLit):
            return RealConst(Fraction(expr.value))
        if isinstance(expr, ast.Name):
            found = self.resolve_name(expr.id)
            if found is None:
                raise Unsupported(f"'{expr.id}' is not a number or a condition the verifier knows")
            return found
        if isinstance(expr, ast.Binary):
            return self._binary(expr)
        if isinstance(expr, ast.ChainCompare):
            middle = self._value(expr.middle)
            first = self._comparison(expr.op1, self._value(expr.left), middle)
            return conjunction([first, self._comparison(expr.op2, middle, self._value(expr.right))])
        if isinstance(expr, ast.Unary):
            if expr.op == "-":
                operand = self._value(expr.operand)
                if not is_numeric(operand):
                    raise Unsupported("unary minus of a condition")
                return _fold_neg(operand)  # type: ignore[arg-type]
            if expr.op == "not":
                return negation(self.formula(expr.operand))
        if isinstance(expr, ast.Call) and self.resolve_call is not None:
            found_term = self.resolve_call(expr)
            if found_term is not None:
                return found_term
        if isinstance(expr, ast.Attr) and self.resolve_attr is not None and not expr.safe:
            found_field = self.resolve_attr(expr)
            if found_field is not None:
                return found_field
        raise Unsupported(f"{_describe(expr)} is outside the constraint language")

    def _binary(self, expr: ast.Binary) -> Term | Formula:
        if expr.op in ("and", "or"):
            return self._formula(expr)
        left, right = self._value(expr.left), self._value(expr.right)
        if expr.op in COMPARISONS:
            return self._comparison(expr.op, left, right)
        if expr.op in ("+", "-", "*"):
            if not (is_numeric(left) and is_numeric(right)):
                raise Unsupported(f"'{expr.op}' on a condition")
            if expr.op == "*" and not (_is_constant(left) or _is_constant(right)):
                raise Unsupported("a product of two variables (non-linear)")
            if Sort.REAL in (sort_of(left), sort_of(right)):
                # Exact reals would prove things rounding breaks (`0.1 + 0.2 > 0.3` holds in
                # IEEE doubles, not in reals): Float arithmetic is not followed.
                raise Unsupported("Float arithmetic (rounding is not modelled)")
            return Arith(expr.op, left, right)  # type: ignore[arg-type]
        raise Unsupported(f"operator '{expr.op}' is outside the constraint language")

    @staticmethod
    def _comparison(op: str, left: Term | Formula, right: Term | Formula) -> Formula:
        if is_numeric(left) != is_numeric(right):
            raise Unsupported("a comparison of a number with a condition")
        if not is_numeric(left) and op not in ("==", "!="):
            raise Unsupported(f"'{op}' on conditions")
        return Compare(op, left, right)


NUMERIC_BUILTINS = frozenset({"abs", "min", "max", "clamp"})


def numeric_builtin(name: str, args: list[Term | Formula]) -> Term | None:
    """`abs(x)`, `min(a, b)`, `max(a, b)`, `clamp(x, lo, hi)` on numbers of one sort (§10.5),
    as conditional terms; None for any other shape (a single-list `min`, mixed sorts)."""
    if not args or not all(is_numeric(arg) for arg in args):
        return None
    if len({sort_of(arg) for arg in args}) != 1:
        return None
    terms: list[Term] = args  # type: ignore[assignment]
    if name == "abs" and len(terms) == 1:
        return Ite(Compare(">=", terms[0], _zero(terms[0])), terms[0], _fold_neg(terms[0]))
    if name in ("min", "max") and len(terms) == 2:
        return Ite(Compare("<=" if name == "min" else ">=", terms[0], terms[1]), terms[0], terms[1])
    if name == "clamp" and len(terms) == 3:
        value, low, high = terms
        below = Ite(Compare("<=", value, high), value, high)
        return Ite(Compare(">=", low, below), low, below)
    return None


def _zero(term: Term) -> Term:
    return RealConst(Fraction(0)) if sort_of(term) is Sort.REAL else IntConst(0)


def _is_constant(term: Term | Formula) -> bool:
    return isinstance(term, (IntConst, RealConst)) or (isinstance(term, Neg) and _is_constant(term.operand))


def _fold_neg(term: Term) -> Term:
    if isinstance(term, IntConst):
        return IntConst(-term.value)
    if isinstance(term, RealConst):
        return RealConst(-term.value)
    return Neg(term)


def _describe(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Call) and isinstance(expr.callee, ast.Name):
        return f"the call of '{expr.callee.id}'"
    kind = {ast.StringLit: "a string", ast.InterpString: "a string", ast.ListLit: "a list",
            ast.MapLit: "a map", ast.SetLit: "a set", ast.TupleLit: "a tuple",
            ast.Call: "a call", ast.Attr: "a field access", ast.Index: "an index",
            ast.NullLit: "null"}.get(type(expr))
    return kind or "this expression"


def lower_constraint(expr: ast.Expr, sorts: Mapping[str, Sort]) -> Formula:
    """A `where` clause over variables of known sorts, numeric builtins included (no opaque
    parts: raises Unsupported)."""

    def resolve(name: str) -> Var | None:
        sort = sorts.get(name)
        return Var(name, sort) if sort is not None else None

    def builtin(call: ast.Call) -> Term | None:
        if not isinstance(call.callee, ast.Name) or call.callee.id not in NUMERIC_BUILTINS:
            return None
        if any(arg.name is not None or arg.spread for arg in call.args):
            return None
        values = [lowering.term(arg.value) for arg in call.args]
        return numeric_builtin(call.callee.id, values)

    lowering = Lowering(resolve, builtin)
    return lowering.formula(expr)


# ------------------------------------------------------------------------------ display


def show(value: Term | Formula, names: Callable[[Var], str] | None = None) -> str:
    """Lumen-like text of a constraint (for messages)."""
    name_of = names or (lambda var: var.name)
    if isinstance(value, Var):
        return name_of(value)
    if isinstance(value, BoolConst):
        return "true" if value.value else "false"
    if isinstance(value, (IntConst, RealConst)):
        return show_number(value.value)
    if isinstance(value, Neg):
        return f"-{_show_operand(value.operand, name_of)}"
    if isinstance(value, (Arith, Compare)):
        return f"{_show_operand(value.left, name_of)} {value.op} {_show_operand(value.right, name_of)}"
    if isinstance(value, (And, Or)):
        glue = " and " if isinstance(value, And) else " or "
        return glue.join(_show_operand(item, name_of) for item in value.items)
    if isinstance(value, Not):
        return f"not {_show_operand(value.operand, name_of)}"
    if isinstance(value, Ite):
        return (f"if {show(value.condition, name_of)} then {show(value.then, name_of)} "
                f"else {show(value.otherwise, name_of)}")
    return repr(value)


def _show_operand(value: Term | Formula, name_of: Callable[[Var], str]) -> str:
    text = show(value, name_of)
    return f"({text})" if isinstance(value, (Arith, Compare, And, Or, Not, Ite)) else text


def show_number(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return f"{value.numerator}.0"
        as_float = float(value)
        return repr(as_float) if Fraction(as_float) == value else f"{value.numerator}/{value.denominator}"
    return str(value)
