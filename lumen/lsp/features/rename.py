"""textDocument/prepareRename and textDocument/rename: every occurrence of a local or a
declaration (in every open document, and in the declaring file when it is not open) is
replaced. Builtins and keywords cannot be renamed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lsprotocol import types as lsp

from lumen.lsp.documents import AnalyzedDocument, analyze_text, path_to_uri
from lumen.lsp.lookup import resolve_at
from lumen.lsp.occurrences import occurrences


def prepare_rename(document: AnalyzedDocument, params: lsp.PrepareRenameParams) -> lsp.Range | None:
    line, column = document.lumen_position(params.position)
    target = resolve_at(document, line, column)
    if target is None or target.builtin:
        return None
    for span in occurrences(document, target):
        if span.line == line and span.column <= column <= span.end_column:
            return document.lines.range(span)
    return None


def rename(document: AnalyzedDocument, params: lsp.RenameParams,
           open_documents: Iterable[AnalyzedDocument] = ()) -> lsp.WorkspaceEdit | None:
    if not params.new_name.isidentifier():
        return None
    line, column = document.lumen_position(params.position)
    target = resolve_at(document, line, column)
    if target is None or target.builtin:
        return None
    documents = [document]
    if target.local is None:
        documents += [d for d in open_documents if d.uri != document.uri]
        if target.path and all(d.path != target.path for d in documents):
            documents.append(_from_disk(target.path, document))
    changes: dict[str, list[lsp.TextEdit]] = {}
    for each in documents:
        edits = [lsp.TextEdit(range=each.lines.range(span), new_text=params.new_name)
                 for span in occurrences(each, target)]
        if edits:
            changes[each.uri] = edits
    return lsp.WorkspaceEdit(changes=changes) if changes else None


def _from_disk(path: str, like: AnalyzedDocument) -> AnalyzedDocument:
    """The declaring file of an imported name, analysed from disk."""
    text = Path(path).read_text(encoding="utf-8")
    return analyze_text(path_to_uri(path), text, encoding=like.lines.encoding)
