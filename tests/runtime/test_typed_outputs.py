"""Typed tool outputs end to end (§12.6, issue 6 acceptance 3): `Alias(args) expect schema T`
lowers T's schema into the TOOLCALL; the session parses the answer leniently, repairs it
with a retry when it does not fit, traces every attempt, and the `EXPECT` check passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lumen.cli.main import run_cli
from lumen.lir import serialize
from lumen.lir.disasm import disassemble
from lumen.lir.opcodes import Op
from lumen.runtime.trace import read_trace, trace_files, verify_log
from lumen.vm.errors import LumenRuntimeError
from tests.runtime.servers import FakeModelServer, model_server, openai_reply  # noqa: F401
from tests.runtime.tool_helpers import FakeProvider, compile_checked, run_with, session_with

RECORDS = """\
enum Currency
  Eur
  Usd
end

record Line
  item: String
  qty: Int
end

record Invoice
  vendor: String
  total: Int
  currency: Currency
  lines: list[Line]
  note: String?
  tags: map[String, Int] | Null
end
"""

PROGRAM = """\
use tool llm.chat as Chat
grant Chat max_tokens 200

record Invoice
  vendor: String
  total: Int
end

cell main() -> Int
  let invoice = Chat(prompt: "Extract the invoice: ACME bills 42 EUR") expect schema Invoice
  print("{invoice.vendor} owes {invoice.total + 0}")
  return invoice.total
