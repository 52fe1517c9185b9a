"""String literals (§2.5): escapes, the triple-quote dedent rule and interpolation splitting.

`split_string` turns the source text of a STRING token into literal text pieces and
interpolations (expression source text plus its position in the file); the AST builder
parses each interpolation with the expression parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lumen.syntax.scanner import (
    _INTERP_START_RE,
    _scan_interpolation,
    _skip_escape,
    _starts_prefixed_string,
    string_end,
)

# [[fill] align] [sign] ['#'] ['0'] [width] ['.' precision] [type]
SPEC_RE = re.compile(r"(?:.?[<>^])?[+-]?#?0?\d*(?:\.\d+)?[dxXobfeEs]?\Z", re.S)


@dataclass(frozen=True, slots=True)
class InterpolationText:
    """`{expr:spec}` as text: `expr` starts at (`line`, `column`) of the file."""

    expr: str
    spec: str | None
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class EscapeError:
    message: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class SplitString:
    form: str  # "plain" | "raw" | "triple" | "raw_triple"
    parts: tuple[str | InterpolationText, ...]
    errors: tuple[EscapeError, ...]


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "0": "\0", "{": "{"}


def split_string(raw: str, line: int, column: int) -> SplitString:
    """Decode the token text `raw` (quotes and prefix included) that starts at
    (`line`, `column`)."""
    if raw.startswith('r"""'):
        body = raw[4:-3] if raw.endswith('"""') and len(raw) >= 7 else raw[4:]
        return SplitString("raw_triple", (_dedent_text(body),), ())
    if raw.startswith('r"'):
        return SplitString("raw", (raw[2:-1],), ())
    triple = raw.startswith('"""')
    prefix = 3 if triple else 1
    body = raw[prefix:-prefix] if len(raw) >= 2 * prefix else raw[prefix:]
    return _split_body(body, line, column + prefix, triple)


def split_text(text: str, line: int, column: int) -> SplitString:
    """Unquoted text with escapes and `{expr}` interpolation (role blocks, §6.11)."""
    return _split_body(text, line, column, triple=False)


def _split_body(body: str, line: int, column: int, triple: bool) -> SplitString:
    spans = _interpolation_spans(body)
    removed = _dedent_mask(body, spans) if triple else None
    parts: list[str | InterpolationText] = []
    errors: list[EscapeError] = []
    text: list[str] = []
    text_start = 0

    def position(offset: int) -> tuple[int, int]:
        newlines = body.count("\n", 0, offset)
        if newlines == 0:
            return line, column + offset
        return line + newlines, offset - body.rfind("\n", 0, offset)

    def flush(end: int) -> None:
        chunk = body[text_start:end]
        if removed is not None:
            chunk = "".join(
                ch for index, ch in enumerate(chunk, text_start) if index not in removed
            )
        decoded, problems = _decode_escapes(chunk)
        for problem in problems:
            at_line, at_column = position(text_start)
            errors.append(EscapeError(problem, at_line, at_column))
        text.append(decoded)

    for start, end in spans:
        flush(start)
        if text and "".join(text):
            parts.append("".join(text))
        text.clear()
        inner = body[start + 1:end - 1]
        expr_text, spec = _split_spec(inner)
        at_line, at_column = position(start + 1)
        parts.append(InterpolationText(expr_text, spec, at_line, at_column))
        text_start = end
    flush(len(body))
    if "".join(text):
        parts.append("".join(text))
    if triple and parts:
        if isinstance(parts[0], str):
            parts[0] = parts[0].lstrip("\n")
        if isinstance(parts[-1], str):
            parts[-1] = parts[-1].rstrip("\n")
        parts = [part for part in parts if part != ""]
    if not parts:
        parts = [""]
    return SplitString("triple" if triple else "plain", tuple(parts), tuple(errors))


def _interpolation_spans(body: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    index = 0
    length = len(body)
    while index < length:
        ch = body[index]
        if ch == "\\":
            index = _skip_escape(body, index)
            continue
        if ch == "{" and _INTERP_START_RE.match(body, index):
            end = _scan_interpolation(body, index, multiline=True)
            if end < 0:
                break
            spans.append((index, end))
            index = end
            continue
        index += 1
    return spans


def _dedent_mask(body: str, spans: list[tuple[int, int]]) -> set[int]:
    """Offsets of the indentation removed by the triple-quote dedent rule."""
    inside = set()
    for start, end in spans:
        inside.update(range(start, end))
    line_starts = [index + 1 for index, ch in enumerate(body) if ch == "\n"]
    widths: list[int] = []
    for start in line_starts:
        end = body.find("\n", start)
        segment = body[start:end if end >= 0 else len(body)]
        if segment.strip(" \t") or any(i in inside for i in range(start, start + len(segment))):
            widths.append(len(segment) - len(segment.lstrip(" \t")))
    margin = min(widths) if widths else 0
    removed: set[int] = set()
    for start in line_starts:
        index = start
        while index < len(body) and index - start < margin and body[index] in " \t":
            if index in inside:
                break
            removed.add(index)
            index += 1
    return removed


def _dedent_text(text: str) -> str:
    lines = text.split("\n")
    rest = [line for line in lines[1:] if line.strip()]
    margin = min((len(line) - len(line.lstrip(" \t")) for line in rest), default=0)
    out = [lines[0]] + [line[margin:] if line.strip() else line.lstrip(" \t")[:0] for line in lines[1:]]
    return "\n".join(out).strip("\n")


def _split_spec(inner: str) -> tuple[str, str | None]:
    """`expr:spec` -> (expr, spec) when a top-level colon is followed by a valid spec."""
    depth = 0
    index = 0
    length = len(inner)
    while index < length:
        ch = inner[index]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == '"' or ch in "rb" and _starts_prefixed_string(inner, index):
            index = string_end(inner, index)
            if index < 0:
                break
            continue
        elif ch == ":" and depth == 0 and SPEC_RE.match(inner, index + 1):
            return inner[:index], inner[index + 1:]
        index += 1
    return inner, None


def _decode_escapes(text: str) -> tuple[str, list[str]]:
    if "\\" not in text:
        return text, []
    out: list[str] = []
    problems: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        ch = text[index]
        if ch != "\\" or index + 1 >= length:
            out.append(ch)
            index += 1
            continue
        code = text[index + 1]
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            index += 2
        elif code == "x":
            digits = text[index + 2:index + 4]
            if len(digits) == 2 and all(c in "0123456789abcdefABCDEF" for c in digits):
                out.append(chr(int(digits, 16)))
                index += 4
            else:
                problems.append("invalid \\x escape: expected two hex digits")
                out.append(text[index:index + 2])
                index += 2
        elif code == "u":
            match = re.match(r"\{([0-9a-fA-F]{1,6})\}", text[index + 2:])
            value = int(match.group(1), 16) if match else -1
            if match and value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF:
                out.append(chr(value))
                index += 2 + match.end()
            else:
                problems.append("invalid \\u escape: expected \\u{hex digits} naming a Unicode scalar")
                out.append(text[index:index + 2])
                index += 2
        else:
            out.append(text[index:index + 2])
            index += 2
    return "".join(out), problems
