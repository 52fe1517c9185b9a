"""`lumen check [FILE] [--json]`: report diagnostics without running (CLI contract).

Without FILE (or with a directory) inside a project, the project's entry file and its
imports are checked. A clean program with `where` constraints or `@assert`/`@assume` hints is
then verified statically with Z3 (lumen/verify; `--no-verify` skips it)."""

from __future__ import annotations

import os

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
        from lumen.driver import with_verification

        compilation = with_verification(compilation, verbose)
    if as_json:
        write_json_line([d.to_json() for d in compilation.diagnostics])
    else:
        print_diagnostics(compilation.diagnostics, compilation.unit)
    print_unavailable_note(compilation)
    return EXIT_OK if compilation.ok else EXIT_COMPILE_ERROR
