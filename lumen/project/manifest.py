"""The `[package]` table of a project's `lumen.toml` (§15.4): name, version, entry, source.

A project is the nearest ancestor directory holding `lumen.toml`. Its `[package]` table
says where the program starts and where its modules live:

    [package]
    name = "@acme/parsers"     # @namespace/name: lowercase letters, digits, '-'
    version = "0.1.0"
    entry = "src/main.lm"      # default: SOURCE/main with the first existing suffix
    source = "src"             # default "src": a search root for imports (§15.2)

Every other table of the file belongs to the runtime configuration
(`lumen.runtime.config`), which validates it when a program uses tools. Problems with
`[package]` are diagnostics E0902 at the key's file:line:col; reading never raises.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.diagnostics.diagnostic import NO_SPAN

MANIFEST_FILE = "lumen.toml"
DEFAULT_SOURCE = "src"
ENTRY_STEM = "main"
SOURCE_SUFFIXES = (".lm", ".lumen", ".lm.md", ".lumen.md")
PACKAGE_KEYS = {
    "name": "the package name, @namespace/name",
    "version": "the package version, e.g. 0.1.0",
    "entry": "the file `lumen run` runs, relative to the project root",
    "source": "the folder of the project's modules, relative to the project root",
    "description": "one line about the package",
    "authors": "a list of names",
    "license": "an SPDX license name",
}
# §15.4: `@namespace/name`, each part lowercase letters, digits and '-'.
PACKAGE_NAME = re.compile(r"@[a-z0-9-]+/[a-z0-9-]+")
_VERSION = re.compile(r"\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?")


@dataclass(frozen=True, slots=True)
class Manifest:
    """A project's `[package]` settings; `root` is the directory holding `lumen.toml`."""

    root: Path
    name: str | None = None
    version: str | None = None
    entry: str | None = None  # as written; None means the default
    source: str = DEFAULT_SOURCE

    @property
    def file(self) -> Path:
        return self.root / MANIFEST_FILE

    @property
    def source_dir(self) -> Path:
        return self.root / self.source

    def entry_path(self) -> Path:
        """The entry file: as configured, else SOURCE/main.lm (or the first existing other
        suffix of SOURCE/main)."""
        if self.entry is not None:
            return self.root / self.entry
        for suffix in SOURCE_SUFFIXES:
            candidate = self.source_dir / (ENTRY_STEM + suffix)
            if candidate.is_file():
                return candidate
        return self.source_dir / (ENTRY_STEM + SOURCE_SUFFIXES[0])


@dataclass(frozen=True, slots=True)
class ManifestResult:
    manifest: Manifest  # defaults for anything missing or invalid
    diagnostics: tuple[Diagnostic, ...] = ()


def is_valid_package_name(name: str) -> bool:
    return PACKAGE_NAME.fullmatch(name) is not None


def find_project_root(start: Path) -> Path | None:
    """The nearest directory holding `lumen.toml`: `start` itself when it is a directory,
    then each parent."""
    start = start.resolve()
    first = start if start.is_dir() else start.parent
    for directory in (first, *first.parents):
        if (directory / MANIFEST_FILE).is_file():
            return directory
    return None


# Keyed by the file's identity (path, mtime, size): import resolution asks once per
# importing file, and a long-lived process (the language server) sees edits.
_CACHE: dict[tuple[Path, int, int], ManifestResult] = {}


def load_manifest(root: Path) -> ManifestResult:
    """The `[package]` table of `root/lumen.toml`, validated."""
    file = root / MANIFEST_FILE
    try:
        stat = file.stat()
        key = (file, stat.st_mtime_ns, stat.st_size)
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Diagnostic(ErrorCode.CONFIG.value, f"cannot read {MANIFEST_FILE}: {exc}",
                             str(file), NO_SPAN)
        return ManifestResult(Manifest(root), (problem,))
    result = parse_manifest(text, root)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = result
    return result


