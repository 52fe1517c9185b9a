"""Math builtins (§10.5). Float results follow IEEE: no Python exception escapes."""

from __future__ import annotations

import math
from collections.abc import Callable

from lumen.vm import errors, ops
from lumen.vm.builtins.common import MISSING, sequence
from lumen.vm.builtins.registry import builtin
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.values import INT_MIN, fits_i64, is_number, total_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@builtin("abs")
def abs_(x: Any = None) -> Any:
    if type(x) is int:
        if x == INT_MIN:
            raise errors.overflow("negation")
        return abs(x)
    if type(x) is float:
        return abs(x)
    return None


def _pick(args: tuple[Any, ...], smaller: bool) -> Any:
    first = args[0]
    if len(args) == 1 or (len(args) == 2 and args[1] is MISSING):
        items = sequence(first)
        if items is None:
            return first
        if not items:
            return None
        chooser = min if smaller else max
        return chooser(items, key=total_key)
    chosen = first
    for candidate in args[1:]:
        if not (is_number(chosen) and is_number(candidate)):
            return first
        if (candidate < chosen) if smaller else (candidate > chosen):
            chosen = candidate
    return chosen


@builtin("min")
def min_(a: Any = None, *rest: Any) -> Any:
    return _pick((a, *rest), smaller=True)


@builtin("max")
def max_(a: Any = None, *rest: Any) -> Any:
    return _pick((a, *rest), smaller=False)


@builtin("sum")
def sum_(xs: Any = None) -> Any:
    items = sequence(xs)
    if items is None or not all(is_number(x) for x in items):
        return None
    total: Any = 0
    for x in items:
        total = ops.add(total, x)
    return total


@builtin("round")
def round_(x: Any = None) -> Any:
    """Halves away from zero; a Float stays a Float."""
    if type(x) is int:
        return x
    if type(x) is not float:
        return None
    if math.isinf(x) or math.isnan(x):
        return x
    magnitude = abs(x)
    whole = math.floor(magnitude)
    if magnitude - whole >= 0.5:
        whole += 1
    return math.copysign(float(whole), x)


def _integral(x: Any, fn: Callable[[float], int]) -> Any:
    if type(x) is int:
        return x
    if type(x) is not float:
        return None
    if math.isinf(x) or math.isnan(x):
        return x
    return float(fn(x))


@builtin("floor")
def floor_(x: Any = None) -> Any:
    return _integral(x, math.floor)


@builtin("ceil")
def ceil_(x: Any = None) -> Any:
    return _integral(x, math.ceil)


def _as_float(x: Any) -> float | None:
    if type(x) is float:
        return x
    if type(x) is int:
        try:
            return float(x)
        except OverflowError:
            return math.inf if x > 0 else -math.inf
    return None


def _ieee_unary(name: str, fn: Callable[[float], float]) -> None:
    def apply(x: Any = None) -> float | None:
        value = _as_float(x)
        if value is None:
            return None
        if math.isnan(value):
            return value
        try:
            return fn(value)
        except OverflowError:
            return math.inf
        except ValueError:
            # Domain errors: log of zero is -inf, everything else (log(-1), sqrt(-1),
            # sin(inf)) is NaN.
            if name.startswith("log") and value == 0.0:
                return -math.inf
            return math.nan

    apply.__name__ = name
    builtin(name)(apply)


for _name, _fn in {
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "log2": math.log2,
    "log10": math.log10,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
}.items():
    _ieee_unary(_name, _fn)


@builtin("pow")
def pow_(a: Any = None, b: Any = None) -> Any:
    """Two Ints with b >= 0: exact (big integers allowed); otherwise a Float."""
    if type(a) is int and type(b) is int and b >= 0:
        if abs(a) > 1 and a.bit_length() * b > ops.MAX_BIG_INT_BITS:
            raise LumenRuntimeError("limits", "pow: result too large")
        return a**b
    x, y = _as_float(a), _as_float(b)
    if x is None or y is None:
        return None
    return ops.float_pow(x, y)


@builtin("clamp")
def clamp(x: Any = None, lo: Any = None, hi: Any = None) -> Any:
    if not (is_number(x) and is_number(lo) and is_number(hi)):
        return x
    return _pick((lo, _pick((x, hi), smaller=True)), smaller=False)


@builtin("is_nan")
def is_nan(x: Any = None) -> bool:
    return type(x) is float and math.isnan(x)


@builtin("is_infinite")
def is_infinite(x: Any = None) -> bool:
    return type(x) is float and math.isinf(x)


@builtin("math_pi")
def math_pi() -> float:
    return math.pi


@builtin("math_e")
def math_e() -> float:
    return math.e


def _wrapping(a: Any, b: Any, op: Callable[[int, int], int]) -> int | None:
    if type(a) is not int or type(b) is not int:
        return None
    if not (fits_i64(a) and fits_i64(b)):
        return op(a, b)
    return ops.wrap_i64(op(a, b))


@builtin("wrapping_add")
def wrapping_add(a: Any = None, b: Any = None) -> int | None:
    return _wrapping(a, b, lambda x, y: x + y)


@builtin("wrapping_sub")
def wrapping_sub(a: Any = None, b: Any = None) -> int | None:
    return _wrapping(a, b, lambda x, y: x - y)


@builtin("wrapping_mul")
def wrapping_mul(a: Any = None, b: Any = None) -> int | None:
    return _wrapping(a, b, lambda x, y: x * y)
