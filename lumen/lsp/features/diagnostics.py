"""textDocument/publishDiagnostics: every compile diagnostic of the document."""

from __future__ import annotations

import os
from collections.abc import Callable

from lsprotocol import types as lsp

from lumen.diagnostics import Diagnostic, Severity
from lumen.diagnostics.diagnostic import NO_SPAN
from lumen.lsp.documents import AnalyzedDocument

_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.NOTE: lsp.DiagnosticSeverity.Information,
}
SOURCE = "lumen"


def document_diagnostics(document: AnalyzedDocument) -> list[lsp.Diagnostic]:
    """The document's own diagnostics; problems reported in an imported file are shown at
    the document's first line, so that the user still learns about them."""
    own = _same_file(document.path)
    return [to_lsp(d, document, own(d.file)) for d in document.compilation.diagnostics]


def to_lsp(diagnostic: Diagnostic, document: AnalyzedDocument,
           in_document: bool = True) -> lsp.Diagnostic:
    message = diagnostic.message
    if diagnostic.hint:  # clients show related information inconsistently: keep it visible
        message += f"\nhint: {diagnostic.hint}"
    if in_document:
        range_ = document.lines.range(diagnostic.span)
    else:
        message = f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}: {message}"
        range_ = document.lines.range(NO_SPAN)
    related = None
    if diagnostic.hint and in_document:
        location = lsp.Location(uri=document.uri, range=range_)
        related = [lsp.DiagnosticRelatedInformation(location=location,
                                                    message=f"hint: {diagnostic.hint}")]
    return lsp.Diagnostic(
        range=range_,
        message=message,
        severity=_SEVERITY.get(diagnostic.severity, lsp.DiagnosticSeverity.Error),
        code=diagnostic.code,
        source=SOURCE,
        related_information=related,
    )


def _same_file(path: str) -> Callable[[str], bool]:
    def same(other: str) -> bool:
        if not other or other == path:
            return True
        try:
            return os.path.realpath(other) == os.path.realpath(path)
        except (OSError, ValueError):
            return False

    return same
