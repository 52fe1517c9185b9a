"""`lumen doc PATH [--format markdown|json] [-o OUT]`: API documentation (lumen/docgen)."""

from __future__ import annotations

import sys

import click

from lumen.cli.report import EXIT_COMPILE_ERROR, EXIT_OK, print_diagnostics


@click.command("doc")
@click.argument("path", type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["markdown", "json"]),
              default="markdown", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="OUT",
              help="Write to OUT instead of standard output.")
@click.option("--pub-only", is_flag=True, help="Only declarations marked `pub`.")
@click.option("--include-tests", is_flag=True, help="Also document test cells.")
def doc_command(path: str, output_format: str, output: str | None, pub_only: bool,
                include_tests: bool) -> int:
    """Write API documentation for the file or folder PATH: cells with their signatures
    and effects, records, enums, type aliases, traits, agents, processes and tools, with
    their docstrings. Files that do not parse are reported and left out (exit 1)."""
    from lumen.docgen import document_path, render_json, render_markdown
    from lumen.source import load_source

    if not _exists(path):
        from lumen.source import SourceError

        try:
            load_source(path)
        except SourceError as exc:
            print_diagnostics([exc.diagnostic], None)
        return EXIT_COMPILE_ERROR
    documentation = document_path(path, include_private=not pub_only, include_tests=include_tests)
    text = render_json(documentation) if output_format == "json" else render_markdown(documentation)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            sys.stderr.write(f"lumen: cannot write {output}: {exc.strerror or exc}\n")
            return EXIT_COMPILE_ERROR
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    for diagnostic in documentation.diagnostics:
        print_diagnostics([diagnostic], documentation.sources.get(diagnostic.file))  # type: ignore[attr-defined]
    return EXIT_COMPILE_ERROR if documentation.diagnostics else EXIT_OK


def _exists(path: str) -> bool:
    from pathlib import Path

    return Path(path).exists()
