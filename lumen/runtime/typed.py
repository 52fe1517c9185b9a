"""Typed tool outputs (LANGUAGE.md §12.6, issue 6 "Typed outputs").

A schema is plain data, derived by the VM from a record type or named as a basic kind:

    {"kind": "Record", "name": "Invoice", "fields": {"vendor": {"kind": "String"},
                                                     "total": {"kind": "Int"},
                                                     "note": {"kind": "Optional",
                                                              "inner": {"kind": "String"}}}}

Kinds: `Any`, `Null`, `Int`, `Float`, `String`, `Bool`, `List` (`items`), `Set` (`items`),
`Map` (`values`), `Tuple` (`items`: a list of schemas), `Optional` (`inner`), `Record`
(`name`, `fields`, and `defaults`: the fields that have a default, which an answer may
leave out; the VM fills them), `Enum` (`name`, `variants`: variant names). A bare string
such as `"Int"` stands for `{"kind": "Int"}`.

A response is parsed leniently first (JSON inside prose or a code fence, trailing commas,
single quotes, numbers written as strings where the schema says Int or Float), because
another model call costs more than a forgiving parser. Only a response that still does not
fit is sent back with a repair prompt naming the expected schema and the validation errors,
at most `max_retries` times (default 2); then `OutputValidationError` is raised.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.providers.chat import chat_messages

DEFAULT_REPAIR_RETRIES = 2
SCALAR_KINDS = ("Any", "Null", "Int", "Float", "String", "Bool")
CONTAINER_KINDS = ("List", "Set", "Map", "Tuple", "Optional", "Record", "Enum")
_INT_TEXT = re.compile(r"-?\d+")
_FLOAT_TEXT = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)```", re.DOTALL)
_SHOWN_CHARS = 300


class SchemaError(ValueError):
    """The schema itself is malformed (a toolchain bug, not a user error)."""


class OutputValidationError(ToolError):
    """`OutputValidationFailed` with the data a trace or a tool needs to explain it."""

    def __init__(
        self,
        message: str,
        hint: str,
        expected: dict[str, Any],
        received: Any,
        attempts: list[dict[str, Any]],
    ) -> None:
        super().__init__("OutputValidationFailed", message, hint)
        self.expected = expected
        self.received = received
        self.attempts = attempts
        self.spent: ToolResult | None = None  # the tokens every attempt used


# ---------------------------------------------------------------------------------------
# Lenient JSON extraction


class JsonExtractionError(ValueError):
    pass


def _normalise_json_text(text: str) -> str:
    """Rewrite near-JSON into JSON: single-quoted strings become double-quoted, trailing
    commas before `}`/`]` go, and Python's True/False/None become JSON literals."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            quote, j, body = ch, i + 1, []
            while j < n and text[j] != quote:
                if text[j] == "\\" and j + 1 < n:
                    escaped = text[j + 1]
                    # \' is not a JSON escape; inside double quotes it is just a quote.
                    body.append("'" if escaped == "'" else "\\" + escaped)
                    j += 2
                    continue
                body.append('\\"' if text[j] == '"' else text[j])
                j += 1
            out.append('"' + "".join(body) + '"')
            i = j + 1
            continue
        if ch == ",":
            k = i + 1
            while k < n and text[k].isspace():
                k += 1
            if k < n and text[k] in "}]":
                i += 1
                continue
        if ch.isalpha():
            k = i
            while k < n and (text[k].isalnum() or text[k] == "_"):
                k += 1
            word = text[i:k]
            out.append({"True": "true", "False": "false", "None": "null"}.get(word, word))
            i = k
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _balanced_spans(text: str) -> list[str]:
    """Every top-level `{…}` / `[…]` span, skipping brackets inside quoted strings."""
    spans: list[str] = []
    depth, start, quote = 0, -1, ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'" and depth > 0:
            quote = ch
        elif ch in "{[":
            if depth == 0:
                start = i
            depth += 1
        elif ch in "}]" and depth > 0:
            depth -= 1
            if depth == 0:
                spans.append(text[start : i + 1])
        i += 1
    return spans


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(_normalise_json_text(text))


