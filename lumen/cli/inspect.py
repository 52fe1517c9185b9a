"""Looking inside the compiler: `lumen parse FILE [--json]` and `lumen emit --lir FILE`."""

from __future__ import annotations

import json
import sys

import click

from lumen.cli.report import (
    EXIT_COMPILE_ERROR,
    EXIT_OK,
    print_diagnostics,
    print_unavailable_note,
)


@click.command("parse")
@click.argument("file", type=click.Path(dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="One line of JSON instead of indented JSON.")
def parse_command(file: str, as_json: bool) -> int:
    """Parse FILE and print its syntax tree (each node as {"node", "span", fields...})."""
    from lumen.cli.ast_json import ast_to_json
    from lumen.driver import parse_file

    compilation = parse_file(file)
    print_diagnostics(compilation.diagnostics, compilation.unit)
    print_unavailable_note(compilation)
    if compilation.program is not None:
        tree = ast_to_json(compilation.program)
        text = json.dumps(tree, ensure_ascii=False) if as_json else json.dumps(tree, indent=2, ensure_ascii=False)
        sys.stdout.write(text + "\n")
    return EXIT_OK if compilation.ok and compilation.program is not None else EXIT_COMPILE_ERROR


@click.command("emit")
@click.argument("file", type=click.Path(dir_okay=True))
@click.option("--lir", "emit_lir", is_flag=True, help="Print the LIR (register bytecode) disassembly.")
def emit_command(file: str, emit_lir: bool) -> int:
    """Compile FILE and print an intermediate form (today: --lir)."""
    if not emit_lir:
        raise click.UsageError("say what to emit: --lir")
    from lumen.driver import compile_file, internal_error_diagnostic

    compilation = compile_file(file)
    print_diagnostics(compilation.diagnostics, compilation.unit)
    if not compilation.ok:
        return EXIT_COMPILE_ERROR
    if compilation.module is None:
        print_unavailable_note(compilation)
        click.echo("lumen emit: no LIR was produced (the lowering is not available)", err=True)
        return EXIT_COMPILE_ERROR
    try:
        from lumen.lir.disasm import disassemble
    except ImportError:
        click.echo("lumen emit --lir: this build has no LIR disassembler (lumen.lir.disasm)", err=True)
        return EXIT_COMPILE_ERROR
    try:
        listing = disassemble(compilation.module)
    except Exception as exc:  # a disassembler bug must not show a traceback
        print_diagnostics([internal_error_diagnostic(exc, compilation.path, "disassembling")], None)
        return EXIT_COMPILE_ERROR
    sys.stdout.write(listing.rstrip("\n") + "\n")
    return EXIT_OK

