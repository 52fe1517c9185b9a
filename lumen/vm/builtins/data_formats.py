"""JSON, CSV and TOML builtins (§10.11)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import re

from lumen.vm.builtins.common import sequence, text
from lumen.vm.builtins.registry import builtin
from lumen.vm.render import plain
from lumen.vm.values import (
    FUNCTION_TYPES,
    Future,
    LSet,
    Record,
    TraceRef,
    Variant,
    fits_i64,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# --- JSON ----------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def _json_int(digits: str) -> int | float:
    value = int(digits)
    return value if fits_i64(value) else float(value)


@builtin("json_parse", "parse_json")
def json_parse(s: Any = None) -> Any:
    if type(s) is not str:
        return None
    try:
        return json.loads(s, parse_int=_json_int, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None


def to_json_data(v: Any) -> Any:
    """A JSON-ready Python object for `to_json` (not the CLI's tagged encoding)."""
    t = type(v)
    if v is None or t is bool or t is int or t is str:
        return v
    if t is float:
        return v if math.isfinite(v) else None
    if t is list or t is tuple or t is LSet:
        return [to_json_data(e) for e in v]
    if t is dict:
        return {k: to_json_data(x) for k, x in v.items()}
    if t is bytes:
        return v.hex()
    if t is Record:
        encoded = {k: to_json_data(x) for k, x in v.fields.items()}
        encoded["__type"] = v.type_name
        return encoded
    if t is Variant:
        payload = v.payload
        encoded_payload = (
            [to_json_data(e) for e in payload] if type(payload) is tuple else to_json_data(payload)
        )
        return {"__tag": v.tag, "__payload": encoded_payload}
    if t in FUNCTION_TYPES or t is Future or t is TraceRef:
        return None
    return None


@builtin("to_json", "json_encode", "json_stringify")
def to_json(x: Any = None) -> str:
    return json.dumps(
        to_json_data(x), ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )


@builtin("json_pretty")
def json_pretty(x: Any = None) -> str:
    return json.dumps(to_json_data(x), ensure_ascii=False, indent=2, sort_keys=True)


# --- CSV -----------------------------------------------------------------------------------


@builtin("csv_parse")
def csv_parse(s: Any = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text(s)))
    return [row for row in reader if row]


def _csv_field(v: Any) -> str:
    field = plain(v)
    if any(ch in field for ch in ',"\n\r'):
        return '"' + field.replace('"', '""') + '"'
    return field


@builtin("csv_encode")
def csv_encode(rows: Any = None) -> str:
    lines: list[str] = []
    for row in sequence(rows) or []:
        fields = sequence(row)
        lines.append(
            _csv_field(row) if fields is None else ",".join(_csv_field(f) for f in fields)
        )
    return "\n".join(lines)


# --- TOML ----------------------------------------------------------------------------------


def _from_toml(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _from_toml(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_from_toml(x) for x in v]
    if isinstance(v, datetime.datetime | datetime.date | datetime.time):
        return v.isoformat()
    return v


@builtin("toml_parse")
def toml_parse(s: Any = None) -> Any:
    if type(s) is not str:
        return None
    import tomllib  # lazy: most programs never parse TOML

    try:
        return _from_toml(tomllib.loads(s))
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _table_view(v: Any) -> dict[str, Any] | None:
    if type(v) is dict:
        return v
    if type(v) is Record:
        return v.fields
    return None


def _toml_value(v: Any) -> str:
    t = type(v)
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if t is str:
        return _toml_string(v)
    if t is bytes:
        return _toml_string(v.hex())
    items = sequence(v)
    if items is not None:
        return "[" + ", ".join(_toml_value(x) for x in items if x is not None) + "]"
    table = _table_view(v)
    if table is not None:
        inner = ", ".join(
            f"{_toml_key(k)} = {_toml_value(table[k])}"
            for k in sorted(table)
            if table[k] is not None
        )
        return "{ " + inner + " }" if inner else "{}"
    return _toml_string(plain(v))


def _is_table_array(v: Any) -> bool:
    items = sequence(v)
    return bool(items) and all(_table_view(x) is not None for x in items)  # type: ignore[union-attr]


def _emit_table(table: dict[str, Any], path: list[str], out: list[str]) -> None:
    names = sorted(table)
    scalars = [
        k
        for k in names
        if table[k] is not None
        and _table_view(table[k]) is None
        and not _is_table_array(table[k])
    ]
    for key in scalars:
        out.append(f"{_toml_key(key)} = {_toml_value(table[key])}")
    for key in names:
        value = table[key]
        child_path = [*path, _toml_key(key)]
        sub_table = _table_view(value)
        if sub_table is not None:
            if out:
                out.append("")
            out.append("[" + ".".join(child_path) + "]")
            _emit_table(sub_table, child_path, out)
        elif _is_table_array(value):
            for element in sequence(value) or []:
                if out:
                    out.append("")
                out.append("[[" + ".".join(child_path) + "]]")
                _emit_table(_table_view(element) or {}, child_path, out)


@builtin("toml_encode")
def toml_encode(m: Any = None) -> str | None:
    table = _table_view(m)
    if table is None:
        return None
    lines: list[str] = []
    _emit_table(table, [], lines)
    return "\n".join(lines) + ("\n" if lines else "")