def json_candidates(text: str) -> list[Any]:
    """Every JSON value found in a model's answer, most likely first: the whole text, then
    code fences, then bracketed spans in the prose."""
    stripped = text.strip()
    sources = [stripped]
    sources += [m.group(1).strip() for m in _FENCE.finditer(text)]
    sources += _balanced_spans(text)
    found: list[Any] = []
    for source in sources:
        if not source:
            continue
        try:
            found.append(_loads(source))
        except (json.JSONDecodeError, RecursionError):
            continue
    return found


def extract_json(text: str) -> Any:
    """The JSON value in a model's answer, found as leniently as is safe."""
    found = json_candidates(text)
    if not found:
        raise JsonExtractionError(f"no JSON value found in the response: "
                                  f"{_shorten(text.strip())}")
    return found[0]


# ---------------------------------------------------------------------------------------
# Schemas


def normalise_schema(schema: Any) -> dict[str, Any]:
    if isinstance(schema, str):
        schema = {"kind": schema}
    if not isinstance(schema, dict) or not isinstance(schema.get("kind"), str):
        raise SchemaError(f"not a schema: {schema!r}")
    kind = schema["kind"]
    if kind not in SCALAR_KINDS + CONTAINER_KINDS:
        raise SchemaError(f"unknown schema kind: {kind}")
    normal = dict(schema)
    if kind in ("List", "Set"):
        normal["items"] = normalise_schema(schema.get("items", "Any"))
    elif kind == "Map":
        normal["values"] = normalise_schema(schema.get("values", "Any"))
    elif kind == "Tuple" and schema.get("items") is not None:
        normal["items"] = [normalise_schema(s) for s in schema["items"]]
    elif kind == "Tuple":  # a bare `Tuple`: any length, any elements
        normal["items"] = None
    elif kind == "Optional":
        normal["inner"] = normalise_schema(schema.get("inner", "Any"))
    elif kind == "Record":
        fields = schema.get("fields", {})
        if not isinstance(fields, dict):
            raise SchemaError("a Record schema needs a 'fields' map")
        normal["fields"] = {name: normalise_schema(s) for name, s in fields.items()}
        normal.setdefault("name", "Record")
        normal["defaults"] = [str(name) for name in schema.get("defaults", [])]
    elif kind == "Enum":
        normal["variants"] = [str(v) for v in schema.get("variants", [])]
    return normal


def describe_schema(schema: dict[str, Any]) -> str:
    """A one-line human form: `Invoice {vendor: String, total: Int}`."""
    kind = schema["kind"]
    if kind in ("List", "Set"):
        return f"{kind}[{describe_schema(schema['items'])}]"
    if kind == "Map":
        return f"Map[String, {describe_schema(schema['values'])}]"
    if kind == "Tuple":
        if schema["items"] is None:
            return "Tuple"
        return "(" + ", ".join(describe_schema(s) for s in schema["items"]) + ")"
    if kind == "Optional":
        return describe_schema(schema["inner"]) + "?"
    if kind == "Record":
        defaults = schema.get("defaults", ())
        inner = ", ".join(f"{k}: {describe_schema(v)}{' = …' if k in defaults else ''}"
                          for k, v in schema["fields"].items())
        return f"{schema['name']} {{{inner}}}"
    if kind == "Enum":
        return f"{schema.get('name', 'Enum')} ({' | '.join(schema['variants'])})"
    return kind


