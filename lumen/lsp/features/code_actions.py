"""textDocument/codeAction: quick fixes for the document's diagnostics in the requested
range, made from what the checker said:
- a "did you mean" suggestion (`Diagnostic.suggestions`): replace the name;
- "add 'E' to the cell's effect row" (E0107, E0108): rewrite the enclosing cell's row;
- "add arms for A, B" (E0208): one arm per missing case before the match's `end`;
- a tool called without a grant in scope (E0106): `grant Alias` after its `use tool`.

The effect and the missing cases are read from the hint, which comes from one function of
`lumen.sema.messages`; the patterns below are derived from those functions, not retyped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from lsprotocol import types as lsp

from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.index import DeclarationIndex
from lumen.lsp.lookup import document_index, resolve_global
from lumen.lsp.positions import span_contains
from lumen.lsp.tree import walk
from lumen.syntax import ast

_PLACEHOLDER = "\x00"
_EFFECT_CODES = frozenset({ErrorCode.UNDECLARED_EFFECT.value, ErrorCode.EFFECT_CONTRACT.value})


def code_actions(document: AnalyzedDocument, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    actions: list[lsp.CodeAction] = []
    for diagnostic in _diagnostics_in(document, params.range):
        actions.extend(_fixes(document, diagnostic))
    return actions


def _diagnostics_in(document: AnalyzedDocument, wanted: lsp.Range) -> Iterator[Diagnostic]:
    start = document.lumen_position(wanted.start)
    end = document.lumen_position(wanted.end)
    for diagnostic in document.compilation.diagnostics:
        span = diagnostic.span
        if diagnostic.file != document.path or span.line < 1:
            continue
        if (span.end_line, span.end_column) >= start and (span.line, span.column) <= end:
            yield diagnostic


def _fixes(document: AnalyzedDocument, diagnostic: Diagnostic) -> list[lsp.CodeAction]:
    from lumen.lsp.features.diagnostics import to_lsp

    shown = [to_lsp(diagnostic, document)]
    edits: list[tuple[str, list[lsp.TextEdit]]] = []
    for suggestion in diagnostic.suggestions:
        edits.append((f"Replace with '{suggestion}'",
                      [lsp.TextEdit(range=document.lines.range(diagnostic.span), new_text=suggestion)]))
    if diagnostic.code in _EFFECT_CODES and diagnostic.hint:
        effect = _effect_in_hint(diagnostic.hint)
        edit = _add_effect(document, diagnostic.span, effect) if effect else None
        if edit is not None:
            edits.append((f"Add '{effect}' to the effect row", [edit]))
    if diagnostic.code == ErrorCode.MISSING_EFFECT_GRANT.value:
        grant = _add_grant(document, diagnostic.span)
        if grant is not None:
            edits.append(grant)
    if diagnostic.code == ErrorCode.INCOMPLETE_MATCH.value and diagnostic.hint:
        missing = _missing_in_hint(diagnostic.hint)
        edit = _add_arms(document, diagnostic.span, missing) if missing else None
        if edit is not None:
            edits.append(("Add the missing match arms", [edit]))
    return [lsp.CodeAction(title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=shown,
                           is_preferred=index == 0,
                           edit=lsp.WorkspaceEdit(changes={document.uri: changes}))
            for index, (title, changes) in enumerate(edits)]


# ------------------------------------------------------------------------ hints


@cache
def _hint_pattern(kind: str) -> re.Pattern[str]:
    from lumen.sema import messages

    text = messages.add_effect_hint(_PLACEHOLDER) if kind == "effect" \
        else messages.add_arms_hint([_PLACEHOLDER])
    before, after = text.split(_PLACEHOLDER)
    return re.compile("^" + re.escape(before) + "(.+?)" + re.escape(after) + "$")


def _effect_in_hint(hint: str) -> str | None:
    match = _hint_pattern("effect").match(hint)
    return match.group(1) if match else None


def _missing_in_hint(hint: str) -> list[str]:
    match = _hint_pattern("arms").match(hint)
    return [name.strip() for name in match.group(1).split(", ")] if match else []


# ------------------------------------------------------------------------ edits


def _innermost(document: AnalyzedDocument, span: Span, kind: type) -> ast.Node | None:
    if document.program is None:
        return None
    found = None
    for node in walk(document.program):
        if isinstance(node, kind) and span_contains(node.span, span.line, span.column):
            found = node  # parents come first: the last one is the innermost
    return found


def _add_effect(document: AnalyzedDocument, span: Span, effect: str) -> lsp.TextEdit | None:
    """The enclosing cell's row with `effect` added (a row is written when there is none)."""
    from lumen.syntax.printer import print_effect_row

    cell = _innermost(document, span, ast.CellDecl)
    if not isinstance(cell, ast.CellDecl):
        return None
    if cell.effects is not None:
        effects = tuple(dict.fromkeys(cell.effects.effects + (effect,)))
        row = print_effect_row(ast.EffectRow(effects, braced=True))
        return lsp.TextEdit(range=document.lines.range(cell.effects.span), new_text=row)
    if cell.ret is None:
        return None  # where the parameter list closes is not known from the tree
    end = cell.ret.span
    at = document.lines.range(Span(end.end_line, end.end_column, end.end_line, end.end_column))
    return lsp.TextEdit(range=lsp.Range(start=at.start, end=at.start),
                        new_text=" " + print_effect_row(ast.EffectRow((effect,), braced=True)))


