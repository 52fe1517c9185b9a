"""textDocument/references: the uses of the symbol under the cursor in every open document
(a cell of an imported module is found in the documents that import it)."""

from __future__ import annotations

from collections.abc import Iterable

from lsprotocol import types as lsp

from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.lookup import resolve_at
from lumen.lsp.occurrences import occurrences


def references(document: AnalyzedDocument, params: lsp.ReferenceParams,
               open_documents: Iterable[AnalyzedDocument] = ()) -> list[lsp.Location]:
    line, column = document.lumen_position(params.position)
    target = resolve_at(document, line, column)
    if target is None:
        return []
    include_declaration = params.context.include_declaration if params.context else True
    found: list[lsp.Location] = []
    documents = [document] + [d for d in open_documents if d.uri != document.uri]
    for each in documents:
        if target.local is not None and each is not document:
            continue  # a local is never seen from another file
        for span in occurrences(each, target):
            if not include_declaration and each.path == target.path and span == target.name_span:
                continue
            found.append(lsp.Location(uri=each.uri, range=each.lines.range(span)))
    return found
