"""Core, output, conversion and introspection builtins (§10.1, §10.2, §10.17)."""

from __future__ import annotations

import math

from lumen.vm import errors, ops
from lumen.vm.builtins.common import MISSING
from lumen.vm.builtins.registry import BuiltinContext, builtin
from lumen.vm.errors import ProgramExit
from lumen.vm.format_spec import format_spec, format_template
from lumen.vm.render import display, plain
from lumen.vm.values import (
    INT_MAX,
    INT_MIN,
    LSet,
    Record,
    Variant,
    type_of,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

BUILTIN_CONSTANTS: dict[str, object] = {
    "PI": math.pi,
    "E": math.e,
    "TAU": math.tau,
    "INFINITY": math.inf,
    "NAN": math.nan,
    "MAX_INT": INT_MAX,
    "MIN_INT": INT_MIN,
}

_DECIMAL_INT = r"[+-]?[0-9]+"
_FLOAT_LITERAL = r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)"


def _literal(pattern: str, text: str) -> bool:
    """Whether all of `text` is an ASCII `pattern`, case-insensitively (`re` is imported by
    the programs that convert strings, not by every run; it caches compiled patterns)."""
    import re

    return re.fullmatch(pattern, text, re.ASCII | re.IGNORECASE) is not None


def to_int(x: Any) -> int | None:
    """`int(x)`: truncation toward zero with saturation; strings are strict decimals."""
    t = type(x)
    if t is int:
        return x
    if t is bool:
        return int(x)
    if t is float:
        if x != x:
            return 0
        if x >= 2.0**63:
            return INT_MAX
        if x < -(2.0**63):
            return INT_MIN
        return int(x)
    if t is str and _literal(_DECIMAL_INT, x):
        return int(x)
    return None


def to_float(x: Any) -> float | None:
    """`float(x)`: Ints convert, strings parse as float literals (`inf`, `nan` too)."""
    t = type(x)
    if t is float:
        return x
    if t is int or t is bool:
        try:
            return float(x)
        except OverflowError:
            return math.inf if x > 0 else -math.inf
    if t is str and _literal(_FLOAT_LITERAL, x):
        return float(x)
    return None


@builtin("print", context=True, effect="emit")
def print_(ctx: BuiltinContext, *values: Any) -> None:
    ctx.write_stdout(" ".join(display(v) for v in values) + "\n")


@builtin("emit", context=True, effect="emit")
def emit(ctx: BuiltinContext, value: Any = None) -> None:
    ctx.write_stdout(display(value) + "\n")


@builtin("debug", context=True)
def debug(ctx: BuiltinContext, value: Any = None) -> None:
    ctx.write_stderr("[debug] " + display(value) + "\n")


@builtin("eprint", context=True)
def eprint(ctx: BuiltinContext, value: Any = None) -> None:
    ctx.write_stderr(display(value))


@builtin("eprintln", context=True)
def eprintln(ctx: BuiltinContext, value: Any = None) -> None:
    ctx.write_stderr(display(value) + "\n")


@builtin("to_string", "string", "str")
def to_string(value: Any = None) -> str:
    return display(value)


builtin("to_int", "int")(to_int)
builtin("to_float", "float")(to_float)


@builtin("type_of", "type")
def type_of_(value: Any = None) -> str:
    return type_of(value)


@builtin("clone", "freeze")
def clone(value: Any = None) -> Any:
    return value  # values are immutable from a builtin's point of view (§9.9)


def _size_estimate(v: Any) -> int:
    t = type(v)
    if v is None:
        return 0
    if t is bool:
        return 1
    if t is int:
        return max(8, (v.bit_length() + 7) // 8)
    if t is float:
        return 8
    if t is str:
        return len(v.encode("utf-8"))
    if t is bytes:
        return len(v)
    if t in (list, tuple, LSet):
        return 8 + sum(_size_estimate(e) for e in v)
    if t is dict:
        return 8 + sum(len(k.encode("utf-8")) + _size_estimate(x) for k, x in v.items())
    if t is Record:
        return 8 + _size_estimate(v.fields)
    if t is Variant:
        return 8 + _size_estimate(v.payload)
    return 8


@builtin("sizeof")
def sizeof(value: Any = None) -> int:
    """Implementation-defined: the payload bytes of the value plus 8 per container."""
    return _size_estimate(value)


@builtin("length", "len", "count", "size")
def length(value: Any = None) -> int:
    if type(value) in (str, list, tuple, LSet, dict, bytes):
        return len(value)
    return 0


@builtin("range")
def range_(start: Any = None, end: Any = MISSING) -> list[int] | None:
    if end is MISSING or end is None:
        start, end = 0, start  # range(n) is 0..n
    if type(start) is not int or type(end) is not int:
        return None
    return ops.make_range(start, end)


@builtin("args", context=True)
def args(ctx: BuiltinContext) -> list[str]:
    return list(ctx.program_args)


@builtin("exit")
def exit_(code: Any = None) -> None:
    raise ProgramExit(code if type(code) is int else 0)


@builtin("read_line", context=True)
def read_line(ctx: BuiltinContext) -> str:
    line = ctx.read_stdin_line()
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    return line


@builtin("read_stdin", context=True)
def read_stdin(ctx: BuiltinContext) -> str:
    chunks: list[str] = []
    while line := ctx.read_stdin_line():
        chunks.append(line)
    return "".join(chunks)


@builtin("halt")
def halt(message: Any = None) -> None:
    raise errors.halt(plain(message))


@builtin("format")
def format_(template: Any = None, *values: Any) -> str:
    return format_template(template, values)


@builtin("__format_spec")
def format_spec_(value: Any = None, spec: Any = None) -> str:
    return format_spec(value, spec if type(spec) is str else "")
