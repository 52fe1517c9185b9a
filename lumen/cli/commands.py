"""The click group behind `lumen`: every command, one group per module.

Imported only when a command line needs click (see `lumen.cli.main`).
"""

from __future__ import annotations

import click

from lumen import __version__
from lumen.cli.cache import cache_group
from lumen.cli.check import check_command
from lumen.cli.inspect import emit_command, parse_command
from lumen.cli.run import run_command
from lumen.cli.trace import trace_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lumen")
def cli() -> None:
    """Lumen: compile, check and run Lumen programs (.lm, .lm.md)."""


cli.add_command(run_command)
cli.add_command(check_command)
cli.add_command(parse_command)
cli.add_command(emit_command)
cli.add_command(trace_group)
cli.add_command(cache_group)
