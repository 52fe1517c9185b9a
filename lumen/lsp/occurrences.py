"""Every place in a document where a name refers to a given target: each whole-word
occurrence of the name in the code is resolved like a hover would, and kept when it means
the same declaration or local (strings, comments and Markdown prose never count)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from lumen.diagnostics import Span
from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.lookup import Target, resolve_at
from lumen.lsp.workspace import documents_mentioning


def same_target(a: Target, b: Target) -> bool:
    if a.builtin or b.builtin:
        return a.builtin and b.builtin and a.name == b.name
    if (a.local is None) != (b.local is None):
        return False
    return a.path == b.path and a.name_span == b.name_span and a.name == b.name


def occurrences(document: AnalyzedDocument, target: Target) -> list[Span]:
    """The spans (in `document`) of the names that refer to `target`, in order."""
    unit = document.unit
    if unit is None or document.program is None:
        return []
    pattern = re.compile(r"(?<![A-Za-z0-9_])" + re.escape(target.name) + r"(?![A-Za-z0-9_])")
    found: list[Span] = []
    for number, text in enumerate(unit.code.split("\n"), start=1):
        if target.name not in text:
            continue
        for match in pattern.finditer(text):
            column = match.start() + 1
            here = resolve_at(document, number, column)
            if here is not None and same_target(here, target):
                found.append(Span(number, column, number, column + len(target.name)))
    return found


def documents_to_search(document: AnalyzedDocument, target: Target,
                        open_documents: Iterable[AnalyzedDocument],
                        workspace_roots: Iterable[Path] = ()) -> list[AnalyzedDocument]:
    """Where uses of `target` can be: the document alone for a local; else every open
    document, and the workspace's other files that mention the name (read from disk)."""
    if target.local is not None:
        return [document]
    documents = [document] + [d for d in open_documents if d.uri != document.uri]
    opened = {os.path.realpath(d.path) for d in documents}
    roots = list(workspace_roots)
    if target.path and os.path.realpath(target.path) not in opened:
        roots.append(Path(target.path).parent)  # the declaring file and its neighbours
    encoding = document.lines.encoding
    return documents + documents_mentioning(target.name, roots, opened, encoding, target.path)
