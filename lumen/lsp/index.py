"""The declarations of a parsed file by name, and the files its imports name.

Built from the syntax tree alone, so that the same index serves the open document and an
imported module read from disk (which is parsed, not analysed: a definition or a hover
there needs names and positions, not types)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lumen.diagnostics import Span
from lumen.lsp.tree import name_span, walk
from lumen.source import SourceUnit
from lumen.syntax import ast

_KIND_OF: dict[type, str] = {
    ast.CellDecl: "cell", ast.RecordDecl: "record", ast.EnumDecl: "enum", ast.TypeAlias: "type",
    ast.ConstDecl: "const", ast.TraitDecl: "trait", ast.EffectDecl: "effect",
    ast.HandlerDecl: "handler", ast.AgentDecl: "agent", ast.ProcessDecl: "process",
    ast.UseTool: "tool", ast.MacroDecl: "macro",
}


# Declaration kinds that name a type with members (fields, variants, methods).
TYPE_KINDS = frozenset({"record", "enum", "agent", "process", "effect", "trait"})


@dataclass(frozen=True, slots=True)
class Declared:
    """A declaration: `kind` is a `_KIND_OF` value, or "variant", "field", "method"
    (then `owner` is the record, enum, agent, process, effect, trait or impl)."""

    name: str
    kind: str
    node: ast.Node
    owner: ast.Node | None = None

    @property
    def owner_name(self) -> str | None:
        if self.owner is None:
            return None
        if isinstance(self.owner, ast.ImplDecl):
            return self.owner.target
        return str(getattr(self.owner, "name", "")) or None


@dataclass(slots=True)
class DeclarationIndex:
    """`names`: what a bare name can refer to (top-level and hoisted declarations,
    variants, tool aliases); `members`: (owner, member) -> field, variant or method."""

    unit: SourceUnit
    program: ast.Program
    names: dict[str, Declared] = field(default_factory=dict)
    members: dict[tuple[str, str], Declared] = field(default_factory=dict)
    imports: list[ast.ImportDecl] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the file's text, split once

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = self.unit.text.split("\n")

    def name_span(self, declared: Declared) -> Span:
        """Where the declaration writes its name."""
        lines = self.lines
        if isinstance(declared.node, ast.UseTool):
            return _last_word_span(lines, declared.node.span, declared.name)
        return name_span(lines, declared.node.span, declared.name)

    def members_of(self, owner: str) -> list[Declared]:
        return [d for (name, _), d in self.members.items() if name == owner]

    def member_named(self, member: str) -> list[Declared]:
        return [d for (_, name), d in self.members.items() if name == member]


def build_index(unit: SourceUnit, program: ast.Program) -> DeclarationIndex:
    index = DeclarationIndex(unit, program)
    methods = _method_ids(program)
    for node in walk(program):
        if isinstance(node, ast.ImportDecl):
            index.imports.append(node)
            continue
        kind = _KIND_OF.get(type(node))
        if kind is None:
            continue
        if id(node) in methods:
            continue  # recorded under its owner below
        name = node.alias if isinstance(node, ast.UseTool) else node.name
        index.names.setdefault(name, Declared(name, kind, node))
        _add_members(index, node)
    for node in walk(program):
        if isinstance(node, ast.ImplDecl):
            for method in node.methods:
                index.members.setdefault((node.target, method.name),
                                         Declared(method.name, "method", method, node))
    return index


def _add_members(index: DeclarationIndex, node: ast.Node) -> None:
    owner = str(getattr(node, "name", ""))
    members: list[Declared] = []
    if isinstance(node, ast.RecordDecl):
        members = [Declared(f.name, "field", f, node) for f in node.fields]
    elif isinstance(node, ast.EnumDecl):
        for variant in node.variants:
            declared = Declared(variant.name, "variant", variant, node)
            members.append(declared)
            index.names.setdefault(variant.name, declared)
        members += [Declared(m.name, "method", m, node) for m in node.methods]
    elif isinstance(node, ast.AgentDecl | ast.ProcessDecl):
        members = [Declared(c.name, "method", c, node) for c in node.cells]
    elif isinstance(node, ast.EffectDecl | ast.TraitDecl):
        cells = node.operations if isinstance(node, ast.EffectDecl) else node.methods
        members = [Declared(c.name, "method", c, node) for c in cells]
    for member in members:
        index.members.setdefault((owner, member.name), member)


def _method_ids(program: ast.Program) -> set[int]:
    """The cells that are methods (of an enum, agent, process, effect, trait or impl)."""
    found: set[int] = set()
    for node in walk(program):
        if isinstance(node, ast.EnumDecl | ast.TraitDecl | ast.ImplDecl):
            found.update(id(m) for m in node.methods)
        elif isinstance(node, ast.AgentDecl | ast.ProcessDecl):
            found.update(id(c) for c in node.cells)
        elif isinstance(node, ast.EffectDecl):
            found.update(id(c) for c in node.operations)
    return found


def _last_word_span(lines: list[str], span: Span, word: str) -> Span:
    """`use tool x.y as Alias`: the alias is the last occurrence on the line."""
    if 1 <= span.line <= len(lines):
        column = lines[span.line - 1].rfind(word)
        if column >= 0:
            return Span(span.line, column + 1, span.line, column + 1 + len(word))
    return span


def import_source(decl: ast.ImportDecl, importing_file: str) -> Path | None:
    """The file an `import` statement names, as module resolution finds it (§15.2)."""
    from lumen.modules.resolve import resolve_module

    found, _ = resolve_module(decl.module, Path(importing_file))
    return found


_LOADED: dict[Path, tuple[tuple[int, int], DeclarationIndex | None]] = {}


def load_index(path: Path, buffers: Mapping[str, str] | None = None) -> DeclarationIndex | None:
    """Read and parse another module (no analysis); None when it cannot be read or parsed.
    An open document's unsaved text (`buffers`: path -> text) stands for its file; a file
    read from disk is kept while its size and modification time stay the same."""
    from lumen.source import SourceError, load_source, source_from_text

    text = _buffer_text(path, buffers)
    if text is not None:
        return _index_of(source_from_text(text, str(path)))
    try:
        status = path.stat()
    except OSError:
        return None
    stamp = (status.st_mtime_ns, status.st_size)
    cached = _LOADED.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        unit = load_source(path)
    except SourceError:
        return None
    index = _index_of(unit)
    _LOADED[path] = (stamp, index)
    return index


def _buffer_text(path: Path, buffers: Mapping[str, str] | None) -> str | None:
    if not buffers:
        return None
    wanted = path.resolve()
    for other, text in buffers.items():
        if Path(other).resolve() == wanted:
            return text
    return None


def _index_of(unit: Any) -> DeclarationIndex | None:
    from lumen.syntax import parse

    result = parse(unit.code, unit.path, unit.docblocks)
    if result.program is None or any(d.is_error for d in result.diagnostics):
        return None
    return build_index(unit, result.program)
