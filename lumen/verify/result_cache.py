"""Verification results kept in the user cache (kind `verify`), so that `lumen check` of an
unchanged file neither re-parses it (a compile-cache hit has no syntax tree) nor re-asks
the solver.

The key names the file's path and text, the toolchain fingerprint the caller passes and the
verbosity. Callers use it only for files without imports: an imported module's declarations
can change what the analysis tells the verifier without changing this file's text.
"""

from __future__ import annotations

import json

from lumen import cache
from lumen.diagnostics import Diagnostic, Severity, Span

KIND = "verify"
FORMAT = 1


def key(path: str, text: str, fingerprint: str, verbose: bool) -> str:
    return cache.key_of(KIND, str(FORMAT), fingerprint, "verbose" if verbose else "", path, text)


def lookup(entry_key: str) -> tuple[Diagnostic, ...] | None:
    if cache.disabled():
        return None
    data = cache.get(KIND, entry_key)
    if data is None:
        return None
    try:
        return tuple(_diagnostic(item) for item in json.loads(data.decode("utf-8")))
    except (ValueError, KeyError, TypeError):  # damaged or an older layout: a miss
        return None


def store(entry_key: str, diagnostics: tuple[Diagnostic, ...]) -> None:
    if cache.disabled():
        return
    payload = [_data(d) for d in diagnostics]
    cache.put(KIND, entry_key, json.dumps(payload).encode("utf-8"))


def _data(d: Diagnostic) -> dict[str, object]:
    span = d.span
    return {"code": d.code, "message": d.message, "file": d.file, "severity": d.severity.value,
            "hint": d.hint, "span": [span.line, span.column, span.end_line, span.end_column]}


def _diagnostic(item: dict[str, object]) -> Diagnostic:
    line, column, end_line, end_column = item["span"]  # type: ignore[misc]
    return Diagnostic(str(item["code"]), str(item["message"]), str(item["file"]),
                      Span(int(line), int(column), int(end_line), int(end_column)),
                      severity=Severity(item["severity"]),
                      hint=item["hint"] if isinstance(item["hint"], str) else None)
