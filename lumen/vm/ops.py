"""General (slow-path) semantics of every operator (§7.7-§7.11, §9.3-§9.7).

The interpreter inlines the Int/Float fast paths and calls these functions for everything
else. Functions never mutate their inputs; `index_set` returns an updated copy.
"""

from __future__ import annotations

import math

from lumen.vm import errors
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.render import display, plain
from lumen.vm.values import (
    INT_MAX,
    INT_MIN,
    LSet,
    Record,
    Variant,
    fits_i64,
    is_number,
    truthy,
    type_of,
    values_equal,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Ranges larger than this would exhaust memory long before they are useful.
MAX_RANGE_LENGTH = 50_000_000
# Exact big-integer results are capped so that `pow` cannot hang the process.
MAX_BIG_INT_BITS = 1_000_000


# --- arithmetic --------------------------------------------------------------------------


def _to_float(x: int | float) -> float:
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _checked(result: int, a: int, b: int, operation: str) -> int:
    """Overflow check for i64 operands; operations on big integers stay exact."""
    if not INT_MIN <= result <= INT_MAX and fits_i64(a) and fits_i64(b):
        raise errors.overflow(operation)
    return result


def _non_numeric(a: object, b: object, symbol: str) -> LumenRuntimeError:
    return errors.type_error(
        f"arithmetic on non-numeric types: {type_of(a)} {symbol} {type_of(b)}"
    )


def add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return _checked(a + b, a, b, "addition")
    if is_number(a) and is_number(b):
        return _to_float(a) + _to_float(b)
    if ta is str or tb is str:
        return plain(a) + plain(b)
    if ta is list and tb is list:
        return a + b
    raise _non_numeric(a, b, "+")


def sub(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return _checked(a - b, a, b, "subtraction")
    if is_number(a) and is_number(b):
        return _to_float(a) - _to_float(b)
    raise _non_numeric(a, b, "-")


def mul(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        if not (fits_i64(a) and fits_i64(b)) and a.bit_length() + b.bit_length() > MAX_BIG_INT_BITS:
            raise errors.overflow("multiplication")
        return _checked(a * b, a, b, "multiplication")
    if is_number(a) and is_number(b):
        return _to_float(a) * _to_float(b)
    raise _non_numeric(a, b, "*")


def float_div(x: float, y: float) -> float:
    """IEEE division: division by zero gives ±inf or NaN."""
    if y == 0.0:
        if x == 0.0 or x != x:
            return math.nan
        negative = (math.copysign(1.0, x) < 0) != (math.copysign(1.0, y) < 0)
        return -math.inf if negative else math.inf
    return x / y


def div(a: Any, b: Any) -> Any:
    """`/`: Int quotient truncated toward zero; Float IEEE."""
    if type(a) is int and type(b) is int:
        if b == 0:
            raise errors.division_by_zero()
        quotient = abs(a) // abs(b)
        if (a < 0) != (b < 0):
            quotient = -quotient
        return _checked(quotient, a, b, "division")
    if is_number(a) and is_number(b):
        return float_div(_to_float(a), _to_float(b))
    raise _non_numeric(a, b, "/")


def floordiv(a: Any, b: Any) -> Any:
    """`//`: Euclidean quotient on Ints; `floor(x / y)` on Floats."""
    if type(a) is int and type(b) is int:
        if b == 0:
            raise errors.division_by_zero()
        remainder = a % abs(b)
        return _checked((a - remainder) // b, a, b, "division")
    if is_number(a) and is_number(b):
        quotient = float_div(_to_float(a), _to_float(b))
        if math.isinf(quotient) or math.isnan(quotient) or quotient.is_integer():
            return quotient  # keeps the sign of a zero quotient
        return float(math.floor(quotient))
    raise _non_numeric(a, b, "//")


def mod(a: Any, b: Any) -> Any:
    """`%`: Euclidean remainder (never negative for a finite non-zero divisor)."""
    if type(a) is int and type(b) is int:
        if b == 0:
            raise errors.division_by_zero()
        return a % abs(b)
    if is_number(a) and is_number(b):
        x, y = _to_float(a), _to_float(b)
        if y == 0.0 or math.isinf(x) or x != x or y != y:
            return math.nan
        remainder = math.fmod(x, y)
        if remainder < 0:
            remainder += abs(y)
        return remainder + 0.0  # a zero remainder is +0.0
    raise _non_numeric(a, b, "%")


def int_pow(base: int, exponent: int) -> int:
    """Checked `**` on Ints: negative exponents and i64 overflow trap; big ints stay exact."""
    if exponent < 0:
        raise errors.overflow("exponentiation")
    if abs(base) <= 1 or exponent == 0:
        return base**exponent
    if base.bit_length() * exponent > MAX_BIG_INT_BITS or (fits_i64(base) and exponent > 64):
        raise errors.overflow("exponentiation")
    return _checked(base**exponent, base, exponent, "exponentiation")


def float_pow(x: float, y: float) -> float:
    """IEEE `pow`, never a Python exception (domain errors give NaN, overflow ±inf)."""
    try:
        return math.pow(x, y)
    except OverflowError:
        odd_integer = y.is_integer() and int(y) % 2 == 1
        return -math.inf if x < 0 and odd_integer else math.inf
    except ValueError:
        if x == 0.0 and y < 0:
            odd_integer = y.is_integer() and int(y) % 2 == 1
            return -math.inf if odd_integer and math.copysign(1.0, x) < 0 else math.inf
        return math.nan


def pow_(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return int_pow(a, b)
    if is_number(a) and is_number(b):
        return float_pow(_to_float(a), _to_float(b))
    raise _non_numeric(a, b, "**")


pow = pow_  # noqa: A001 - the operator's name, as the interpreter spells it


def neg(a: Any) -> Any:
    if type(a) is int:
        if a == INT_MIN:
            raise errors.overflow("negation")
        return -a
    if type(a) is float:
        return -a
    raise errors.type_error(f"cannot negate {display(a)}")


def concat(a: Any, b: Any) -> Any:
    """`++`: two lists concatenate, anything else concatenates plain renderings."""
    if type(a) is list and type(b) is list:
        return a + b
    return plain(a) + plain(b)


# --- comparison --------------------------------------------------------------------------


def _orderable(a: object, b: object) -> bool:
    return (is_number(a) and is_number(b)) or (type(a) is str and type(b) is str)


def lt(a: Any, b: Any) -> bool:
    return _orderable(a, b) and a < b


def le(a: Any, b: Any) -> bool:
    return _orderable(a, b) and a <= b


def gt(a: Any, b: Any) -> bool:
    return _orderable(a, b) and a > b


def ge(a: Any, b: Any) -> bool:
    return _orderable(a, b) and a >= b


def eq(a: Any, b: Any) -> bool:
    return values_equal(a, b)


def ne(a: Any, b: Any) -> bool:
    return not values_equal(a, b)


def spaceship(a: Any, b: Any) -> int:
    """`<=>`: -1, 0 or 1 by `<` and `==` (§7.8)."""
    if lt(a, b):
        return -1
    if values_equal(a, b):
        return 0
    return 1


def contains(container: Any, x: Any) -> bool:
    """`x in container` (§9.6)."""
    t = type(container)
    if t is list or t is tuple:
        return any(values_equal(e, x) for e in container)
    if t is LSet:
        return x in container
    if t is dict:
        return plain(x) in container
    if t is str:
        return plain(x) in container
    return False


# --- bitwise -----------------------------------------------------------------------------


def _require_ints(a: object, b: object, name: str) -> None:
    if type(a) is not int or type(b) is not int:
        raise errors.type_error(f"{name} requires integers")


def band(a: Any, b: Any) -> int:
    _require_ints(a, b, "bitwise and")
    return a & b


def bor(a: Any, b: Any) -> int:
    _require_ints(a, b, "bitwise or")
    return a | b


def bxor(a: Any, b: Any) -> int:
    _require_ints(a, b, "bitwise xor")
    return a ^ b


def bnot(a: Any) -> int:
    if type(a) is not int:
        raise errors.type_error("bitwise not requires integers")
    return ~a


def wrap_i64(n: int) -> int:
    """Two's-complement reduction modulo 2**64."""
    n &= 0xFFFF_FFFF_FFFF_FFFF
    return n - (1 << 64) if n > INT_MAX else n


def shl(a: Any, b: Any) -> int:
    _require_ints(a, b, "shift left")
    if not 0 <= b <= 63:
        raise errors.shift_out_of_range()
    return wrap_i64(a << b) if fits_i64(a) else a << b


def shr(a: Any, b: Any) -> int:
    _require_ints(a, b, "shift right")
    if not 0 <= b <= 63:
        raise errors.shift_out_of_range()
    return a >> b


# --- indexing and access -----------------------------------------------------------------


def _sequence_index(i: int, length: int, kind: str) -> int:
    position = i + length if i < 0 else i
    if not 0 <= position < length:
        raise errors.index_error(i, length, kind)
    return position


_SEQUENCE_KINDS = {list: "list", tuple: "tuple", str: "string", LSet: "set"}


def index_get(container: Any, i: Any) -> Any:
    """`c[i]` (§7.7)."""
    t = type(container)
    kind = _SEQUENCE_KINDS.get(t)
    if kind is not None:
        if type(i) is not int:
            return None
        return container[_sequence_index(i, len(container), kind)]
    if t is dict:
        return container.get(i if type(i) is str else plain(i))
    if t is Record:
        return container.fields.get(i if type(i) is str else plain(i))
    return None


def index_set(container: Any, i: Any, value: Any) -> Any:
    """`c[i] = v` (§6.2): the updated copy of `container`."""
    t = type(container)
    if t is list:
        if type(i) is not int:
            raise errors.type_error(f"list index must be an integer, got {type_of(i)}")
        position = _sequence_index(i, len(container), "list")
        updated = list(container)
        updated[position] = value
        return updated
    if t is dict:
        updated_map = dict(container)
        updated_map[i if type(i) is str else plain(i)] = value
        return updated_map
    if t is Record:
        return container.with_field(i if type(i) is str else plain(i), value)
    raise errors.type_error(f"cannot assign by index on {type_of(container)}")


def get_attr(v: Any, name: str) -> Any:
    """`e.f`: a record field, a map key, else null."""
    t = type(v)
    if t is Record:
        return v.fields.get(name)
    if t is dict:
        return v.get(name)
    return None


def set_attr(v: Any, name: str, value: Any) -> Any:
    """`e.f = v`: the updated copy of a record or map."""
    t = type(v)
    if t is Record:
        return v.with_field(name, value)
    if t is dict:
        updated = dict(v)
        updated[name] = value
        return updated
    raise errors.type_error(f"cannot assign field {name} on {type_of(v)}")


def pos_access(v: Any, n: int) -> Any:
    """`e.N`: element N of a tuple or list, or field N of a variant payload."""
    t = type(v)
    if t is tuple or t is list:
        return index_get(v, n)
    if t is Variant:
        items = v.payload_items()
        return items[n] if 0 <= n < len(items) else None
    return None


def make_range(a: Any, b: Any, inclusive: bool = False) -> list[int]:
    """`a..b` / `a..=b` (§7.11): an ordinary list."""
    if type(a) is not int or type(b) is not int:
        raise errors.type_error(
            f"range bounds must be integers, got {type_of(a)} and {type_of(b)}"
        )
    end = b + 1 if inclusive else b
    if end - a > MAX_RANGE_LENGTH:
        raise LumenRuntimeError("limits", f"range too large: {end - a} elements")
    return list(range(a, end))


def to_bool_as(v: Any) -> bool:
    return truthy(v)


# --- type tests and conversions ----------------------------------------------------------

_KIND_TESTS: dict[str, Any] = {
    "int": lambda v: type(v) is int,
    "float": lambda v: type(v) is float,
    "string": lambda v: type(v) is str,
    "str": lambda v: type(v) is str,
    "bool": lambda v: type(v) is bool,
    "null": lambda v: v is None,
    "bytes": lambda v: type(v) is bytes,
    "list": lambda v: type(v) is list,
    "map": lambda v: type(v) is dict,
    "set": lambda v: type(v) is LSet,
    "tuple": lambda v: type(v) is tuple,
    "any": lambda v: True,
    "json": lambda v: True,
    "closure": lambda v: type_of(v) == "Closure",
    "function": lambda v: type_of(v) == "Closure",
    "future": lambda v: type_of(v) == "Future",
    "traceref": lambda v: type_of(v) == "TraceRef",
    "result": lambda v: type(v) is Variant and v.enum_name == "result",
}


def _base_type_name(type_name: str) -> str:
    """`list[Int]` → `list`: only the head of a type expression is tested at run time."""
    return type_name.split("[", 1)[0].strip()


def is_type(v: Any, type_name: str, enum_of_variant: dict[str, str] | None = None) -> bool:
    """`v is T` (§4.7): builtin kind names (any case), record, enum or variant names.

    Variants carry their enum name, so `enum_of_variant` is only consulted for variant
    values built without one."""
    name = _base_type_name(type_name)
    test = _KIND_TESTS.get(name.lower())
    if test is not None and test(v):
        return True
    t = type(v)
    if t is Record:
        return v.type_name == name
    if t is Variant:
        if v.tag == name or v.enum_name == name:
            return True
        if enum_of_variant is not None and v.enum_name is None:
            return enum_of_variant.get(v.tag) == name
    return False


def as_convert(v: Any, type_name: str) -> Any:
    """`v as T` (§4.7): Int/Float/String convert, Bool is truthiness, else unchanged."""
    from lumen.vm.builtins.core import to_float, to_int

    name = _base_type_name(type_name).lower()
    if name == "int":
        return to_int(v)
    if name == "float":
        return to_float(v)
    if name in ("string", "str"):
        return display(v)
    if name == "bool":
        return truthy(v)
    return v


_SCHEMA_KINDS = {"int", "float", "string", "bool", "list", "map", "tuple", "set"}


def expect_schema(v: Any, type_name: str) -> Any:
    """`v expect schema T` (§7.15): `v` if it is a `T`, else a runtime error."""
    name = _base_type_name(type_name)
    if name.lower() in _SCHEMA_KINDS:
        matches = _KIND_TESTS[name.lower()](v)
    else:
        matches = type(v) is Record and v.type_name == name
    if not matches:
        raise LumenRuntimeError("type", f"value {display(v)} does not match schema {type_name}")
    return v


def iterate(v: Any) -> list[Any]:
    """The elements a `for` loop visits (§6.4)."""
    t = type(v)
    if t is list:
        return v
    if t is tuple or t is LSet:
        return list(v)
    if t is dict:
        return [(k, v[k]) for k in sorted(v)]
    raise errors.type_error(f"cannot iterate over {type_of(v)}")
