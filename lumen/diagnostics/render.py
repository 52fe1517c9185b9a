"""Rendering diagnostics and runtime errors as text for a terminal or a log.

    prog.lm:4:10: error[E0201]: undefined variable 'totl'
       4 |   return totl + 1
         |          ^^^^
      hint: did you mean 'total'?

Plain text by default; with `color=True` the same text with ANSI styles (made by `rich`,
imported only then, since colour is only wanted on a terminal).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, TextIO

from lumen.diagnostics.diagnostic import Diagnostic, Severity

if TYPE_CHECKING:
    from rich.text import Text

TAB_WIDTH = 4
MIN_GUTTER = 4

_SEVERITY_STYLE = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.NOTE: "bold cyan",
}
_RUNTIME_STYLE = "bold red"
_GUTTER_STYLE = "blue"
_HINT_STYLE = "cyan"


class RuntimeFrame(NamedTuple):
    """One entry of the Lumen call stack at a runtime error."""

    cell: str
    file: str | None = None
    line: int | None = None


# Set by `--color` / `--no-color` (`set_color`); None: decide per stream.
_color_choice: bool | None = None


def set_color(enabled: bool | None) -> None:
    """Force colour on or off for every later `should_use_color` (a command's
    `--color/--no-color` flag); None restores the per-stream decision."""
    global _color_choice
    _color_choice = enabled


def should_use_color(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (no-color.org) or the
    terminal is dumb; FORCE_COLOR (any value but `0`) asks for colour even into a pipe. An
    explicit `set_color` choice wins over all of these."""
    if _color_choice is not None:
        return _color_choice
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):
        return False


def render_diagnostic(diag: Diagnostic, source_line: str | None, color: bool = False) -> str:
    """`file:line:col: severity[code]: message`, the source line with a caret run under
    the span, and the hint (or the "did you mean" suggestions)."""
    pieces: list[tuple[str, str | None]] = []
    severity_style = _SEVERITY_STYLE.get(diag.severity, "bold")
    pieces.append((_location(diag.file, diag.span.line, diag.span.column) + ": ", "bold"))
    pieces.append((f"{diag.severity.value}[{diag.code}]", severity_style))
    pieces.append((f": {diag.message}\n", "bold"))
    if source_line is not None and diag.span.line > 0:
        end_column = diag.span.end_column if diag.span.end_line == diag.span.line else None
        pieces.extend(
            _snippet(diag.span.line, diag.span.column, end_column, source_line, severity_style)
        )
    hint = diag.hint or _suggestion_hint(diag.suggestions)
    if hint:
        pieces.append(("  hint", _HINT_STYLE))
        pieces.append((f": {hint}\n", None))
    return _finish(pieces, color)


def render_runtime_error(
    kind: str,
    message: str,
    *,
    file: str | None,
    line: int | None,
    column: int | None,
    stack: Sequence[RuntimeFrame] = (),
    source_line: str | None = None,
    color: bool = False,
) -> str:
    """`file:line:col: runtime error[kind]: message`, the source line with a caret when the
    position is known, then the Lumen stack, innermost call first."""
    pieces: list[tuple[str, str | None]] = []
    if file or line:
        pieces.append((_location(file or "", line or 0, column or 0) + ": ", "bold"))
    pieces.append((f"runtime error[{kind}]", _RUNTIME_STYLE))
    pieces.append((f": {message}\n", "bold"))
    if source_line is not None and line:
        point_end = column + 1 if column else None  # a runtime position is one point
        pieces.extend(_snippet(line, column or 0, point_end, source_line, _RUNTIME_STYLE))
    if stack:
        pieces.append(("  stack (innermost call first):\n", None))
        for frame in stack:
            where = _location(frame.file or "", frame.line or 0, 0)
            pieces.append((f"    at {frame.cell}", "bold"))
            pieces.append((f" ({where})\n" if where else "\n", None))
    return _finish(pieces, color)


def _location(file: str, line: int, column: int) -> str:
    parts = [file] if file else []
    if line > 0:
        parts.append(str(line))
        if column > 0:
            parts.append(str(column))
    return ":".join(parts)


def _suggestion_hint(suggestions: tuple[str, ...]) -> str | None:
    if not suggestions:
        return None
    quoted = [f"'{name}'" for name in suggestions]
    names = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"did you mean {names}?"


def _snippet(
    line: int, column: int, end_column: int | None, source_line: str, caret_style: str
) -> list[tuple[str, str | None]]:
    """The numbered source line and the caret line under it.

    The span runs from `column` to `end_column` (exclusive) or, when it continues on later
    lines (`end_column` None), to the end of this line. Widths are measured as displayed:
    tabs expand to TAB_WIDTH spaces and wide (East Asian) characters take two cells.
    With no column, the carets underline the whole line.
    """
    text = source_line.rstrip("\n")
    gutter = max(MIN_GUTTER, len(str(line)))
    if column <= 0:
        stripped = text.lstrip()
        start = len(text) - len(stripped)
        stop = len(text.rstrip())
    else:
        start = column - 1
        stop = len(text) if end_column is None else end_column - 1
    lead = _display_width(text[:start]) + max(0, start - len(text))
    caret_count = max(1, _display_width(text[start:stop]))
    return [
        (f"{line:>{gutter}} | ", _GUTTER_STYLE),
        (_expand_tabs(text) + "\n", None),
        (" " * gutter + " | ", _GUTTER_STYLE),
        (" " * lead, None),
        ("^" * caret_count + "\n", caret_style),
    ]


def _expand_tabs(text: str) -> str:
    return text.replace("\t", " " * TAB_WIDTH)


def _display_width(text: str) -> int:
    width = 0
    for char in text:
        if char == "\t":
            width += TAB_WIDTH
        elif unicodedata.combining(char):
            continue
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            width += 2
        else:
            width += 1
    return width


def _finish(pieces: list[tuple[str, str | None]], color: bool) -> str:
    """Join the pieces; with colour, through rich so that styles become ANSI sequences."""
    plain = "".join(text for text, _ in pieces).rstrip("\n")
    if not color:
        return plain
    from io import StringIO

    from rich.console import Console

    styled = _styled_text(pieces)
    buffer = StringIO()
    console = Console(
        file=buffer, force_terminal=True, color_system="standard", width=10_000,
        highlight=False, soft_wrap=True, emoji=False, markup=False,
    )
    console.print(styled, end="")
    return buffer.getvalue().rstrip("\n")


def _styled_text(pieces: list[tuple[str, str | None]]) -> Text:
    from rich.text import Text

    styled = Text()
    for text, style in pieces:
        styled.append(text, style=style or "")
    styled.rstrip()
    return styled
