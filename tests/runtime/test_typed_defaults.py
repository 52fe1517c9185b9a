"""Typed tool outputs and record defaults: a field with a default may be left out of the
answer (no repair, no drift warning) and is filled by the record's own default, also in
nested records and lists; a field without one is still required."""

from __future__ import annotations

import json

from lumen.runtime.typed import json_schema, normalise_schema, validate
from tests.runtime.tool_helpers import FakeProvider, compile_checked, run_with, session_with

PROGRAM = """\
use tool llm.chat as Chat
grant Chat

record Line
  item: String
  qty: Int = 1
end

record Order
  customer: String
  currency: String = "EUR"
  lines: list[Line]
  total: Int = len(lines) * 10
end

cell main() -> Order
  let order = Chat(prompt: "order") expect schema Order
  print(order)
  return order
end
"""


def test_missing_fields_with_defaults_are_filled_by_the_record_defaults() -> None:
    answer = json.dumps({"customer": "Ann", "lines": [{"item": "pen"},
                                                      {"item": "ink", "qty": 3}]})
    provider = FakeProvider(answer=lambda call: answer)
    _value, out = run_with(PROGRAM, session_with(provider))
    assert out == ('Order(currency: "EUR", customer: "Ann", lines: [Line(item: "pen", '
                   'qty: 1), Line(item: "ink", qty: 3)], total: 20)\n')
    assert len(provider.calls) == 1  # nothing to repair


def test_given_values_win_over_defaults() -> None:
    answer = json.dumps({"customer": "Bo", "currency": "USD", "lines": [], "total": 7})
    _value, out = run_with(PROGRAM, session_with(FakeProvider(answer=lambda call: answer)))
    assert out == 'Order(currency: "USD", customer: "Bo", lines: [], total: 7)\n'


def test_the_schema_names_the_defaults_and_requires_only_the_rest() -> None:
    module = compile_checked(PROGRAM)
    function = module.function_named("main")
    (constant,) = [function.constants[i.b] for i in function.code
                   if i.op.name == "TOOLCALL"]
    schema = normalise_schema(json.loads(constant[3]))
    assert schema["defaults"] == ["currency", "total"]
    assert json_schema(schema)["required"] == ["customer", "lines"]
    report = validate({"lines": []}, schema)
    assert report.errors == ["$: missing field 'customer' (String) of Order"]
    assert report.warnings == []
