"""Writing results for people (stderr, rendered) and for machines (stdout, JSON).

Exit statuses follow the CLI contract: 0 success, 1 compile error, 2 runtime error,
64 usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lumen.diagnostics import Diagnostic
    from lumen.driver import Compilation, RuntimeFailure
    from lumen.source import SourceUnit

EXIT_OK = 0
EXIT_COMPILE_ERROR = 1
EXIT_RUNTIME_ERROR = 2
EXIT_USAGE = 64


def write_json_line(payload: Any) -> None:
    """One JSON document on its own stdout line (non-ASCII kept as is)."""
    import json  # only with --json: keeps plain `check`/`run` start-up lean

    sys.stdout.write(json.dumps(payload, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


def print_diagnostics(diagnostics: Iterable[Diagnostic], unit: SourceUnit | None) -> None:
    """Render each diagnostic to stderr, after flushing whatever stdout holds so that the
    two streams interleave in the order things happened."""
    from lumen.diagnostics.render import render_diagnostic, should_use_color

    sys.stdout.flush()
    color = should_use_color(sys.stderr)
    for diagnostic in diagnostics:
        source_line = None
        if unit is not None and diagnostic.file == unit.path:
            source_line = unit.line_text(diagnostic.line)
        elif diagnostic.line > 0:  # another file: an imported module, lumen.toml
            source_line = _line_of_file(diagnostic.file, diagnostic.line)
        sys.stderr.write(render_diagnostic(diagnostic, source_line, color) + "\n")
    sys.stderr.flush()


def _line_of_file(path: str, line: int) -> str | None:
    """Line `line` (1-based) of the file at `path`, None when it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, start=1):
                if number == line:
                    return text.rstrip("\r\n")
    except OSError:
        return None
    return None


def print_unavailable_note(compilation: Compilation) -> None:
    """Say which checks were skipped because this build lacks a stage, so that a clean
    result is never mistaken for a full check."""
    if compilation.unavailable:
        names = ", ".join(compilation.unavailable)
        sys.stderr.write(f"lumen: note: this build lacks {names}; those checks were skipped\n")


def print_runtime_failure(failure: RuntimeFailure, unit: SourceUnit | None) -> None:
    from lumen.diagnostics.render import render_runtime_error, should_use_color

    sys.stdout.flush()
    source_line = None
    if unit is not None and failure.line and failure.file in (None, unit.path):
        source_line = unit.line_text(failure.line)
    text = render_runtime_error(
        failure.kind,
        failure.message,
        file=failure.file,
        line=failure.line,
        column=failure.column,
        stack=failure.stack,
        source_line=source_line,
        color=should_use_color(sys.stderr),
    )
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def compile_failure_json(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "ok": False,
        "error": {
            "kind": "compile",
            "code": diagnostic.code,
            "message": diagnostic.message,
            "file": diagnostic.file,
            "line": diagnostic.line,
            "column": diagnostic.column,
        },
    }


def runtime_failure_json(failure: RuntimeFailure) -> dict[str, Any]:
    return {
        "ok": False,
        "error": {
            "kind": "runtime",
            "code": failure.kind,
            "message": failure.message,
            "file": failure.file or "",
            "line": failure.line or 0,
            "column": failure.column or 0,
        },
    }
