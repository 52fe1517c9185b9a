"""Declarations and whole programs for the canonical printer (see `printer.py`)."""

from __future__ import annotations

from lumen.syntax import ast as A
from lumen.syntax.printer import (
    INDENT,
    _effect_suffix,
    _generics,
    print_block,
    print_expr,
    print_params,
    print_stmt,
    print_type,
)
from lumen.syntax.printer_text import print_string_value


def _ind(level: int) -> str:
    return INDENT * level


def _end(indent: int) -> str:
    return _ind(indent) + "end"


def _attributes(attributes: tuple[A.Attribute, ...], indent: int) -> list[str]:
    return [_ind(indent) + print_attribute(a) for a in attributes]


def print_attribute(attribute: A.Attribute) -> str:
    if attribute.args is None:
        return "@" + attribute.name
    if "\n" not in attribute.args and _balanced(attribute.args):
        return f"@{attribute.name}({attribute.args})"
    return f"@{attribute.name} {attribute.args}"


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def print_directive(directive: A.Directive) -> str:
    if directive.value is None:
        return "@" + directive.name
    return f"@{directive.name} {directive.value}"


def _doc(doc: str | None, indent: int) -> list[str]:
    if doc is None:
        return []
    lines = ["```", *doc.split("\n"), "```"]
    return [(_ind(indent) + line) if line else "" for line in lines]


def _pub(is_pub: bool) -> str:
    return "pub " if is_pub else ""


# ============================================================================ cells


def print_cell(cell: A.CellDecl, indent: int) -> str:
    lines = _attributes(cell.attributes, indent) + _doc(cell.doc, indent)
    head = _pub(cell.is_pub) + ("async " if cell.is_async else "")
    head += ("extern " if cell.is_extern else "") + "cell " + cell.name
    head += _generics(cell.generics) + f"({print_params(cell.params, indent)})"
    if cell.ret is not None:
        head += " -> " + print_type(cell.ret)
    head += _effect_suffix(cell.effects)
    if cell.where is not None:
        head += " where " + print_expr(cell.where, indent)
    if cell.body is None:
        lines.append(_ind(indent) + head)
    elif isinstance(cell.body, A.Block):
        lines.append(_ind(indent) + head)
        if cell.body.stmts:
            lines.append(print_block(cell.body, indent + 1))
        lines.append(_end(indent))
    else:
        lines.append(_ind(indent) + head + " = " + print_expr(cell.body, indent))
    return "\n".join(lines)


def _members(chunks: list[str]) -> list[str]:
    """Members of a declaration body, multi-line ones separated by blank lines."""
    out: list[str] = []
    for chunk in chunks:
        if out and ("\n" in chunk or "\n" in out[-1]):
            out.append("")
        out.append(chunk)
    return out


# ============================================================================ data types


def print_record(rec: A.RecordDecl, indent: int) -> str:
    lines = _attributes(rec.attributes, indent) + _doc(rec.doc, indent)
    lines.append(f"{_ind(indent)}{_pub(rec.is_pub)}record {rec.name}{_generics(rec.generics)}")
    for f in rec.fields:
        text = f"{_ind(indent + 1)}{f.name}: {print_type(f.type)}"
        if f.default is not None:
            text += " = " + print_expr(f.default, indent + 1)
        if f.where is not None:
            text += " where " + print_expr(f.where, indent + 1)
        lines.append(text)
    lines.append(_end(indent))
    return "\n".join(lines)


def _variant(v: A.VariantDecl) -> str:
    text = v.name
    if v.fields is not None:
        fields = [("" if f.name is None else f.name + ": ") + print_type(f.type) for f in v.fields]
        text += "(" + ", ".join(fields) + ")"
    if v.result is not None:
        text += " -> " + print_type(v.result)
    return text


def print_enum(enum: A.EnumDecl, indent: int) -> str:
    lines = _attributes(enum.attributes, indent) + _doc(enum.doc, indent)
    lines.append(f"{_ind(indent)}{_pub(enum.is_pub)}enum {enum.name}{_generics(enum.generics)}")
    lines += [_ind(indent + 1) + _variant(v) for v in enum.variants]
    for method in enum.methods:
        lines += ["", print_cell(method, indent + 1)]
    lines.append(_end(indent))
    return "\n".join(lines)


def print_type_alias(alias: A.TypeAlias, indent: int) -> str:
    lines = _attributes(alias.attributes, indent) + _doc(alias.doc, indent)
    text = f"{_pub(alias.is_pub)}type {alias.name}{_generics(alias.generics)}"
    text += " = " + print_type(alias.type)
    if alias.where is not None:
        text += " where " + print_expr(alias.where, indent)
    lines.append(_ind(indent) + text)
    return "\n".join(lines)


def print_const(const: A.ConstDecl, indent: int) -> str:
    lines = _attributes(const.attributes, indent)
    text = "const " + const.name
    if const.type is not None:
        text += ": " + print_type(const.type)
    lines.append(f"{_ind(indent)}{text} = {print_expr(const.value, indent)}")
    return "\n".join(lines)


def print_trait(trait: A.TraitDecl, indent: int) -> str:
    lines = _attributes(trait.attributes, indent)
    head = f"{_pub(trait.is_pub)}trait {trait.name}"
    if trait.parents:
        head += ": " + " + ".join(trait.parents)
    lines.append(_ind(indent) + head)
    lines += _members([print_cell(m, indent + 1) for m in trait.methods])
    lines.append(_end(indent))
    return "\n".join(lines)


def print_impl(impl: A.ImplDecl, indent: int) -> str:
    lines = _attributes(impl.attributes, indent)
    head = f"impl{_generics(impl.generics)} {impl.trait} for {impl.target}"
    if impl.target_args:
        head += "[" + ", ".join(print_type(t) for t in impl.target_args) + "]"
    lines.append(_ind(indent) + head)
    lines += _members([print_cell(m, indent + 1) for m in impl.methods])
    lines.append(_end(indent))
    return "\n".join(lines)


# ============================================================================ modules and tools


def print_import(imp: A.ImportDecl, indent: int) -> str:
    if imp.names is None:
        names = "*"
    else:
        names = ", ".join(n.name + ("" if n.alias is None else " as " + n.alias) for n in imp.names)
    text = f"{_pub(imp.is_pub)}import {'.'.join(imp.module)}: {names}"
    if imp.granting is not None:
        text += " granting {" + imp.granting + "}"
    return _ind(indent) + text


def print_use_tool(use: A.UseTool, indent: int) -> str:
    if use.mcp_uri is not None:
        target = "mcp " + print_string_value(use.mcp_uri)
    else:
        target = (use.tool_id or "") + ("" if use.version is None else "@" + use.version)
    return f"{_ind(indent)}use tool {target} as {use.alias}"


def _grant_value(value: A.Expr) -> str:
    if isinstance(value, A.StringLit) and value.form == "bare":
        return value.value
    return print_expr(value)


def print_grant(grant: A.GrantDecl, indent: int) -> str:
    parts = [f"{c.key} {_grant_value(c.value)}" for c in grant.constraints]
    return _ind(indent) + " ".join(["grant " + grant.alias, *parts])


def print_bind_effect(bind: A.BindEffect, indent: int) -> str:
    return f"{_ind(indent)}bind effect {bind.effect} to {bind.tool}"


# ============================================================================ effects


def print_effect(effect: A.EffectDecl, indent: int) -> str:
    lines = _attributes(effect.attributes, indent)
    lines.append(f"{_ind(indent)}effect {effect.name}")
    lines += _members([print_cell(op, indent + 1) for op in effect.operations])
    lines.append(_end(indent))
    return "\n".join(lines)


def _handler_op(op: A.HandlerOp, indent: int) -> str:
    head = f"handle {op.effect}.{op.op}({print_params(op.params, indent)})"
    if op.ret is not None:
        head += " -> " + print_type(op.ret)
    head += _effect_suffix(op.effects)
    lines = [_ind(indent) + head]
    if op.body.stmts:
        lines.append(print_block(op.body, indent + 1))
    lines.append(_end(indent))
    return "\n".join(lines)


def print_handler(handler: A.HandlerDecl, indent: int) -> str:
    lines = _attributes(handler.attributes, indent)
    lines.append(f"{_ind(indent)}handler {handler.name}")
    lines += _members([_handler_op(op, indent + 1) for op in handler.ops])
    lines.append(_end(indent))
    return "\n".join(lines)


# ============================================================================ agents and processes


