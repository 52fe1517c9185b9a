"""`lumen new NAME`: a project folder that runs and tests out of the box.

The files come from `template/` (package data): each `X.tmpl` becomes `X`, with `$name`
(the folder name) and `$package` (`@scope/name`) filled in; `gitignore.tmpl` becomes
`.gitignore` (a dot file would be skipped by the package-data globs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from lumen.project.manifest import is_valid_package_name

TEMPLATE_DIR = Path(__file__).resolve().parent / "template"
TEMPLATE_SUFFIX = ".tmpl"
DEFAULT_SCOPE = "local"
_RENAMED = {"gitignore": ".gitignore"}


class ScaffoldError(Exception):
    """Why a project cannot be made here (a message for the user)."""


@dataclass(frozen=True, slots=True)
class Scaffold:
    root: Path
    package: str
    files: tuple[Path, ...]  # relative to root, in creation order


def package_name(folder_name: str, scope: str = DEFAULT_SCOPE) -> str:
    """`@scope/name` from a folder name: lowercased, `_`, `.` and spaces turned into `-`."""
    name = re.sub(r"[_.\s]+", "-", folder_name.strip().lower()).strip("-")
    package = f"@{scope.strip().lstrip('@').lower()}/{name}"
    if not is_valid_package_name(package):
        raise ScaffoldError(
            f"'{package}' is not a valid package name: a package name is @scope/name, each "
            "part lowercase letters, digits and '-'")
    return package


def template_files() -> list[Path]:
    """The template's files, relative to TEMPLATE_DIR, sorted."""
    return sorted(p.relative_to(TEMPLATE_DIR) for p in TEMPLATE_DIR.rglob("*" + TEMPLATE_SUFFIX)
                  if p.is_file())


def scaffold(target: Path, scope: str = DEFAULT_SCOPE) -> Scaffold:
    """Create the project folder `target` (it must not exist, or be empty)."""
    name = target.resolve().name
    package = package_name(name, scope)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"'{target}' already exists and is not an empty folder")
    written: list[Path] = []
    values = {"name": name, "package": package}
    for relative in template_files():
        text = Template((TEMPLATE_DIR / relative).read_text(encoding="utf-8")).substitute(values)
        stem = relative.name[: -len(TEMPLATE_SUFFIX)]
        out = relative.parent / _RENAMED.get(stem, stem)
        (target / out).parent.mkdir(parents=True, exist_ok=True)
        (target / out).write_text(text, encoding="utf-8")
        written.append(out)
    return Scaffold(target, package, tuple(written))