def json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema as JSON Schema, the form models are trained to follow."""
    kind = schema["kind"]
    simple = {"Int": "integer", "Float": "number", "String": "string", "Bool": "boolean",
              "Null": "null"}
    if kind in simple:
        return {"type": simple[kind]}
    if kind in ("List", "Set"):
        return {"type": "array", "items": json_schema(schema["items"])}
    if kind == "Tuple" and schema["items"] is None:
        return {"type": "array"}
    if kind == "Tuple":
        items = [json_schema(s) for s in schema["items"]]
        return {"type": "array", "prefixItems": items, "minItems": len(items),
                "maxItems": len(items)}
    if kind == "Map":
        return {"type": "object", "additionalProperties": json_schema(schema["values"])}
    if kind == "Optional":
        return {"anyOf": [json_schema(schema["inner"]), {"type": "null"}]}
    if kind == "Record":
        properties = {k: json_schema(v) for k, v in schema["fields"].items()}
        defaults = schema.get("defaults", ())
        required = [k for k, v in schema["fields"].items()
                    if v["kind"] != "Optional" and k not in defaults]
        return {"type": "object", "title": schema["name"], "properties": properties,
                "required": required, "additionalProperties": False}
    if kind == "Enum":
        return {"enum": list(schema["variants"])}
    return {}


# ---------------------------------------------------------------------------------------
# Validation with coercion


@dataclass
class Validation:
    value: Any
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _shorten(text: str, limit: int = _SHOWN_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(value: Any) -> str:
    try:
        return _shorten(json.dumps(value, sort_keys=True, ensure_ascii=False))
    except (TypeError, ValueError):
        return _shorten(repr(value))


def validate(value: Any, schema: Any) -> Validation:
    """Check `value` against `schema`, coercing what is unambiguous (numbers in strings)."""
    report = Validation(value=None)
    report.value = _check(value, normalise_schema(schema), "$", report)
    return report


def _check(value: Any, schema: dict[str, Any], path: str, report: Validation) -> Any:
    kind = schema["kind"]
    mismatch = f"{path}: expected {describe_schema(schema)}, got {_show(value)}"
    if kind == "Any":
        return value
    if kind == "Optional":
        return None if value is None else _check(value, schema["inner"], path, report)
    if kind == "Null":
        if value is not None:
            report.errors.append(mismatch)
        return value
    if kind == "Int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip().replace(",", "")):
            return int(value.strip().replace(",", ""))
        report.errors.append(mismatch)
        return value
    if kind == "Float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str) and _FLOAT_TEXT.fullmatch(value.strip()):
            return float(value.strip())
        report.errors.append(mismatch)
        return value
    if kind == "String":
        if not isinstance(value, str):
            report.errors.append(mismatch)
        return value
    if kind == "Bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        report.errors.append(mismatch)
        return value
    if kind == "Enum":
        if not isinstance(value, str) or value not in schema["variants"]:
            report.errors.append(mismatch)
        return value
    if kind in ("List", "Set", "Tuple"):
        return _check_sequence(value, schema, path, report, mismatch)
    if kind == "Map":
        if not isinstance(value, dict):
            report.errors.append(mismatch)
            return value
        return {k: _check(v, schema["values"], f"{path}.{k}", report) for k, v in value.items()}
    return _check_record(value, schema, path, report, mismatch)


def _check_sequence(
    value: Any, schema: dict[str, Any], path: str, report: Validation, mismatch: str
) -> Any:
    if not isinstance(value, list):
        report.errors.append(mismatch)
        return value
    if schema["kind"] == "Tuple" and schema["items"] is None:
        return value
    if schema["kind"] == "Tuple":
        if len(value) != len(schema["items"]):
            report.errors.append(
                f"{path}: expected {len(schema['items'])} elements, got {len(value)}"
            )
            return value
        return [_check(v, s, f"{path}[{i}]", report) for i, (v, s) in
                enumerate(zip(value, schema["items"]))]
    return [_check(v, schema["items"], f"{path}[{i}]", report) for i, v in enumerate(value)]


def _check_record(
    value: Any, schema: dict[str, Any], path: str, report: Validation, mismatch: str
) -> Any:
    if not isinstance(value, dict):
        report.errors.append(mismatch)
        return value
    name = schema["name"]
    checked: dict[str, Any] = {}
    for field_name, field_schema in schema["fields"].items():
        if field_name in value:
            checked[field_name] = _check(value[field_name], field_schema,
                                         f"{path}.{field_name}", report)
        elif field_name in schema.get("defaults", ()):
            continue  # left out: the record's default fills it (tool_calls.fill_defaults)
        elif field_schema["kind"] == "Optional":
            checked[field_name] = None
            report.warnings.append(f"schema drift: {path}.{field_name} of {name} is missing")
        else:
            report.errors.append(
                f"{path}: missing field '{field_name}' ({describe_schema(field_schema)}) "
                f"of {name}"
            )
    for extra in value:
        if extra not in schema["fields"] and extra != "__type":
            report.warnings.append(
                f"schema drift: unexpected field {path}.{extra} (not in {name}), ignored"
            )
    return checked


# ---------------------------------------------------------------------------------------
# The repair loop


@dataclass
class TypedOutcome:
    result: ToolResult
    warnings: list[str]


def response_text(value: Any) -> str | None:
    """The text to parse when a tool answered with text (chat tools)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("content"), str) and "tool_calls" in value:
        return value["content"]
    return None


