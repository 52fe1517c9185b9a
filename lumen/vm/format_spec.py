"""Format specs in interpolation (`{x:>8.2f}`): the grammar of §2.5 and `__format_spec` (§10.1).

    spec  := [[fill] align] [sign] ['#'] ['0'] [width] ['.' precision] [type]
    align := '<' | '>' | '^'     sign := '+' | '-'     type := d x X o b f e E s
"""

from __future__ import annotations

import math

from lumen.vm.errors import LumenRuntimeError
from lumen.vm.render import display, format_float
from lumen.vm.values import is_number

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from lumen.plain_tuples import NamedTuple

ALIGN_CHARS = "<>^"
TYPE_CHARS = "dxXobfeEs"


class Spec(NamedTuple):  # not a dataclass: cheaper to create at start-up
    fill: str | None = None
    align: str | None = None
    sign: str | None = None
    alternate: bool = False
    zero: bool = False
    width: int | None = None
    precision: int | None = None
    type: str | None = None


def parse_spec(text: str) -> Spec | None:
    """The spec if `text` (everything after the top-level `:`) matches the grammar, else None.

    An empty text is not a spec: `{x:}` keeps its colon in the expression."""
    if not text:
        return None
    i, n = 0, len(text)
    fill = align = sign = kind = None
    if n >= 2 and text[1] in ALIGN_CHARS:
        fill, align, i = text[0], text[1], 2
    elif text[0] in ALIGN_CHARS:
        align, i = text[0], 1
    if i < n and text[i] in "+-":
        sign, i = text[i], i + 1
    alternate = i < n and text[i] == "#"
    i += alternate
    zero = i < n and text[i] == "0"
    i += zero
    start = i
    while i < n and text[i].isdigit() and text[i].isascii():
        i += 1
    width = int(text[start:i]) if i > start else None
    precision = None
    if i < n and text[i] == ".":
        start = i = i + 1
        while i < n and text[i].isdigit() and text[i].isascii():
            i += 1
        if i == start:
            return None
        precision = int(text[start:i])
    if i < n and text[i] in TYPE_CHARS:
        kind, i = text[i], i + 1
    if i != n:
        return None
    return Spec(fill, align, sign, alternate, zero, width, precision, kind)


def format_spec(value: object, spec: str | Spec) -> str:
    """`__format_spec(value, spec)`: §10.1, steps 1-4 in order."""
    parsed = parse_spec(spec) if isinstance(spec, str) else spec
    if parsed is None:
        return display(value)
    text = _base_text(value, parsed)
    numeric = is_number(value)
    if parsed.sign == "+" and numeric and not parsed.alternate and not text.startswith("-"):
        text = "+" + text
    if parsed.zero and parsed.width is not None and len(text) < parsed.width:
        sign = text[0] if text[:1] in ("+", "-") else ""
        digits = text[len(sign):]
        text = sign + "0" * (parsed.width - len(text)) + digits
    if parsed.width is not None and len(text) < parsed.width:
        text = _align(text, parsed, numeric)
    return text


def _align(text: str, spec: Spec, numeric: bool) -> str:
    fill = spec.fill or " "
    pad = spec.width - len(text)  # type: ignore[operator]
    align = spec.align or (">" if numeric else "<")
    if align == "<":
        return text + fill * pad
    if align == ">":
        return fill * pad + text
    left = pad // 2
    return fill * left + text + fill * (pad - left)


_RADIX_FORMATS = {"x": "x", "X": "X", "o": "o", "b": "b"}
_PREFIXES = {"x": "0x", "X": "0X", "o": "0o", "b": "0b"}


def _base_text(value: object, spec: Spec) -> str:
    kind = spec.type
    if spec.alternate and kind in _PREFIXES:
        if type(value) is not int:
            raise LumenRuntimeError("type", f"__format_spec: #{kind} requires an integer value")
        sign = "-" if value < 0 else ""
        return sign + _PREFIXES[kind] + format(abs(value), _RADIX_FORMATS[kind])
    if spec.precision is not None and kind not in ("x", "X", "o", "b"):
        if not is_number(value):
            raise LumenRuntimeError(
                "type", "__format_spec: precision format requires a numeric value"
            )
        if kind in ("e", "E"):
            return _scientific(_as_float(value), spec.precision, kind)  # type: ignore[arg-type]
        return _fixed(value, spec.precision)  # type: ignore[arg-type]
    if kind in _RADIX_FORMATS and type(value) is int:
        sign = "-" if value < 0 else ""
        return sign + format(abs(value), _RADIX_FORMATS[kind])
    if kind in ("e", "E") and is_number(value):
        return _scientific(_as_float(value), None, kind)  # type: ignore[arg-type]
    return display(value)


def _as_float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _non_finite(f: float) -> str | None:
    return format_float(f) if math.isnan(f) or math.isinf(f) else None


def _fixed(value: int | float, precision: int) -> str:
    """Fixed point, half-to-even on the exact binary value (C printf)."""
    if type(value) is int:
        value = _as_float(value)
    special = _non_finite(value)
    if special is not None:
        return special
    return f"{value:.{precision}f}"


def _scientific(f: float, precision: int | None, kind: str) -> str:
    """`d.ddd` + `e` + exponent without `+` or leading zeros (`1.2345e3`)."""
    special = _non_finite(f)
    if special is not None:
        return special
    if precision is None:
        from decimal import Decimal  # rare path; decimal costs ~1.5 ms to import

        sign, digits, exponent = Decimal(repr(f)).as_tuple()
        digit_text = "".join(map(str, digits)).rstrip("0") or "0"
        # as_tuple's exponent is for the last digit; shift it to the first one.
        power = int(exponent) + len(digits) - 1 if any(digits) else 0
        mantissa = digit_text[0] + ("." + digit_text[1:] if len(digit_text) > 1 else "")
        text = ("-" if sign else "") + mantissa + "e" + str(power)
    else:
        mantissa, _, power_text = f"{f:.{precision}e}".partition("e")
        text = mantissa + "e" + str(int(power_text))
    return text.upper() if kind == "E" else text


def format_template(template: object, args: list[object] | tuple[object, ...]) -> str:
    """`format(template, a1, …)`: each `{}` takes the display form of the next argument."""
    text = display(template)
    pieces: list[str] = []
    position = 0
    remaining = iter(args)
    while True:
        slot = text.find("{}", position)
        if slot < 0:
            break
        try:
            argument = next(remaining)
        except StopIteration:
            break
        pieces.append(text[position:slot])
        pieces.append(display(argument))
        position = slot + 2
    pieces.append(text[position:])
    return "".join(pieces)
