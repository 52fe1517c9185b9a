"""textDocument/semanticTokens/full: keywords, types, functions, variables, parameters,
strings, numbers, operators and comments; in a Markdown file its prose lines are comments.

Tokens come from the parser's own scanner (the keyword and operator tables of the grammar);
each identifier is classified with the syntax tree: declarations, locals in scope, members
after `.`, type positions, builtins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lsprotocol import types as lsp

from lumen.diagnostics import Span
from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.index import DeclarationIndex
from lumen.lsp.lookup import document_bindings, document_index, is_builtin, resolve_global
from lumen.lsp.scopes import BindingTable, LocalBinding
from lumen.lsp.tree import walk
from lumen.syntax import ast

TOKEN_TYPES = ["keyword", "type", "function", "variable", "parameter", "string", "number",
               "operator", "comment", "enumMember", "property", "method"]
TOKEN_MODIFIERS = ["declaration", "defaultLibrary"]
LEGEND = lsp.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=TOKEN_MODIFIERS)
_TYPE = {name: index for index, name in enumerate(TOKEN_TYPES)}
_DECLARATION, _LIBRARY = 1, 2
_NUMBER_TOKENS = frozenset({"INT", "FLOAT"})
_STRING_TOKENS = frozenset({"STRING", "BYTES"})  # the scanner's literal tokens
# Brackets and separators are punctuation, not operators: left to the editor's grammar.
_PUNCTUATION = frozenset({"LPAR", "RPAR", "LSQB", "RSQB", "LBRACE", "RBRACE", "COMMA", "COLON",
                          "DOT", "SAFE_DOT", "SAFE_INDEX"})
_KIND_TOKEN = {
    "cell": "function", "macro": "function", "record": "type", "enum": "type", "type": "type",
    "trait": "type", "effect": "type", "handler": "type", "agent": "type", "process": "type",
    "tool": "variable", "const": "variable", "variant": "enumMember", "field": "property",
    "method": "method",
}


@dataclass(frozen=True, slots=True)
class _Token:
    line: int  # 1-based
    column: int  # 1-based, code points
    length: int  # code points
    kind: str
    modifiers: int = 0


def semantic_tokens(document: AnalyzedDocument, params: Any = None) -> lsp.SemanticTokens:
    unit = document.unit
    if unit is None:
        return lsp.SemanticTokens(data=[])
    tokens = _prose(document) + _code_tokens(document)
    return lsp.SemanticTokens(data=_encode(document, tokens))


def _prose(document: AnalyzedDocument) -> list[_Token]:
    """Markdown lines that are not code (prose, headings, fences)."""
    unit = document.unit
    if unit is None or unit.kind != "markdown":
        return []
    code_lines = unit.code.split("\n")
    found = []
    for number, text in enumerate(unit.text.split("\n"), start=1):
        code = code_lines[number - 1] if number <= len(code_lines) else ""
        if text.strip() and not code.strip():
            start = len(text) - len(text.lstrip())
            found.append(_Token(number, start + 1, len(text.rstrip()) - start, "comment"))
    return found


def _code_tokens(document: AnalyzedDocument) -> list[_Token]:
    from lumen.syntax.parser import get_parser
    from lumen.syntax.scanner import Scanner

    unit = document.unit
    assert unit is not None
    tables = get_parser().tables
    raw = Scanner(unit.code, unit.path, tables, []).scan()
    keywords = set(tables.keywords.values()) | set(tables.soft.values())
    operators = set(tables.operators.values()) - _PUNCTUATION
    names = _names_for(document)
    lines = unit.code.split("\n")
    covered: dict[int, list[tuple[int, int]]] = {}
    found: list[_Token] = []
    for token in raw:
        for line in range(token.line, token.end_line + 1):
            covered.setdefault(line, []).append(
                (token.column if line == token.line else 1,
                 token.end_column if line == token.end_line else 10**9))
        kind: str | None = None
        modifiers = 0
        if token.type == "NAME" and token.value != "_":
            kind, modifiers = names.classify(token.line, token.column, token.value)
        elif token.type in keywords:
            kind = "keyword"
        elif token.type in _NUMBER_TOKENS:
            kind = "number"
        elif token.type in _STRING_TOKENS:
            kind = "string"
        elif token.type in operators:
            kind = "operator"
        if kind is not None:
            found.extend(_split_lines(lines, token.line, token.column, token.end_line, token.end_column,
                                      kind, modifiers))
    found.extend(_comments(lines, covered))
    return found


def _split_lines(lines: list[str], line: int, column: int, end_line: int, end_column: int,
                 kind: str, modifiers: int) -> list[_Token]:
    """One token per line (clients need not support multi-line tokens)."""
    if line == end_line:
        return [_Token(line, column, max(end_column - column, 0), kind, modifiers)]
    parts = [_Token(line, column, len(lines[line - 1]) - column + 1, kind, modifiers)]
    for middle in range(line + 1, end_line):
        parts.append(_Token(middle, 1, len(lines[middle - 1]), kind, modifiers))
    parts.append(_Token(end_line, 1, end_column - 1, kind, modifiers))
    return [p for p in parts if p.length > 0]


def _comments(lines: list[str], covered: dict[int, list[tuple[int, int]]]) -> list[_Token]:
    """`#` to the end of the line, wherever no token (a string) holds the `#`."""
    found = []
    for number, text in enumerate(lines, start=1):
        start = text.find("#")
        while start >= 0:
            column = start + 1
            if not any(first <= column < last for first, last in covered.get(number, ())):
                found.append(_Token(number, column, len(text.rstrip()) - start, "comment"))
                break
            start = text.find("#", start + 1)
    return found


def _names_for(document: AnalyzedDocument) -> _NameClassifier:
    """The classifier of the document's names; while its text does not parse, that of the
    last version that did, its lines found through a line diff (stale.py)."""
    previous = document.last_parsed
    if document.parsed or previous is None:
        return _NameClassifier(document)
    from lumen.lsp.stale import LineShift

    shift = LineShift.between(previous.lines.lines, document.lines.lines)
    old_lines = {new + 1: old + 1 for new, old in shift.to_old.items()}  # 1-based
    return _NameClassifier(previous, old_lines)


class _NameClassifier:
    """What kind of name an identifier token is, from the syntax tree around it."""

    def __init__(self, document: AnalyzedDocument, old_lines: dict[int, int] | None = None) -> None:
        """`old_lines`: the lines of the text being coloured -> lines of `document` (when
        `document` is an earlier version); a line missing there is classified by name."""
        self.document = document
        self.old_lines = old_lines
        self.index: DeclarationIndex | None = document_index(document)
        self.bindings: list[LocalBinding] = document_bindings(document)
        self.table = BindingTable(self.bindings, self.index.program) if self.index is not None else None
        self.at: dict[tuple[int, int], tuple[str, int]] = {}
        if self.index is not None:
            self._declarations(self.index)
            self._uses(self.index.program)

    def classify(self, line: int, column: int, word: str) -> tuple[str | None, int]:
        if self.old_lines is not None:
            if line not in self.old_lines:
                return self._by_name(word, 0, 0)  # a changed line: no scope to look in
            line = self.old_lines[line]
        found = self.at.get((line, column))
        if found is not None:
            return found
        return self._by_name(word, line, column)

    def _declarations(self, index: DeclarationIndex) -> None:
        for declared in list(index.names.values()) + list(index.members.values()):
            span = index.name_span(declared)
            kind = _KIND_TOKEN.get(declared.kind, "variable")
            self.at[(span.line, span.column)] = (kind, _DECLARATION)
        for binding in self.bindings:
            kind = "parameter" if binding.kind == "parameter" else "variable"
            self.at.setdefault((binding.span.line, binding.span.column), (kind, _DECLARATION))

    def _uses(self, program: ast.Program) -> None:
        for node in walk(program):
            span = node.span
            if span.line < 1:
                continue
            if isinstance(node, ast.NamedType):
                last = node.name.rsplit(".", 1)[-1]
                column = span.column + len(node.name) - len(last)
                self.at.setdefault((span.line, column), ("type", 0))
            elif isinstance(node, ast.VariantPat):
                last = node.name.rsplit(".", 1)[-1]
                column = span.column + len(node.name) - len(last)
                self.at.setdefault((span.line, column), ("enumMember", 0))
            elif isinstance(node, ast.Attr):
                self._attribute(node)

    def _attribute(self, node: ast.Attr) -> None:
        column = node.span.end_column - len(node.name)
        receiver = node.value
        if isinstance(receiver, ast.Name) and self.index is not None:
            owner = self.index.names.get(receiver.id)
            if owner is not None and owner.kind == "enum":
                member = self.index.members.get((receiver.id, node.name))
                kind = "method" if member is not None and member.kind == "method" else "enumMember"
                self.at.setdefault((node.span.end_line, column), (kind, 0))
                return
        self.at.setdefault((node.span.end_line, column), ("property", 0))

    def _by_name(self, word: str, line: int, column: int) -> tuple[str | None, int]:
        local = self.table.visible(word, line, column) if self.table is not None else None
        if local is not None:
            return ("parameter" if local.kind == "parameter" else "variable"), 0
        if self.index is not None:
            target = resolve_global(self.document, self.index, word)
            if target is not None and target.declared is not None:
                return _KIND_TOKEN.get(target.declared.kind, "variable"), 0
        if is_builtin(word):
            return ("function" if not word.isupper() else "variable"), _LIBRARY
        if word[:1].isupper():
            return "type", 0  # a builtin type name (Int, String, ...)
        return "variable", 0


def _encode(document: AnalyzedDocument, tokens: list[_Token]) -> list[int]:
    """LSP's relative encoding: (delta line, delta start, length, type, modifiers) each."""
    data: list[int] = []
    previous_line, previous_start = 0, 0
    for token in sorted(tokens, key=lambda t: (t.line, t.column)):
        if token.length <= 0:
            continue
        line = token.line - 1
        character = document.lines.character(token.line, token.column)
        end = document.lines.character(token.line, token.column + token.length)
        delta_start = character - previous_start if line == previous_line else character
        data += [line - previous_line, delta_start, end - character, _TYPE[token.kind], token.modifiers]
        previous_line, previous_start = line, character
    return data


def token_spans(document: AnalyzedDocument) -> list[tuple[Span, str]]:
    """The tokens as (span, type) pairs, for tests and debugging."""
    tokens = _prose(document) + _code_tokens(document) if document.unit is not None else []
    return [(Span(t.line, t.column, t.line, t.column + t.length), t.kind)
            for t in sorted(tokens, key=lambda t: (t.line, t.column))]