def repair_prompt(schema: dict[str, Any], errors: list[str]) -> str:
    problems = "\n".join(f"- {e}" for e in errors)
    return (
        "Your previous answer did not match the expected output.\n"
        f"Expected: {describe_schema(schema)}\n"
        f"JSON Schema: {json.dumps(json_schema(schema), sort_keys=True)}\n"
        f"Problems:\n{problems}\n"
        "Answer again with only the corrected JSON value, no prose and no code fence."
    )


def _is_chat_call(call: ToolCall) -> bool:
    return any(k in call.args for k in ("messages", "prompt", "arg0", "user", "system"))


def _repair_call(call: ToolCall, previous: str, schema: dict[str, Any],
                 errors: list[str]) -> ToolCall:
    messages = chat_messages(call.args)
    messages.append({"role": "assistant", "content": previous})
    messages.append({"role": "user", "content": repair_prompt(schema, errors)})
    args = {k: v for k, v in call.args.items()
            if k not in ("prompt", "arg0", "system", "user", "assistant")}
    args["messages"] = messages
    return dataclasses.replace(call, args=args)


def _parse_and_validate(value: Any, schema: dict[str, Any]) -> tuple[Validation, Any, str]:
    """(validation, the payload as received, the text form to show back to a model)."""
    text = response_text(value)
    if text is None:
        return validate(value, schema), value, json.dumps(value, sort_keys=True)
    found = json_candidates(text)
    # Prose may show an example before the answer: take the first value that fits.
    reports = [validate(candidate, schema) for candidate in found]
    fitting = next((r for r in reports if r.ok), None)
    if fitting is not None:
        return fitting, text, text
    if schema["kind"] in ("String", "Any"):  # plain text is already a String
        return Validation(value=text), text, text
    if not found:
        error = f"no JSON value found in the response: {_shorten(text.strip())}"
        return Validation(value=None, errors=[error]), text, text
    return reports[0], text, text


