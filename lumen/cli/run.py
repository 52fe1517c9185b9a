"""`lumen run FILE [options] [ARGS...]`: compile and run a program (CLI contract)."""

from __future__ import annotations

import sys
from typing import Any

import click

from lumen.cli.report import (
    EXIT_COMPILE_ERROR,
    EXIT_OK,
    EXIT_RUNTIME_ERROR,
    compile_failure_json,
    print_diagnostics,
    print_runtime_failure,
    runtime_failure_json,
    write_json_line,
)

DEFAULT_MAX_DEPTH = 100_000  # also lumen.driver.DEFAULT_MAX_DEPTH; kept here to import lazily


@click.command("run")
@click.argument("file", type=click.Path(dir_okay=True))
@click.option("--cell", "entry", default="main", metavar="NAME", help="Entry cell (default: main).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable result line last.")
@click.option("--trace-dir", type=click.Path(file_okay=False), help="Record a trace of the run under DIR.")
@click.option("--replay", metavar="RUN",
              help="Serve every tool call from recorded run RUN (in --trace-dir, default .lumen/trace).")
@click.option("--no-jit", is_flag=True, help="Run in the interpreter only.")
@click.option("--jit-threshold", type=click.IntRange(min=0), metavar="N",
              help="Calls or loop back-edges before a cell is compiled natively.")
@click.option("--verbose", "-v", is_flag=True,
              help="Report on stderr which cells were compiled natively, and why others not.")
@click.option("--max-steps", type=click.IntRange(min=1), metavar="N",
              help="Stop with a runtime error after N VM instructions.")
@click.option("--max-depth", type=click.IntRange(min=1), default=DEFAULT_MAX_DEPTH, metavar="N",
              show_default=True, help="Maximum call depth.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Use this lumen.toml instead of searching for one.")
@click.option("--provider", "provider_overrides", multiple=True, metavar="TOOL=PROVIDER",
              help="Map a tool id to a provider (overrides lumen.toml and LUMEN_PROVIDERS).")
@click.option("--set", "setting_overrides", multiple=True, metavar="PROVIDER.KEY=VALUE",
              help="Set a provider setting (overrides lumen.toml and LUMEN_SET).")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run_command(
    file: str,
    entry: str,
    as_json: bool,
    trace_dir: str | None,
    replay: str | None,
    no_jit: bool,
    jit_threshold: int | None,
    verbose: bool,
    max_steps: int | None,
    max_depth: int,
    config_path: str | None,
    provider_overrides: tuple[str, ...],
    setting_overrides: tuple[str, ...],
    args: tuple[str, ...],
) -> int:
    """Compile FILE and run its entry cell; ARGS are passed to the program."""
    from lumen.driver import RunOptions, compile_file, run_compilation

    # Program output must appear line by line as it happens, even into a pipe.
    _line_buffer_stdout()
    compilation = compile_file(file)
    warnings = [d for d in compilation.diagnostics if not d.is_error]
    if not compilation.ok:
        print_diagnostics(compilation.diagnostics, compilation.unit)
        if as_json:
            write_json_line(compile_failure_json(compilation.errors[0]))
        return EXIT_COMPILE_ERROR
    if warnings:
        print_diagnostics(warnings, compilation.unit)
    options = RunOptions(
        entry=entry,
        max_steps=max_steps,
        max_depth=max_depth,
        jit=not no_jit,
        jit_threshold=jit_threshold,
        program_args=args,
        trace_dir=trace_dir,
        replay=replay,
        jit_verbose=verbose,
        config_path=config_path,
        provider_overrides=provider_overrides,
        setting_overrides=setting_overrides,
    )
    tracker = _OutputTracker(sys.stdout)
    sys.stdout = tracker  # type: ignore[assignment]
    try:
        outcome = run_compilation(compilation, options)
    finally:
        sys.stdout = tracker.stream
    if not tracker.at_line_start:  # the result must be on a line of its own
        sys.stdout.write("\n")
    for line in outcome.jit_report:
        sys.stderr.write(line + "\n")
    if outcome.trace_path is not None:
        sys.stderr.write(f"lumen: trace recorded in {outcome.trace_path}\n")
    if not outcome.compilation.ok:  # e.g. this build cannot run at all
        errors = outcome.compilation.errors
        print_diagnostics(errors, outcome.compilation.unit)
        if as_json:
            write_json_line(compile_failure_json(errors[0]))
        return EXIT_COMPILE_ERROR
    if outcome.exit_status is not None:  # the program called exit(code)
        return outcome.exit_status
    if outcome.error is not None:
        print_runtime_failure(outcome.error, compilation.unit)
        if outcome.error.hint:
            sys.stderr.write(f"  hint: {outcome.error.hint}\n")
        if as_json:
            write_json_line(runtime_failure_json(outcome.error))
        return EXIT_RUNTIME_ERROR
    return _report_value(outcome.value, as_json, compilation.path)


def _report_value(value: Any, as_json: bool, file: str) -> int:
    """The success line: the JSON result object, or the display form of a non-null value."""
    from lumen.driver import internal_runtime_failure

    try:
        from lumen.vm.render import display, to_contract_json
        from lumen.vm.values import type_of

        if as_json:
            payload = {"ok": True, "type": type_of(value), "value": to_contract_json(value)}
            write_json_line(payload)
        elif value is not None:
            sys.stdout.write(display(value) + "\n")
            sys.stdout.flush()
    except Exception as exc:  # a bug in value rendering: report it like any runtime bug
        failure = internal_runtime_failure(exc, file)
        print_runtime_failure(failure, None)
        if as_json:
            write_json_line(runtime_failure_json(failure))
        return EXIT_RUNTIME_ERROR
    return EXIT_OK


class _OutputTracker:
    """Wraps stdout while the program runs to learn whether its output ended mid-line."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.at_line_start = True

    def write(self, text: str) -> int:
        if text:
            self.at_line_start = text.endswith("\n")
        return self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _line_buffer_stdout() -> None:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(line_buffering=True)
        except (ValueError, OSError):
            pass