def parse_manifest(text: str, root: Path) -> ManifestResult:
    """Validate the `[package]` table of the text of `root/lumen.toml`."""
    file = str(root / MANIFEST_FILE)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _decode_position(str(exc))
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        span = Span.point(line, column) if line else NO_SPAN
        return ManifestResult(Manifest(root), (Diagnostic(
            ErrorCode.CONFIG.value, f"invalid TOML: {reason}", file, span,
            hint="see https://toml.io for the syntax"),))
    checker = _PackageChecker(file, package_key_positions(text))
    package = data.get("package", {})
    if not isinstance(package, dict):
        checker.report(None, "'package' must be a table", "write it as a [package] section")
        return ManifestResult(Manifest(root), tuple(checker.diagnostics))
    manifest = checker.check(package, root)
    ordered = sorted(checker.diagnostics, key=lambda d: (d.line, d.column))
    return ManifestResult(manifest, tuple(ordered))


class _PackageChecker:
    def __init__(self, file: str, positions: dict[str | None, tuple[int, int]]) -> None:
        self.file = file
        self.positions = positions
        self.diagnostics: list[Diagnostic] = []

    def report(self, key: str | None, message: str, hint: str | None = None) -> None:
        line, column = self.positions.get(key) or self.positions.get(None) or (0, 0)
        span = Span(line, column, line, column + len(key or "package")) if line else NO_SPAN
        self.diagnostics.append(Diagnostic(ErrorCode.CONFIG.value, message, self.file, span,
                                           hint=hint))

    def check(self, package: dict[str, Any], root: Path) -> Manifest:
        for key in package:
            if key not in PACKAGE_KEYS:
                self.report(key, f"unknown key '{key}' in [package]",
                            f"known keys: {', '.join(sorted(PACKAGE_KEYS))}")
        name = self.string(package, "name")
        if name is not None and not is_valid_package_name(name):
            self.report("name", f"invalid package name '{name}'",
                        "a package name is @namespace/name, each part lowercase letters, "
                        "digits and '-', e.g. @acme/parsers")
            name = None
        version = self.string(package, "version")
        if version is not None and _VERSION.fullmatch(version) is None:
            self.report("version", f"invalid version '{version}'",
                        "write MAJOR.MINOR.PATCH, e.g. 0.1.0")
            version = None
        entry = self.relative_path(package, "entry")
        source = self.relative_path(package, "source") or DEFAULT_SOURCE
        for key in ("description", "license"):
            self.string(package, key)
        authors = package.get("authors")
        if authors is not None and not (isinstance(authors, list)
                                        and all(isinstance(a, str) for a in authors)):
            self.report("authors", "'package.authors' must be a list of strings")
        return Manifest(root, name, version, entry, source)

    def string(self, package: dict[str, Any], key: str) -> str | None:
        value = package.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.report(key, f"'package.{key}' must be a string")
            return None
        return value

    def relative_path(self, package: dict[str, Any], key: str) -> str | None:
        value = self.string(package, key)
        if value is None:
            return None
        path = PurePosixPath(value.replace("\\", "/"))
        if not value.strip() or path.is_absolute() or ".." in path.parts:
            self.report(key, f"'package.{key}' must be a path inside the project",
                        f"write it relative to the folder of {MANIFEST_FILE}, e.g. "
                        f"{'src/main.lm' if key == 'entry' else 'src'}")
            return None
        return str(path)


def _decode_position(message: str) -> tuple[int, int]:
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def package_key_positions(text: str) -> dict[str | None, tuple[int, int]]:
    """Line and column of the `[package]` header (key None) and of each key written under
    it (tomllib keeps no positions). Dotted `package.key = …` lines count too."""
    positions: dict[str | None, tuple[int, int]] = {}
    table: str | None = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        column = len(line) - len(line.lstrip()) + 1
        if stripped.startswith("["):
            header = stripped.strip("[] \t").split("#")[0].strip().strip("]").strip()
            table = "package" if header == "package" else None
            if table:
                positions.setdefault(None, (number, column))
            continue
        match = re.match(r"([A-Za-z0-9_-]+|\"[^\"]*\")\s*(\.\s*([A-Za-z0-9_-]+))?\s*=", stripped)
        if match is None:
            continue
        first = match.group(1).strip('"')
        if table == "package":
            positions.setdefault(first, (number, column))
        elif table == "" and first == "package" and match.group(3):
            positions.setdefault(None, (number, column))
            positions.setdefault(match.group(3), (number, column))
    return positions
