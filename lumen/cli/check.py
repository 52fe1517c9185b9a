"""`lumen check [FILE] [--json]`: report diagnostics without running (CLI contract).

Without FILE (or with a directory) inside a project, the project's entry file and its
imports are checked. A clean program with `where` constraints or `@assert`/`@assume` hints is
then verified statically with Z3 (lumen/verify; `--no-verify` skips it)."""

from __future__ import annotations

import os
import re
from typing import Any

import click

from lumen.cli.report import (
    EXIT_COMPILE_ERROR,
    EXIT_OK,
    print_diagnostics,
    print_unavailable_note,
    write_json_line,
)


@click.command("check")
@click.argument("file", type=click.Path(dir_okay=True), required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as one JSON array.")
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="Verify `where` constraints and @assert hints with Z3 after type checking.")
@click.option("--verbose", is_flag=True, help="Also note the constraints that could not be verified.")
def check_command(file: str | None, as_json: bool, verify: bool, verbose: bool) -> int:
    """Parse, resolve, type-check and effect-check FILE (default: the project's entry
    file) without running it."""
    from lumen.driver import check_file

    if file is None or os.path.isdir(file):  # a project: its entry file (lumen.toml)
        from lumen.cli.project_target import project_entry

        file, status = project_entry("check", file, as_json)
        if file is None:
            return status
    compilation = check_file(file)
    if verify:
        compilation = _with_verification(compilation, verbose)
    if as_json:
        write_json_line([d.to_json() for d in compilation.diagnostics])
    else:
        print_diagnostics(compilation.diagnostics, compilation.unit)
    print_unavailable_note(compilation)
    return EXIT_OK if compilation.ok else EXIT_COMPILE_ERROR


# Only a file that mentions one of these, or imports cells that may have preconditions, can
# have anything to verify (checked before the compile cache's missing syntax tree is
# rebuilt, so other files pay nothing).
_MAY_NEED_VERIFYING = re.compile(r"\bwhere\b|^\s*@(assert|assume|invariant)\b", re.MULTILINE)
_IMPORTS = re.compile(r"^\s*(pub\s+)?import\b", re.MULTILINE)


def _with_verification(compilation: Any, verbose: bool) -> Any:
    """`compilation` plus the verifier's diagnostics (only for a program without errors)."""
    from lumen.driver import internal_error_diagnostic

    unit = compilation.unit
    if unit is None or not compilation.ok:
        return compilation
    if not (_MAY_NEED_VERIFYING.search(unit.code) or _IMPORTS.search(unit.code)):
        return compilation
    try:
        found = _verification_diagnostics(compilation, unit, verbose)
    except Exception as exc:  # a bug of the verifier: reported, never a traceback
        found = (internal_error_diagnostic(exc, unit.path, "verifying"),)
    if not found:
        return compilation
    ordered = sorted((*compilation.diagnostics, *found),
                     key=lambda d: (d.file != unit.path, d.line, d.column))
    return compilation._replace(diagnostics=tuple(ordered))


def _verification_diagnostics(compilation: Any, unit: Any, verbose: bool) -> tuple[Any, ...]:
    """The verifier's diagnostics, from the `verify` cache when the file has no imports."""
    from lumen.compile_cache import toolchain_fingerprint
    from lumen.driver import CompileOptions, compile_source
    from lumen.verify import result_cache

    key = None
    if not _IMPORTS.search(unit.code):
        key = result_cache.key(unit.path, unit.code, toolchain_fingerprint(), verbose)
        cached = result_cache.lookup(key)
        if cached is not None:
            return cached
    program, analysis = compilation.program, compilation.analysis
    if program is None or analysis is None:  # a compile-cache hit carries no syntax tree
        fresh = compile_source(unit, CompileOptions(lower=False))
        if not fresh.ok or fresh.program is None or fresh.analysis is None:
            return ()
        program, analysis = fresh.program, fresh.analysis
    from lumen.verify import has_obligations, imported_contracts, verify

    found: tuple[Any, ...] = ()
    imported = imported_contracts(unit, program)
    if imported or has_obligations(program, unit.code):
        found = verify(program, analysis, file=unit.path, code=unit.code, verbose=verbose,
                       imported_cells=imported).diagnostics
    if key is not None:
        result_cache.store(key, found)
    return found
