"""What the name under the cursor refers to: a local, a declaration of this file or of an
imported module, a member (field, variant, method), or a builtin. Shared by hover, go to
definition, references and highlights."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lumen.diagnostics import Span
from lumen.diagnostics.diagnostic import NO_SPAN
from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.index import (
    TYPE_KINDS,
    DeclarationIndex,
    Declared,
    build_index,
    import_source,
    load_index,
)
from lumen.lsp.scopes import BindingTable, LocalBinding, local_bindings
from lumen.lsp.tree import enclosing, nodes_at, word_at
from lumen.syntax import ast


@dataclass(frozen=True, slots=True)
class Target:
    """The meaning of a name. Exactly one of `declared` (with the `index` of the file that
    declares it), `local` or `builtin` is set."""

    name: str
    declared: Declared | None = None
    index: DeclarationIndex | None = None
    local: LocalBinding | None = None
    builtin: bool = False

    @property
    def path(self) -> str:
        return self.index.unit.path if self.index is not None else ""

    @property
    def name_span(self) -> Span:
        if self.local is not None:
            return self.local.span
        if self.declared is not None and self.index is not None:
            return self.index.name_span(self.declared)
        return NO_SPAN


@dataclass(frozen=True, slots=True)
class Cursor:
    """The word under the cursor and the syntax nodes around it (outermost first)."""

    word: str
    line: int
    column: int  # where the word starts (1-based)
    path: list[ast.Node]


def cursor_at(document: AnalyzedDocument, line: int, column: int) -> Cursor | None:
    program = document.program
    if program is None:
        return None
    found = word_at(document.lines.line(line - 1), column)
    if found is None:
        return None
    word, start = found
    if in_comment(document.lines.line(line - 1), start):
        return None
    path = nodes_at(program, line, start)
    if path and isinstance(path[-1], ast.StringLit | ast.InterpString | ast.BytesLit):
        return None  # a word inside a string (an interpolated name is a node of its own)
    return Cursor(word, line, start, path)


def in_comment(text: str, column: int) -> bool:
    """Is the 1-based `column` of a line after a `#` that starts a comment (§2.2)?"""
    return text_context(text[: max(column - 1, 0)]) == "comment"


def text_context(prefix: str) -> str:
    """Where the end of a line's `prefix` is: "code", "string" (an unclosed quote on the
    line) or "comment" (after a `#` outside strings)."""
    quote: str | None = None
    index = 0
    while index < len(prefix):
        char = prefix[index]
        if quote is not None:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char == '"':
            quote = char
        elif char == "#":
            return "comment"
        index += 1
    return "string" if quote is not None else "code"


# The index and local bindings of the last few documents: references and highlights
# resolve every occurrence of a name, and each needs both.
_CONTEXTS: dict[tuple[int, str], tuple[AnalyzedDocument, Any]] = {}
_CONTEXTS_KEPT = 8


def _cached(document: AnalyzedDocument, what: str, make: Callable[[], Any]) -> Any:
    key = (id(document), what)
    found = _CONTEXTS.get(key)
    if found is not None and found[0] is document:
        return found[1]
    value = make()
    if len(_CONTEXTS) >= _CONTEXTS_KEPT:
        _CONTEXTS.pop(next(iter(_CONTEXTS)))
    _CONTEXTS[key] = (document, value)
    return value


def document_index(document: AnalyzedDocument) -> DeclarationIndex | None:
    program, unit = document.program, document.unit
    if program is None or unit is None:
        return None
    return _cached(document, "index", lambda: build_index(unit, program))  # type: ignore[no-any-return]


def document_bindings(document: AnalyzedDocument) -> list[LocalBinding]:
    """The local bindings of the document's current tree (none when it did not parse)."""
    index = document_index(document)
    if index is None:
        return []
    return _cached(document, "bindings",  # type: ignore[no-any-return]
                   lambda: bindings_of(document, index))


def document_binding_table(document: AnalyzedDocument) -> BindingTable | None:
    index = document_index(document)
    if index is None:
        return None
    return _cached(document, "table",  # type: ignore[no-any-return]
                   lambda: BindingTable(document_bindings(document), index.program))


