"""textDocument/documentSymbol: the outline of declarations (LANGUAGE.md §16.12)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types as lsp

from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.tree import name_span, walk
from lumen.syntax import ast

Kind = lsp.SymbolKind
# Type aliases have no LSP kind of their own; TypeParameter is what other servers use.
_KINDS: dict[type, lsp.SymbolKind] = {
    ast.CellDecl: Kind.Function, ast.RecordDecl: Kind.Struct, ast.EnumDecl: Kind.Enum,
    ast.AgentDecl: Kind.Class, ast.ProcessDecl: Kind.Class, ast.EffectDecl: Kind.Interface,
    ast.TraitDecl: Kind.Interface, ast.ConstDecl: Kind.Constant, ast.TypeAlias: Kind.TypeParameter,
    ast.HandlerDecl: Kind.Object, ast.ImplDecl: Kind.Namespace, ast.UseTool: Kind.Module,
    ast.MacroDecl: Kind.Function,
}


def document_symbols(document: AnalyzedDocument, params: Any = None) -> list[lsp.DocumentSymbol]:
    program, unit = document.program, document.unit
    if program is None or unit is None:
        return []  # while the text does not parse the server asks the last parse (stale.py)
    builder = _Builder(document, unit.text.split("\n"))
    return [symbol for item in program.items if (symbol := builder.symbol(item)) is not None]


class _Builder:
    def __init__(self, document: AnalyzedDocument, lines: list[str]) -> None:
        self.document = document
        self.lines = lines

    def symbol(self, node: ast.Node, kind: lsp.SymbolKind | None = None) -> lsp.DocumentSymbol | None:
        kind = kind or _KINDS.get(type(node))
        if kind is None:
            return None
        name = _name(node)
        return lsp.DocumentSymbol(
            name=name,
            kind=kind,
            range=self.document.lines.range(node.span),
            selection_range=self.document.lines.range(name_span(self.lines, node.span, _word(node))),
            detail=_detail(node),
            children=self.children(node) or None,
        )

    def leaf(self, name: str, kind: lsp.SymbolKind, node: ast.Node,
             detail: str | None = None) -> lsp.DocumentSymbol:
        range_ = self.document.lines.range(node.span)
        selection = self.document.lines.range(name_span(self.lines, node.span, name))
        return lsp.DocumentSymbol(name=name, kind=kind, range=range_, selection_range=selection,
                                  detail=detail)

    def children(self, node: ast.Node) -> list[lsp.DocumentSymbol]:
        found: list[lsp.DocumentSymbol] = []
        if isinstance(node, ast.RecordDecl):
            found += [self.leaf(f.name, Kind.Field, f, _type_text(f.type)) for f in node.fields]
        elif isinstance(node, ast.EnumDecl):
            found += [self.leaf(v.name, Kind.EnumMember, v) for v in node.variants]
            found += self.methods(node.methods)
        elif isinstance(node, ast.TraitDecl | ast.ImplDecl):
            found += self.methods(node.methods)
        elif isinstance(node, ast.AgentDecl | ast.ProcessDecl):
            found += self.methods(node.cells)
        elif isinstance(node, ast.EffectDecl):
            found += self.methods(node.operations)
        elif isinstance(node, ast.CellDecl) and node.body is not None:
            found += self.nested(node.body)
        return found

    def methods(self, cells: tuple[ast.CellDecl, ...]) -> list[lsp.DocumentSymbol]:
        return [s for cell in cells if (s := self.symbol(cell, Kind.Method)) is not None]

    def nested(self, body: ast.Node) -> list[lsp.DocumentSymbol]:
        """Declarations inside a cell body (§5.14), each once (their own bodies recurse)."""
        found: list[lsp.DocumentSymbol] = []
        skip: set[int] = set()
        for node in walk(body):
            if id(node) in skip:
                continue
            if ast.is_decl(node) and (symbol := self.symbol(node)) is not None:
                found.append(symbol)
                skip.update(id(inner) for inner in walk(node))
        return found


def _name(node: ast.Node) -> str:
    if isinstance(node, ast.ImplDecl):
        return f"impl {node.trait} for {node.target}"
    if isinstance(node, ast.UseTool):
        return node.alias
    return str(getattr(node, "name", "?"))


def _word(node: ast.Node) -> str:
    """The word to select in the declaration's first line."""
    if isinstance(node, ast.ImplDecl):
        return node.target
    return _name(node)


def _detail(node: ast.Node) -> str | None:
    from lumen.syntax.printer import print_params, print_type

    if isinstance(node, ast.CellDecl):
        ret = f" -> {print_type(node.ret)}" if node.ret is not None else ""
        return f"({print_params(node.params)}){ret}"
    if isinstance(node, ast.TypeAlias):
        return "= " + print_type(node.type)
    if isinstance(node, ast.ProcessDecl):
        return node.kind
    if isinstance(node, ast.ConstDecl) and node.type is not None:
        return print_type(node.type)
    return None


def _type_text(type_expr: ast.Node) -> str:
    from lumen.syntax.printer import print_type

    return print_type(type_expr)  # type: ignore[arg-type]
