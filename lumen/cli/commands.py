"""The click group behind `lumen`: every command, one module per command.

Imported only when a command line needs click (see `lumen.cli.main`). Commands are named in
one table and imported only when used, so `lumen check` does not pay for the REPL's or the
formatter's imports.
"""

from __future__ import annotations

import importlib

import click

from lumen import __version__

# command name -> (module, attribute) of its click command or group
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("lumen.cli.run", "run_command"),
    "check": ("lumen.cli.check", "check_command"),
    "parse": ("lumen.cli.inspect", "parse_command"),
    "emit": ("lumen.cli.inspect", "emit_command"),
    "trace": ("lumen.cli.trace", "trace_group"),
    "cache": ("lumen.cli.cache", "cache_group"),
    "test": ("lumen.cli.test_command", "test_command"),
    "new": ("lumen.cli.new_command", "new_command"),
    "fmt": ("lumen.cli.fmt_command", "fmt_command"),
    "repl": ("lumen.cli.repl_command", "repl_command"),
    "doc": ("lumen.cli.doc_command", "doc_command"),
    "lsp": ("lumen.cli.lsp_command", "lsp_command"),
}


class LazyGroup(click.Group):
    """A click group whose commands are imported from `COMMANDS` on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lumen")
@click.option("--color/--no-color", default=None,
              help="Colour diagnostics (default: on a terminal unless NO_COLOR is set).")
def cli(color: bool | None) -> None:
    """Lumen: compile, check and run Lumen programs (.lm, .lm.md)."""
    if color is not None:
        from lumen.diagnostics.render import set_color

        set_color(color)
