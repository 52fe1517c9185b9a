"""textDocument/inlayHint: the inferred type after a `let` name written without one, and
the parameter name before each positional argument of a call of a cell or builtin."""

from __future__ import annotations

from lsprotocol import types as lsp

from lumen.lsp.builtins import builtin_signature
from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.index import DeclarationIndex
from lumen.lsp.lookup import document_bindings, document_index, resolve_global
from lumen.lsp.tree import walk
from lumen.syntax import ast

_UNKNOWN_TYPES = frozenset({"Any", "?"})


def inlay_hints(document: AnalyzedDocument, params: lsp.InlayHintParams) -> list[lsp.InlayHint]:
    index = document_index(document)
    if document.program is None or index is None:
        return []
    first = params.range.start.line + 1
    last = params.range.end.line + 1
    bindings = {b.span: b for b in document_bindings(document)}
    hints: list[lsp.InlayHint] = []
    for node in walk(document.program):
        if node.span.line < 1 or node.span.end_line < first or node.span.line > last:
            continue
        if isinstance(node, ast.Let) and node.type is None and isinstance(node.target, ast.BindPat):
            binding = bindings.get(node.target.span)
            if binding is not None and binding.type_text and binding.type_text not in _UNKNOWN_TYPES:
                end = node.target.span
                position = document.lines.position(end.end_line, end.end_column)
                hints.append(lsp.InlayHint(position=position, label=f": {binding.type_text}",
                                           kind=lsp.InlayHintKind.Type))
        elif isinstance(node, ast.Call) and isinstance(node.callee, ast.Name):
            hints.extend(_parameter_hints(document, index, node))
    return hints


def _parameter_hints(document: AnalyzedDocument, index: DeclarationIndex,
                     call: ast.Call) -> list[lsp.InlayHint]:
    assert isinstance(call.callee, ast.Name)
    names = _parameter_names(document, index, call.callee.id)
    hints = []
    for position, arg in enumerate(call.args):
        if arg.name is not None or arg.spread or position >= len(names):
            break  # named and spread arguments end the positional ones
        name = names[position]
        if name.startswith("..."):
            break  # a variadic parameter takes the rest: one label would say little
        if (isinstance(arg.value, ast.Name) and arg.value.id == name):
            continue
        if isinstance(arg.value, ast.Lambda) or arg.value.span.line < 1:
            continue
        start = document.lines.position(arg.value.span.line, arg.value.span.column)
        hints.append(lsp.InlayHint(position=start, label=f"{name}:", kind=lsp.InlayHintKind.Parameter,
                                   padding_right=True))
    return hints


def _parameter_names(document: AnalyzedDocument, index: DeclarationIndex, callee: str) -> list[str]:
    target = resolve_global(document, index, callee)
    if target is not None and target.declared is not None:
        node = target.declared.node
        if isinstance(node, ast.CellDecl):
            return [("..." if p.variadic else "") + p.name for p in node.params]
        return []
    signature = builtin_signature(callee) if target is not None and target.builtin else None
    return [] if signature is None else list(signature.params)