def call_typed(
    call: ToolCall,
    schema: Any,
    invoke: Callable[[ToolCall], ToolResult],
    max_retries: int = DEFAULT_REPAIR_RETRIES,
) -> TypedOutcome:
    """Call a tool whose result must fit `schema`, repairing chat answers that do not.

    `invoke` performs one call (with the provider's own retry policy); every try, failed or
    not, is listed in the result's `attempts` with the validation errors it had.
    """
    expected = normalise_schema(schema)
    attempts: list[dict[str, Any]] = []
    tokens_in = tokens_out = 0
    latency = 0
    current = call
    while True:
        result = invoke(current)
        tokens_in += result.tokens_in or 0
        tokens_out += result.tokens_out or 0
        latency += result.latency_ms
        report, received, text = _parse_and_validate(result.value, expected)
        record = {"attempt": len(attempts) + 1, "provider": result.provider,
                  "latency_ms": result.latency_ms, "received": _shorten(text)}
        if len(result.attempts) > 1:  # the provider's own retries (rate limits, 5xx)
            record["tries"] = result.attempts
        if report.ok:
            attempts.append({**record, "status": "ok"})
            final = dataclasses.replace(
                result, value=report.value, attempts=attempts, latency_ms=latency,
                tokens_in=tokens_in if result.tokens_in is not None else None,
                tokens_out=tokens_out if result.tokens_out is not None else None)
            warnings = [f"{call.tool_id}: {w}" for w in report.warnings]
            return TypedOutcome(result=final, warnings=warnings)
        attempts.append({**record, "status": "invalid", "errors": report.errors})
        repairs_done = len(attempts) - 1
        if repairs_done >= max_retries or not _is_chat_call(call):
            failure = _validation_failure(call, expected, received, attempts)
            # What the failed tries spent still counts toward the run's tokens (usage.py).
            failure.spent = dataclasses.replace(
                result, value=None, tokens_in=tokens_in if result.tokens_in is not None
                else None, tokens_out=tokens_out if result.tokens_out is not None else None)
            raise failure
        current = _repair_call(current, text, expected, report.errors)


def _validation_failure(call: ToolCall, expected: dict[str, Any], received: Any,
                        attempts: list[dict[str, Any]]) -> OutputValidationError:
    shown = received if isinstance(received, str) else _show(received)
    lines = [f"output validation failed: expected {describe_schema(expected)}, "
             f"got {_shorten(shown)}"]
    for attempt in attempts:
        lines.append(f"  attempt {attempt['attempt']}: " + "; ".join(attempt["errors"]))
    if _is_chat_call(call):
        hint = ("ask for JSON with exactly these fields in the prompt, raise repair_retries, "
                "or make fields the model may omit optional (T?)")
    else:
        hint = f"the tool {call.tool_id} returned data of another shape: check the record type"
    return OutputValidationError("\n".join(lines), hint, expected, received, attempts)


def repair_retries(call: ToolCall, settings: dict[str, Any]) -> int:
    """`repair_retries` from the call, its grant or the provider settings (default 2)."""
    for source in (call.args, call.policy, settings):
        value = source.get("repair_retries")
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return DEFAULT_REPAIR_RETRIES


def to_lumen_value(value: Any, schema: Any) -> Any:
    """A validated value as the Lumen value its schema describes: records become `Record`s
    (so `expect schema T` holds), tuples `tuple`s, sets `LSet`s, enum names payload-less
    `Variant`s; everything else stays as JSON maps it (§10.11)."""
    from lumen.vm.values import LSet, Record, Variant

    def convert(item: Any, shape: dict[str, Any]) -> Any:
        kind = shape["kind"]
        if item is None:
            return None
        if kind == "Optional":
            return convert(item, shape["inner"])
        if kind == "Record" and isinstance(item, dict):
            defaults = shape.get("defaults", ())
            return Record(shape["name"], {name: convert(item.get(name), field_shape)
                                          for name, field_shape in shape["fields"].items()
                                          if name in item or name not in defaults})
        if kind in ("List", "Set") and isinstance(item, list):
            items = [convert(element, shape["items"]) for element in item]
            return LSet(items) if kind == "Set" else items
        if kind == "Tuple" and isinstance(item, list):
            if shape["items"] is None:
                return tuple(_plain(element) for element in item)
            return tuple(convert(element, s) for element, s in zip(item, shape["items"]))
        if kind == "Map" and isinstance(item, dict):
            return {str(k): convert(v, shape["values"]) for k, v in item.items()}
        if kind == "Enum" and isinstance(item, str):
            return Variant(shape.get("name"), item, None)
        if kind == "Any":
            return _plain(item)
        return item

    return convert(value, normalise_schema(schema))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
