"""Completion inside `import` lines: module paths after `import`, and the names a module
exports after `import path:` (§15)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from lsprotocol import types as lsp

from lumen.lsp.index import load_index
from lumen.lsp.workspace import source_files

_MODULE_PATH = re.compile(r"^\s*(?:pub\s+)?import\s+([\w.]*)$")
_MODULE_NAMES = re.compile(  # `import a.b: X, Y as Z, ` and the name being typed
    r"^\s*(?:pub\s+)?import\s+([\w.]+)\s*:(?:\s*\w+(?:\s+as\s+\w+)?\s*,)*\s*\w*$")
_INDEX_STEMS = ("mod", "main")
_MAX_DEPTH = 4  # folders below a search root that are looked into
_EXPORTED_KINDS = frozenset({"cell", "record", "enum", "agent", "process", "type"})


def import_completions(prefix: str, importing_file: str,
                       buffers: Mapping[str, str] | None = None
                       ) -> list[lsp.CompletionItem] | None:
    """The items for a cursor in an `import` line, or None when it is not in one."""
    names = _MODULE_NAMES.match(prefix)
    if names is not None:
        return _exported_names(tuple(names.group(1).split(".")), importing_file, buffers)
    if _MODULE_PATH.match(prefix) is not None:
        return [lsp.CompletionItem(label=name, kind=lsp.CompletionItemKind.Module)
                for name in module_paths(Path(importing_file))]
    return None


def module_paths(importing_file: Path) -> list[str]:
    """Every module an `import` in `importing_file` could name (the file itself left out)."""
    from lumen.modules.resolve import STD_PACKAGE, search_roots, std_directory

    found: dict[str, None] = {}
    this = importing_file.resolve()
    for root in search_roots(importing_file):
        for name in _modules_under(root, exclude=this):
            found.setdefault(name, None)
    std = std_directory()
    if std is not None:
        for name in _modules_under(std, exclude=this):
            found.setdefault(f"{STD_PACKAGE}.{name}", None)
    return sorted(found)


def _modules_under(root: Path, exclude: Path) -> list[str]:
    """Module names of the Lumen files below `root` (`a/b/mod.lm` is module `a.b`)."""
    names: list[str] = []
    for path, suffix in source_files(root, max_depth=_MAX_DEPTH):
        if path.resolve() == exclude:
            continue
        parts = [*path.relative_to(root).parts[:-1], path.name[: -len(suffix)]]
        if parts[-1] in _INDEX_STEMS and len(parts) > 1:
            parts.pop()
        if all(part.isidentifier() for part in parts):
            names.append(".".join(parts))
    return names


def _exported_names(module: tuple[str, ...], importing_file: str,
                    buffers: Mapping[str, str] | None) -> list[lsp.CompletionItem]:
    from lumen.modules.resolve import resolve_module

    path, _ = resolve_module(module, Path(importing_file))
    index = load_index(path, buffers) if path is not None else None
    if index is None:
        return []
    return [lsp.CompletionItem(label=name, kind=lsp.CompletionItemKind.Reference, detail=d.kind)
            for name, d in index.names.items() if d.kind in _EXPORTED_KINDS]
