"""Display forms of the scalar values (§9.8): what `print` writes for an Int, Float, Bool
or null. Standard library only (`math`): the fast path of `lumen run` prints with these
without loading the VM; `render.py` builds every other value's form on them."""

from __future__ import annotations

import math


def format_float(f: float) -> str:
    """Display form of a Float: `3.0`, `-0.0`, `0.1`, `1000000000000000000000`, `NaN`."""
    if f != f:
        return "NaN"
    if f == math.inf:
        return "inf"
    if f == -math.inf:
        return "-inf"
    if f.is_integer() and abs(f) < 1e15:
        return f"{f:.1f}"
    # Shortest round-trip digits (repr), written out positionally (no exponent).
    text = repr(f)
    if "e" in text:
        from decimal import Decimal  # lazy: only exponent forms need it

        text = format(Decimal(text), "f")
    if text.endswith(".0"):
        text = text[:-2]
    return text


def display_scalar(v: int | float | bool | None) -> str:
    t = type(v)
    if t is int:
        return str(v)
    if t is float:
        return format_float(v)  # type: ignore[arg-type]
    if t is bool:
        return "true" if v else "false"
    if v is None:
        return "null"
    raise TypeError(f"not a scalar: {t.__name__}")
