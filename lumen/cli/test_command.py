"""`lumen test [PATH ...] [--filter S] [--record DIR | --replay DIR] [--json]`: run the test
cells and docs-tests of a project (LANGUAGE.md §16.9; see lumen/testing and SPEC.md).

Exit status: 0 when every test passed, 1 when any failed (a file that does not compile is a
failed test), 64 for a usage error such as a PATH that does not exist.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lumen.cli.report import EXIT_COMPILE_ERROR, EXIT_OK, EXIT_USAGE, write_json_line

EXIT_TESTS_FAILED = EXIT_COMPILE_ERROR  # 1, as for `lumen check` with errors


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--filter", "name_filter", metavar="S", help="Only tests whose name contains S.")
@click.option("--record", "--trace-dir", "record_dir", type=click.Path(file_okay=False),
              metavar="DIR", help="Record one trace per test under DIR (tool calls go live).")
@click.option("--replay", "replay_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Serve every tool call of each test from its recording in DIR (offline).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report instead of text.")
@click.option("--no-jit", is_flag=True, help="Run in the interpreter only.")
@click.option("--max-steps", type=click.IntRange(min=1), metavar="N",
              help="Fail a test after N VM instructions (catches endless loops).")
def test_command(paths: tuple[str, ...], name_filter: str | None, record_dir: str | None,
                 replay_dir: str | None, as_json: bool, no_jit: bool,
                 max_steps: int | None) -> int:
    """Run the tests in PATH (files or folders; default: the project's src/ and tests/)."""
    from lumen.diagnostics.render import should_use_color
    from lumen.testing.discovery import default_paths, discover, project_root
    from lumen.testing.recordings import LIVE, RECORD, REPLAY, RecordingSettings
    from lumen.testing.report import TextReport, json_report
    from lumen.testing.runner import RunnerSettings, TestRunner, run_files

    if record_dir and replay_dir:
        click.echo("lumen test: --record and --replay cannot be used together", err=True)
        return EXIT_USAGE
    cwd = Path.cwd()
    chosen = [Path(p) for p in paths] or default_paths(cwd)
    files = discover(chosen, cwd)
    mode, directory = (RECORD, record_dir) if record_dir else (REPLAY, replay_dir) \
        if replay_dir else (LIVE, None)
    recording = RecordingSettings(mode, Path(directory) if directory else None,
                                  project_root(cwd) or cwd)
    runner = TestRunner(RunnerSettings(name_filter=name_filter, recording=recording,
                                       jit=not no_jit, max_steps=max_steps, config_dir=cwd))
    report = TextReport(sys.stdout, should_use_color(sys.stdout))
    results = run_files(files, runner, on_result=None if as_json else report.progress)
    if as_json:
        write_json_line(json_report(results))
    else:
        report.finish(results)
    if not files:
        shown = ", ".join(str(p) for p in chosen)
        click.echo(f"lumen test: no test files (.lm, .lumen, .lm.md, .lumen.md) in {shown}",
                   err=True)
    return EXIT_OK if all(r.passed for r in results) else EXIT_TESTS_FAILED
