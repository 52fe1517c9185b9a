"""Schemas of typed tool outputs (§12.6): `Alias(args) expect schema T` hands the tool
session a schema derived here from the declaration of `T`, so the runtime can parse the
answer leniently, validate it and repair it before the `EXPECT` check runs.

The schema is plain data in the format of `lumen/runtime/typed.py` (`{"kind": "Record",
"name": …, "fields": {…}}`), carried as a compact JSON string constant of the `TOOLCALL`
(constants must be hashable and serialisable). Field types come from the AST as written:
basic kinds, `list[T]`, `set[T]`, `map[K, V]`, tuples, `T?`, `T | Null`, nested records
and payload-less enums; anything the runtime cannot check (type parameters, functions,
other unions, type aliases) is `Any`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from lumen.syntax import ast

if TYPE_CHECKING:
    from lumen.lir.lower import ModuleContext

# Basic kinds by their lowercase spelling (`Int` and `int` are the same type).
_SCALARS = {"int": "Int", "float": "Float", "string": "String", "bool": "Bool",
            "any": "Any", "null": "Null"}
# Containers written without element types (`expect schema List`).
_BARE_CONTAINERS = {"list": "List", "set": "Set", "map": "Map", "tuple": "Tuple"}


def schema_constant(mod: ModuleContext, type_name: str) -> str:
    """The TOOLCALL operand for `expect schema type_name`: canonical JSON, "" when the
    name is neither a basic kind nor a declared record (then only `EXPECT` checks)."""
    schema = expected_schema(mod, type_name)
    if schema is None:
        return ""
    # Not key-sorted: a record's fields keep their declared order (the Record built from
    # the answer prints like one built by its constructor).
    return json.dumps(schema, separators=(",", ":"), ensure_ascii=False)


def expected_schema(mod: ModuleContext, type_name: str) -> dict[str, Any] | None:
    """The schema of the target of `expect schema T` (§7.15: basic kinds, records)."""
    head = type_name.split("[", 1)[0].strip()
    lowered = head.lower()
    if lowered in _SCALARS and lowered not in ("any", "null"):
        return {"kind": _SCALARS[lowered]}
    if lowered in _BARE_CONTAINERS:
        return {"kind": _BARE_CONTAINERS[lowered]}
    record = mod.records.get(head) or mod.records.get(head.rsplit(".", 1)[-1])
    if record is None:
        return None
    return _record_schema(mod, record, frozenset())


def _record_schema(mod: ModuleContext, record: ast.RecordDecl,
                   outer: frozenset[str]) -> dict[str, Any]:
    seen = outer | {record.name}
    generics = frozenset(g.name for g in record.generics)
    fields = {f.name: _type_schema(mod, f.type, seen, generics) for f in record.fields}
    schema: dict[str, Any] = {"kind": "Record", "name": record.name, "fields": fields}
    defaults = [f.name for f in record.fields if f.default is not None]
    if defaults:  # optional in an answer; the VM fills them with the record's constructor
        schema["defaults"] = defaults
    return schema


def _type_schema(mod: ModuleContext, node: ast.Node | None, seen: frozenset[str],
                 generics: frozenset[str]) -> dict[str, Any]:
    """One field type as a schema; `seen` stops recursive records (they become Any)."""
    if isinstance(node, ast.OptionalType):
        return _optional(_type_schema(mod, node.inner, seen, generics))
    if isinstance(node, ast.TupleType):
        return {"kind": "Tuple",
                "items": [_type_schema(mod, item, seen, generics) for item in node.items]}
    if isinstance(node, ast.UnionType) and not node.ampersand:
        others = [m for m in node.members if not _is_null(m)]
        if len(others) == 1 and len(others) < len(node.members):  # `T | Null` is `T?`
            return _optional(_type_schema(mod, others[0], seen, generics))
        return {"kind": "Any"}
    if isinstance(node, ast.NamedType):
        return _named_schema(mod, node, seen, generics)
    return {"kind": "Any"}


def _named_schema(mod: ModuleContext, node: ast.NamedType, seen: frozenset[str],
                  generics: frozenset[str]) -> dict[str, Any]:
    name = node.name
    if name in generics:
        return {"kind": "Any"}
    lowered = name.lower()
    args = [_type_schema(mod, a, seen, generics) for a in node.args]
    if lowered in _SCALARS:
        return {"kind": _SCALARS[lowered]}
    if lowered in ("list", "set"):
        return {"kind": _BARE_CONTAINERS[lowered], "items": args[0] if args else {"kind": "Any"}}
    if lowered == "map":
        return {"kind": "Map", "values": args[1] if len(args) == 2 else {"kind": "Any"}}
    if lowered == "tuple":
        return {"kind": "Tuple", "items": args} if args else {"kind": "Tuple"}
    short = name.rsplit(".", 1)[-1]
    record = mod.records.get(name) or mod.records.get(short)
    if record is not None:
        if record.name in seen:
            return {"kind": "Any"}  # a recursive record: checked one level deep
        return _record_schema(mod, record, seen)
    enum = mod.enums.get(name) or mod.enums.get(short)
    if enum is not None and all(v.fields is None for v in enum.variants):
        return {"kind": "Enum", "name": enum.name, "variants": [v.name for v in enum.variants]}
    return {"kind": "Any"}


def _optional(inner: dict[str, Any]) -> dict[str, Any]:
    if inner["kind"] in ("Optional", "Any", "Null"):
        return inner
    return {"kind": "Optional", "inner": inner}


def _is_null(node: ast.Node) -> bool:
    return isinstance(node, ast.NamedType) and node.name.lower() == "null"
