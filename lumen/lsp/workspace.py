"""The Lumen files of a workspace folder, for workspace-wide references and rename, and
the module names `import` completion offers. Bounded: a workspace may be a home folder."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from lumen.lsp.documents import AnalyzedDocument, analyze_text, path_to_uri

SOURCE_SUFFIXES = (".lm.md", ".lumen.md", ".lm", ".lumen")  # longest first
MAX_DEPTH = 6
MAX_FILES = 400


def source_files(root: Path, max_depth: int = MAX_DEPTH,
                 max_files: int = MAX_FILES) -> Iterator[tuple[Path, str]]:
    """(path, suffix) of the Lumen files below `root`, hidden folders skipped, in a stable
    order, at most `max_depth` folders deep and `max_files` files."""
    if not root.is_dir():
        return
    count = 0
    for folder, subfolders, files in os.walk(root):
        depth = len(Path(folder).relative_to(root).parts)
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and depth < max_depth)
        for file in sorted(files):
            suffix = next((s for s in SOURCE_SUFFIXES if file.endswith(s)), None)
            if suffix is None:
                continue
            yield Path(folder) / file, suffix
            count += 1
            if count >= max_files:
                return


_IMPORT = re.compile(r"^\s*(?:pub\s+)?import\s+([\w.]+)", re.MULTILINE)


def imports_file(text: str, path: Path, target: str) -> bool:
    """Does the file `path` (content `text`) import the module file `target`?"""
    from lumen.modules.resolve import resolve_module

    for match in _IMPORT.finditer(text):
        found, _ = resolve_module(tuple(match.group(1).split(".")), path)
        if found is not None and os.path.realpath(found) == target:
            return True
    return False


def documents_mentioning(name: str, roots: Iterable[Path], skip_paths: set[str],
                         encoding: str, declared_in: str) -> list[AnalyzedDocument]:
    """The workspace files (not open in the editor) that can refer to the declaration
    `name` of the file `declared_in`: that file itself and the files importing it whose
    text contains the name; analysed from disk."""
    target = os.path.realpath(declared_in)
    found: list[AnalyzedDocument] = []
    seen: set[str] = set()
    for root in roots:
        for path, _ in source_files(root):
            real = os.path.realpath(path)
            if real in seen or real in skip_paths:
                continue
            seen.add(real)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if name in text and (real == target or imports_file(text, path, target)):
                found.append(analyze_text(path_to_uri(path), text, encoding=encoding))
    return found
