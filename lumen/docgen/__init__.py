"""`lumen doc`: API documentation from declarations and their docstrings.

`document_path(PATH)` reads one file or every Lumen file under a folder (one module each,
named as it would be imported) and returns a `Documentation`; `render_markdown` and
`render_json` turn it into text. Only parsing is needed: a file with type errors is still
documented; a file that does not parse is reported (its diagnostics) and skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

from lumen.docgen.markdown import render_markdown
from lumen.docgen.model import DocItem, Documentation, Member, ModuleDoc

SOURCE_SUFFIXES = (".lm.md", ".lumen.md", ".lm", ".lumen")
_INDEX_STEMS = ("mod", "main")  # `a/b/mod.lm` is module `a.b` (§15.2)

__all__ = [
    "DocItem", "Documentation", "Member", "ModuleDoc", "document_path", "render_json",
    "render_markdown",
]


def document_path(path: str | Path, include_private: bool = True,
                  include_tests: bool = False) -> Documentation:
    """Document the file `path`, or every Lumen source file under the folder `path`."""
    root = Path(path)
    if root.is_dir():
        base = _module_base(root)
        files = source_files(root)
        title = root.resolve().name or str(root)
    else:
        base = root.parent
        files = [root]
        title = module_name(root, base)
    modules: list[ModuleDoc] = []
    diagnostics: list[object] = []
    sources: dict[str, object] = {}
    for file in files:
        documented = _document_file(file, module_name(file, base), include_private, include_tests)
        if isinstance(documented, ModuleDoc):
            modules.append(documented)
        else:
            unit, problems = documented
            diagnostics.extend(problems)
            if unit is not None:
                sources[unit.path] = unit
    return Documentation(title, tuple(modules), tuple(diagnostics), sources)


def render_json(documentation: Documentation) -> str:
    return json.dumps(documentation.to_json(), indent=2, ensure_ascii=False) + "\n"


def source_files(folder: Path) -> list[Path]:
    """Lumen files under `folder`, in path order, skipping hidden folders (`.lumen`,
    `.git`) and files."""
    found = []
    for candidate in sorted(folder.rglob("*")):
        relative = candidate.relative_to(folder).parts
        if any(part.startswith(".") for part in relative):
            continue
        if candidate.is_file() and candidate.name.lower().endswith(SOURCE_SUFFIXES):
            found.append(candidate)
    return found


def module_name(file: Path, base: Path) -> str:
    """The dotted name `file` is imported by, relative to `base`."""
    try:
        parts = list(file.relative_to(base).parts)
    except ValueError:
        parts = [file.name]
    last = parts[-1]
    for suffix in SOURCE_SUFFIXES:
        if last.lower().endswith(suffix):
            last = last[: -len(suffix)]
            break
    parts[-1] = last
    if len(parts) > 1 and last in _INDEX_STEMS:
        parts.pop()
    return ".".join(parts)


def _module_base(root: Path) -> Path:
    """Modules of a project are named from its source folder (`src/` by default)."""
    if (root / "lumen.toml").is_file() and (root / "src").is_dir():
        return root / "src"
    return root


def _document_file(file: Path, module: str, include_private: bool,
                   include_tests: bool) -> ModuleDoc | tuple[object, tuple[object, ...]]:
    from lumen.docgen.extract import document_unit
    from lumen.driver import collect_directives
    from lumen.source import SourceError, load_source
    from lumen.syntax import parse

    try:
        unit = load_source(file)
    except SourceError as exc:
        return None, (exc.diagnostic,)
    parsed = parse(unit.code, unit.path, unit.docblocks)
    errors = tuple(d for d in (*unit.diagnostics, *parsed.diagnostics) if d.is_error)
    if errors or parsed.program is None:
        return unit, errors
    effects = _inferred_effects(parsed.program, unit, collect_directives(unit, parsed.program))
    return document_unit(unit, parsed.program, module, effects, include_private, include_tests)


def _inferred_effects(program: object, unit: object, directives: dict[str, str | None]
                      ) -> dict[str, frozenset[str]]:
    """Each cell's effects as the checker infers them (imports unresolved: a name from
    another module simply contributes nothing)."""
    from lumen.sema import analyze

    analysis = analyze(program, file=unit.path, directives=directives)  # type: ignore[arg-type,attr-defined]
    return dict(analysis.effects)
