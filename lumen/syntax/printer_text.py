"""Literal spelling for the printer: numbers, bytes and strings (§2.5).

Every function returns text that the lexer reads back to exactly the given value.  The
`text`/`form` spelling hints are honoured only when they still spell that value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from lumen.syntax import ast as A

_INT_SPELLING = re.compile(
    r"-?(?:0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[bB][01](?:_?[01])*|0[oO][0-7](?:_?[0-7])*"
    r"|[0-9](?:_?[0-9])*)\Z"
)
_FLOAT_SPELLING = re.compile(
    r"-?[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9]+)?\Z"
)
# `{` starts an interpolation when the next non-blank character is one of these (§2.5).
_NOT_INTERPOLATION_AFTER = frozenset('}"\\:,\'{')
_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def print_int(value: int, text: str = "") -> str:
    if text and _INT_SPELLING.match(text):
        try:
            if int(text.replace("_", ""), 0) == value:
                return text
        except ValueError:  # e.g. leading zeros, which Python's int(…, 0) rejects
            pass
    return str(value)


def print_float(value: float, text: str = "") -> str:
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "1e999" if value > 0 else "-1e999"
    if text and _FLOAT_SPELLING.match(text) and ("." in text or "e" in text.lower()):
        spelled_value = float(text.replace("_", ""))
        if spelled_value == value and math.copysign(1, spelled_value) == math.copysign(1, value):
            return text
    spelled = repr(value)
    # Python spells some floats without `.` or exponent only for integral values,
    # which repr never does; still, make sure the result lexes as a Float.
    if "." not in spelled and "e" not in spelled:
        spelled += ".0"
    return spelled


def print_bytes(value: bytes) -> str:
    return 'b"' + value.hex() + '"'


# ============================================================================ strings


def _escape_char(ch: str) -> str:
    if ch in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ch]
    if not ch.isprintable() and ch != " ":
        return "\\u{" + format(ord(ch), "x") + "}"
    return ch


def _escape_piece(piece: str, followed_by_interpolation: bool) -> str:
    """Escape the text of a plain `"…"` string; `{` is escaped only where the lexer would
    otherwise take it as the start of an interpolation."""
    out: list[str] = []
    for i, ch in enumerate(piece):
        if ch == "{":
            nxt = piece[i + 1] if i + 1 < len(piece) else None
            if nxt is None:
                literal = not followed_by_interpolation
            else:
                literal = nxt in _NOT_INTERPOLATION_AFTER
            out.append("{" if literal else "\\{")
        else:
            out.append(_escape_char(ch))
    return "".join(out)


def _triple_representable(shape: str) -> bool:
    """Whether a triple-quoted literal in block layout can spell `shape` exactly: the
    dedent removes the common indentation, so some line must start without whitespace,
    and the trim removes leading/trailing newlines, so there must be none."""
    if "\n" not in shape or shape.startswith("\n") or shape.endswith(("\n", '"')):
        return False
    if '"""' in shape or any(not ch.isprintable() and ch != "\n" for ch in shape):
        return False
    lines = shape.split("\n")
    if any(line != line.rstrip() for line in lines):
        return False  # trailing (or whitespace-only) lines: not kept by every editor, or dedent
    return any(line and not line[0].isspace() for line in lines)


def _triple_layout(body: str, indent: int, prefix: str = "") -> str:
    """`body` as the lines of a triple-quoted literal, indented one level past `indent`."""
    inner = "  " * (indent + 1)
    lines = "\n".join(inner + line if line else "" for line in body.split("\n"))
    return f'{prefix}"""\n{lines}\n{"  " * indent}"""'


def print_string_value(value: str, form: str = "plain", indent: int = 0) -> str:
    """A string literal with this exact value, in the hinted form when possible
    (multi-line forms are laid out for a line at `indent`)."""
    if form == "raw" and _raw_representable(value):
        return 'r"' + value + '"'
    if form == "raw_triple" and _triple_representable(value):
        return _triple_layout(value, indent, "r")
    if form in ("triple", "raw_triple") and _triple_representable(value):
        return _triple_layout(_escape_triple(value, False), indent)
    return '"' + _escape_piece(value, False) + '"'


def _raw_representable(value: str) -> bool:
    return value.isprintable() and '"' not in value and not value.endswith("\\")


def _escape_triple(piece: str, followed_by_interpolation: bool) -> str:
    """Escape text inside a triple-quoted string: only `\\` and `{` need it."""
    out: list[str] = []
    for i, ch in enumerate(piece):
        if ch == "\\":
            out.append("\\\\")
        elif ch == "{":
            nxt = piece[i + 1] if i + 1 < len(piece) else None
            literal = (nxt is None and not followed_by_interpolation) or (
                nxt is not None and nxt in _NOT_INTERPOLATION_AFTER
            )
            out.append("{" if literal else "\\{")
        else:
            out.append(ch)
    return "".join(out)


def print_interp_string(
    parts: tuple[str | A.Interpolation, ...],
    form: str,
    interpolation: Callable[[A.Interpolation], str],
    indent: int = 0,
) -> str:
    """An interpolated string; `interpolation` prints one `{expr[:spec]}` part."""
    printed = [interpolation(p) if isinstance(p, A.Interpolation) else None for p in parts]
    shape = "".join(p if isinstance(p, str) else "x" for p in parts)
    triple = form == "triple" and _triple_representable(shape) and not any(
        p is not None and "\n" in p for p in printed
    )
    escape = _escape_triple if triple else _escape_piece
    out: list[str] = []
    for i, part in enumerate(parts):
        if isinstance(part, str):
            nxt_is_interp = i + 1 < len(parts) and isinstance(parts[i + 1], A.Interpolation)
            out.append(escape(part, nxt_is_interp))
        else:
            out.append(printed[i] or "")
    if triple:
        return _triple_layout("".join(out), indent)
    return '"' + "".join(out) + '"'
