"""FILE optional for `lumen run` and `lumen check`: inside a project (a directory with
`lumen.toml`, or below one), no FILE, or a directory, means the project's entry file."""

from __future__ import annotations

import sys

from lumen.cli.report import (
    EXIT_COMPILE_ERROR,
    EXIT_USAGE,
    compile_failure_json,
    print_diagnostics,
    write_json_line,
)

_MORE = {"run": " [ARGS]..."}


def project_entry(command: str, file: str | None, as_json: bool = False) -> tuple[str | None, int]:
    """(the file to compile, 0), or (None, exit status) after reporting why there is none:
    a usage error without a project (shown as click shows one), a compile error for a bad
    manifest or a missing entry file."""
    from lumen.project import program_target

    target = program_target(file)
    if target.file is not None:
        return target.file, 0
    if target.usage_problem is not None:
        sys.stderr.write(f"Usage: lumen {command} [OPTIONS] [FILE]{_MORE.get(command, '')}\n"
                         f"Try 'lumen {command} --help' for help.\n\n"
                         f"Error: {target.usage_problem}\n")
        return None, EXIT_USAGE
    print_diagnostics(target.diagnostics, None)
    if as_json and command == "check":  # check --json: the array of diagnostics
        write_json_line([d.to_json() for d in target.diagnostics])
    elif as_json and target.diagnostics:  # run --json: the failure object
        write_json_line(compile_failure_json(target.diagnostics[0]))
    return None, EXIT_COMPILE_ERROR
