"""What `lumen run FILE` does once its options are known: compile (through the compile
cache), print warnings, run, and report the result with the CLI contract's exit status.

No click here: `lumen.cli.main` calls `run_program` directly for the plain `lumen run FILE
[ARGS...]` form, so that the commonest command starts without importing click; the click
command in `run.py` parses every other form and calls the same function.
"""

from __future__ import annotations

import os
import sys

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

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DEFAULT_MAX_DEPTH = 100_000  # also lumen.driver.DEFAULT_MAX_DEPTH; kept here to import lazily


def run_program(
    file: str | None,
    *,
    entry: str = "main",
    as_json: bool = False,
    trace_dir: str | None = None,
    replay: str | None = None,
    no_jit: bool = False,
    jit_threshold: int | None = None,
    verbose: bool = False,
    max_steps: int | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    config_path: str | None = None,
    provider_overrides: tuple[str, ...] = (),
    setting_overrides: tuple[str, ...] = (),
    max_tokens: int | None = None,
    checkpoint: tuple[int | None, str | None, str | None] | None = None,
    args: tuple[str, ...] = (),
    remember_fast_path: bool = False,
) -> int:
    """Compile FILE and run its entry cell; ARGS are passed to the program. Returns the
    exit status (0 ok, 1 compile error, 2 runtime error, or the program's `exit(code)`)."""
    from lumen.driver import RunOptions, compile_file, run_compilation

    if file is None or os.path.isdir(file):  # a project: its entry file (lumen.toml)
        from lumen.cli.project_target import project_entry

        file, status = project_entry("run", file, as_json)
        if file is None:
            return status
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
    if max_tokens is not None:  # the budget is a setting of the run's lumen.toml [budget]
        setting_overrides = (*setting_overrides, f"budget.max_tokens={max_tokens}")
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
        if checkpoint is None:
            outcome = run_compilation(compilation, options)
        else:
            outcome = _run_checkpointed(compilation, options, checkpoint)
            if outcome is None:  # paused into its checkpoint file (said on stderr)
                return EXIT_OK
    finally:
        sys.stdout = tracker.stream
    if not tracker.at_line_start:  # the result must be on a line of its own
        sys.stdout.write("\n")
    for line in outcome.jit_report:
        sys.stderr.write(line + "\n")
    if verbose:  # token totals and estimated cost (nothing when no tool session ran)
        for line in outcome.tool_summary:
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
        return _report_failure(outcome.error, compilation, as_json)
    if remember_fast_path and not warnings and not args:
        from lumen.cli.fast_run import remember

        remember(file, outcome)
    return _report_value(outcome.value, as_json, compilation.path)


def report_native_failure(file: str, state: list[int], trace: list[int]) -> int:
    """Report the runtime error of a program the fast path ran (lumen/cli/fast_run.py)
    as the ordinary path does; its output so far is already written."""
    from lumen.driver import compile_file, native_failure_outcome

    compilation = compile_file(file)  # from the compile cache, as a rule
    if not compilation.ok:  # the file changed under the run: say what it says now
        print_diagnostics(compilation.diagnostics, compilation.unit)
        return EXIT_COMPILE_ERROR
    outcome = native_failure_outcome(compilation, state, trace)
    assert outcome.error is not None
    return _report_failure(outcome.error, compilation, as_json=False)


def _report_failure(error: Any, compilation: Any, as_json: bool) -> int:
    print_runtime_failure(error, compilation.unit)
    if error.hint:
        sys.stderr.write(f"  hint: {error.hint}\n")
    if as_json:
        write_json_line(runtime_failure_json(error))
    return EXIT_RUNTIME_ERROR


def _run_checkpointed(compilation: Any, options: Any,
                      checkpoint: tuple[int | None, str | None, str | None]) -> Any:
    """`--checkpoint-at N [--checkpoint-file F]` or `--restore F` (lumen/checkpoint_run.py):
    the run's outcome, or None when it paused into its checkpoint file."""
    from lumen.checkpoint_run import CheckpointRequest, default_checkpoint_path, run_checkpointed

    at, file, restore = checkpoint
    if restore is not None:
        request = CheckpointRequest(restore, restore=True)
    else:
        request = CheckpointRequest(file or default_checkpoint_path(compilation.path), at)
    result = run_checkpointed(compilation, options, request)
    sys.stdout.flush()
    if result.written is not None:
        sys.stderr.write(f"lumen: checkpoint after {result.calls} calls written to "
                         f"{result.written} (continue with --restore {result.written})\n")
        return None
    ended = result.outcome
    if at is not None and ended.ran and ended.error is None and ended.exit_status is None:
        sys.stderr.write(f"lumen: the run ended after {result.calls} calls, before call "
                         f"{at}: no checkpoint written\n")
    return result.outcome


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
    except BrokenPipeError:  # the reader went away: lumen.cli.main ends quietly
        raise
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
