"""textDocument/documentHighlight: the other uses of the name under the cursor in this
document; its declaration is marked as a write."""

from __future__ import annotations

from lsprotocol import types as lsp

from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.lookup import resolve_at
from lumen.lsp.occurrences import occurrences


def document_highlight(document: AnalyzedDocument,
                       params: lsp.DocumentHighlightParams) -> list[lsp.DocumentHighlight]:
    line, column = document.lumen_position(params.position)
    target = resolve_at(document, line, column)
    if target is None:
        return []
    declared_here = target.path == document.path or target.local is not None
    highlights = []
    for span in occurrences(document, target):
        is_declaration = declared_here and span == target.name_span
        kind = lsp.DocumentHighlightKind.Write if is_declaration else lsp.DocumentHighlightKind.Read
        highlights.append(lsp.DocumentHighlight(range=document.lines.range(span), kind=kind))
    return highlights
