"""What `lumen doc` documents: modules, their declarations and the members of those."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Member:
    """A field, variant, method or operation of a declaration."""

    kind: str  # "field", "variant", "method", "operation", "state", "grant"
    name: str
    signature: str
    doc: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "name": self.name, "signature": self.signature}
        if self.doc:
            out["doc"] = self.doc
        return out


@dataclass(frozen=True, slots=True)
class DocItem:
    """One top-level declaration. `signature` is its declaration without bodies (as
    Lumen source); `effects` the cell's inferred effects when it declares no row."""

    kind: str
    name: str
    line: int
    signature: str
    doc: str | None = None
    is_pub: bool = False
    effects: tuple[str, ...] | None = None
    attributes: tuple[str, ...] = ()
    members: tuple[Member, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "name": self.name,
            "pub": self.is_pub,
            "line": self.line,
            "signature": self.signature,
            "doc": self.doc,
        }
        if self.effects is not None:
            out["effects"] = list(self.effects)
        if self.attributes:
            out["attributes"] = list(self.attributes)
        if self.members:
            out["members"] = [m.to_json() for m in self.members]
        return out


@dataclass(frozen=True, slots=True)
class ModuleDoc:
    """One source file: its module name (dotted, as imported), its own documentation
    (a leading ``` block, or the prose before the first code fence) and its items."""

    module: str
    path: str
    doc: str | None = None
    items: tuple[DocItem, ...] = ()
    imports: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "module": self.module,
            "file": self.path,
            "doc": self.doc,
            "imports": list(self.imports),
            "items": [item.to_json() for item in self.items],
        }


@dataclass(frozen=True, slots=True)
class Documentation:
    """Everything documented under one PATH, plus the files that could not be read or
    parsed (their diagnostics)."""

    title: str
    modules: tuple[ModuleDoc, ...] = ()
    diagnostics: tuple[Any, ...] = field(default=())
    # path -> SourceUnit of the files with diagnostics, to show their source lines
    sources: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "modules": [m.to_json() for m in self.modules],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }
