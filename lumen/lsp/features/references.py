"""textDocument/references: the uses of the symbol under the cursor in the workspace: the
open documents (as edited) and the other Lumen files of the workspace folders (from disk)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lsprotocol import types as lsp

from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.lookup import resolve_at
from lumen.lsp.occurrences import documents_to_search, occurrences


def references(document: AnalyzedDocument, params: lsp.ReferenceParams,
               open_documents: Iterable[AnalyzedDocument] = (),
               workspace_roots: Iterable[Path] = ()) -> list[lsp.Location]:
    line, column = document.lumen_position(params.position)
    target = resolve_at(document, line, column)
    if target is None:
        return []
    include_declaration = params.context.include_declaration if params.context else True
    found: list[lsp.Location] = []
    for each in documents_to_search(document, target, open_documents, workspace_roots):
        for span in occurrences(each, target):
            if not include_declaration and each.path == target.path and span == target.name_span:
                continue
            found.append(lsp.Location(uri=each.uri, range=each.lines.range(span)))
    return found
