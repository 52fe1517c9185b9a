"""Data integrity helpers (§10.16): diff, patch, redact, validate, trace_ref."""

from __future__ import annotations

from lumen.vm.builtins.common import MISSING, sequence, text
from lumen.vm.builtins.registry import builtin
from lumen.vm.values import LSet, Record, TraceRef, values_equal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _field_changes(a: dict[str, Any], b: dict[str, Any], label: str) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    for name in sorted(a.keys() | b.keys()):
        if name in a and name in b:
            if not values_equal(a[name], b[name]):
                changes.append({label: name, "from": a[name], "to": b[name]})
        elif name in a:
            changes.append({label: name, "removed": a[name]})
        else:
            changes.append({label: name, "added": b[name]})
    return changes


@builtin("diff")
def diff(a: Any = None, b: Any = None) -> list[dict[str, Any]]:
    if values_equal(a, b):
        return []
    if type(a) is Record and type(b) is Record and a.type_name == b.type_name:
        return _field_changes(a.fields, b.fields, "field")
    if type(a) is dict and type(b) is dict:
        return _field_changes(a, b, "key")
    return [{"from": a, "to": b}]


@builtin("patch")
def patch(v: Any = None, changes: Any = None) -> Any:
    result = v
    for change in sequence(changes) or []:
        if type(change) is not dict:
            continue
        name = change.get("field", change.get("key"))
        if name is None:
            if "to" in change:
                result = change["to"]
            continue
        entries = result.fields if type(result) is Record else result
        if type(entries) is not dict:
            continue
        updated = dict(entries)
        key = text(name)
        if "to" in change:
            updated[key] = change["to"]
        elif "added" in change:
            updated[key] = change["added"]
        elif "removed" in change:
            updated.pop(key, None)
        result = Record(result.type_name, updated) if type(result) is Record else updated
    return result


@builtin("redact")
def redact(v: Any = None, fields: Any = None) -> Any:
    names = sequence(fields)
    if names is None:
        names = [] if fields is None else [fields]
    hidden = {text(n) for n in names}
    if type(v) is Record:
        return Record(v.type_name, {k: (None if k in hidden else x) for k, x in v.fields.items()})
    if type(v) is dict:
        return {k: (None if k in hidden else x) for k, x in v.items()}
    return v


_SCHEMA_TESTS: dict[str, Any] = {
    "any": lambda x: True,
    "int": lambda x: type(x) is int,
    "float": lambda x: type(x) is float,
    "string": lambda x: type(x) is str,
    "bool": lambda x: type(x) is bool,
    "null": lambda x: x is None,
    "list": lambda x: type(x) is list,
    "map": lambda x: type(x) is dict,
    "tuple": lambda x: type(x) is tuple,
    "set": lambda x: type(x) is LSet,
    "bytes": lambda x: type(x) is bytes,
}


def validates(x: Any, schema: Any) -> bool:
    if type(schema) is str:
        test = _SCHEMA_TESTS.get(schema.lower())
        return test is not None and test(x)
    if type(schema) is dict:
        return type(x) is dict and all(
            key in x and validates(x[key], sub) for key, sub in schema.items()
        )
    return False


@builtin("validate")
def validate(x: Any = None, schema: Any = MISSING) -> bool:
    if schema is MISSING:
        return x is not None
    return validates(x, schema)


@builtin("trace_ref", context=True)
def trace_ref(vm: Any) -> TraceRef:
    """§16.11: the run id and the sequence number of the run's last trace event (a replay
    gives the recorded run's id and the same positions); a run without a trace: `("", -1)`."""
    session = getattr(vm, "tools", None)
    if session is None:
        return TraceRef("", -1)
    run_id, position = session.trace_ref()
    return TraceRef(run_id, position)
