"""The `lumen test` report: one line per test as it finishes, then each failure in full
(file:line:col, the source line with a caret, the operands of a failed assertion builtin,
the Lumen stack, what the test printed), then the last line `N passed, N failed`.
`--json` gives the same as one JSON document instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from lumen.testing.results import Failure, TestResult

_PASS_STYLE = "\x1b[32m"
_FAIL_STYLE = "\x1b[1;31m"
_RESET = "\x1b[0m"
_GUTTER = 4


def summary_line(results: Sequence[TestResult]) -> str:
    passed = sum(1 for r in results if r.passed)
    return f"{passed} passed, {len(results) - passed} failed"


class TextReport:
    """Writes the human report to `stream` (colour only when asked)."""

    def __init__(self, stream: TextIO, color: bool = False) -> None:
        self.stream = stream
        self.color = color
        self._sources: dict[str, list[str] | None] = {}

    def progress(self, result: TestResult) -> None:
        if result.passed:
            line = f"{self._style('ok  ', _PASS_STYLE)} {result.test_id} ({result.duration_ms:.0f} ms)"
        else:
            line = f"{self._style('FAIL', _FAIL_STYLE)} {result.test_id}"
        self._write(line)

    def finish(self, results: Sequence[TestResult]) -> None:
        failed = [r for r in results if not r.passed]
        for result in failed:
            self._write("")
            self._write(self._style(f"---- FAIL {result.test_id} ----", _FAIL_STYLE))
            self._write(self.render_failure(result))
        self._write("")
        self._write(summary_line(results))

    def render_failure(self, result: TestResult) -> str:
        failure = result.failure
        assert failure is not None
        parts: list[str] = []
        if failure.diagnostics:
            parts.append(failure.message)
            parts.extend(self._diagnostic(d, failure) for d in failure.diagnostics)
        elif failure.runtime is not None:
            parts.append(self._runtime(failure))
        else:
            parts.append(self._plain(failure))
        if result.output:
            parts.append("  output:")
            parts.extend("    " + line for line in result.output.rstrip("\n").split("\n"))
        return "\n".join(parts)

    # ------------------------------------------------------------------ pieces

    def _diagnostic(self, diagnostic: Any, failure: Failure) -> str:
        from lumen.diagnostics.render import render_diagnostic

        source = self._source_line(diagnostic.file, diagnostic.line, failure)
        return render_diagnostic(diagnostic, source, self.color)

    def _runtime(self, failure: Failure) -> str:
        """The runtime error with its source line, the assertion's operands, the stack."""
        from lumen.diagnostics.render import render_runtime_error

        error = failure.runtime
        assert error is not None
        lines = [render_runtime_error(
            error.kind, error.message, file=error.file, line=error.line, column=error.column,
            source_line=self._source_line(error.file or failure.file, error.line or 0, failure),
            color=self.color)]
        width = max((len(label) for label, _ in failure.values), default=0)
        lines.extend(f"  {label + ':':<{width + 1}} {value}" for label, value in failure.values)
        if error.hint:
            lines.append(f"  hint: {error.hint}")
        if error.stack:
            lines.append("  stack (innermost call first):")
            for frame in error.stack:
                where = ":".join(str(p) for p in (frame.file, frame.line) if p)
                lines.append(f"    at {frame.cell}" + (f" ({where})" if where else ""))
        return "\n".join(lines)

    def _plain(self, failure: Failure) -> str:
        """`file:line:col: test failed: message` and the source line with a caret."""
        location = ":".join(str(p) for p in (failure.file, failure.line, failure.column) if p)
        lines = [f"{location}: test failed: {failure.message}"]
        source = self._source_line(failure.file, failure.line, failure)
        if source is not None:
            text = source.rstrip("\n").replace("\t", " ")
            lead = max(failure.column - 1, len(text) - len(text.lstrip()))
            lines.append(f"{failure.line:>{_GUTTER}} | {text}")
            lines.append(" " * _GUTTER + " | " + " " * lead + "^")
        return "\n".join(lines)

    def _source_line(self, file: str | None, line: int, failure: Failure) -> str | None:
        if not file or line <= 0:
            return None
        unit = failure.unit
        if unit is not None and unit.path == file:
            return unit.line_text(line)  # type: ignore[no-any-return]
        if file not in self._sources:  # an imported module's line
            try:
                self._sources[file] = Path(file).read_text(encoding="utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                self._sources[file] = None
        lines = self._sources[file]
        return lines[line - 1] if lines is not None and line <= len(lines) else None

    def _style(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.color else text

    def _write(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


def json_report(results: Sequence[TestResult]) -> dict[str, Any]:
    """The whole run as one JSON document (`lumen test --json`)."""
    passed = sum(1 for r in results if r.passed)
    return {"passed": passed, "failed": len(results) - passed,
            "tests": [_result_json(r) for r in results]}


def _result_json(result: TestResult) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": result.test_id, "kind": result.kind, "file": result.file, "name": result.name,
        "line": result.line, "passed": result.passed,
        "duration_ms": round(result.duration_ms, 3), "output": result.output,
        "failure": None,
    }
    failure = result.failure
    if failure is not None:
        error = failure.runtime
        entry["failure"] = {
            "kind": failure.kind,
            "error_kind": error.kind if error is not None else None,
            "message": failure.message, "file": failure.file, "line": failure.line,
            "column": failure.column, "values": dict(failure.values),
            "diagnostics": [{"code": d.code, "message": d.message, "file": d.file,
                             "line": d.line, "column": d.column} for d in failure.diagnostics],
        }
    return entry
