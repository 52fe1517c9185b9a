"""`lumen fmt [--check] [--diff] PATHS...`: the canonical formatter (SPEC.md, "lumen fmt").

Folders are searched for `.lm`, `.lumen`, `.lm.md` and `.lumen.md` files (hidden folders
skipped); a lone `-` formats standard input to standard output (plain source). A file with a syntax error gets its diagnostics and stays untouched. Without
options files are rewritten in place (temp file + rename, mode kept); `--check` and
`--diff` change nothing. Exit status 1 when a file could not be formatted, or, with
`--check`, when one would change.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from lumen.cli.report import EXIT_COMPILE_ERROR, EXIT_OK, print_diagnostics

SOURCE_SUFFIXES = (".lm", ".lumen", ".lm.md", ".lumen.md")


def source_files(paths: tuple[str, ...]) -> list[Path]:
    """The files named, and the Lumen sources under the folders named, each once."""
    found: list[Path] = []
    seen: set[Path] = set()
    for name in paths:
        path = Path(name)
        candidates = [path] if not path.is_dir() else sorted(_walk(path))
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _walk(folder: Path) -> list[Path]:
    files = []
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        files += [Path(root, n) for n in names if n.lower().endswith(SOURCE_SUFFIXES)]
    return files


def write_atomically(path: Path, text: str) -> None:
    """Replace the file's content in one step: a crash leaves the old or the new file.
    A symbolic link stays a link: its target is rewritten."""
    path = path.resolve()
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class _Summary:
    def __init__(self) -> None:
        self.changed: list[Path] = []
        self.unchanged = 0
        self.failed = 0


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@click.option("--check", is_flag=True, help="Change nothing; list the files that would change (exit 1 if any).")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print what would change as a diff.")
def fmt_command(paths: tuple[str, ...], check: bool, show_diff: bool) -> int:
    """Format Lumen files (folders: every .lm, .lumen, .lm.md, .lumen.md inside; `-`:
    standard input to standard output)."""
    if paths == ("-",):
        return _format_stdin(check)
    summary = _Summary()
    for path in source_files(paths):
        _format_one(path, check or show_diff, show_diff, summary)
    _report(summary, check or show_diff)
    if summary.failed or (check and summary.changed):
        return EXIT_COMPILE_ERROR
    return EXIT_OK


def _format_stdin(check: bool) -> int:
    """For editors: the formatted text on stdout (the input unchanged when it cannot be
    formatted, with the reason on stderr)."""
    from lumen.format import format_plain

    text = sys.stdin.read()
    result = format_plain(text, "<stdin>")
    if result.text is None:
        if result.diagnostics:
            from lumen.source import source_from_text

            print_diagnostics(result.diagnostics, source_from_text(text, "<stdin>"))
        else:
            click.echo(f"lumen fmt: not formatted: a formatter self-check failed "
                       f"({result.failure}); please report it", err=True)
        sys.stdout.write(text)
        return EXIT_COMPILE_ERROR
    sys.stdout.write(result.text)
    return EXIT_COMPILE_ERROR if check and result.text != text else EXIT_OK


def _format_one(path: Path, dry_run: bool, show_diff: bool, summary: _Summary) -> None:
    from lumen.format import format_file_text
    from lumen.source import source_from_text

    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else error.strerror
        click.echo(f"lumen fmt: {path}: cannot read ({reason})", err=True)
        summary.failed += 1
        return
    result = format_file_text(text, str(path))
    if result.text is None:
        summary.failed += 1
        if result.diagnostics:
            print_diagnostics(result.diagnostics, source_from_text(text, str(path)))
            click.echo(f"lumen fmt: {path}: not formatted (syntax errors)", err=True)
        else:
            click.echo(f"lumen fmt: {path}: not formatted: a formatter self-check failed "
                       f"({result.failure}); please report it", err=True)
        return
    if result.text == text:
        summary.unchanged += 1
        return
    summary.changed.append(path)
    if show_diff:
        _print_diff(path, text, result.text)
    elif dry_run:
        click.echo(f"would reformat {path}")
    else:
        write_atomically(path, result.text)
        click.echo(f"reformatted {path}")


def _print_diff(path: Path, before: str, after: str) -> None:
    import difflib

    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        f"{path} (original)", f"{path} (formatted)",
    )
    for line in lines:
        sys.stdout.write(line if line.endswith("\n") else line + "\n")
    sys.stdout.flush()


def _report(summary: _Summary, dry_run: bool) -> None:
    def files(n: int) -> str:
        return f"{n} file" + ("" if n == 1 else "s")

    verb = "would be reformatted" if dry_run else "reformatted"
    parts = [f"{files(len(summary.changed))} {verb}", f"{files(summary.unchanged)} unchanged"]
    if summary.failed:
        parts.append(f"{files(summary.failed)} not formatted")
    click.echo("lumen fmt: " + ", ".join(parts), err=True)
