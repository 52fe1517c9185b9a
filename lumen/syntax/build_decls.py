"""Parser reductions for declarations (the rest of the builder is in `build.py`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from lumen.diagnostics import Span
from lumen.syntax import ast
from lumen.syntax.build_support import int_value, span_of
from lumen.syntax.scanner import Token

_ATTRIBUTE_RE = re.compile(r"([A-Za-z_]\w*)\s*(.*)", re.S)
_MACRO_RE = re.compile(r"macro\s+([A-Za-z_]\w*)\s*(!?)\s*(?:\(([^)]*)\))?[^\n]*\n?", re.S)


@dataclass(frozen=True, slots=True)
class Dotted:
    """`a.b.c` while building: its text, parts and first/last tokens (for spans)."""

    text: str
    parts: tuple[str, ...]
    first: Token
    last: Token


@dataclass(frozen=True, slots=True)
class CellHeader:
    """Everything before a cell's body (while building)."""

    first: Token
    last: Any
    name: str
    generics: tuple[ast.Generic, ...]
    params: tuple[ast.Param, ...]
    ret: ast.TypeExpr | None
    effects: ast.EffectRow | None
    where: ast.Expr | None
    is_pub: bool
    is_async: bool


def _span(first: Any, last: Any) -> Span:
    return span_of(first, last)


def _tok_span(token: Token) -> Span:
    return Span(token.line, token.column, token.end_line, token.end_column)


def parse_attribute(token: Token) -> ast.Attribute:
    """`@name`, `@name(args)`, `@name rest` (token value is the text after `@`)."""
    match = _ATTRIBUTE_RE.match(str(token))
    assert match is not None
    name, rest = match.group(1), match.group(2).strip()
    if rest.startswith("(") and rest.endswith(")") and "\n" not in rest:
        rest = rest[1:-1].strip()
    return ast.Attribute(name, rest or None, span=_tok_span(token))


