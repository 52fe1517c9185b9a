"""Splitting one REPL entry into declarations and statements (SPEC.md "lumen repl").

The entry is parsed on its own first: syntax errors are reported in the entry's own line
numbers, and each top-level item is classified. Declarations join the session's
accumulated declarations (a later one of the same name replaces an earlier one);
statements become the body of the entry's synthetic cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from lumen.diagnostics import Diagnostic
from lumen.syntax import ast

ENTRY_FILE = "<repl>"
VALUE_NAME = "__repl_value"
# Loops used as statements have a value (a list of the body's values) nobody asked for.
_STATEMENT_LIKE = (ast.For, ast.While, ast.WhileLet, ast.Loop)


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One line of a generated program and where it came from: `origin` names the entry
    (`<repl>` for the current one, `<repl#N>` for entry N) or is None for generated lines;
    `inserted` columns were added at `inserted_at` (the `let __repl_value = ` prefix)."""

    code: str
    origin: str | None = None
    line: int = 0
    text: str = ""
    inserted_at: int = 0
    inserted: int = 0


@dataclass(frozen=True, slots=True)
class Declaration:
    """A top-level declaration of the session, with the lines that spell it."""

    key: str
    lines: tuple[SourceLine, ...]


@dataclass(slots=True)
class ParsedEntry:
    """An entry, split: its declarations, its statement lines (declaration lines blanked,
    so line numbers stay those of the entry), the names its statements bind, and where the
    value of a trailing expression starts (None when the entry ends otherwise)."""

    text: str
    declarations: list[Declaration] = field(default_factory=list)
    statement_lines: list[str] = field(default_factory=list)
    has_statements: bool = False
    bound_names: list[str] = field(default_factory=list)
    value_at: tuple[int, int] | None = None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def parse_entry(text: str, number: int) -> ParsedEntry:
    """Parse and split entry `number` (its declarations are labelled `<repl#number>`)."""
    from lumen.source import source_from_text
    from lumen.syntax import parse

    unit = source_from_text(text, ENTRY_FILE)
    result = parse(unit.code, ENTRY_FILE, unit.docblocks)
    entry = ParsedEntry(text, diagnostics=tuple(unit.diagnostics) + tuple(result.diagnostics))
    if not entry.ok or result.program is None:
        return entry
    lines = text.split("\n")
    statement_lines = [""] * len(lines)
    previous_end = 0
    last_statement: Any = None
    for item in result.program.items:
        start = max(previous_end + 1, 1) if item.span.line > previous_end else item.span.line
        end = max(item.span.end_line, item.span.line)
        previous_end = max(previous_end, end)
        if isinstance(item, (*ast.DECL_TYPES, ast.Directive)):
            spelled = tuple(SourceLine(lines[i - 1], f"<repl#{number}>", i, lines[i - 1])
                            for i in range(start, min(end, len(lines)) + 1))
            entry.declarations.append(Declaration(declaration_key(item), spelled))
            continue
        entry.has_statements = True
        last_statement = item
        for i in range(start, min(end, len(lines)) + 1):
            statement_lines[i - 1] = lines[i - 1]
        entry.bound_names.extend(n for n in bound_names(item) if n not in entry.bound_names)
    entry.statement_lines = statement_lines
    if isinstance(last_statement, ast.ExprStmt) and not isinstance(last_statement.expr, _STATEMENT_LIKE):
        entry.value_at = (last_statement.span.line, last_statement.span.column)
    return entry


def declaration_key(item: Any) -> str:
    """What a later declaration must share to replace this one: the name, or for unnamed
    declarations what they attach to."""
    if isinstance(item, ast.ImplDecl):
        return f"impl {item.trait} for {item.target}"
    if isinstance(item, ast.ImportDecl):
        names = "*" if item.names is None else ",".join(n.alias or n.name for n in item.names)
        return f"import {'.'.join(item.module)}: {names}"
    if isinstance(item, ast.UseTool):
        return f"tool {item.alias}"
    if isinstance(item, ast.GrantDecl):
        return f"grant {item.alias}"
    if isinstance(item, ast.BindEffect):
        return f"bind {item.effect}"
    if isinstance(item, ast.Directive):
        return f"@{item.name}"
    return str(getattr(item, "name", id(item)))


def bound_names(node: Any) -> list[str]:
    """The variables a statement binds in its cell: `let` targets and assignments to a
    bare name, at any depth except inside lambdas and nested declarations."""
    found: list[str] = []
    _collect_bound(node, found)
    return [name for name in found if not name.startswith("__repl")]


def _collect_bound(node: Any, found: list[str]) -> None:
    if isinstance(node, (ast.Lambda, *ast.DECL_TYPES)):
        return
    if isinstance(node, ast.Let):
        found.extend(pattern_names(node.target))
    elif isinstance(node, ast.Assign) and isinstance(node.target, ast.Name):
        found.append(node.target.id)
    for child in _children(node):
        _collect_bound(child, found)


def pattern_names(pattern: Any) -> list[str]:
    """The names a `let` pattern binds."""
    if isinstance(pattern, (ast.BindPat, ast.TypedPat)):
        return [pattern.name]
    if isinstance(pattern, ast.FieldPat):
        return [pattern.name] if pattern.pattern is None else pattern_names(pattern.pattern)
    names: list[str] = []
    if isinstance(pattern, ast.ListPat) and pattern.rest:
        names.append(pattern.rest)
    for child in _children(pattern):
        names.extend(pattern_names(child))
    return names


def _children(node: Any) -> list[Any]:
    if not is_dataclass(node):
        return []
    children: list[Any] = []
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, ast.Node):
            children.append(value)
        elif isinstance(value, tuple):
            children.extend(v for v in value if isinstance(v, ast.Node))
    return children
