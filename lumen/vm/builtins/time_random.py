"""Time and randomness builtins (§10.14). Randomness draws from `ctx.rng` so that a run
can be seeded and replayed."""

from __future__ import annotations

import datetime
import math
import time

from lumen.vm.builtins.registry import BuiltinContext, builtin
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.render import display
from lumen.vm.values import is_number, type_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@builtin("random", context=True, nd=True, effect="random")
def random_(ctx: BuiltinContext) -> float:
    return ctx.rng.random()


@builtin("random_int", context=True, nd=True, effect="random")
def random_int(ctx: BuiltinContext, lo: Any = None, hi: Any = None) -> int:
    if type(lo) is not int:
        raise LumenRuntimeError("type", f"random_int: min must be Int, got {type_of(lo)}")
    if type(hi) is not int:
        raise LumenRuntimeError("type", f"random_int: max must be Int, got {type_of(hi)}")
    if lo > hi:
        raise LumenRuntimeError(
            "type", f"random_int: min ({display(lo)}) must be <= max ({display(hi)})"
        )
    return ctx.rng.randint(lo, hi)


@builtin("uuid", "uuid_v4", context=True, nd=True, effect="random")
def uuid(ctx: BuiltinContext) -> str:
    import uuid  # imported on use: start-up time

    return str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4))


@builtin("timestamp", nd=True, effect="time")
def timestamp() -> float:
    return time.time()


@builtin("hrtime", nd=True, effect="time")
def hrtime() -> int:
    return time.monotonic_ns()


@builtin("format_time")
def format_time(ts: Any = None, fmt: Any = None) -> str | None:
    """UTC rendering: ISO 8601 (`…Z`, `.mmm` when there are milliseconds) or `%Y %m %d %H
    %M %S` substitution."""
    if not is_number(ts) or (type(ts) is float and not math.isfinite(ts)):
        return None
    whole = math.floor(ts)
    milliseconds = int((ts - whole) * 1000) if type(ts) is float else 0
    try:
        moment = datetime.datetime.fromtimestamp(whole, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    fields = {
        "%Y": f"{moment.year:04d}",
        "%m": f"{moment.month:02d}",
        "%d": f"{moment.day:02d}",
        "%H": f"{moment.hour:02d}",
        "%M": f"{moment.minute:02d}",
        "%S": f"{moment.second:02d}",
    }
    pattern = "iso8601" if fmt is None else display(fmt)
    if pattern in ("iso8601", ""):
        fraction = f".{milliseconds:03d}" if milliseconds >= 1 else ""
        pattern = "%Y-%m-%dT%H:%M:%S" + fraction + "Z"
    result = []
    i = 0
    while i < len(pattern):
        token = pattern[i : i + 2]
        if token in fields:
            result.append(fields[token])
            i += 2
        else:
            result.append(pattern[i])
            i += 1
    return "".join(result)