def resolve_at(document: AnalyzedDocument, line: int, column: int) -> Target | None:
    """The target of the name at the 1-based (line, column), or None."""
    cursor = cursor_at(document, line, column)
    index = document_index(document)
    if cursor is None or index is None:
        return None
    own = _declaration_named_at(index, cursor)
    if own is not None:
        return own
    member = _member_target(document, index, cursor)
    if member is not None:
        return member
    imported = _import_clause_target(document, cursor)
    if imported is not None:
        return imported
    table = document_binding_table(document)
    local = table.visible(cursor.word, cursor.line, cursor.column) if table is not None else None
    if local is not None:
        return Target(cursor.word, local=local)
    return resolve_global(document, index, cursor.word)


def _declaration_named_at(index: DeclarationIndex, cursor: Cursor) -> Target | None:
    """The cursor on the name a declaration (or a field, variant, method) writes."""
    around = {id(node) for node in cursor.path}
    for declared in list(index.names.values()) + list(index.members.values()):
        if id(declared.node) not in around or declared.name != cursor.word:
            continue
        span = index.name_span(declared)
        if (span.line, span.column) == (cursor.line, cursor.column):
            return Target(cursor.word, declared=declared, index=index)
    return None


def bindings_of(document: AnalyzedDocument, index: DeclarationIndex,
                analysis: Any = None) -> list[LocalBinding]:
    """The local bindings of `index` (the document's current or last parsed tree), typed
    by the checker (`analysis`, by default the document's) or by the callee's declaration."""

    @functools.cache
    def call_result(name: str) -> str | None:
        found = resolve_global(document, index, name)
        declared = found.declared if found is not None else None
        if declared is None:
            return None
        if declared.kind in ("record", "agent", "process"):
            return declared.name
        if declared.kind == "variant":
            return declared.owner_name
        if isinstance(declared.node, ast.CellDecl) and declared.node.ret is not None:
            from lumen.syntax.printer import print_type

            return print_type(declared.node.ret)
        return None

    analysis = analysis if analysis is not None else document.analysis
    return local_bindings(index.program, analysis, index.lines, call_result)


def resolve_global(document: AnalyzedDocument, index: DeclarationIndex, word: str) -> Target | None:
    """A name outside any local scope: a declaration here, an imported one, a builtin."""
    declared = index.names.get(word)
    if declared is not None:
        return Target(word, declared=declared, index=index)
    for decl in index.imports:
        found = _imported_target(document, decl, word)
        if found is not None:
            return found
    if is_builtin(word):
        return Target(word, builtin=True)
    return None


def is_builtin(word: str) -> bool:
    from lumen.sema.builtin_types import BUILTIN_CONSTANTS, BUILTIN_FUNCTIONS

    return word in BUILTIN_FUNCTIONS or word in BUILTIN_CONSTANTS


def _imported_target(document: AnalyzedDocument, decl: ast.ImportDecl, word: str) -> Target | None:
    """`word` as a name brought in by `decl` (`import m: X as word`, or `import m: *`)."""
    if decl.names is None:
        original = word
    else:
        matches = [n.name for n in decl.names if (n.alias or n.name) == word]
        if not matches:
            return None
        original = matches[0]
    path = import_source(decl, document.path)
    other = load_index(path, document.buffers) if path is not None else None
    if other is None:
        return None
    declared = other.names.get(original)
    if declared is None:
        return None
    return Target(original, declared=declared, index=other)


def imported_module_at(document: AnalyzedDocument, line: int, column: int) -> tuple[str, Path] | None:
    """The cursor on the module path of an `import`: the dotted path and its file."""
    cursor = cursor_at(document, line, column)
    if cursor is None:
        return None
    decl = enclosing(cursor.path, ast.ImportDecl)
    if not isinstance(decl, ast.ImportDecl) or cursor.word not in decl.module:
        return None
    if decl.names is not None and any(cursor.word in (n.name, n.alias) for n in decl.names):
        return None  # an imported name spelt like a module segment: the name wins
    path = import_source(decl, document.path)
    return (".".join(decl.module), path) if path is not None else None


