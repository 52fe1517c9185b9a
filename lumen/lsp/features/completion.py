"""textDocument/completion: keywords, locals in scope, declarations (this file's and the
imported ones), builtins with their signatures; after `receiver.` the fields, variants and
methods of the receiver's type when it is known.

While a line is being typed the document usually does not parse (`p.` is incomplete), so
the names come from the last version that parsed (`AnalyzedDocument.outline_*`); only the
text before the cursor is read from the current buffer.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from lsprotocol import types as lsp

from lumen.lsp.builtins import builtin_constant_type, builtin_signature
from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.features.completion_imports import import_completions
from lumen.lsp.index import (
    DeclarationIndex,
    Declared,
    import_source,
    load_index,
)
from lumen.lsp.lookup import base_type_name, text_context
from lumen.lsp.receivers import members_of_type, outline_index, outline_locals, receiver_type
from lumen.lsp.scopes import LocalBinding
from lumen.syntax import ast

Kind = lsp.CompletionItemKind
_RECEIVER = re.compile(r"([A-Za-z_]\w*)\s*\.\s*(\w*)$")
_ARM_START = re.compile(r"^\s*\w*$")  # where a match arm's pattern begins
_KINDS: dict[str, lsp.CompletionItemKind] = {
    "cell": Kind.Function, "record": Kind.Struct, "enum": Kind.Enum, "type": Kind.TypeParameter,
    "const": Kind.Constant, "trait": Kind.Interface, "effect": Kind.Interface,
    "handler": Kind.Class, "agent": Kind.Class, "process": Kind.Class, "tool": Kind.Module,
    "macro": Kind.Function, "variant": Kind.EnumMember, "field": Kind.Field, "method": Kind.Method,
}


def completion(document: AnalyzedDocument, params: lsp.CompletionParams) -> lsp.CompletionList:
    line, column = document.lumen_position(params.position)
    prefix = document.lines.line(line - 1)[: column - 1]
    in_import = import_completions(prefix, document.path, document.buffers)
    if in_import is not None:
        return lsp.CompletionList(is_incomplete=False, items=in_import)
    if text_context(prefix) != "code":
        return lsp.CompletionList(is_incomplete=False, items=[])  # in a string or a comment
    index = outline_index(document)
    receiver = _RECEIVER.search(prefix)
    if receiver is not None:
        items = _member_items(document, index, receiver.group(1), line, column) if index else []
        return lsp.CompletionList(is_incomplete=False, items=items)
    if index is not None and _ARM_START.match(prefix):
        variants = _match_arm_variants(document, index, line, column)
        if variants:
            return lsp.CompletionList(is_incomplete=False, items=variants)
    items: dict[str, lsp.CompletionItem] = {}
    if index is not None:
        for binding in outline_locals(document, index, line, column).values():
            items.setdefault(binding.name, _local_item(binding))
        for declared in index.names.values():
            items.setdefault(declared.name, _declared_item(declared))
        for name, declared in _imported_names(document, index):
            items.setdefault(name, _declared_item(declared, name))
    for name in _builtin_names():
        items.setdefault(name, _builtin_item(name))
    for word in keywords():
        items.setdefault(word, lsp.CompletionItem(label=word, kind=Kind.Keyword))
    return lsp.CompletionList(is_incomplete=False, items=list(items.values()))


def _member_items(document: AnalyzedDocument, index: DeclarationIndex, receiver: str, line: int,
                  column: int) -> list[lsp.CompletionItem]:
    """The members of the type `receiver` names or holds."""
    owner = receiver_type(document, index, receiver, line, column)
    if owner is None:
        return []
    return [_declared_item(member) for member in members_of_type(document, index, owner)]


def _match_arm_variants(document: AnalyzedDocument, index: DeclarationIndex, line: int,
                        column: int) -> list[lsp.CompletionItem]:
    """At the start of a line inside `match subject ... end` whose subject is a local of a
    known enum type: that enum's variants (and `_`)."""
    from lumen.lsp.tree import walk

    # By lines only: a new arm typed above `end` pushes it down in the current text, but
    # the tree is the last one that parsed.
    indent = column - 1  # the prefix is blank up to the word being typed
    indent -= len(document.lines.line(line - 1)[: column - 1].lstrip())
    matches = [node for node in walk(index.program) if isinstance(node, ast.Match)
               and node.span.line < line <= node.span.end_line and node.arms
               and node.arms[0].span.column - 1 == indent]  # where its arms start, not a body
    if not matches:
        return []
    subject = matches[-1].subject  # the innermost: walk() yields parents first
    if not isinstance(subject, ast.Name):
        return []
    local = outline_locals(document, index, subject.span.line, subject.span.column).get(
        subject.id)
    if local is None or not local.type_text:
        return []
    enum = base_type_name(local.type_text)
    members = [m for m in members_of_type(document, index, enum) if m.kind == "variant"]
    if not members:
        return []
    items = [_declared_item(member) for member in members]
    return items + [lsp.CompletionItem(label="_", kind=Kind.Keyword, detail="any other value")]


def _imported_names(document: AnalyzedDocument, index: DeclarationIndex) -> list[tuple[str, Declared]]:
    found: list[tuple[str, Declared]] = []
    for decl in index.imports:
        path = import_source(decl, document.path)
        other = load_index(path, document.buffers) if path is not None else None
        if other is None:
            continue
        if decl.names is None:
            found += [(name, d) for name, d in other.names.items() if d.kind != "variant"]
            continue
        for name in decl.names:
            declared = other.names.get(name.name)
            if declared is not None:
                found.append((name.alias or name.name, declared))
    return found


def _local_item(binding: LocalBinding) -> lsp.CompletionItem:
    return lsp.CompletionItem(label=binding.name, kind=Kind.Variable, detail=binding.type_text)


def _declared_item(declared: Declared, label: str | None = None) -> lsp.CompletionItem:
    return lsp.CompletionItem(label=label or declared.name, kind=_KINDS.get(declared.kind, Kind.Text),
                              detail=_one_line_signature(declared))


def _one_line_signature(declared: Declared) -> str | None:
    from lumen.syntax.printer import print_params, print_type

    node = declared.node
    if isinstance(node, ast.CellDecl):
        ret = f" -> {print_type(node.ret)}" if node.ret is not None else ""
        return f"cell {node.name}({print_params(node.params)}){ret}"
    if isinstance(node, ast.FieldDecl):
        return print_type(node.type)
    if isinstance(node, ast.VariantDecl):
        return declared.owner_name
    return declared.kind


def _builtin_item(name: str) -> lsp.CompletionItem:
    signature = builtin_signature(name)
    if signature is not None:
        return lsp.CompletionItem(label=name, kind=Kind.Function, detail=signature.label)
    return lsp.CompletionItem(label=name, kind=Kind.Constant, detail=builtin_constant_type(name))


@functools.cache
def _builtin_names() -> tuple[str, ...]:
    from lumen.sema.builtin_types import BUILTIN_CONSTANTS, BUILTIN_FUNCTIONS

    functions = sorted(n for n in BUILTIN_FUNCTIONS if not n.startswith("_"))  # `__x`: internal
    return tuple(functions) + tuple(BUILTIN_CONSTANTS)


@functools.cache
def keywords() -> tuple[str, ...]:
    """Every keyword the grammar names (`NAME: "word"` terminals of lumen.lark)."""
    import lumen.syntax

    grammar = Path(lumen.syntax.__file__).with_name("lumen.lark").read_text(encoding="utf-8")
    return tuple(dict.fromkeys(re.findall(r'^[A-Z_]+:\s*"([a-z_]+)"\s*$', grammar, re.MULTILINE)))
