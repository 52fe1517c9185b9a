"""Shared helper: compile a file and run the verifier over it, in-process."""

from __future__ import annotations

from pathlib import Path

from lumen.diagnostics import Diagnostic
from lumen.driver import CompileOptions, compile_source
from lumen.source import load_source


def verify_file(path: Path, verbose: bool = False) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(checker diagnostics, verifier diagnostics) of one file."""
    from lumen.verify import verify

    unit = load_source(path)
    compilation = compile_source(unit, CompileOptions(lower=False))
    if not compilation.ok:
        return list(compilation.diagnostics), []
    result = verify(compilation.program, compilation.analysis, file=unit.path, code=unit.code,
                    verbose=verbose)
    return list(compilation.diagnostics), list(result.diagnostics)

