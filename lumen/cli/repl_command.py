"""`lumen repl`: an interactive Lumen session (lumen/repl, SPEC.md "lumen repl")."""

from __future__ import annotations

import click


@click.command("repl")
@click.option("--color/--no-color", "color", default=None,
              help="Colour diagnostics (default: when stderr is a terminal and NO_COLOR is unset).")
def repl_command(color: bool | None) -> int:
    """Read Lumen entries, run them, and show values with their types."""
    from lumen.diagnostics.render import set_color
    from lumen.repl.terminal import run_repl

    set_color(color)
    return run_repl(color=color)
