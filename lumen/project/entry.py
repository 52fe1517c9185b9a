"""Which file a command means: the FILE given, or the entry file of the project around
the working directory (or around the directory given) when there is none."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.diagnostics.diagnostic import NO_SPAN
from lumen.project.manifest import (
    MANIFEST_FILE,
    find_project_root,
    load_manifest,
    package_key_positions,
)


@dataclass(frozen=True, slots=True)
class ProgramTarget:
    """The file to compile, or why there is none: `diagnostics` (a bad manifest or a
    missing entry file: exit 1) or `usage_problem` (no project at all: exit 64)."""

    file: str | None
    diagnostics: tuple[Diagnostic, ...] = ()
    usage_problem: str | None = None


def program_target(file: str | None) -> ProgramTarget:
    """FILE itself when it names a file (or a directory outside any project); else the
    entry of the project holding the directory FILE names (the working directory when FILE
    is None)."""
    if file is not None and not os.path.isdir(file):
        return ProgramTarget(file)
    start = Path(file if file is not None else ".")
    root = find_project_root(start)
    if root is None:
        if file is not None:  # a directory outside any project: the compiler says why not
            return ProgramTarget(file)
        return ProgramTarget(None, usage_problem=(
            f"no FILE given and no {MANIFEST_FILE} in the working directory or its parents "
            "(give a FILE, or run inside a project made by `lumen new`)"))
    loaded = load_manifest(root)
    errors = tuple(d for d in loaded.diagnostics if d.is_error)
    if errors:
        return ProgramTarget(None, errors)
    entry = loaded.manifest.entry_path()
    if not entry.is_file():
        manifest_file = root / MANIFEST_FILE
        return ProgramTarget(None, (_missing_entry(entry, manifest_file,
                                                   loaded.manifest.entry is not None),))
    return ProgramTarget(_display_path(entry))


def _missing_entry(entry: Path, manifest_file: Path, configured: bool) -> Diagnostic:
    span = NO_SPAN
    if configured:
        try:
            positions = package_key_positions(manifest_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            positions = {}
        line, column = positions.get("entry", (0, 0))
        span = Span(line, column, line, column + len("entry")) if line else NO_SPAN
    how = "set by [package] entry" if configured else "the default entry; set [package] entry"
    return Diagnostic(ErrorCode.FILE_NOT_FOUND.value,
                      f"the project's entry file {_display_path(entry)} does not exist",
                      str(manifest_file), span, hint=f"{how} in {MANIFEST_FILE}")


def _display_path(path: Path) -> str:
    """Relative to the working directory when below it, as a user would type it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative
