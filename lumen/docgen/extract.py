"""From a parsed file to its `ModuleDoc`: signatures (printed by the canonical printer with
bodies left out), docstrings and inferred effects.

A declaration's documentation is its docstring (a ``` block right before it in a plain
file, §1.2: the parser attaches it to cells, records, enums, handlers and type aliases;
for the other declarations the same rule is applied here), or in a Markdown file the prose
paragraph right before the code fence that the declaration opens (the language server's
hover shows the same text).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from lumen.docgen.model import DocItem, Member, ModuleDoc
from lumen.source import SourceUnit
from lumen.syntax import ast as A
from lumen.syntax.printer import print_expr, print_params, print_type
from lumen.syntax.printer_decls import print_attribute, print_decl

_KINDS: dict[type, str] = {
    A.CellDecl: "cell", A.RecordDecl: "record", A.EnumDecl: "enum", A.TypeAlias: "type",
    A.ConstDecl: "const", A.TraitDecl: "trait", A.ImplDecl: "impl", A.EffectDecl: "effect",
    A.HandlerDecl: "handler", A.AgentDecl: "agent", A.ProcessDecl: "process",
    A.UseTool: "tool", A.MacroDecl: "macro",
}
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(lumen|lm)?\s*$", re.IGNORECASE)
_SHOWN_ATTRIBUTES = frozenset({"must_use", "deprecated", "feature", "test"})


def document_unit(unit: SourceUnit, program: A.Program, module: str,
                  effects: dict[str, frozenset[str]] | None = None,
                  include_private: bool = True, include_tests: bool = False) -> ModuleDoc:
    """The documentation of one parsed file."""
    lines = unit.text.split("\n")
    docs = _DocFinder(unit, lines)
    items: list[DocItem] = []
    imports: list[str] = []
    for item in program.items:
        if isinstance(item, A.ImportDecl):
            imports.append(print_decl(item))
            continue
        kind = _KINDS.get(type(item))
        if kind is None:
            continue
        doc_item = _document(item, kind, docs.for_item(item), effects or {})
        if not include_tests and _is_test(item):
            continue
        if include_private or doc_item.is_pub:
            items.append(doc_item)
    first = program.items[0] if program.items else None
    return ModuleDoc(module, unit.path, docs.module_doc(first), tuple(items), tuple(imports))


def _is_test(item: Any) -> bool:
    if not isinstance(item, A.CellDecl):
        return False
    return item.name.startswith("test_") or any(a.name == "test" for a in item.attributes)


def _document(item: Any, kind: str, doc: str | None, effects: dict[str, frozenset[str]]) -> DocItem:
    name = _name(item)
    attributes = tuple(print_attribute(a) for a in getattr(item, "attributes", ()) or ()
                       if a.name in _SHOWN_ATTRIBUTES)
    inferred = None
    if isinstance(item, A.CellDecl) and item.effects is None and name in effects:
        inferred = tuple(sorted(effects[name]))
    return DocItem(
        kind=kind if not isinstance(item, A.ProcessDecl) else item.kind,
        name=name,
        line=item.span.line,
        signature=signature(item),
        doc=doc,
        is_pub=bool(getattr(item, "is_pub", False)),
        effects=inferred,
        attributes=attributes,
        members=_members(item, effects),
    )


def _name(item: Any) -> str:
    if isinstance(item, A.ImplDecl):
        return f"{item.trait} for {item.target}"
    if isinstance(item, A.UseTool):
        return item.alias
    return str(item.name)


def signature(item: Any) -> str:
    """The declaration as source, without docstring, attributes or bodies."""
    if isinstance(item, A.CellDecl):
        return print_decl(_bodiless(item))
    if isinstance(item, A.RecordDecl | A.TypeAlias):
        return print_decl(replace(item, doc=None, attributes=()))
    if isinstance(item, A.EnumDecl):
        return print_decl(replace(item, doc=None, attributes=(),
                                  methods=tuple(_bodiless(m) for m in item.methods)))
    if isinstance(item, A.TraitDecl | A.ImplDecl):
        return print_decl(replace(item, attributes=(),
                                  methods=tuple(_bodiless(m) for m in item.methods)))
    if isinstance(item, A.EffectDecl):
        return print_decl(replace(item, attributes=()))
    if isinstance(item, A.HandlerDecl):
        ops = [f"  handle {op.effect}.{op.op}({print_params(op.params)})"
               + ("" if op.ret is None else " -> " + print_type(op.ret)) for op in item.ops]
        return "\n".join([f"handler {item.name}", *ops, "end"])
    if isinstance(item, A.AgentDecl | A.ProcessDecl):
        return print_decl(replace(item, attributes=(), member_attributes=(),
                                  cells=tuple(_bodiless(c) for c in item.cells)))
    if isinstance(item, A.MacroDecl):
        return f"macro {item.name}{'!' if item.bang else ''}(" + ", ".join(item.params) + ")"
    if isinstance(item, A.ConstDecl):
        return print_decl(replace(item, attributes=()))
    return print_decl(item)


def _bodiless(cell: A.CellDecl) -> A.CellDecl:
    return replace(cell, body=None, doc=None, attributes=(), expr_body=False)


def _members(item: Any, effects: dict[str, frozenset[str]]) -> tuple[Member, ...]:
    members: list[Member] = []
    if isinstance(item, A.RecordDecl):
        for f in item.fields:
            text = f"{f.name}: {print_type(f.type)}"
            if f.default is not None:
                text += " = " + print_expr(f.default)
            if f.where is not None:
                text += " where " + print_expr(f.where)
            members.append(Member("field", f.name, text))
    if isinstance(item, A.EnumDecl):
        for v in item.variants:
            members.append(Member("variant", v.name, _variant(v)))
    if isinstance(item, A.TraitDecl | A.ImplDecl | A.EnumDecl):
        members += [Member("method", m.name, signature(m), m.doc) for m in item.methods]
    if isinstance(item, A.AgentDecl | A.ProcessDecl):
        members += [Member("method", c.name, signature(c), c.doc) for c in item.cells]
    if isinstance(item, A.EffectDecl):
        members += [Member("operation", op.name, signature(op), op.doc) for op in item.operations]
    if isinstance(item, A.HandlerDecl):
        members += [Member("operation", f"{op.effect}.{op.op}",
                           f"handle {op.effect}.{op.op}({print_params(op.params)})") for op in item.ops]
    if isinstance(item, A.ProcessDecl):
        members += [Member("state", s.name, s.name + (f"({print_params(s.params)})" if s.params else ""))
                    for s in item.states]
    return tuple(members)


def _variant(v: A.VariantDecl) -> str:
    text = v.name
    if v.fields is not None:
        text += "(" + ", ".join(("" if f.name is None else f.name + ": ") + print_type(f.type)
                                for f in v.fields) + ")"
    if v.result is not None:
        text += " -> " + print_type(v.result)
    return text


class _DocFinder:
    """Docstrings the parser did not attach, and Markdown prose before a code fence."""

    def __init__(self, unit: SourceUnit, lines: list[str]) -> None:
        self.unit = unit
        self.lines = lines
        self.blocks = {block.end_line: block for block in unit.docblocks}

    def for_item(self, item: Any) -> str | None:
        doc = getattr(item, "doc", None)
        if doc:
            return _clean(doc)
        start = item.span.line
        attributes = getattr(item, "attributes", ()) or ()
        if attributes:
            start = min(start, *(a.span.line for a in attributes if a.span.line > 0))
        block = self._block_before(start)
        if block is not None:
            return _clean(block)
        if self.unit.kind == "markdown":
            return self._prose_before(start)
        return None

    def _block_before(self, line: int) -> str | None:
        """The ``` block that ends right before `line`, blank lines between allowed."""
        previous = line - 1
        while previous >= 1 and not self.lines[previous - 1].strip():
            previous -= 1
        block = self.blocks.get(previous)
        return block.text if block is not None else None

    def _prose_before(self, line: int) -> str | None:
        """The paragraph before the fence that opens right above `line`."""
        index = line - 2
        while index >= 0 and not self.lines[index].strip():
            index -= 1
        if index < 0 or not _FENCE.match(self.lines[index]):
            return None  # other code comes first: not the start of a block
        index -= 1
        while index >= 0 and not self.lines[index].strip():
            index -= 1
        paragraph: list[str] = []
        while index >= 0 and self.lines[index].strip() and not _FENCE.match(self.lines[index]):
            paragraph.append(self.lines[index])
            index -= 1
        text = "\n".join(line for line in reversed(paragraph) if not line.lstrip().startswith("#"))
        return _clean(text) or None

    def module_doc(self, first_item: Any) -> str | None:
        """A ``` block before the first item that is not that item's docstring, or in
        Markdown the prose before the first code fence."""
        if self.unit.kind == "markdown":
            return self._markdown_intro()
        first_line = first_item.span.line if first_item is not None else len(self.lines) + 1
        own_doc = self._block_before(first_line) if type(first_item) in _KINDS else None
        for block in self.unit.docblocks:
            if block.end_line < first_line and block.text != own_doc:
                return _clean(block.text)
        return None


    def _markdown_intro(self) -> str | None:
        """The prose before the first code fence, up to the second heading (later
        sections introduce declarations), headings shown as bold lines."""
        prose: list[str] = []
        headings = 0
        for text in self.lines:
            if _FENCE.match(text):
                break
            stripped = text.lstrip()
            if stripped.startswith("#"):
                headings += 1
                if headings > 1:
                    break
                prose.append("**" + stripped.lstrip("#").strip() + "**")
            elif not stripped.startswith("@"):  # directives are not prose
                prose.append(text)
        return _clean("\n".join(prose)) or None


def _clean(text: str) -> str:
    return text.strip("\n").strip()
