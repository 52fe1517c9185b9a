"""The checker's internal type representation and the §4.6 compatibility relation.

Types are frozen dataclasses so they can be compared, hashed and shared freely.  `ANY`
switches checking off wherever it appears (rule 1), and `NEVER` is the type of a block that
cannot complete normally (it ends in `return`, `halt`, `break`, ...), so joins ignore it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Type:
    pass


@dataclass(frozen=True, slots=True)
class Prim(Type):
    """`Int`, `Float`, `Bool`, `String`, `Bytes`, `Json`, `Null`, `Any` and `Never`."""

    name: str


@dataclass(frozen=True, slots=True)
class ListT(Type):
    elem: Type


@dataclass(frozen=True, slots=True)
class SetT(Type):
    elem: Type


@dataclass(frozen=True, slots=True)
class MapT(Type):
    key: Type
    value: Type


@dataclass(frozen=True, slots=True)
class TupleT(Type):
    items: tuple[Type, ...]


@dataclass(frozen=True, slots=True)
class ResultT(Type):
    ok: Type
    err: Type


@dataclass(frozen=True, slots=True)
class FnT(Type):
    params: tuple[Type, ...]
    ret: Type


@dataclass(frozen=True, slots=True)
class UnionT(Type):
    """A flattened union of at least two distinct members, in first-seen order."""

    members: tuple[Type, ...]


@dataclass(frozen=True, slots=True)
class NamedT(Type):
    """A nominal type: record, enum, agent or process (`kind` says which)."""

    name: str
    args: tuple[Type, ...] = ()
    kind: str = "record"


@dataclass(frozen=True, slots=True)
class TypeVar(Type):
    """A generic parameter; the checker treats it like `Any` (never over-constrains)."""

    name: str


INT = Prim("Int")
FLOAT = Prim("Float")
BOOL = Prim("Bool")
STRING = Prim("String")
BYTES = Prim("Bytes")
JSON = Prim("Json")
NULL = Prim("Null")
ANY = Prim("Any")
NEVER = Prim("Never")

PRIMITIVES: dict[str, Prim] = {
    "Int": INT, "int": INT,
    "Float": FLOAT, "float": FLOAT,
    "Bool": BOOL, "bool": BOOL,
    "String": STRING, "string": STRING, "str": STRING,
    "Bytes": BYTES, "bytes": BYTES,
    "Json": JSON, "json": JSON,
    "Null": NULL, "null": NULL,
    "Any": ANY, "any": ANY,
}

# Generic builtin type constructors and their arity (both spellings).
BUILTIN_GENERICS: dict[str, int] = {
    "list": 1, "List": 1, "set": 1, "Set": 1, "map": 2, "Map": 2,
    "result": 2, "Result": 2, "tuple": -1, "Tuple": -1,
}


def is_dynamic(t: Type) -> bool:
    """True for types that switch checking off at the top level (`Any`, `Json`, type vars)."""
    if t is ANY or t is JSON:
        return True
    cls = type(t)
    return cls is TypeVar or (cls is Prim and t.name in ("Any", "Json"))  # type: ignore[attr-defined]


def contains_any(t: Type) -> bool:
    """Rule 1: `Any` (or a type variable, which we treat alike) anywhere inside `t`."""
    if is_dynamic(t):
        return True
    if isinstance(t, ListT | SetT):
        return contains_any(t.elem)
    if isinstance(t, MapT):
        return contains_any(t.key) or contains_any(t.value)
    if isinstance(t, ResultT):
        return contains_any(t.ok) or contains_any(t.err)
    if isinstance(t, TupleT):
        return any(contains_any(i) for i in t.items)
    if isinstance(t, FnT):
        return contains_any(t.ret) or any(contains_any(p) for p in t.params)
    if isinstance(t, UnionT):
        return any(contains_any(m) for m in t.members)
    if isinstance(t, NamedT):
        return any(contains_any(a) for a in t.args)
    return False


def compatible(expected: Type, actual: Type) -> bool:
    """May a value of type `actual` flow where `expected` is required (§4.6)?"""
    if expected == actual or actual == NEVER:
        return True
    if contains_any(expected) or contains_any(actual):
        return True
    if isinstance(expected, UnionT):
        if actual in expected.members or any(compatible(m, actual) for m in expected.members):
            return True
        if isinstance(actual, UnionT):
            return all(compatible(expected, m) for m in actual.members)
        return False
    if isinstance(actual, UnionT):
        # Rule 3 (second half): a union with a member equal to the expected type.
        return any(compatible(expected, m) for m in actual.members)
    if expected == FLOAT and actual == INT:
        return True
    if isinstance(expected, ResultT):
        if isinstance(actual, ResultT):
            return compatible(expected.ok, actual.ok) and compatible(expected.err, actual.err)
        return compatible(expected.ok, actual)
    return _structurally_compatible(expected, actual)


def _structurally_compatible(expected: Type, actual: Type) -> bool:
    """Rule 7, read leniently: element types are compared with `compatible` again, so
    `list[Float]` accepts `list[Int]` (false positives are worse than missed errors)."""
    if isinstance(expected, ListT) and isinstance(actual, ListT):
        return compatible(expected.elem, actual.elem)
    if isinstance(expected, SetT) and isinstance(actual, SetT):
        return compatible(expected.elem, actual.elem)
    if isinstance(expected, MapT) and isinstance(actual, MapT):
        return compatible(expected.key, actual.key) and compatible(expected.value, actual.value)
    if isinstance(expected, TupleT) and isinstance(actual, TupleT):
        return len(expected.items) == len(actual.items) and all(
            compatible(e, a) for e, a in zip(expected.items, actual.items)
        )
    if isinstance(expected, FnT) and isinstance(actual, FnT):
        # Parameter lists are not compared: defaults and variadics make arity fuzzy.
        return compatible(expected.ret, actual.ret)
    if isinstance(expected, NamedT) and isinstance(actual, NamedT):
        if expected.name != actual.name:
            return False
        if not expected.args or not actual.args or len(expected.args) != len(actual.args):
            return True
        return all(compatible(e, a) for e, a in zip(expected.args, actual.args))
    return False


def union_of(types: list[Type] | tuple[Type, ...]) -> Type:
    """The flattened union of `types` (`Never` members dropped; one member -> itself)."""
    members: list[Type] = []
    for t in types:
        for m in t.members if isinstance(t, UnionT) else (t,):
            if m == NEVER or m in members:
                continue
            members.append(m)
    if not members:
        return NEVER
    if any(m == ANY for m in members):
        return ANY
    if len(members) == 1:
        return members[0]
    return UnionT(tuple(members))


def join(types: list[Type]) -> Type:
    """The type of a value that comes from one of several branches.

    Equal types join to themselves and Int/Float to Float; anything else is `Any`, which
    keeps later checks quiet instead of inventing unions the programmer never wrote.
    """
    live = [t for t in types if t != NEVER]
    if not live:
        return NEVER
    first = live[0]
    if all(t == first for t in live):
        return first
    if all(t in (INT, FLOAT) for t in live):
        return FLOAT
    return ANY


def optional(t: Type) -> Type:
    return union_of([t, NULL])


def strip_null(t: Type) -> Type:
    """`e!` / `e ?? d`: drop `Null` and unwrap a result to its `ok` type."""
    if isinstance(t, ResultT):
        return t.ok
    if isinstance(t, UnionT):
        rest = [m.ok if isinstance(m, ResultT) else m for m in t.members if m != NULL]
        return union_of(rest) if rest else NULL
    return t


def element_type(t: Type) -> Type | None:
    """The element type when iterating `t`, or None when `t` is not iterable."""
    if is_dynamic(t):
        return ANY
    if isinstance(t, ListT | SetT):
        return t.elem
    if isinstance(t, MapT):
        return TupleT((t.key, t.value))
    if isinstance(t, TupleT):
        return join(list(t.items)) if t.items else ANY
    if isinstance(t, UnionT):
        elems = [element_type(m) for m in t.members if m != NULL]
        if any(e is None for e in elems):
            return None
        return join([e for e in elems if e is not None])
    return None


def substitute(t: Type, bindings: dict[str, Type]) -> Type:
    """Replace type variables by their bindings (unbound ones become `Any`)."""
    if isinstance(t, TypeVar):
        return bindings.get(t.name, ANY)
    if isinstance(t, ListT):
        return ListT(substitute(t.elem, bindings))
    if isinstance(t, SetT):
        return SetT(substitute(t.elem, bindings))
    if isinstance(t, MapT):
        return MapT(substitute(t.key, bindings), substitute(t.value, bindings))
    if isinstance(t, ResultT):
        return ResultT(substitute(t.ok, bindings), substitute(t.err, bindings))
    if isinstance(t, TupleT):
        return TupleT(tuple(substitute(i, bindings) for i in t.items))
    if isinstance(t, FnT):
        return FnT(tuple(substitute(p, bindings) for p in t.params), substitute(t.ret, bindings))
    if isinstance(t, UnionT):
        return union_of([substitute(m, bindings) for m in t.members])
    if isinstance(t, NamedT) and t.args:
        return NamedT(t.name, tuple(substitute(a, bindings) for a in t.args), t.kind)
    return t


def infer_bindings(param: Type, arg: Type, bindings: dict[str, Type]) -> None:
    """Bind type variables of `param` from the argument type (first binding wins; a
    conflicting second binding turns the variable into `Any`)."""
    if isinstance(param, TypeVar):
        if arg == NEVER:
            return
        previous = bindings.get(param.name)
        if previous is None:
            bindings[param.name] = arg
        elif previous != arg:
            bindings[param.name] = join([previous, arg])
        return
    if isinstance(param, ListT | SetT) and type(arg) is type(param):
        infer_bindings(param.elem, arg.elem, bindings)  # type: ignore[union-attr]
    elif isinstance(param, MapT) and isinstance(arg, MapT):
        infer_bindings(param.key, arg.key, bindings)
        infer_bindings(param.value, arg.value, bindings)
    elif isinstance(param, ResultT) and isinstance(arg, ResultT):
        infer_bindings(param.ok, arg.ok, bindings)
        infer_bindings(param.err, arg.err, bindings)
    elif isinstance(param, TupleT) and isinstance(arg, TupleT) and len(param.items) == len(arg.items):
        for p, a in zip(param.items, arg.items):
            infer_bindings(p, a, bindings)
    elif isinstance(param, FnT) and isinstance(arg, FnT):
        infer_bindings(param.ret, arg.ret, bindings)
    elif isinstance(param, NamedT) and isinstance(arg, NamedT) and len(param.args) == len(arg.args):
        for p, a in zip(param.args, arg.args):
            infer_bindings(p, a, bindings)


def render(t: Type) -> str:
    """The type as a user would write it (for messages)."""
    if isinstance(t, Prim):
        return t.name
    if isinstance(t, ListT):
        return f"list[{render(t.elem)}]"
    if isinstance(t, SetT):
        return f"set[{render(t.elem)}]"
    if isinstance(t, MapT):
        return f"map[{render(t.key)}, {render(t.value)}]"
    if isinstance(t, TupleT):
        return "(" + ", ".join(render(i) for i in t.items) + ("," if len(t.items) == 1 else "") + ")"
    if isinstance(t, ResultT):
        return f"result[{render(t.ok)}, {render(t.err)}]"
    if isinstance(t, FnT):
        return "fn(" + ", ".join(render(p) for p in t.params) + f") -> {render(t.ret)}"
    if isinstance(t, UnionT):
        non_null = [m for m in t.members if m != NULL]
        if len(non_null) == 1 and len(t.members) == 2:
            return f"{render(non_null[0])}?"
        return " | ".join(render(m) for m in t.members)
    if isinstance(t, NamedT):
        if t.args:
            return f"{t.name}[" + ", ".join(render(a) for a in t.args) + "]"
        return t.name
    if isinstance(t, TypeVar):
        return t.name
    return "?"