end
"""


def _toolcall_constants(module, name: str = "main") -> list[tuple]:  # noqa: ANN001
    function = module.function_named(name)
    return [function.constants[i.b] for i in function.code if i.op == Op.TOOLCALL]


def test_record_schema_is_derived_from_the_declaration() -> None:
    module = compile_checked(RECORDS + """
        use tool llm.chat as Chat
        grant Chat
        let r = Chat(prompt: "x") expect schema Invoice
        let n = Chat(prompt: "y") expect schema Int
        let plain = Chat(prompt: "z")
    """.replace("\n        ", "\n"))
    (alias, shape, member, schema), (_, _, _, int_schema), (*_, none) = \
        _toolcall_constants(module)
    assert (alias, shape, member, none) == ("Chat", ("prompt",), "", "")
    assert json.loads(int_schema) == {"kind": "Int"}
    assert json.loads(schema) == {
        "kind": "Record", "name": "Invoice", "fields": {
            "vendor": {"kind": "String"},
            "total": {"kind": "Int"},
            "currency": {"kind": "Enum", "name": "Currency", "variants": ["Eur", "Usd"]},
            "lines": {"kind": "List", "items": {"kind": "Record", "name": "Line", "fields": {
                "item": {"kind": "String"}, "qty": {"kind": "Int"}}}},
            "note": {"kind": "Optional", "inner": {"kind": "String"}},
            "tags": {"kind": "Optional", "inner": {"kind": "Map", "values": {"kind": "Int"}}},
        }}
    # The schema travels with the module: serialised, read back, shown by the disassembler.
    assert _toolcall_constants(serialize.loads(serialize.dumps(module))) == \
        _toolcall_constants(module)
    assert '"name":"Invoice"' in disassemble(module)


def test_only_the_checked_call_gets_the_schema() -> None:
    module = compile_checked(RECORDS + """
        use tool llm.chat as Chat
        grant Chat
        let r = Chat(prompt: Chat(prompt: "inner")) expect schema Invoice
    """.replace("\n        ", "\n"))
    schemas = [k[3] for k in _toolcall_constants(module)]
    assert schemas[0] == "" and json.loads(schemas[1])["name"] == "Invoice"  # inner first


def test_recursive_records_stop_at_one_level() -> None:
    module = compile_checked("""
        use tool llm.chat as Chat
        grant Chat
        record Node
          label: String
          children: list[Node]
        end
        let r = Chat(prompt: "t") expect schema Node
    """)
    (*_, schema), = _toolcall_constants(module)
    assert json.loads(schema)["fields"]["children"] == {"kind": "List",
                                                        "items": {"kind": "Any"}}


def test_lenient_parse_gives_a_record_without_a_retry() -> None:
    provider = FakeProvider(answer=lambda call: 'Sure! ```json\n{"vendor": "ACME", '
                                                '"total": "42",}\n```')
    value, out = run_with(PROGRAM, session_with(provider))
    assert (value, out) == (42, "ACME owes 42\n")
    assert len(provider.calls) == 1


def test_non_chat_tool_output_that_does_not_fit_fails_without_a_retry() -> None:
    provider = FakeProvider(answer=lambda call: {"vendor": "ACME"})
    source = PROGRAM.replace('Chat(prompt: "Extract the invoice: ACME bills 42 EUR")',
                             'Chat(url: "x")')
    with pytest.raises(LumenRuntimeError) as caught:
        run_with(source, session_with(provider))
    message = str(caught.value)
    assert caught.value.kind == "tools"
    assert "output validation failed: expected Invoice {vendor: String, total: Int}" in message
    assert "missing field 'total'" in message
    assert len(provider.calls) == 1


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            model_server: FakeModelServer) -> Path:  # noqa: F811
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "prog.lm").write_text(PROGRAM)
    (tmp_path / "lumen.toml").write_text(model_server.lumen_toml())
    return tmp_path


def _lumen(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = run_cli(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_missing_field_is_repaired_by_one_retry_and_traced(
        workdir: Path, model_server: FakeModelServer,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    model_server.script("openai", openai_reply('{"vendor": "ACME"}'),
                        openai_reply('{"vendor": "ACME", "total": 42}'))
    status, out, err = _lumen(capsys, "run", "prog.lm", "--trace-dir", "tr")
    assert (status, out) == (0, "ACME owes 42\n42\n"), err
    requests = model_server.chat_requests()
    assert len(requests) == 2
    repair = requests[1].json["messages"]
    assert [m["role"] for m in repair] == ["user", "assistant", "user"]
    assert repair[1]["content"] == '{"vendor": "ACME"}'
    assert "Expected: Invoice {vendor: String, total: Int}" in repair[2]["content"]
    assert "missing field 'total' (Int) of Invoice" in repair[2]["content"]

    (path,) = trace_files("tr")
    trace = read_trace(path)
    assert verify_log(trace) == []
    (call,) = [e for e in trace.events if e["kind"] == "tool_call"]
    details = call["details"]
    assert details["expect"] == "Invoice {vendor: String, total: Int}"
    assert details["output"] == {"vendor": "ACME", "total": 42}
    assert [(a["attempt"], a["status"]) for a in details["attempts"]] == [(1, "invalid"),
                                                                          (2, "ok")]
    assert details["attempts"][0]["received"] == '{"vendor": "ACME"}'
    assert "missing field 'total'" in details["attempts"][0]["errors"][0]
    assert details["tokens_in"] == 24  # both attempts are paid for

    # The replay serves the validated value: same stdout, no server needed.
    model_server.stop()
    status, replayed, err = _lumen(capsys, "run", "prog.lm", "--replay", path.stem,
                                   "--trace-dir", "tr")
    assert (status, replayed) == (0, out), err


def test_repairs_exhausted_is_a_structured_error(
        workdir: Path, model_server: FakeModelServer,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "prog.lm").write_text(PROGRAM.replace("max_tokens 200",
                                                     "max_tokens 200 repair_retries 1"))
    model_server.script("openai", openai_reply("no idea"), openai_reply('{"total": "lots"}'),
                        openai_reply('{"vendor": "never asked"}'))
    status, out, err = _lumen(capsys, "run", "prog.lm", "--trace-dir", "tr")
    assert status == 2 and out == ""
    assert ("tool call error: output validation failed: expected Invoice {vendor: String, "
            "total: Int}, got {\"total\": \"lots\"}") in err
    assert "attempt 1: no JSON value found in the response: no idea" in err
    assert "attempt 2: $: missing field 'vendor'" in err
    assert "hint: ask for JSON with exactly these fields" in err
    assert len(model_server.chat_requests()) == 2
    (path,) = trace_files("tr")
    (call,) = [e for e in read_trace(path).events if e["kind"] == "tool_call"]
    assert call["details"]["error"]["kind"] == "OutputValidationFailed"
    assert len(call["details"]["attempts"]) == 2


def test_schema_drift_is_a_warning_in_stderr_and_trace(
        workdir: Path, model_server: FakeModelServer,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    model_server.script("openai", openai_reply('{"vendor": "ACME", "total": 5, "vat": 1}'))
    status, out, err = _lumen(capsys, "run", "prog.lm", "--trace-dir", "tr")
    assert (status, out) == (0, "ACME owes 5\n5\n"), err
    drift = "llm.chat: schema drift: unexpected field $.vat (not in Invoice), ignored"
    assert f"lumen: warning: {drift}" in err
    (path,) = trace_files("tr")
    (call,) = [e for e in read_trace(path).events if e["kind"] == "tool_call"]
    assert call["details"]["warnings"] == [drift]


def test_prose_answer_is_a_string_without_a_retry() -> None:
    provider = FakeProvider(answer=lambda call: 'Paris, of course. {"not": "this"}')
    source = """
        use tool llm.chat as Chat
        grant Chat
        cell main() -> String
          return Chat(prompt: "capital?") expect schema String
        end
    """
    value, _ = run_with(source, session_with(provider))
    assert value == 'Paris, of course. {"not": "this"}' and len(provider.calls) == 1


def test_bare_tuple_schema_takes_any_length() -> None:
    provider = FakeProvider(answer=lambda call: "[1, 2, 3]")
    source = """
        use tool llm.chat as Chat
        grant Chat
        cell main() -> Int
          let t = Chat(prompt: "three numbers") expect schema Tuple
          return len(t)
        end
    """
    value, _ = run_with(source, session_with(provider))
    assert value == 3 and len(provider.calls) == 1
