"""The type a receiver name stands for while the user types `name.` or `name.method(`:
the text then rarely parses, so the names come from the last version that did (the
document's outline) and only the receiver's spelling from the current text."""

from __future__ import annotations

from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.index import TYPE_KINDS, DeclarationIndex, Declared, build_index
from lumen.lsp.lookup import base_type_name, bindings_of, resolve_global
from lumen.lsp.scopes import LocalBinding, visible_at
from lumen.lsp.tree import walk
from lumen.syntax import ast


def outline_index(document: AnalyzedDocument) -> DeclarationIndex | None:
    """The declarations of the last version of the document that parsed."""
    if document.outline_program is None or document.outline_unit is None:
        return None
    return build_index(document.outline_unit, document.outline_program)


def outline_locals(document: AnalyzedDocument, index: DeclarationIndex, line: int,
                   column: int) -> dict[str, LocalBinding]:
    """The locals visible at (line, column) in the outline."""
    return visible_at(bindings_of(document, index, document.outline_analysis), line, column)


def receiver_type(document: AnalyzedDocument, index: DeclarationIndex, receiver: str,
                  line: int, column: int) -> str | None:
    """The type `receiver` names (a record, enum, agent, ...), or that `self` or a local of
    a known type holds, at (line, column)."""
    if receiver == "self":
        return owner_at(index, line)
    declared = index.names.get(receiver)
    if declared is not None and declared.kind in TYPE_KINDS:
        return receiver
    local = outline_locals(document, index, line, column).get(receiver)
    if local is None or not local.type_text:
        return None
    return base_type_name(local.type_text)


def members_of_type(document: AnalyzedDocument, index: DeclarationIndex,
                    owner: str) -> list[Declared]:
    """The fields, variants and methods of `owner`, declared here or in its module."""
    members = index.members_of(owner)
    if members:
        return members
    target = resolve_global(document, index, owner)
    if target is not None and target.index is not None and target.index is not index:
        return target.index.members_of(target.name)
    return []


def owner_at(index: DeclarationIndex, line: int) -> str | None:
    """The agent, process, enum or impl target whose lines hold `line` (what `self` is)."""
    owner = None
    for node in walk(index.program):
        if isinstance(node, ast.AgentDecl | ast.ProcessDecl | ast.EnumDecl | ast.ImplDecl) \
                and node.span.line <= line <= node.span.end_line:
            owner = node.target if isinstance(node, ast.ImplDecl) else node.name
    return owner
