"""The AST as JSON for `lumen parse --json`: `{"node": ClassName, "span": [l, c, el, ec], ...}`."""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from lumen.diagnostics import Span


def ast_to_json(value: Any) -> Any:
    """A JSON-compatible form of an AST node, tuple or leaf value."""
    if isinstance(value, Span):
        return [value.line, value.column, value.end_line, value.end_column]
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"node": type(value).__name__}
        span = getattr(value, "span", None)
        if isinstance(span, Span):
            out["span"] = ast_to_json(span)
        for field_info in fields(value):
            if field_info.name != "span":
                out[field_info.name] = ast_to_json(getattr(value, field_info.name))
        return out
    if isinstance(value, (tuple, list)):
        return [ast_to_json(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
