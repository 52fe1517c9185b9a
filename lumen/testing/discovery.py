"""Which files `lumen test PATH ...` looks at, and which cells of a file are tests (§16.9).

- A folder is walked recursively (hidden folders and `__pycache__` skipped) for programs
  (`.lm`, `.lumen`, `.lm.md`, `.lumen.md`); plain `.md` files in a folder are not taken,
  so a project's README or notes never become tests by accident.
- A file named explicitly is taken whatever its suffix among those, and also when it is a
  plain `.md` file: then only its fenced docs blocks are checked.
- No PATH: the project folder, i.e. the folder of the nearest `lumen.toml` above the current
  directory, narrowed to its `src/` and `tests/` folders when it has them; without a
  `lumen.toml`, the current directory.
- Test cells: top-level cells whose name starts with `test_` or that carry `@test`, in
  source order.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROGRAM_SUFFIXES = (".lm.md", ".lumen.md", ".lm", ".lumen")
LITERATE_SUFFIXES = (".lm.md", ".lumen.md")
DOCS_SUFFIXES = (".md", ".markdown")
PROJECT_FILE = "lumen.toml"
PROJECT_TEST_FOLDERS = ("src", "tests")  # "src": the `[package] source` folder
TEST_PREFIX = "test_"
TEST_ATTRIBUTE = "test"


@dataclass(frozen=True, slots=True)
class TestFile:
    """A file to test. `program`: it is compiled and its test cells run; `docs`: its fenced
    blocks with a docs-test mode are checked (every `lumen` block, for a plain `.md`)."""

    path: str
    program: bool
    docs: bool

    __test__ = False  # not a pytest test class, despite the name


@dataclass(frozen=True, slots=True)
class TestCell:
    """A test cell: its name, where it is declared, and whether it needs arguments (then it
    cannot be run and fails)."""

    name: str
    line: int
    column: int
    needs_arguments: bool = False

    __test__ = False


def project_root(start: Path) -> Path | None:
    """The folder of the nearest `lumen.toml` at or above `start`, if any."""
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def default_paths(start: Path) -> list[Path]:
    """What `lumen test` without PATH tests (see the module docstring)."""
    root = project_root(start)
    if root is None:
        return [start]
    from lumen.project.manifest import load_manifest

    source = load_manifest(root).manifest.source  # `[package] source`, default `src`
    names = dict.fromkeys((source, *PROJECT_TEST_FOLDERS[1:]))
    folders = [root / name for name in names if (root / name).is_dir()]
    return folders or [root]


def discover(paths: Iterable[Path], base: Path) -> list[TestFile]:
    """The files to test under `paths`, each once, shown relative to `base` when inside it."""
    found: dict[str, TestFile] = {}
    for path in paths:
        for test_file in _files_of(path):
            shown = _shown(Path(test_file.path), base)
            found.setdefault(shown, TestFile(shown, test_file.program, test_file.docs))
    return list(found.values())


def _files_of(path: Path) -> Iterator[TestFile]:
    if path.is_dir():
        for folder, subfolders, names in os.walk(path):
            subfolders[:] = sorted(d for d in subfolders if not _skipped_folder(d))
            for name in sorted(names):
                if _is_program(name):
                    yield _program_file(Path(folder) / name)
        return
    if _is_program(path.name):
        yield _program_file(path)
    elif path.name.lower().endswith(DOCS_SUFFIXES):
        yield TestFile(str(path), program=False, docs=True)


def _program_file(path: Path) -> TestFile:
    return TestFile(str(path), program=True, docs=path.name.lower().endswith(LITERATE_SUFFIXES))


def _is_program(name: str) -> bool:
    return name.lower().endswith(PROGRAM_SUFFIXES)


def _skipped_folder(name: str) -> bool:
    return name.startswith(".") or name in ("__pycache__", "node_modules")


def _shown(path: Path, base: Path) -> str:
    """`path` relative to `base` when it lies inside it (the form users typed), else as is."""
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def find_test_cells(program: Any, entry_points: Iterable[str]) -> list[TestCell]:
    """The test cells among the top-level cells of `program` (a syntax tree) that the
    compiled module can run (`entry_points`), in source order."""
    from lumen.syntax import ast

    runnable = set(entry_points)
    cells: list[TestCell] = []
    for item in getattr(program, "items", ()):
        if not isinstance(item, ast.CellDecl) or item.name not in runnable:
            continue
        marked = any(a.name == TEST_ATTRIBUTE for a in item.attributes or ())
        if not (item.name.startswith(TEST_PREFIX) or marked):
            continue
        needs_arguments = any(p.default is None and not p.variadic for p in item.params)
        cells.append(TestCell(item.name, item.span.line, item.span.column, needs_arguments))
    return sorted(cells, key=lambda cell: (cell.line, cell.column))
