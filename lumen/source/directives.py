"""Directive lines (`@name [value]`, LANGUAGE.md §1.3) and their value rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

# `@` then a name; the value is whatever follows after whitespace.
_DIRECTIVE_LINE = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)(?:\s+(.*))?$")

_TRUE_SPELLINGS = frozenset({"true", "yes", "on", "1"})
_FALSE_SPELLINGS = frozenset({"false", "no", "off", "0"})

# The directives the reference defines; other names are accepted and ignored (§1.3).
KNOWN_DIRECTIVES = frozenset({"strict", "doc_mode", "deterministic", "lumen", "package"})
BOOLEAN_DIRECTIVES = frozenset({"strict", "doc_mode", "deterministic"})


@dataclass(frozen=True, slots=True)
class SourceDirective:
    """A directive found outside code: `@strict false` on line 3 -> ("strict", "false", 3).

    `value` is None when the line names no value (a boolean directive then means true).
    """

    name: str
    value: str | None
    line: int


def normalize_directive_value(raw: str | None) -> str | None:
    """The §1.3 value rule: trimmed, one pair of surrounding double quotes removed."""
    if raw is None:
        return None
    value = raw.strip()
    if not value:
        return None
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        value = value[1:-1]
    return value


def parse_directive_line(line_text: str, line: int) -> SourceDirective | None:
    """Read `@name [value]` from one line (surrounding whitespace ignored), else None."""
    match = _DIRECTIVE_LINE.match(line_text.strip())
    if match is None:
        return None
    return SourceDirective(match.group(1), normalize_directive_value(match.group(2)), line)


def parse_bool_directive(value: str | None) -> bool:
    """A boolean directive's value: `true/false`, `yes/no`, `on/off`, `1/0` (any case);
    a missing value means true.

    Raises ValueError for any other spelling, so the caller can report it.
    """
    if value is None:
        return True
    spelled = value.strip().lower()
    if not spelled or spelled in _TRUE_SPELLINGS:
        return True
    if spelled in _FALSE_SPELLINGS:
        return False
    raise ValueError(f"expected true/false, yes/no, on/off or 1/0, got {value!r}")
