"""The `lumen` command's entry point: `main` (console script, `python -m lumen`) and
`run_cli` (the same, returning the exit status; tests use it).

click's own usage errors exit 2, which the CLI contract reserves for runtime errors, so
click runs in non-standalone mode and usage errors are mapped to 64 here.

Start-up: importing click costs about as much as the rest of a cached `lumen run`, so the
plain form `lumen run FILE [ARGS...]` (no options anywhere) skips it and calls
`run_program` directly, with the defaults click would have passed and the same handling of
interrupts and closed pipes. Everything else, and any FILE click would reject (an
unreadable file), goes through click (`lumen.cli.commands`).
"""

from __future__ import annotations

import gc
import os
import sys

from lumen.cli.report import EXIT_COMPILE_ERROR, EXIT_USAGE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

EXIT_INTERRUPTED = 130
_COMPLETION_VARIABLE = "_LUMEN_COMPLETE"  # click's shell completion request for `lumen`


def __getattr__(name: str) -> Any:
    if name == "cli":  # the click group, for callers that used `lumen.cli.main.cli`
        from lumen.cli.commands import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; always ends the process with a contract exit status."""
    sys.exit(run_cli(argv))


def run_cli(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status instead of exiting (tests use this)."""
    args = sys.argv[1:] if argv is None else list(argv)
    from lumen.cli import fast_run

    status = fast_run.attempt(args)  # a cached whole-native program: no VM at all
    if status is not None:
        return status
    try:
        plain = plain_run_arguments(args)
        status = _run_click(args) if plain is None else _run_plain(*plain)
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_COMPILE_ERROR
    except Exception as exc:  # a toolchain bug outside any stage: report, never a traceback
        from lumen.driver import save_crash_report

        where = save_crash_report(exc, "in the command line interface")
        detail = f"details in {where}" if where else "details printed above"
        _say(f"lumen: internal error ({type(exc).__name__}); please report it; {detail}")
        return EXIT_COMPILE_ERROR
    return status if isinstance(status, int) else 0


def ended_by(exc: BaseException) -> int:
    """The exit status (and last words) of a run that a closed stdout or an interrupt
    ended, as for the plain `lumen run` below (the fast path, lumen/cli/fast_run.py)."""
    if isinstance(exc, KeyboardInterrupt):
        _say("")
        _say("interrupted")
        return EXIT_INTERRUPTED
    _silence_stdout()
    return EXIT_COMPILE_ERROR


def plain_run_arguments(args: list[str]) -> tuple[str, tuple[str, ...]] | None:
    """(FILE, ARGS) when `args` is `run FILE [ARGS...]` with nothing click would treat
    differently from the defaults: no token starting with `-` (an option, `--`, `-`), no
    shell-completion request, and a FILE that click's `Path` check accepts (missing, or
    readable)."""
    if len(args) < 2 or args[0] != "run" or _COMPLETION_VARIABLE in os.environ:
        return None
    if any(token.startswith("-") for token in args[1:]):
        return None
    file = args[1]
    if os.path.exists(file) and not os.access(file, os.R_OK):
        return None  # click reports "is not readable" as a usage error
    return file, tuple(args[2:])


def _run_plain(file: str, program_args: tuple[str, ...]) -> Any:
    # Start-up allocates many long-lived objects (modules, classes, the program) and few
    # cycles: young-generation scans while importing cost more than they find. The VM
    # raises the same threshold when the run starts (lumen/vm/interpreter.py).
    gc.set_threshold(50_000, 20, 100)
    from lumen.cli.run_program import run_program

    try:
        return run_program(file, args=program_args, remember_fast_path=True)
    except (EOFError, KeyboardInterrupt):
        _say("")  # what click prints before aborting
        _say("interrupted")
        return EXIT_INTERRUPTED
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            raise
        _pacify_streams()  # as click does for a closed pipe: then exit 1
        sys.exit(1)


def _run_click(args: list[str]) -> Any:
    import click

    from lumen.cli.commands import cli

    try:
        return cli.main(args=args, prog_name="lumen", standalone_mode=False)
    except click.UsageError as exc:  # includes bad options, missing arguments, no command
        exc.show()
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return EXIT_COMPILE_ERROR
    except click.Abort:
        _say("interrupted")
        return EXIT_INTERRUPTED


def _say(text: str) -> None:
    """A line on stderr, flushed (what `click.echo(text, err=True)` does)."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _pacify_streams() -> None:
    try:
        from click._compat import PacifyFlushWrapper
    except ImportError:  # pragma: no cover - a click without it: just drop the output
        _silence_stdout()
        return
    sys.stdout = PacifyFlushWrapper(sys.stdout)  # type: ignore[assignment]
    sys.stderr = PacifyFlushWrapper(sys.stderr)  # type: ignore[assignment]


def _silence_stdout() -> None:
    """The reader of stdout went away (`lumen run x | head`): drop further output quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