def _import_clause_target(document: AnalyzedDocument, cursor: Cursor) -> Target | None:
    """The cursor on a name inside an `import` statement: that name in its module."""
    decl = enclosing(cursor.path, ast.ImportDecl)
    if not isinstance(decl, ast.ImportDecl) or decl.names is None:
        return None
    for name in decl.names:
        if cursor.word in (name.name, name.alias):
            return _imported_target(document, decl, name.alias or name.name)
    return None


def _member_target(document: AnalyzedDocument, index: DeclarationIndex,
                   cursor: Cursor) -> Target | None:
    """`receiver.word`, or a named argument `Record(word: ...)`."""
    owner: str | None = None
    innermost = cursor.path[-1] if cursor.path else None
    attr = enclosing(cursor.path, ast.Attr)
    if isinstance(attr, ast.Attr) and attr.name == cursor.word and _after_receiver(attr, cursor):
        owner = receiver_type_name(document, index, attr.value, cursor)
    elif isinstance(innermost, ast.Arg | ast.Call):
        call = enclosing(cursor.path, ast.Call)
        named = isinstance(call, ast.Call) and any(a.name == cursor.word for a in call.args)
        if named and isinstance(call, ast.Call) and isinstance(call.callee, ast.Name):
            owner = call.callee.id
    else:
        return None
    if owner is not None:
        found = member_of(document, index, owner, cursor.word) or _parameter_of(
            document, index, owner, cursor.word)
        if found is not None:
            return found
    if isinstance(attr, ast.Attr) and attr.name == cursor.word:
        candidates = index.member_named(cursor.word)
        if len(candidates) == 1:  # the receiver's type is unknown, but only one fits
            return Target(cursor.word, declared=candidates[0], index=index)
    return None


def _parameter_of(document: AnalyzedDocument, index: DeclarationIndex, cell: str,
                  name: str) -> Target | None:
    """A named argument `cell(name: ...)` of a cell of this file: its parameter."""
    declared = index.names.get(cell)
    if declared is None or not isinstance(declared.node, ast.CellDecl):
        return None
    for binding in document_bindings(document):
        if binding.kind == "parameter" and binding.name == name and binding.scope == declared.node.span:
            return Target(name, local=binding)
    return None


def member_of(document: AnalyzedDocument, index: DeclarationIndex, owner: str,
              member: str) -> Target | None:
    """The field, variant or method `member` of the type `owner`, declared here or in the
    module it is imported from."""
    declared = index.members.get((owner, member))
    if declared is not None:
        return Target(member, declared=declared, index=index)
    owner_target = resolve_global(document, index, owner)
    if owner_target is None or owner_target.index is None or owner_target.index is index:
        return None
    other = owner_target.index
    declared = other.members.get((owner_target.name, member))
    return Target(member, declared=declared, index=other) if declared is not None else None


def _after_receiver(attr: ast.Attr, cursor: Cursor) -> bool:
    end = attr.value.span
    return (cursor.line, cursor.column) >= (end.end_line, end.end_column)


def receiver_type_name(document: AnalyzedDocument, index: DeclarationIndex, receiver: ast.Node,
                       cursor: Cursor | None) -> str | None:
    """The declared type a receiver expression names or holds, when it can be known:
    an enum or type name itself, `self`, or a local whose type is written or inferred."""
    if not isinstance(receiver, ast.Name):
        return None
    name = receiver.id
    declared = index.names.get(name)
    if declared is not None and declared.kind in TYPE_KINDS:
        return name
    if name == "self" and cursor is not None:
        owner = enclosing(cursor.path, (ast.AgentDecl, ast.ProcessDecl, ast.EnumDecl, ast.ImplDecl))
        if isinstance(owner, ast.ImplDecl):
            return owner.target
        if owner is not None:
            return str(getattr(owner, "name", "")) or None
    if cursor is None:
        return None
    table = document_binding_table(document)
    local = table.visible(name, receiver.span.line, receiver.span.column) if table is not None else None
    if local is None or local.type_text is None:
        return None
    return base_type_name(local.type_text)


def base_type_name(type_text: str) -> str:
    """`Point?` -> `Point`, `Box[Int]` -> `Box`, `a.b.T` -> `T`."""
    text = type_text.strip().rstrip("?")
    text = text.split("[", 1)[0]
    return text.rsplit(".", 1)[-1]
