"""Typed outputs: lenient JSON extraction, validation with coercion and drift warnings, and
the repair loop against the loopback OpenAI-compatible server."""

from __future__ import annotations

import json

import pytest

from lumen.runtime.calls import ToolError, ToolResult
from lumen.runtime.providers.openai_compatible import OpenAICompatibleProvider
from lumen.runtime.typed import (
    JsonExtractionError,
    OutputValidationError,
    call_typed,
    describe_schema,
    extract_json,
    json_schema,
    normalise_schema,
    repair_retries,
    to_lumen_value,
    validate,
)
from tests.runtime.helpers import tool_call
from tests.runtime.servers import FakeModelServer, openai_reply
from tests.runtime.servers import model_server as model_server  # noqa: F401  (fixture)

INVOICE = {"kind": "Record", "name": "Invoice", "fields": {
    "vendor": {"kind": "String"},
    "total": {"kind": "Int"},
    "paid": {"kind": "Bool"},
    "lines": {"kind": "List", "items": {"kind": "Record", "name": "Line", "fields": {
        "item": "String", "qty": "Int"}}},
    "note": {"kind": "Optional", "inner": "String"},
}}
GOOD = {"vendor": "ACME", "total": 42, "paid": False, "lines": [{"item": "bolt", "qty": 3}],
        "note": None}


# ------------------------------------------------------------------ extraction


@pytest.mark.parametrize(("text", "expected"), [
    ('{"a": 1}', {"a": 1}),
    ('Sure! Here is the data: {"a": 1, "b": "x"} Hope that helps.', {"a": 1, "b": "x"}),
    ('```json\n{"a": [1, 2]}\n```', {"a": [1, 2]}),
    ('Result:\n```\n[1, 2, 3]\n```\nDone.', [1, 2, 3]),
    ('{"a": 1, "b": [1, 2,],}', {"a": 1, "b": [1, 2]}),
    ("{'name': 'O\\'Brien', 'ok': True, 'none': None}",
     {"name": "O'Brien", "ok": True, "none": None}),
    ("{'quote': 'say \"hi\"'}", {"quote": 'say "hi"'}),
    ('noise {"brace": "a } inside"} noise', {"brace": "a } inside"}),
    ("42", 42),
])
def test_extract_json_is_lenient(text: str, expected: object) -> None:
    assert extract_json(text) == expected


def test_extract_json_gives_up_on_prose() -> None:
    with pytest.raises(JsonExtractionError, match="no JSON value found"):
        extract_json("I cannot help with that.")


# ------------------------------------------------------------------ validation


def test_valid_record_passes_unchanged() -> None:
    report = validate(GOOD, INVOICE)
    assert report.ok and report.value == GOOD and report.warnings == []


def test_numbers_as_strings_are_coerced_where_the_schema_says_int() -> None:
    report = validate({**GOOD, "total": "1,250", "paid": "true",
                       "lines": [{"item": "nut", "qty": "7"}]}, INVOICE)
    assert report.ok
    assert report.value["total"] == 1250 and report.value["paid"] is True
    assert report.value["lines"][0]["qty"] == 7


def test_strings_are_not_coerced_to_numbers_in_string_fields() -> None:
    report = validate({**GOOD, "vendor": 12}, INVOICE)
    assert report.errors == ["$.vendor: expected String, got 12"]


def test_all_errors_are_reported_with_paths() -> None:
    report = validate({"vendor": "A", "total": "many", "paid": 1,
                       "lines": [{"item": "x", "qty": 1.5}]}, INVOICE)
    assert report.errors == [
        '$.total: expected Int, got "many"',
        "$.paid: expected Bool, got 1",
        "$.lines[0].qty: expected Int, got 1.5",
    ]


