"""Where a module path can live on disk (§15.2): candidate files and search roots.

Roots, in order: the importing file's directory; the project's source folder (`src/`, or
`[package] source` of `lumen.toml`); the project root; and, for module paths starting
with `std.`, the standard library folder last (the `std/` shipped inside the installed
package, or the repository's `std/` in a source checkout).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

# In order: the file itself, then a directory's `mod` file, then its `main` file.
_SUFFIXES = (".lm", ".lumen", ".lm.md", ".lumen.md")
_DIRECTORY_FILES = ("mod", "main")
PROJECT_MARKER = "lumen.toml"
STD_PACKAGE = "std"  # `import std.strings: …` -> STD_DIR/strings.lm


def relative_candidates(module: tuple[str, ...]) -> tuple[Path, ...]:
    """The candidate files of module path `a.b.c`, relative to a search root."""
    base = Path(*module)
    found = [base.parent / (base.name + suffix) for suffix in _SUFFIXES]
    for stem in _DIRECTORY_FILES:
        found.extend(base / (stem + suffix) for suffix in _SUFFIXES)
    return tuple(found)


def project_root(file: Path) -> Path | None:
    """The nearest ancestor directory of `file` holding `lumen.toml`, if any."""
    for directory in file.resolve().parents:
        if (directory / PROJECT_MARKER).is_file():
            return directory
    return None


@cache
def std_directory() -> Path | None:
    """The standard library folder: `lumen/std` in an installed package (in the repository
    a symlink to the top-level `std/`, so that setuptools ships it as package data), else
    `std/` next to the `lumen` package."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / STD_PACKAGE, package.parent / STD_PACKAGE):
        if candidate.is_dir():
            return candidate.resolve()  # the real folder: paths shown are std/…
    return None


def search_roots(importing_file: Path) -> tuple[Path, ...]:
    """The importing file's directory, then the project's source folder, then its root."""
    # The importing file's own directory as written, so that paths shown in diagnostics
    # and stack traces stay as short as the user's; the project root is absolute.
    roots = [importing_file.parent]
    root = project_root(importing_file)
    if root is not None:
        from lumen.project.manifest import load_manifest  # TOML is read only in projects

        roots.extend((load_manifest(root).manifest.source_dir, root))
    unique: dict[Path, Path] = {}
    for candidate in roots:  # a file in the project root itself: search it once
        unique.setdefault(candidate.resolve(), candidate)
    return tuple(unique.values())


def candidate_paths(module: tuple[str, ...], importing_file: Path) -> tuple[Path, ...]:
    """Every path tried for `module`, in resolution order."""
    relative = relative_candidates(module)
    tried = [root / candidate for root in search_roots(importing_file) for candidate in relative]
    std = std_directory()
    if std is not None and len(module) > 1 and module[0] == STD_PACKAGE:
        tried.extend(std / candidate for candidate in relative_candidates(module[1:]))
    return tuple(tried)


def resolve_module(module: tuple[str, ...], importing_file: Path) -> tuple[Path | None, tuple[Path, ...]]:
    """The first existing candidate (or None) and the paths tried."""
    tried = candidate_paths(module, importing_file)
    for path in tried:
        if path.is_file():
            return path, tried
    return None, tried
