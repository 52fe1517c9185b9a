"""The `lumen` command: a click group whose commands live one group per module.

click's own usage errors exit 2, which the CLI contract reserves for runtime errors, so
`main` runs click in non-standalone mode and maps usage errors to 64 itself.
"""

from __future__ import annotations

import sys

import click

from lumen import __version__
from lumen.cli.check import check_command
from lumen.cli.inspect import emit_command, parse_command
from lumen.cli.report import EXIT_COMPILE_ERROR, EXIT_USAGE
from lumen.cli.run import run_command
from lumen.cli.trace import trace_group

EXIT_INTERRUPTED = 130


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lumen")
def cli() -> None:
    """Lumen: compile, check and run Lumen programs (.lm, .lm.md)."""


cli.add_command(run_command)
cli.add_command(check_command)
cli.add_command(parse_command)
cli.add_command(emit_command)
cli.add_command(trace_group)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; always ends the process with a contract exit status."""
    sys.exit(run_cli(argv))


def run_cli(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status instead of exiting (tests use this)."""
    try:
        status = cli.main(args=argv, prog_name="lumen", standalone_mode=False)
    except click.UsageError as exc:  # includes bad options, missing arguments, no command
        exc.show()
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return EXIT_COMPILE_ERROR
    except click.Abort:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_COMPILE_ERROR
    except Exception as exc:  # a toolchain bug outside any stage: report, never a traceback
        from lumen.driver import save_crash_report

        where = save_crash_report(exc, "in the command line interface")
        detail = f"details in {where}" if where else "details printed above"
        click.echo(f"lumen: internal error ({type(exc).__name__}); please report it; {detail}", err=True)
        return EXIT_COMPILE_ERROR
    return status if isinstance(status, int) else 0


def _silence_stdout() -> None:
    """The reader of stdout went away (`lumen run x | head`): drop further output quietly."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
