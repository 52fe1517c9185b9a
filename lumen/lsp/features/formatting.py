"""textDocument/formatting: the `lumen fmt` printer over the editor's text, as one edit
replacing the whole document. A document that does not parse gets no edits (its syntax
errors are already shown as diagnostics)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types as lsp

from lumen.lsp.documents import AnalyzedDocument


def format_document(document: AnalyzedDocument, params: Any = None) -> list[lsp.TextEdit]:
    from lumen.format import format_file_text

    result = format_file_text(document.text, document.path)
    if result.text is None or result.text == document.text:
        return []
    return [lsp.TextEdit(range=document.lines.whole_document(), new_text=result.text)]