def _add_grant(document: AnalyzedDocument,
               span: Span) -> tuple[str, list[lsp.TextEdit]] | None:
    """A call of a tool alias that no grant covers: `grant Alias` after its `use tool`."""
    call = _innermost(document, span, ast.Call)
    index = document_index(document)
    if not isinstance(call, ast.Call) or index is None:
        return None
    callee = call.callee
    while isinstance(callee, ast.Attr):  # `Tool.operation(...)`
        callee = callee.value
    declared = index.names.get(callee.id) if isinstance(callee, ast.Name) else None
    if declared is None or not isinstance(declared.node, ast.UseTool):
        return None
    at = lsp.Position(line=declared.node.span.end_line, character=0)  # the next line
    edit = lsp.TextEdit(range=lsp.Range(start=at, end=at), new_text=f"grant {declared.name}\n")
    return f"Add 'grant {declared.name}'", [edit]


def _add_arms(document: AnalyzedDocument, span: Span, missing: list[str]) -> lsp.TextEdit | None:
    """One arm per missing case, indented like the first arm, before the match's `end`."""
    match = _innermost(document, span, ast.Match)
    index = document_index(document)
    if not isinstance(match, ast.Match) or not match.arms or index is None:
        return None
    indent = " " * (match.arms[0].span.column - 1)
    arms = []
    for case in missing:
        pattern = _pattern_for(document, index, case)
        arms.append(f'{indent}{pattern} -> halt("unhandled {case}")\n')
    end_line = match.span.end_line  # the line of `end`
    at = lsp.Position(line=end_line - 1, character=0)
    return lsp.TextEdit(range=lsp.Range(start=at, end=at), new_text="".join(arms))


def _pattern_for(document: AnalyzedDocument, index: DeclarationIndex, case: str) -> str:
    """A pattern matching every value of a missing case: its variant with `_` payloads,
    or `_` when the case is not a name (a literal range, a wildcard requirement)."""
    if not case.isidentifier():
        return "_"
    if case in ("ok", "err"):
        return f"{case}(_)"
    target = resolve_global(document, index, case)
    node = target.declared.node if target is not None and target.declared is not None else None
    if isinstance(node, ast.VariantDecl) and node.fields:
        return f"{case}(" + ", ".join("_" for _ in node.fields) + ")"
    return case
