"""textDocument/definition: where a local, cell, type, variant, field, method or tool alias
is declared, in this document or in an imported module."""

from __future__ import annotations

from lsprotocol import types as lsp

from lumen.lsp.documents import AnalyzedDocument, path_to_uri
from lumen.lsp.lookup import Target, imported_module_at, resolve_at
from lumen.lsp.positions import LineMap


def definition(document: AnalyzedDocument, params: lsp.DefinitionParams) -> list[lsp.Location]:
    line, column = document.lumen_position(params.position)
    module = imported_module_at(document, line, column)
    if module is not None:  # the module path of an `import`: the module's file
        start = lsp.Position(line=0, character=0)
        return [lsp.Location(uri=path_to_uri(module[1]), range=lsp.Range(start=start, end=start))]
    target = resolve_at(document, line, column)
    location = location_of(target, document) if target is not None else None
    return [location] if location is not None else []


def location_of(target: Target, document: AnalyzedDocument) -> lsp.Location | None:
    """The location of the target's name; builtins have none."""
    if target.local is not None:
        return lsp.Location(uri=document.uri, range=document.lines.range(target.local.span))
    if target.index is None:
        return None
    if target.path == document.path:
        return lsp.Location(uri=document.uri, range=document.lines.range(target.name_span))
    lines = LineMap(target.index.unit.text, document.lines.encoding)
    return lsp.Location(uri=path_to_uri(target.path), range=lines.range(target.name_span))
