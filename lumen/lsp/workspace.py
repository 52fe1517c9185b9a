"""The Lumen files of a workspace folder, for workspace-wide references and rename, and
the module names `import` completion offers. Bounded: a workspace may be a home folder."""

from __future__ import annotations

import os
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


def documents_mentioning(name: str, roots: Iterable[Path], skip_paths: set[str],
                         encoding: str) -> list[AnalyzedDocument]:
    """The workspace files (not open in the editor) whose text contains `name`, analysed
    from disk."""
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
            if name in text:
                found.append(analyze_text(path_to_uri(path), text, encoding=encoding))
    return found
