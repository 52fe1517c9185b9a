"""`@assert` / `@assume` / `@invariant` lines inside cell bodies (§16.2), found in the
source text.

The parser keeps a statement's attributes out of the syntax tree (they change nothing at
run time), so the verifier finds them again: the attribute lines directly above a statement
(only blank, comment or other attribute lines in between) belong to that statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.syntax import ast, parse_expression
from lumen.verify import messages

_HINT_LINE = re.compile(r"^(\s*)@(assert|assume|invariant)\b(.*)$")
_ATTRIBUTE_LINE = re.compile(r"^\s*@\w")


@dataclass(frozen=True, slots=True)
class ProofHint:
    kind: str  # "assert" | "assume" | "invariant"
    condition: ast.Expr
    text: str  # the condition as written
    span: Span  # the whole attribute line, from the `@`


class HintIndex:
    """The proof hints of one file, looked up by the statement they precede."""

    def __init__(self, code: str, file: str) -> None:
        self._lines = code.split("\n")
        self._file = file
        self._parsed: dict[int, ProofHint | None] = {}
        self.diagnostics: list[Diagnostic] = []

    def before(self, line: int) -> list[ProofHint]:
        """The hints written directly above 1-based source `line`, top to bottom."""
        found: list[ProofHint] = []
        index = line - 2  # the line above, 0-based
        while index >= 0:
            text = self._lines[index]
            stripped = text.strip()
            if _HINT_LINE.match(text):
                hint = self._hint_at(index + 1)
                if hint is not None:
                    found.append(hint)
            elif not (stripped == "" or stripped.startswith("#") or _ATTRIBUTE_LINE.match(text)):
                break
            index -= 1
        found.reverse()
        return found

    def _hint_at(self, line: int) -> ProofHint | None:
        if line in self._parsed:
            return self._parsed[line]
        text = self._lines[line - 1]
        match = _HINT_LINE.match(text)
        assert match is not None
        indent, kind, rest = match.group(1), match.group(2), _without_comment(match.group(3)).strip()
        if rest.startswith("(") and rest.endswith(")"):
            rest = rest[1:-1].strip()
        written = f"{indent}@{kind}{_without_comment(match.group(3))}".rstrip()
        span = Span(line, len(indent) + 1, line, len(written) + 1)
        hint: ProofHint | None = None
        if not rest:
            self._report(messages.empty_hint(kind), span)
        else:
            expr, problems = parse_expression(rest, self._file)
            if expr is None or problems:
                self._report(messages.unparsable_hint(kind), span)
            else:
                hint = ProofHint(kind, expr, rest, span)
        self._parsed[line] = hint
        return hint

    def _report(self, message: str, span: Span) -> None:
        self.diagnostics.append(Diagnostic(ErrorCode.MALFORMED.value, message, self._file, span))


def _without_comment(text: str) -> str:
    """`text` up to a `#` comment (a `#` inside a string literal does not start one)."""
    quote: str | None = None
    escaped = False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote is not None:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#":
            return text[:index]
    return text
