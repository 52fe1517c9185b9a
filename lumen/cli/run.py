"""`lumen run [FILE] [options] [ARGS...]`: compile and run a program (CLI contract).

Without FILE (or with a directory) inside a project, the project's entry file runs.

This module parses the options; `run_program.py` does the work."""

from __future__ import annotations

import click

from lumen.cli.run_program import DEFAULT_MAX_DEPTH, run_program


@click.command("run")
@click.argument("file", type=click.Path(dir_okay=True), required=False)
@click.option("--cell", "entry", default="main", metavar="NAME", help="Entry cell (default: main).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable result line last.")
@click.option("--trace-dir", type=click.Path(file_okay=False), help="Record a trace of the run under DIR.")
@click.option("--replay", metavar="RUN",
              help="Serve every tool call from recorded run RUN (in --trace-dir, default .lumen/trace).")
@click.option("--no-jit", is_flag=True, help="Run in the interpreter only.")
@click.option("--jit-threshold", type=click.IntRange(min=0), metavar="N",
              help="Calls or loop back-edges before a cell is compiled natively.")
@click.option("--verbose", "-v", is_flag=True,
              help="Report on stderr which cells were compiled natively (and why others not), "
                   "and the tool calls' token totals and estimated cost.")
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
@click.option("--max-tokens", type=click.IntRange(min=0), metavar="N",
              help="Token budget of the run's tool calls, in and out (overrides [budget] "
                   "max_tokens).")
@click.option("--checkpoint-at", type=click.IntRange(min=1), metavar="N",
              help="Run in the interpreter, stop at the first call once N calls were made and "
                   "write the VM's state to --checkpoint-file.")
@click.option("--checkpoint-file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Where --checkpoint-at writes (default .lumen/checkpoint/NAME.ckpt).")
@click.option("--restore", "restore_from", type=click.Path(dir_okay=False), metavar="FILE",
              help="Continue the run saved in checkpoint FILE (by --checkpoint-at).")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run_command(
    file: str | None,
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
    max_tokens: int | None,
    checkpoint_at: int | None,
    checkpoint_file: str | None,
    restore_from: str | None,
    args: tuple[str, ...],
) -> int:
    """Compile FILE (default: the project's entry file) and run its entry cell; ARGS are
    passed to the program."""
    checkpoint = None
    if checkpoint_at is not None or restore_from is not None or checkpoint_file is not None:
        checkpoint = _checkpoint_request(checkpoint_at, checkpoint_file, restore_from,
                                         as_json, trace_dir, replay, max_steps)
    return run_program(
        file,
        entry=entry,
        as_json=as_json,
        trace_dir=trace_dir,
        replay=replay,
        no_jit=no_jit,
        jit_threshold=jit_threshold,
        verbose=verbose,
        max_steps=max_steps,
        max_depth=max_depth,
        config_path=config_path,
        provider_overrides=provider_overrides,
        setting_overrides=setting_overrides,
        max_tokens=max_tokens,
        checkpoint=checkpoint,
        args=args,
    )


def _checkpoint_request(at: int | None, file: str | None, restore: str | None,
                        as_json: bool, trace_dir: str | None, replay: str | None,
                        max_steps: int | None) -> tuple[int | None, str | None, str | None]:
    if at is not None and restore is not None:
        raise click.UsageError("--checkpoint-at and --restore are separate runs")
    if file is not None and at is None:
        raise click.UsageError("--checkpoint-file goes with --checkpoint-at")
    if trace_dir is not None or replay is not None or max_steps is not None:
        raise click.UsageError("checkpoints do not combine with --trace-dir, --replay or "
                               "--max-steps")
    if as_json and at is not None:
        raise click.UsageError("--json reports a result; a run stopped by --checkpoint-at "
                               "has none")
    return at, file, restore
