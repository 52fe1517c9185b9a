"""Where a module path can live on disk (§15.2): candidate files and search roots."""

from __future__ import annotations

from pathlib import Path

# In order: the file itself, then a directory's `mod` file, then its `main` file.
_SUFFIXES = (".lm", ".lumen", ".lm.md", ".lumen.md")
_DIRECTORY_FILES = ("mod", "main")
PROJECT_MARKER = "lumen.toml"


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


def search_roots(importing_file: Path) -> tuple[Path, ...]:
    """The importing file's directory, then `src/` under the project root, then the root."""
    # The importing file's own directory as written, so that paths shown in diagnostics
    # and stack traces stay as short as the user's; the project root is absolute.
    roots = [importing_file.parent]
    root = project_root(importing_file)
    if root is not None:
        roots.extend((root / "src", root))
    unique: dict[Path, Path] = {}
    for candidate in roots:  # a file in the project root itself: search it once
        unique.setdefault(candidate.resolve(), candidate)
    return tuple(unique.values())


def candidate_paths(module: tuple[str, ...], importing_file: Path) -> tuple[Path, ...]:
    """Every path tried for `module`, in resolution order."""
    relative = relative_candidates(module)
    return tuple(root / candidate for root in search_roots(importing_file) for candidate in relative)


def resolve_module(module: tuple[str, ...], importing_file: Path) -> tuple[Path | None, tuple[Path, ...]]:
    """The first existing candidate (or None) and the paths tried."""
    tried = candidate_paths(module, importing_file)
    for path in tried:
        if path.is_file():
            return path, tried
    return None, tried
