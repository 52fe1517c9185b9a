"""The three text renderings of values (§9.8) and the CLI's JSON encoding of values.

- display: `print`, `to_string`, `format`, the printed result of a run;
- quoted: display, but strings in double quotes (elements inside containers);
- plain: interpolation, `+` with strings, `join`, map keys, `halt` messages.
"""

from __future__ import annotations

import math

from lumen.vm.scalars import format_float
from lumen.vm.values import (
    FUNCTION_TYPES,
    BuiltinRef,
    Closure,
    Future,
    LSet,
    Record,
    TraceRef,
    Variant,
    function_name,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def display(v: object) -> str:
    t = type(v)
    if t is str:
        return v  # type: ignore[return-value]
    if t is int:
        return str(v)
    if t is float:
        return format_float(v)  # type: ignore[arg-type]
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    return _render_composite(v, quoted)


def quoted(v: object) -> str:
    """Display form, except that a string is wrapped in double quotes (no escaping)."""
    if type(v) is str:
        return f'"{v}"'
    return display(v)


def plain(v: object) -> str:
    """Plain form: direct elements in display form, map keys unquoted (§9.8)."""
    t = type(v)
    if t is str:
        return v  # type: ignore[return-value]
    if t in (int, float, bool, type(None)):
        return display(v)
    if t is dict:
        inner = ", ".join(f"{k}: {display(v[k])}" for k in sorted(v))  # type: ignore[call-overload,index]
        return "{" + inner + "}"
    if t is Variant:
        if v.payload is None:  # type: ignore[union-attr]
            return v.tag  # type: ignore[union-attr]
        if type(v.payload) is tuple:  # type: ignore[union-attr]
            inner = ", ".join(display(e) for e in v.payload)  # type: ignore[union-attr]
            return f"{v.tag}({inner})"  # type: ignore[union-attr]
        return f"{v.tag}({plain(v.payload)})"  # type: ignore[union-attr]
    return _render_composite(v, display)


def _render_composite(v: object, element: Any) -> str:
    """Display of a non-primitive value, with `element` rendering its direct elements."""
    t = type(v)
    if t is list:
        return "[" + ", ".join(element(e) for e in v) + "]"  # type: ignore[attr-defined]
    if t is tuple:
        return "(" + ", ".join(element(e) for e in v) + ")"  # type: ignore[attr-defined]
    if t is LSet:
        return "set[" + ", ".join(element(e) for e in v) + "]"  # type: ignore[attr-defined]
    if t is dict:
        inner = ", ".join(f'"{k}": {element(v[k])}' for k in sorted(v))  # type: ignore[call-overload,index]
        return "{" + inner + "}"
    if t is bytes:
        return 'b"' + v.hex() + '"'  # type: ignore[union-attr]
    if t is Record:
        fields = v.fields  # type: ignore[union-attr]
        inner = ", ".join(f"{name}: {element(fields[name])}" for name in sorted(fields))
        return f"{v.type_name}({inner})"  # type: ignore[union-attr]
    if t is Variant:
        payload = v.payload  # type: ignore[union-attr]
        if payload is None:
            return v.tag  # type: ignore[union-attr]
        if type(payload) is tuple:
            return f"{v.tag}(" + ", ".join(quoted(e) for e in payload) + ")"  # type: ignore[union-attr]
        return f"{v.tag}({quoted(payload)})"  # type: ignore[union-attr]
    if t in FUNCTION_TYPES:
        return f"<closure:{function_name(v)}>"
    if t is Future:
        return f"<future:{v.id}:{v.state}>"  # type: ignore[union-attr]
    if t is TraceRef:
        return f"<trace_ref:{v.trace_id}:{v.position}>"  # type: ignore[union-attr]
    return f"<{type(v).__name__}>"


# --- JSON encoding for the CLI (CLI-CONTRACT.md, "JSON encoding of values") -------------


def to_contract_json(v: object) -> Any:
    """A JSON-ready Python object. Python's json module writes finite floats with a `.` or
    an exponent already (`3.0`, `1e+21`), so Floats stay floats except NaN/inf."""
    t = type(v)
    if v is None or t is bool or t is int or t is str:
        return v
    if t is float:
        if v != v:
            return "NaN"
        if v == math.inf:
            return "Infinity"
        if v == -math.inf:
            return "-Infinity"
        return v
    if t is list or t is tuple or t is LSet:
        return [to_contract_json(e) for e in v]  # type: ignore[attr-defined]
    if t is dict:
        return {k: to_contract_json(v[k]) for k in sorted(v)}  # type: ignore[call-overload,index]
    if t is bytes:
        return {"$bytes": v.hex()}  # type: ignore[union-attr]
    if t is Record:
        encoded = {"$record": v.type_name}  # type: ignore[union-attr]
        for name in sorted(v.fields):  # type: ignore[union-attr]
            encoded[name] = to_contract_json(v.fields[name])  # type: ignore[union-attr]
        return encoded
    if t is Variant:
        payload = [to_contract_json(e) for e in v.payload_items()]  # type: ignore[union-attr]
        return {"$variant": v.tag, "payload": payload}  # type: ignore[union-attr]
    if t is Closure or t is BuiltinRef or t in FUNCTION_TYPES:
        return {"$closure": function_name(v)}
    if t is Future:
        return {"$future": v.state}  # type: ignore[union-attr]
    return display(v)


def dump_contract_json(v: object) -> str:
    """The `value` part of the CLI's `--json` result line, as JSON text."""
    import json  # only for --json results; not every run

    return json.dumps(to_contract_json(v), ensure_ascii=False)
