"""textDocument/signatureHelp: the parameters of the cell, builtin, record or variant being
called, the one under the cursor highlighted.

The call is found in the current text, not the tree: while its arguments are typed the
call is unclosed and the document does not parse. The callee is then looked up among the
names of the last version that parsed.
"""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from lumen.lsp.builtins import builtin_signature
from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.index import build_index
from lumen.lsp.lookup import resolve_global
from lumen.syntax import ast

_CALLEE = re.compile(r"([A-Za-z_][\w.]*)\s*$")
_LOOK_BACK_LINES = 30  # an open call further up than this is not being typed


def signature_help(document: AnalyzedDocument,
                   params: lsp.SignatureHelpParams) -> lsp.SignatureHelp | None:
    line, column = document.lumen_position(params.position)
    first = max(1, line - _LOOK_BACK_LINES)
    before = "\n".join(document.lines.line(n - 1) for n in range(first, line))
    before += ("\n" if before else "") + document.lines.line(line - 1)[: column - 1]
    call = open_call(before)
    if call is None:
        return None
    callee, active = call
    found = _signature(document, callee)
    if found is None:
        return None
    label, parameters = found
    information = lsp.SignatureInformation(
        label=label, parameters=[lsp.ParameterInformation(label=p) for p in parameters])
    active_parameter = min(active, len(parameters) - 1) if parameters else 0
    return lsp.SignatureHelp(signatures=[information], active_signature=0,
                             active_parameter=active_parameter)


def open_call(text: str) -> tuple[str, int] | None:
    """The callee of the innermost call still open at the end of `text`, and how many
    commas of that call precede the end (strings and `#` comments skipped)."""
    stack: list[list[int]] = []  # [index of '(', commas so far]
    quote: str | None = None
    index = 0
    while index < len(text):
        char = text[index]
        if quote is not None:
            if char == "\\":
                index += 1
            elif char == quote or char == "\n":
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        elif char in "([{":
            stack.append([index, 0] if char == "(" else [-1, 0])
        elif char in ")]}":
            if stack:
                stack.pop()
        elif char == "," and stack:
            stack[-1][1] += 1
        index += 1
    while stack and stack[-1][0] < 0:
        stack.pop()  # inside a list or map literal: the argument of the call around it
    if not stack:
        return None
    open_index, commas = stack[-1]
    match = _CALLEE.search(text[:open_index])
    if match is None:
        return None
    return match.group(1).rsplit(".", 1)[-1], commas


def _signature(document: AnalyzedDocument, callee: str) -> tuple[str, list[str]] | None:
    from lumen.syntax.printer import print_type

    if document.outline_program is not None and document.outline_unit is not None:
        index = build_index(document.outline_unit, document.outline_program)
        target = resolve_global(document, index, callee)
        if target is not None and target.declared is not None:
            node = target.declared.node
            if isinstance(node, ast.CellDecl):
                parameters = [_param(p) for p in node.params]
                ret = f" -> {print_type(node.ret)}" if node.ret is not None else ""
                return f"{node.name}({', '.join(parameters)}){ret}", parameters
            if isinstance(node, ast.RecordDecl):
                parameters = [f"{f.name}: {print_type(f.type)}" for f in node.fields]
                return f"{node.name}({', '.join(parameters)})", parameters
            if isinstance(node, ast.VariantDecl) and node.fields:
                parameters = [("" if f.name is None else f.name + ": ") + print_type(f.type)
                              for f in node.fields]
                return f"{node.name}({', '.join(parameters)})", parameters
    builtin = builtin_signature(callee)
    if builtin is not None:
        return builtin.label, list(builtin.params)
    return None


def _param(param: ast.Param) -> str:
    from lumen.syntax.printer import print_params

    return print_params((param,))