class DeclBuilder:
    """Mixin of `AstBuilder`: one method per declaration rule of the grammar."""

    # ------------------------------------------------------------------ shared pieces

    def dotted(self, children: list[Any]) -> Dotted:
        names = [child for child in children if child is not None]
        parts = tuple(name.value for name in names)
        return Dotted(".".join(parts), parts, names[0], names[-1])

    def directive(self, children: list[Any]) -> ast.Directive:
        (token,) = children
        match = _ATTRIBUTE_RE.match(str(token))
        assert match is not None
        value = match.group(2).strip()
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            value = value[1:-1]
        return ast.Directive(match.group(1), value or None, span=_tok_span(token))

    def attributes(self, children: list[Any]) -> tuple[ast.Attribute, ...]:
        return tuple(parse_attribute(token) for token in children)

    def attributed(self, children: list[Any]) -> Any:
        attributes, decl = children
        if hasattr(decl, "attributes"):
            return replace(decl, attributes=attributes + decl.attributes)
        return decl

    def member_attribute(self, children: list[Any]) -> ast.Attribute:
        return parse_attribute(children[0])

    def modifiers(self, children: list[Any]) -> list[Token]:
        return [child for child in children if child is not None]

    def generics(self, children: list[Any]) -> tuple[ast.Generic, ...]:
        return tuple(child for child in children if child is not None)

    def generic(self, children: list[Any]) -> ast.Generic:
        names = [child for child in children if child is not None]
        return ast.Generic(
            str(names[0]), tuple(str(n) for n in names[1:]), span=_span(names[0], names[-1])
        )

    def params(self, children: list[Any]) -> tuple[ast.Param, ...]:
        return tuple(child for child in children if isinstance(child, ast.Param))

    def variadic(self, children: list[Any]) -> Token:
        return children[0]

    def param(self, children: list[Any]) -> ast.Param:
        variadic, name, type_, _, default = children
        first = variadic if variadic is not None else name
        last = default if default is not None else type_ if type_ is not None else name
        return ast.Param(str(name), type_, default, variadic is not None, span=_span(first, last))

    def effect_row_braced(self, children: list[Any]) -> ast.EffectRow:
        names = [c for c in children[1:-1] if type(c) is Token]
        return ast.EffectRow(tuple(str(n) for n in names), True, span=_span(children[0], children[-1]))

    def effect_row_bare(self, children: list[Any]) -> ast.EffectRow:
        slash, name = children
        return ast.EffectRow((str(name),), False, span=_span(slash, name))

    # ------------------------------------------------------------------ cells

    def cell_header(self, children: list[Any]) -> CellHeader:
        modifiers, keyword, name, generics, params, _, ret, row, _, where = children
        first = modifiers[0] if modifiers else keyword
        last = where or row or ret or name
        return CellHeader(
            first, last, str(name), generics or (), params or (), ret, row, where,
            any(m.type == "PUB" for m in modifiers), any(m.type == "ASYNC" for m in modifiers),
        )

    @staticmethod
    def _cell(header: CellHeader, body: Any, last: Any, **extra: Any) -> ast.CellDecl:
        return ast.CellDecl(
            header.name, header.params, body, header.ret, header.effects, header.where,
            header.generics, header.is_pub, header.is_async, span=_span(header.first, last),
            **extra,
        )

    def cell_decl(self, children: list[Any]) -> ast.CellDecl:
        header, body, end = children
        return self._cell(header, body, end)

    def cell_expr_decl(self, children: list[Any]) -> ast.CellDecl:
        header, _, value = children
        return self._cell(header, value, value, expr_body=True)

    cell_expr_local = cell_expr_decl

    def cell_signature(self, children: list[Any]) -> ast.CellDecl:
        (header,) = children
        return self._cell(header, None, header.last)

    def extern_cell(self, children: list[Any]) -> ast.CellDecl:
        modifiers, keyword, header = children
        first = modifiers[0] if modifiers else keyword
        is_pub = header.is_pub or any(m.type == "PUB" for m in modifiers)
        cell = self._cell(header, None, header.last, is_extern=True)
        return replace(cell, is_pub=is_pub, span=_span(first, header.last))

    # ------------------------------------------------------------------ data declarations

    def record_decl(self, children: list[Any]) -> ast.RecordDecl:
        pub, keyword, name, generics, *fields, end = children
        return ast.RecordDecl(
            str(name), tuple(f for f in fields if f is not None), generics or (),
            pub is not None, span=_span(pub or keyword, end),
        )

    def field_decl(self, children: list[Any]) -> ast.FieldDecl:
        name, type_, _, default, _, where = children
        last = where or default or type_
        return ast.FieldDecl(str(name), type_, default, where, span=_span(name, last))

    def enum_decl(self, children: list[Any]) -> ast.EnumDecl:
        pub, keyword, name, generics, *members, end = children
        variants = tuple(m for m in members if type(m) is ast.VariantDecl)
        methods = tuple(m for m in members if type(m) is ast.CellDecl)
        return ast.EnumDecl(
            str(name), variants, methods, generics or (), pub is not None,
            span=_span(pub or keyword, end),
        )

    def variant_decl(self, children: list[Any]) -> ast.VariantDecl:
        name, fields, _, result = children
        last = result or (fields[1] if fields is not None else name)
        return ast.VariantDecl(
            str(name), fields[0] if fields is not None else None, result, span=_span(name, last)
        )

    def variant_fields(self, children: list[Any]) -> tuple[tuple[ast.VariantField, ...], Token]:
        fields = tuple(c for c in children if type(c) is ast.VariantField)
        return fields, children[-1]

    def variant_field(self, children: list[Any]) -> ast.VariantField:
        name, type_ = children
        return ast.VariantField(
            type_, str(name) if name is not None else None, span=_span(name or type_, type_)
        )

    def type_alias(self, children: list[Any]) -> ast.TypeAlias:
        pub, keyword, name, generics, _, type_, _, where = children
        return ast.TypeAlias(
            str(name), type_, generics or (), where, pub is not None,
            span=_span(pub or keyword, where or type_),
        )

    def const_decl(self, children: list[Any]) -> ast.ConstDecl:
        keyword, name, type_, _, value = children
        return ast.ConstDecl(str(name), value, type_, span=_span(keyword, value))

    def trait_decl(self, children: list[Any]) -> ast.TraitDecl:
        pub, keyword, name = children[0], children[1], children[2]
        parents = tuple(str(c) for c in children[3:] if type(c) is Token and c.type == "NAME")
        methods = tuple(c for c in children[3:] if type(c) is ast.CellDecl)
        return ast.TraitDecl(
            str(name), methods, parents, pub is not None, span=_span(pub or keyword, children[-1])
        )

    def impl_decl(self, children: list[Any]) -> ast.ImplDecl:
        keyword, generics, trait, _, target = children[:5]
        rest = children[5:]
        target_args = tuple(c for c in rest if c is not None and not isinstance(c, (Token, ast.CellDecl)))
        methods = tuple(c for c in rest if type(c) is ast.CellDecl)
        return ast.ImplDecl(
            str(trait), target.text, methods, target_args, generics or (),
            span=_span(keyword, children[-1]),
        )

    # ------------------------------------------------------------------ modules and tools

    def import_decl(self, children: list[Any]) -> ast.ImportDecl:
        pub, keyword, module, names, granting = children
        last = granting or (names[-1] if names else module.last)
        return ast.ImportDecl(
            module.parts, names, pub is not None, str(granting) if granting is not None else None,
            span=_span(pub or keyword, last),
        )

    def import_all(self, children: list[Any]) -> None:
        return None

    def import_list(self, children: list[Any]) -> tuple[ast.ImportName, ...]:
        return tuple(c for c in children if c is not None)

    def import_name(self, children: list[Any]) -> ast.ImportName:
        name, _, alias = children
        return ast.ImportName(
            str(name), str(alias) if alias is not None else None, span=_span(name, alias or name)
        )

    def use_tool(self, children: list[Any]) -> ast.UseTool:
        keyword, _, tool_id, version, _, alias = children
        return ast.UseTool(
            str(alias), tool_id.text, str(version) if version is not None else None,
            span=_span(keyword, alias),
        )

    def use_tool_mcp(self, children: list[Any]) -> ast.UseTool:
        keyword, _, _, uri, _, alias = children
        value = self.string_from_token(uri)  # type: ignore[attr-defined]
        text = value.value if type(value) is ast.StringLit else str(uri)[1:-1]
        return ast.UseTool(str(alias), mcp_uri=text, span=_span(keyword, alias))

    def grant_decl(self, children: list[Any]) -> ast.GrantDecl:
        keyword, alias, *constraints = children
        last = constraints[-1] if constraints else alias.last
        return ast.GrantDecl(alias.text, tuple(constraints), span=_span(keyword, last))

    def grant_block(self, children: list[Any]) -> ast.GrantDecl:
        keyword, alias, *constraints = children
        return ast.GrantDecl(
            alias.text, tuple(constraints), block=True, span=_span(keyword, constraints[-1])
        )

    def grant_constraint(self, children: list[Any]) -> ast.GrantConstraint:
        key, value = children
        return ast.GrantConstraint(str(key), value, span=_span(key, value))

    def bare_name(self, children: list[Any]) -> ast.StringLit:
        (token,) = children
        return ast.StringLit(str(token), "bare", span=_tok_span(token))

    def neg_int(self, children: list[Any]) -> ast.IntLit:
        minus, token = children
        return ast.IntLit(-int_value(str(token)), "-" + str(token), span=_span(minus, token))

    def neg_float(self, children: list[Any]) -> ast.FloatLit:
        minus, token = children
        return ast.FloatLit(
            -float(str(token).replace("_", "")), "-" + str(token), span=_span(minus, token)
        )

    def bind_effect(self, children: list[Any]) -> ast.BindEffect:
        keyword, _, effect, _, tool = children
        return ast.BindEffect(effect.text, tool.text, span=_span(keyword, tool.last))

    # ------------------------------------------------------------------ effects

    def effect_decl(self, children: list[Any]) -> ast.EffectDecl:
        keyword, name, *operations, end = children
        return ast.EffectDecl(
            str(name), tuple(o for o in operations if o is not None), span=_span(keyword, end)
        )

    def handler_decl(self, children: list[Any]) -> ast.HandlerDecl:
        keyword, name, *ops, end = children
        return ast.HandlerDecl(str(name), tuple(o for o in ops if o is not None),
                               span=_span(keyword, end))

    def handler_op(self, children: list[Any]) -> ast.HandlerOp:
        keyword, target, params, _, ret, row, body, end = children
        effect, _, op = target.text.rpartition(".")
        return ast.HandlerOp(effect, op, params or (), body, ret, row, span=_span(keyword, end))

    def macro_decl(self, children: list[Any]) -> ast.MacroDecl:
        (token,) = children
        text = str(token)
        match = _MACRO_RE.match(text)
        if match is None:
            return ast.MacroDecl("", (), text, span=_tok_span(token))
        params = tuple(p.strip() for p in (match.group(3) or "").split(",") if p.strip())
        body = text[match.end():]
        body = body[: body.rfind("end")] if body.rstrip().endswith("end") else body
        return ast.MacroDecl(
            match.group(1), params, body.strip("\n"), bang=match.group(2) == "!",
            span=_tok_span(token),
        )

    # ------------------------------------------------------------------ agents and processes

    def agent_decl(self, children: list[Any]) -> ast.AgentDecl:
        keyword, name, *members, end = children
        parts = _sort_members(members)
        return ast.AgentDecl(
            str(name), parts["cells"], parts["grants"],
            member_attributes=parts["attributes"], span=_span(keyword, end),
        )

    def process_kind(self, children: list[Any]) -> Token:
        return children[0]

    def process_decl(self, children: list[Any]) -> ast.ProcessDecl:
        kind, name, header_rest, *members, end = children
        parts = _sort_members(members)
        return ast.ProcessDecl(
            str(kind), str(name), parts["cells"], parts["grants"], parts["stages"],
            parts["initial"], parts["states"], parts["config"],
            str(header_rest) if header_rest is not None else None,
            member_attributes=parts["attributes"], span=_span(kind, end),
        )

    def stages(self, children: list[Any]) -> tuple[str, tuple[str, ...]]:
        return ("stages", tuple(c for c in children[1:-1] if type(c) is str))

    def stage_line(self, children: list[Any]) -> str:
        return children[-1].text

    def initial(self, children: list[Any]) -> tuple[str, str]:
        return ("initial", str(children[1]))

    def config_entry(self, children: list[Any]) -> ast.ConfigEntry:
        key, value = children
        return ast.ConfigEntry(str(key), value, span=_span(key, value))

    def state_decl(self, children: list[Any]) -> ast.StateDecl:
        keyword, name, params, *members, end = children
        terminal: bool | None = None
        guard = None
        transition = None
        transition_args: tuple[ast.Expr, ...] = ()
        handlers: list[str] = []
        for kind, value in members:
            if kind == "terminal":
                terminal = value
            elif kind == "guard":
                guard = value
            elif kind == "transition":
                transition, transition_args = value
            else:
                handlers.append(value)
        return ast.StateDecl(
            str(name), params or (), terminal, guard, transition, transition_args,
            tuple(handlers), span=_span(keyword, end),
        )

    def state_terminal(self, children: list[Any]) -> tuple[str, bool]:
        return ("terminal", children[1].type == "TRUE")

    def state_guard(self, children: list[Any]) -> tuple[str, Any]:
        return ("guard", children[1])

    def state_transition(self, children: list[Any]) -> tuple[str, Any]:
        args = tuple(c for c in children[2:] if isinstance(c, ast.Node))
        return ("transition", (str(children[1]), args))

    def state_handler(self, children: list[Any]) -> tuple[str, str]:
        return ("handler", str(children[0]))