def print_agent(agent: A.AgentDecl, indent: int) -> str:
    lines = _attributes(agent.attributes, indent)
    lines.append(f"{_ind(indent)}agent {agent.name}")
    chunks = [print_grant(g, indent + 1) for g in agent.grants]
    chunks += [_ind(indent + 1) + print_attribute(a) for a in agent.member_attributes]
    chunks += [print_cell(c, indent + 1) for c in agent.cells]
    lines += _members(chunks)
    lines.append(_end(indent))
    return "\n".join(lines)


def _state(state: A.StateDecl, indent: int) -> str:
    head = f"{_ind(indent)}state {state.name}"
    if state.params:
        head += f"({print_params(state.params, indent)})"
    lines = [head]
    inner = _ind(indent + 1)
    if state.terminal is not None:
        lines.append(f"{inner}terminal: {'true' if state.terminal else 'false'}")
    if state.guard is not None:
        lines.append(f"{inner}guard: {print_expr(state.guard, indent + 1)}")
    if state.transition is not None:
        text = f"{inner}transition {state.transition}"
        if state.transition_args:
            text += "(" + ", ".join(print_expr(a, indent + 1) for a in state.transition_args) + ")"
        lines.append(text)
    for raw in state.handlers:
        lines.append(inner + raw)
    lines.append(_end(indent))
    return "\n".join(lines)


def print_process(proc: A.ProcessDecl, indent: int) -> str:
    lines = _attributes(proc.attributes, indent)
    head = f"{_ind(indent)}{proc.kind} {proc.name}"
    if proc.header_rest:
        head += proc.header_rest if proc.header_rest.startswith(":") else " " + proc.header_rest
    lines.append(head)
    inner = _ind(indent + 1)
    chunks = [f"{inner}{c.key}: {print_expr(c.value, indent + 1)}" for c in proc.config]
    if proc.initial is not None:
        chunks.append(f"{inner}initial: {proc.initial}")
    if proc.stages is not None:
        stage_lines = [f"{inner}stages:"]
        stage_lines += [f"{_ind(indent + 2)}-> {stage}" for stage in proc.stages]
        stage_lines.append(_end(indent + 1))
        chunks.append("\n".join(stage_lines))
    chunks += [_state(s, indent + 1) for s in proc.states]
    chunks += [print_grant(g, indent + 1) for g in proc.grants]
    chunks += [inner + print_attribute(a) for a in proc.member_attributes]
    chunks += [print_cell(c, indent + 1) for c in proc.cells]
    lines += _members(chunks)
    lines.append(_end(indent))
    return "\n".join(lines)


def print_macro(macro: A.MacroDecl, indent: int) -> str:
    head = f"{_ind(indent)}macro {macro.name}" + ("!" if macro.bang else "")
    head += "(" + ", ".join(macro.params) + ")"
    body = macro.body.strip("\n")
    return head + ("\n" + body if body else "") + "\n" + _end(indent)


_DECL_PRINTERS = {
    A.CellDecl: print_cell,
    A.RecordDecl: print_record,
    A.EnumDecl: print_enum,
    A.TypeAlias: print_type_alias,
    A.ConstDecl: print_const,
    A.TraitDecl: print_trait,
    A.ImplDecl: print_impl,
    A.ImportDecl: print_import,
    A.UseTool: print_use_tool,
    A.GrantDecl: print_grant,
    A.BindEffect: print_bind_effect,
    A.EffectDecl: print_effect,
    A.HandlerDecl: print_handler,
    A.AgentDecl: print_agent,
    A.ProcessDecl: print_process,
    A.MacroDecl: print_macro,
}


def print_decl(decl: A.Decl, indent: int = 0) -> str:
    return _DECL_PRINTERS[type(decl)](decl, indent)  # type: ignore[operator]


# ============================================================================ programs


def print_program(program: A.Program) -> str:
    """The whole unit: one blank line around every declaration, none between consecutive
    statements or consecutive directives."""
    chunks: list[str] = []
    previous_kind = ""
    for item in program.items:
        if isinstance(item, A.Directive):
            kind, text = "directive", print_directive(item)
        elif isinstance(item, A.DECL_TYPES):
            kind, text = "decl", print_decl(item, 0)
        else:
            kind, text = "stmt", print_stmt(item, 0)
        if chunks and (kind == "decl" or kind != previous_kind):
            chunks.append("")
        chunks.append(text)
        previous_kind = kind
    if not chunks:
        return ""
    return "\n".join(chunks) + "\n"
