"""`lumen lsp`: the language server over standard input/output (lumen/lsp, SPEC.md
"Language server")."""

from __future__ import annotations

import click


@click.command("lsp")
@click.option("--stdio", is_flag=True,
              help="Talk LSP over standard input/output (the default and only transport).")
def lsp_command(stdio: bool) -> int:
    """Run the Lumen language server for editors over standard input/output:
    diagnostics, outline, folding, hover, go to definition, references, rename,
    completion, signature help, formatting, quick fixes, inlay hints, semantic tokens."""
    from lumen.lsp.server import serve_stdio  # pygls is imported only here

    serve_stdio()
    return 0