def test_missing_required_field_is_an_error_and_drift_a_warning() -> None:
    report = validate({"vendor": "A", "paid": True, "lines": [], "currency": "EUR"}, INVOICE)
    assert report.errors == ["$: missing field 'total' (Int) of Invoice"]
    assert report.warnings == ["schema drift: $.note of Invoice is missing",
                               "schema drift: unexpected field $.currency (not in Invoice), "
                               "ignored"]


@pytest.mark.parametrize(("schema", "value", "ok"), [
    ("Int", 3, True), ("Int", True, False), ("Float", 2, True), ("Float", "2.5e3", True),
    ("String", "s", True), ("Bool", "no", False), ("Null", None, True), ("Any", [1], True),
    ({"kind": "Map", "values": "Int"}, {"a": "1"}, True),
    ({"kind": "Tuple", "items": ["Int", "String"]}, [1, "a"], True),
    ({"kind": "Tuple", "items": ["Int", "String"]}, [1], False),
    ({"kind": "Set", "items": "String"}, ["a", "b"], True),
    ({"kind": "Enum", "name": "Mood", "variants": ["Happy", "Sad"]}, "Sad", True),
    ({"kind": "Enum", "name": "Mood", "variants": ["Happy", "Sad"]}, "Angry", False),
])
def test_basic_kinds(schema: object, value: object, ok: bool) -> None:
    assert validate(value, schema).ok is ok


def test_schema_descriptions() -> None:
    schema = normalise_schema(INVOICE)
    assert describe_schema(schema) == ("Invoice {vendor: String, total: Int, paid: Bool, "
                                       "lines: List[Line {item: String, qty: Int}], "
                                       "note: String?}")
    rendered = json_schema(schema)
    assert rendered["required"] == ["vendor", "total", "paid", "lines"]
    assert rendered["properties"]["lines"]["items"]["properties"]["qty"] == {"type": "integer"}


# ------------------------------------------------------------------ repair loop


def _invoke(server: FakeModelServer):
    provider = OpenAICompatibleProvider()
    settings = {"base_url": server.openai_base_url, "default_model": "fake-model"}
    return lambda call: provider.call(call, settings)


def test_prose_and_fences_need_no_repair(model_server: FakeModelServer) -> None:
    model_server.script("openai", openai_reply(
        "Here you go:\n```json\n" + json.dumps({**GOOD, "total": "42"}) + "\n```"))
    outcome = call_typed(tool_call("llm.chat", {"prompt": "extract"}), INVOICE,
                         _invoke(model_server))
    assert outcome.result.value == GOOD
    assert len(outcome.result.attempts) == 1 and len(model_server.chat_requests()) == 1


def test_the_fitting_value_wins_over_an_earlier_example(model_server: FakeModelServer) -> None:
    model_server.script("openai", openai_reply(
        'The format is {"vendor": "..."}; here it is: ' + json.dumps(GOOD)))
    outcome = call_typed(tool_call("llm.chat", {"prompt": "extract"}), INVOICE,
                         _invoke(model_server))
    assert outcome.result.value == GOOD


