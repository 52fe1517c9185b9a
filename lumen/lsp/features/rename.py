"""textDocument/prepareRename and textDocument/rename: every occurrence of a local (in its
scope) or of a declaration (in the workspace, as references finds them) is replaced.
Builtins and keywords cannot be renamed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lsprotocol import types as lsp

from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.lookup import resolve_at
from lumen.lsp.occurrences import documents_to_search, occurrences


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
           open_documents: Iterable[AnalyzedDocument] = (),
           workspace_roots: Iterable[Path] = ()) -> lsp.WorkspaceEdit | None:
    if not params.new_name.isidentifier():
        return None
    line, column = document.lumen_position(params.position)
    target = resolve_at(document, line, column)
    if target is None or target.builtin:
        return None
    changes: dict[str, list[lsp.TextEdit]] = {}
    for each in documents_to_search(document, target, open_documents, workspace_roots):
        edits = [lsp.TextEdit(range=each.lines.range(span), new_text=params.new_name)
                 for span in occurrences(each, target)]
        if edits:
            changes[each.uri] = edits
    return lsp.WorkspaceEdit(changes=changes) if changes else None
