"""Carrying `let` bindings from one REPL entry to the next.

Each entry runs as a new program in a new VM, and its bindings arrive as the parameters of
the entry's cell. Data values pass as they are. A function value holds a `Code` of the VM
that made it, whose calls index that VM's function table, so it is rebound to the function
of the same name in the new program (captured values too). Lambdas are named after the
entry cell that made them (`__repl_3.<lambda#1>`): that cell stays in every later program
while a binding holds one of its lambdas (`entries_referenced`).
"""

from __future__ import annotations

from typing import Any

from lumen.sema import types as T
from lumen.vm.values import Closure, Composed, LSet, Record, Variant

ENTRY_CELL_PREFIX = "__repl_"


class NotCarried(Exception):
    """A value refers to a function the new program does not have."""


def rebind(value: Any, codes_by_name: dict[str, Any]) -> Any:
    """`value` with every function value pointing into the VM whose codes are given."""
    if not _holds_function(value):
        return value
    kind = type(value)
    if kind is Closure:
        code = codes_by_name.get(value.func.function.name)
        if code is None:
            raise NotCarried(value.func.function.name)
        captures = tuple(rebind(c, codes_by_name) for c in value.captures)
        return Closure(code, captures, value.name)
    if kind is Composed:
        return Composed(rebind(value.first, codes_by_name), rebind(value.second, codes_by_name))
    if kind is list:
        return [rebind(v, codes_by_name) for v in value]
    if kind is tuple:
        return tuple(rebind(v, codes_by_name) for v in value)
    if kind is dict:
        return {k: rebind(v, codes_by_name) for k, v in value.items()}
    if kind is LSet:
        return LSet(rebind(v, codes_by_name) for v in value)
    if kind is Record:
        return Record(value.type_name, {k: rebind(v, codes_by_name) for k, v in value.fields.items()})
    if kind is Variant:
        return Variant(value.enum_name, value.tag, rebind(value.payload, codes_by_name))
    return value


def function_names(value: Any) -> set[str]:
    """The names of the functions that `value` holds, at any depth."""
    found: set[str] = set()
    for closure in _closures(value):
        found.add(closure.func.function.name)
    return found


def entries_referenced(value: Any) -> set[int]:
    """The numbers of the entries whose lambdas `value` holds."""
    numbers: set[int] = set()
    for name in function_names(value):
        head = name.split(".", 1)[0]
        if head.startswith(ENTRY_CELL_PREFIX) and head[len(ENTRY_CELL_PREFIX):].isdigit():
            numbers.add(int(head[len(ENTRY_CELL_PREFIX):]))
    return numbers


def _closures(value: Any) -> list[Closure]:
    if not _holds_function(value):
        return []
    kind = type(value)
    if kind is Closure:
        found = [value]
        for captured in value.captures:
            found.extend(_closures(captured))
        return found
    if kind is Composed:
        return _closures(value.first) + _closures(value.second)
    children: Any = ()
    if kind in (list, tuple):
        children = value
    elif kind is dict:
        children = value.values()
    elif kind is LSet:
        children = list(value)
    elif kind is Record:
        children = value.fields.values()
    elif kind is Variant:
        children = (value.payload,)
    result: list[Closure] = []
    for child in children:
        result.extend(_closures(child))
    return result


def _holds_function(value: Any) -> bool:
    """A cheap walk: does anything inside `value` need rebinding?"""
    kind = type(value)
    if kind in (int, float, str, bool, bytes) or value is None:
        return False
    if kind is Closure or kind is Composed:
        return True
    if kind in (list, tuple):
        return any(_holds_function(v) for v in value)
    if kind is dict:
        return any(_holds_function(v) for v in value.values())
    if kind is LSet:
        return any(_holds_function(v) for v in value)
    if kind is Record:
        return any(_holds_function(v) for v in value.fields.values())
    if kind is Variant:
        return _holds_function(value.payload)
    return False


_SPELLABLE_PRIMS = frozenset({"Int", "Float", "Bool", "String", "Bytes", "Json", "Null", "Any"})


def annotation(t: T.Type, declared: set[str]) -> str | None:
    """The type as a parameter annotation, or None when it cannot be written (a type
    variable, `Never`, a name no longer declared): the parameter is then untyped (Any)."""
    return T.render(t) if _spellable(t, declared) else None


def _spellable(t: T.Type, declared: set[str]) -> bool:
    if isinstance(t, T.Prim):
        return t.name in _SPELLABLE_PRIMS
    if isinstance(t, (T.ListT, T.SetT)):
        return _spellable(t.elem, declared)
    if isinstance(t, T.MapT):
        return _spellable(t.key, declared) and _spellable(t.value, declared)
    if isinstance(t, T.ResultT):
        return _spellable(t.ok, declared) and _spellable(t.err, declared)
    if isinstance(t, T.TupleT):
        return bool(t.items) and all(_spellable(i, declared) for i in t.items)
    if isinstance(t, T.UnionT):
        return all(_spellable(m, declared) and not isinstance(m, T.FnT) for m in t.members)
    if isinstance(t, T.FnT):
        return all(_spellable(p, declared) for p in t.params) and _spellable(t.ret, declared)
    if isinstance(t, T.NamedT):
        return t.name in declared and all(_spellable(a, declared) for a in t.args)
    return False
