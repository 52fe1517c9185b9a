"""Every place in a document where a name refers to a given target: each whole-word
occurrence of the name in the code is resolved like a hover would, and kept when it means
the same declaration or local (strings, comments and Markdown prose never count)."""

from __future__ import annotations

import re

from lumen.diagnostics import Span
from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.lookup import Target, resolve_at


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
