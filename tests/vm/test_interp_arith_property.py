"""Property test: random Int expression trees evaluate in the VM exactly as a small
reference evaluator says, errors (`integer overflow`, `division by zero`) included."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from lumen.lir.lower import lower_program
from lumen.syntax import ast
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.interpreter import VM

MAX = 2**63 - 1
MIN = -(2**63)


class RefError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _fit(value: int, operation: str) -> int:
    if not MIN <= value <= MAX:
        raise RefError(f"integer overflow in {operation}")
    return value


def reference(e: ast.Node) -> object:
    if isinstance(e, ast.IntLit):
        return e.value
    if isinstance(e, ast.FloatLit):
        return e.value
    if isinstance(e, ast.Unary):
        v = reference(e.operand)
        return -v if isinstance(v, float) else _fit(-v, "negation")
    assert isinstance(e, ast.Binary)
    a = reference(e.left)
    b = reference(e.right)
    op = e.op
    if op in ("<", "<=", ">", ">=", "==", "!="):
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b,
                "!=": a != b}[op]
    if isinstance(a, float) or isinstance(b, float):
        x, y = float(a), float(b)
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        assert op == "/"
        if y == 0.0:
            if x == 0.0 or math.isnan(x):
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1, y)
        return x / y
    if op == "+":
        return _fit(a + b, "addition")
    if op == "-":
        return _fit(a - b, "subtraction")
    if op == "*":
        return _fit(a * b, "multiplication")
    if op in ("/", "//", "%") and b == 0:
        raise RefError("division by zero")
    if op == "/":
        q = abs(a) // abs(b)
        return _fit(-q if (a < 0) != (b < 0) else q, "division")
    if op == "//":
        return _fit((a - a % abs(b)) // b, "division")
    if op == "%":
        return a % abs(b)
    assert op == "**"
    if b < 0:
        raise RefError("integer overflow in exponentiation")
    if abs(a) <= 1 or b == 0:
        return a**b
    if b > 64:
        raise RefError("integer overflow in exponentiation")
    return _fit(a**b, "exponentiation")


int_leaf = st.one_of(
    st.integers(0, 20), st.integers(0, MAX), st.sampled_from([0, 1, 2, MAX, 2**32, 2**62])
).map(lambda v: ast.IntLit(v))


def _int_tree(children: st.SearchStrategy[ast.Node]) -> st.SearchStrategy[ast.Node]:
    binary = st.builds(ast.Binary, st.sampled_from(["+", "-", "*", "/", "//", "%", "**"]),
                       children, children)
    return st.one_of(binary, st.builds(lambda e: ast.Unary("-", e), children))


int_expr = st.recursive(int_leaf, _int_tree, max_leaves=8)
compare_expr = st.builds(ast.Binary, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
                         int_expr, int_expr)

float_leaf = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: ast.FloatLit(v)),
    st.integers(0, 1000).map(lambda v: ast.IntLit(v)),
)
float_expr = st.recursive(
    float_leaf,
    lambda children: st.builds(ast.Binary, st.sampled_from(["+", "-", "*", "/"]), children,
                               children),
    max_leaves=6,
)


def run_expr(e: ast.Node) -> object:
    main = ast.CellDecl("main", (), ast.Block((ast.Return(e),)), ret=ast.NamedType("Any"))
    return VM(lower_program(ast.Program((main,)), file="prop.lm")).run("main")


def _check(e: ast.Node) -> None:
    try:
        expected: object = reference(e)
    except RefError as error:
        expected = error
    try:
        got: object = run_expr(e)
    except LumenRuntimeError as error:
        assert isinstance(expected, RefError), f"VM raised {error.message}, expected {expected}"
        assert error.message == expected.message
        assert error.kind in ("overflow", "division")
        return
    assert not isinstance(expected, RefError), f"expected error {expected.message}, got {got}"
    if isinstance(expected, float) and math.isnan(expected):
        assert isinstance(got, float) and math.isnan(got)
    else:
        assert got == expected and type(got) is type(expected)


@settings(max_examples=300, deadline=None)
@given(int_expr)
def test_int_expressions_match_reference(e: ast.Node) -> None:
    _check(e)


@settings(max_examples=100, deadline=None)
@given(compare_expr)
def test_int_comparisons_match_reference(e: ast.Node) -> None:
    _check(e)


@settings(max_examples=150, deadline=None)
@given(float_expr)
def test_mixed_float_expressions_match_reference(e: ast.Node) -> None:
    _check(e)


def test_known_corner_cases() -> None:
    _check(ast.Binary("/", ast.Unary("-", ast.IntLit(7)), ast.IntLit(2)))
    _check(ast.Binary("%", ast.Unary("-", ast.IntLit(7)), ast.IntLit(3)))
    _check(ast.Binary("+", ast.IntLit(MAX), ast.IntLit(1)))
    _check(ast.Binary("-", ast.Unary("-", ast.IntLit(MAX)), ast.IntLit(2)))
    _check(ast.Binary("//", ast.IntLit(7), ast.IntLit(0)))