def _sort_members(members: list[Any]) -> dict[str, Any]:
    cells: list[ast.CellDecl] = []
    grants: list[ast.GrantDecl] = []
    states: list[ast.StateDecl] = []
    config: list[ast.ConfigEntry] = []
    attributes: list[ast.Attribute] = []
    stages: tuple[str, ...] | None = None
    initial: str | None = None
    pending: list[ast.Attribute] = []
    for member in members:
        if member is None:
            continue
        if type(member) is ast.Attribute:
            pending.append(member)
            continue
        if type(member) is ast.CellDecl:
            if pending:
                member = replace(member, attributes=tuple(pending) + member.attributes)
                pending = []
            cells.append(member)
            continue
        attributes.extend(pending)
        if type(member) is ast.GrantDecl:
            grants.append(member)
        elif type(member) is ast.StateDecl:
            states.append(member)
        elif type(member) is ast.ConfigEntry:
            config.append(member)
        elif type(member) is tuple and member[0] == "stages":
            stages = (stages or ()) + member[1]
        elif type(member) is tuple and member[0] == "initial":
            initial = member[1]
        pending = []
    attributes.extend(pending)
    return {
        "cells": tuple(cells), "grants": tuple(grants), "states": tuple(states),
        "config": tuple(config), "attributes": tuple(attributes), "stages": stages,
        "initial": initial,
    }
