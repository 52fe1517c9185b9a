"""textDocument/hover: signatures of cells, records, enums, variants, fields and builtins,
the types of locals, and the documentation of a declaration (its docstring, or in a
Markdown file the prose paragraph before its code block: the text `lumen doc` shows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from lumen.lsp.builtins import builtin_constant_type, builtin_signature
from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.index import DeclarationIndex, Declared
from lumen.lsp.lookup import Target, imported_module_at, resolve_at
from lumen.syntax import ast

_LOCAL_WORDS = {"parameter": "param", "variable": "let", "pattern": "let"}


def hover(document: AnalyzedDocument, params: lsp.HoverParams) -> lsp.Hover | None:
    line, column = document.lumen_position(params.position)
    module = imported_module_at(document, line, column)
    if module is not None:
        name, path = module
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown,
                                                    value=f"module `{name}`\n\n`{path}`"))
    target = resolve_at(document, line, column)
    if target is None:
        return None
    text = describe(target, document)
    if not text:
        return None
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text))


def describe(target: Target, document: AnalyzedDocument) -> str | None:
    """The Markdown shown for `target`."""
    if target.local is not None:
        local = target.local
        word = _LOCAL_WORDS.get(local.kind, "let")
        if local.mutable:
            word += " mut"
        typed = f": {local.type_text}" if local.type_text else ""
        return _code(f"{word} {local.name}{typed}")
    if target.builtin:
        signature = builtin_signature(target.name)
        if signature is not None:
            return _code(f"builtin {signature.label}")
        constant = builtin_constant_type(target.name)
        return _code(f"const {target.name}: {constant}") if constant else None
    if target.declared is None or target.index is None:
        return None
    parts = [_code(signature_of(target.declared))]
    effects = _inferred_effects(target, document)
    if effects:
        parts.append("effects: `{" + ", ".join(effects) + "}`")
    if target.declared.owner is not None:
        owner = target.declared.owner_name
        parts.append(f"{target.declared.kind} of `{owner}`")
    doc = documentation(target.declared, target.index)
    if doc:
        parts.append(doc)
    if target.path != document.path:
        parts.append(f"from `{Path(target.path).name}`")
    return "\n\n---\n\n".join(parts)


def signature_of(declared: Declared) -> str:
    """The declaration as Lumen source, bodies left out."""
    from lumen.docgen.extract import signature
    from lumen.syntax.printer import print_expr, print_type

    node = declared.node
    if isinstance(node, ast.VariantDecl):
        fields = ""
        if node.fields is not None:
            fields = "(" + ", ".join(("" if f.name is None else f.name + ": ") + print_type(f.type)
                                     for f in node.fields) + ")"
        return f"{declared.owner_name}.{node.name}{fields}"
    if isinstance(node, ast.FieldDecl):
        default = f" = {print_expr(node.default)}" if node.default is not None else ""
        return f"{declared.owner_name}.{node.name}: {print_type(node.type)}{default}"
    return signature(node).strip()


def documentation(declared: Declared, index: DeclarationIndex) -> str | None:
    """The docstring (or Markdown prose) of a declaration, as `lumen doc` finds it."""
    from lumen.docgen.extract import document_unit

    module = document_unit(index.unit, index.program, Path(index.unit.path).stem, include_tests=True)
    owner = declared.owner_name
    for item in module.items:
        if owner is None and item.name == declared.name and item.line == declared.node.span.line:
            return item.doc
        if owner is not None and item.name == owner:
            for member in item.members:
                if member.name == declared.name:
                    return member.doc
    doc = getattr(declared.node, "doc", None)  # a declaration nested in a body
    return doc.strip() if isinstance(doc, str) and doc.strip() else None


def _inferred_effects(target: Target, document: AnalyzedDocument) -> list[str]:
    declared = target.declared
    if declared is None or not isinstance(declared.node, ast.CellDecl):
        return []
    if declared.node.effects is not None:  # a declared row is in the signature already
        return []
    if target.path != document.path or document.analysis is None:
        return []
    name = declared.name if declared.owner is None else f"{declared.owner_name}.{declared.name}"
    effects: Any = document.analysis.effects.get(name)
    return sorted(effects) if effects else []


def _code(text: str) -> str:
    return f"```lumen\n{text}\n```"
