"""textDocument/signatureHelp: the parameters of the cell, builtin, record or variant being
called, the one under the cursor highlighted.

The call is found in the current text, not the tree: while its arguments are typed the
call is unclosed and the document does not parse. The callee is then looked up among the
names of the last version that parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lsprotocol import types as lsp

from lumen.lsp.builtins import builtin_signature
from lumen.lsp.documents import AnalyzedDocument
from lumen.lsp.lookup import resolve_global
from lumen.lsp.receivers import members_of_type, outline_index, receiver_type
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
    active = call.commas
    found = None
    if call.receiver:
        found = _member_signature(document, call.receiver, call.name, line, column)
    if found is None:
        found = _signature(document, call.name)
        if found is not None and call.receiver is not None and builtin_signature(call.name):
            active += 1  # `xs.len()` calls `len(xs, ...)`: the receiver is the first argument
    if found is None:
        return None
    label, parameters = found
    information = lsp.SignatureInformation(
        label=label, parameters=[lsp.ParameterInformation(label=p) for p in parameters])
    active_parameter = min(active, len(parameters) - 1) if parameters else 0
    return lsp.SignatureHelp(signatures=[information], active_signature=0,
                             active_parameter=active_parameter)


@dataclass(frozen=True, slots=True)
class OpenCall:
    """`name(` or `receiver.name(`; `receiver` is "" when it is an expression (`"a".f(`),
    None for a plain call. `commas`: how many arguments come before the cursor's."""

    name: str
    receiver: str | None
    commas: int


def open_call(text: str) -> OpenCall | None:
    """The innermost call still open at the end of `text` (strings and `#` comments
    skipped)."""
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
    before = text[:open_index]
    match = _CALLEE.search(before)
    if match is None:
        return None
    receiver, _, name = match.group(1).rpartition(".")
    if receiver:
        return OpenCall(name, receiver, commas)
    method_of_expression = before[: match.start()].rstrip().endswith(".")
    return OpenCall(name, "" if method_of_expression else None, commas)


def _member_signature(document: AnalyzedDocument, receiver: str, name: str, line: int,
                      column: int) -> tuple[str, list[str]] | None:
    """`receiver.name(`: a method or variant of the receiver's type."""
    index = outline_index(document)
    if index is None:
        return None
    owner = receiver_type(document, index, receiver.rsplit(".", 1)[-1], line, column)
    if owner is None:
        return None
    for member in members_of_type(document, index, owner):
        if member.name == name:
            return _declaration_signature(member.node, method=member.kind == "method")
    return None


def _signature(document: AnalyzedDocument, callee: str) -> tuple[str, list[str]] | None:
    index = outline_index(document)
    if index is not None:
        target = resolve_global(document, index, callee)
        if target is not None and target.declared is not None:
            return _declaration_signature(target.declared.node)
    builtin = builtin_signature(callee)
    if builtin is not None:
        return builtin.label, list(builtin.params)
    return None


def _declaration_signature(node: ast.Node, method: bool = False) -> tuple[str, list[str]] | None:
    """The label and parameters of a cell (a method's `self` left out), a record or a
    variant with a payload."""
    from lumen.syntax.printer import print_type

    if isinstance(node, ast.CellDecl):
        params = node.params[1:] if method and node.params and node.params[0].name == "self" \
            else node.params
        parameters = [_param(p) for p in params]
        ret = f" -> {print_type(node.ret)}" if node.ret is not None else ""
        return f"{node.name}({', '.join(parameters)}){ret}", parameters
    if isinstance(node, ast.RecordDecl):
        parameters = [f"{f.name}: {print_type(f.type)}" for f in node.fields]
        return f"{node.name}({', '.join(parameters)})", parameters
    if isinstance(node, ast.VariantDecl) and node.fields:
        parameters = [("" if f.name is None else f.name + ": ") + print_type(f.type)
                      for f in node.fields]
        return f"{node.name}({', '.join(parameters)})", parameters
    return None


def _param(param: ast.Param) -> str:
    from lumen.syntax.printer import print_params

    return print_params((param,))
