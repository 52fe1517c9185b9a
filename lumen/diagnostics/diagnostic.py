"""The `Diagnostic` record shared by every stage of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based lines and columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @staticmethod
    def point(line: int, column: int) -> Span:
        return Span(line, column, line, column + 1)

    def to(self, other: Span) -> Span:
        """The span from the start of `self` to the end of `other`."""
        return Span(self.line, self.column, other.end_line, other.end_column)


NO_SPAN = Span(0, 0, 0, 0)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a user's program.

    `message` is the user-facing text without the location (renderers add it);
    `hint` is an optional suggestion; `suggestions` are "did you mean" names.
    """

    code: str
    message: str
    file: str
    span: Span
    severity: Severity = Severity.ERROR
    hint: str | None = None
    suggestions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_json(self) -> dict[str, object]:
        """The object shape of `lumen check --json` (CLI contract)."""
        out: dict[str, object] = {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
        }
        if self.hint:
            out["hint"] = self.hint
        return out