def test_repair_after_a_missing_field(model_server: FakeModelServer) -> None:
    incomplete = {k: v for k, v in GOOD.items() if k != "total"}
    model_server.script("openai", openai_reply(json.dumps(incomplete), prompt_tokens=10,
                                               completion_tokens=5),
                        openai_reply(json.dumps(GOOD), prompt_tokens=30, completion_tokens=6))
    outcome = call_typed(tool_call("llm.chat", {"prompt": "extract the invoice"}), INVOICE,
                         _invoke(model_server))
    result = outcome.result
    assert result.value == GOOD
    assert [a["status"] for a in result.attempts] == ["invalid", "ok"]
    assert result.attempts[0]["errors"] == ["$: missing field 'total' (Int) of Invoice"]
    assert (result.tokens_in, result.tokens_out) == (40, 11)
    # The second request carries the conversation plus the repair prompt.
    messages = model_server.chat_requests()[1].json["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[0]["content"] == "extract the invoice"
    assert messages[1]["content"] == json.dumps(incomplete)
    repair = messages[2]["content"]
    assert "Invoice {vendor: String, total: Int" in repair
    assert "missing field 'total'" in repair and '"required"' in repair


def test_validation_fails_after_the_retries(model_server: FakeModelServer) -> None:
    model_server.when("", "I am not able to produce JSON today.")
    call = tool_call("llm.chat", {"prompt": "extract"}, policy={"repair_retries": 1})
    with pytest.raises(OutputValidationError) as caught:
        call_typed(call, INVOICE, _invoke(model_server),
                   max_retries=repair_retries(call, {}))
    error = caught.value
    assert isinstance(error, ToolError) and error.kind == "OutputValidationFailed"
    lines = error.message.splitlines()
    assert lines[0].startswith("output validation failed: expected Invoice {vendor: String")
    assert lines[0].endswith("got I am not able to produce JSON today.")
    assert [line.split(":")[0] for line in lines[1:]] == ["  attempt 1", "  attempt 2"]
    assert len(error.attempts) == 2 and error.received.startswith("I am not able")
    assert error.expected["name"] == "Invoice"
    assert "repair_retries" in (error.hint or "")
    assert len(model_server.chat_requests()) == 2


def test_default_is_two_repairs(model_server: FakeModelServer) -> None:
    model_server.when("", '{"vendor": "A"}')
    with pytest.raises(OutputValidationError) as caught:
        call_typed(tool_call("llm.chat", {"prompt": "extract"}), INVOICE,
                   _invoke(model_server))
    assert len(caught.value.attempts) == 3


def test_json_tools_are_not_repaired_but_drift_warns() -> None:
    calls: list[object] = []

    def invoke(call: object) -> ToolResult:
        calls.append(call)
        return ToolResult(value={"vendor": "A", "total": 3, "paid": True, "lines": [],
                                 "extra": 1}, provider="http")

    outcome = call_typed(tool_call("api.invoice", {"id": 7}), INVOICE, invoke)
    assert outcome.result.value["total"] == 3
    assert outcome.warnings == [
        "api.invoice: schema drift: $.note of Invoice is missing",
        "api.invoice: schema drift: unexpected field $.extra (not in Invoice), ignored"]

    def broken(call: object) -> ToolResult:
        calls.append(call)
        return ToolResult(value={"vendor": "A"}, provider="http")

    calls.clear()
    with pytest.raises(OutputValidationError) as caught:
        call_typed(tool_call("api.invoice", {"id": 7}), INVOICE, broken)
    assert len(calls) == 1  # the same data would come back: no repair call
    assert "check the record type" in (caught.value.hint or "")


def test_validated_values_become_lumen_records() -> None:
    from lumen.vm.values import LSet, Record, Variant

    schema = {"kind": "Record", "name": "Order", "fields": {
        "invoice": INVOICE, "tags": {"kind": "Set", "items": "String"},
        "pair": {"kind": "Tuple", "items": ["Int", "String"]},
        "mood": {"kind": "Enum", "name": "Mood", "variants": ["Happy", "Sad"]},
        "extra": {"kind": "Optional", "inner": "Any"}}}
    raw = {"invoice": GOOD, "tags": ["b", "a"], "pair": [1, "x"], "mood": "Sad",
           "extra": None}
    value = to_lumen_value(validate(raw, schema).value, schema)
    assert isinstance(value, Record) and value.type_name == "Order"
    invoice = value.fields["invoice"]
    assert isinstance(invoice, Record) and invoice.type_name == "Invoice"
    assert invoice.fields["lines"] == [Record("Line", {"item": "bolt", "qty": 3})]
    assert value.fields["tags"] == LSet(["a", "b"])
    assert value.fields["pair"] == (1, "x")
    assert value.fields["mood"] == Variant("Mood", "Sad", None)
    assert value.fields["extra"] is None
