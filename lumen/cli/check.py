"""`lumen check FILE [--json]`: report diagnostics without running (CLI contract)."""

from __future__ import annotations

import click

from lumen.cli.report import (
    EXIT_COMPILE_ERROR,
    EXIT_OK,
    print_diagnostics,
    print_unavailable_note,
    write_json_line,
)


@click.command("check")
@click.argument("file", type=click.Path(dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as one JSON array.")
def check_command(file: str, as_json: bool) -> int:
    """Parse, resolve, type-check and effect-check FILE without running it."""
    from lumen.driver import check_file

    compilation = check_file(file)
    if as_json:
        write_json_line([d.to_json() for d in compilation.diagnostics])
    else:
        print_diagnostics(compilation.diagnostics, compilation.unit)
    print_unavailable_note(compilation)
    return EXIT_OK if compilation.ok else EXIT_COMPILE_ERROR
