"""The VM side of tool calls: the argument map (§12.2), JSON conversion both ways
(§10.11), the ToolCall it hands to the session, errors as `tool call error: …`, and
`bind effect` reaching the session (§11.5, §11.6)."""

from __future__ import annotations

import pytest

from lumen.runtime.calls import ToolError
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.tool_calls import argument_map, from_json
from lumen.vm.values import Record
from tests.runtime.tool_helpers import FakeProvider, run_with, session_with


def test_argument_map_names_positions_and_spreads() -> None:
    shape = ("", "model", "*", "", "*")
    values = ["first", "m", [10, 20], "last", {"extra": True}]
    assert argument_map(shape, values) == {
        "arg0": "first", "model": "m", "arg1": 10, "arg2": 20, "arg3": "last", "extra": True}


def test_argument_map_rejects_spreading_a_scalar() -> None:
    with pytest.raises(LumenRuntimeError, match="cannot spread"):
        argument_map(("*",), [3])


def test_the_call_carries_alias_id_version_json_args_policy_and_position() -> None:
    provider = FakeProvider(answer=lambda call: {"n": 1, "xs": [1.5, None], "big": 2**70})
    value, _ = run_with("""
        record Point
          x: Int
          y: Int
        end
        use tool llm.chat@3 as Chat
        grant Chat model "m" max_tokens 50
        let q = "question"
        let r = Chat(q, role user: hello {q}, point: Point(x: 1, y: 2), tags: {2, 1},
                     raw: b"01ff", pair: (1, "a"), none: null, f: 2.5)
        print(r)
    """, session_with(provider))
    (call,) = provider.calls
    assert (call.alias, call.tool_id, call.version) == ("Chat", "llm.chat", "3")
    assert call.policy == {"model": "m", "max_tokens": 50}
    assert call.args == {
        "arg0": "question", "user": "user: hello question",
        "point": {"x": 1, "y": 2, "__type": "Point"}, "tags": [1, 2], "raw": "01ff",
        "pair": [1, "a"], "none": None, "f": 2.5}
    assert (call.file, call.line, call.column) == ("tools_test.lm", 9, 9)
    assert value is None


def test_json_results_become_lumen_values() -> None:
    assert from_json({"a": [1, 2.0, True, None, "s"], "b": {"c": 2**70}}) == {
        "a": [1, 2.0, True, None, "s"], "b": {"c": float(2**70)}}
    with pytest.raises(ValueError):
        from_json(Record("P", {}))


def test_result_value_reaches_the_program() -> None:
    provider = FakeProvider(answer=lambda call: {"name": "Ada", "tags": ["x"]})
    value, out = run_with("""
        use tool people.find as Find
        grant Find
        cell main() -> String
          let r = Find(id: 7)
          print(r)
          return r["name"] ++ "/" ++ r["tags"][0]
        end
    """, session_with(provider))
    assert value == "Ada/x"
    assert out == '{"name": "Ada", "tags": ["x"]}\n'


def test_provider_error_is_a_tools_runtime_error_with_its_hint() -> None:
    provider = FakeProvider(answer=lambda call: ToolError(
        "ModelNotFound", "model not found: m9 (provider: fake)", "pick another model"))
    with pytest.raises(LumenRuntimeError) as info:
        run_with("""
            use tool llm.chat as Chat
            grant Chat
            let r = Chat(prompt: "x")
        """, session_with(provider))
    assert info.value.kind == "tools"
    assert info.value.message == "tool call error: model not found: m9 (provider: fake)"
    assert info.value.hint == "pick another model"
    assert info.value.line == 4


def test_without_a_session_the_call_names_the_tool_id_and_the_config_section() -> None:
    with pytest.raises(LumenRuntimeError) as info:
        run_with("""
            use tool llm.chat as Chat
            grant Chat
            let r = Chat(prompt: "x")
        """, None)
    assert info.value.message == "tool call error: no provider configured for tool llm.chat"
    assert "lumen.toml" in (info.value.hint or "") and "llm.chat" in (info.value.hint or "")


def test_bind_effect_sends_named_arguments_to_the_session() -> None:
    provider = FakeProvider(answer=lambda call: f"{call.args['key']}|{call.args['fallback']}")
    value, _ = run_with("""
        use tool kv.get as Kv
        grant Kv
        effect Store
          cell get(key: String, fallback: String) -> String
        end
        bind effect Store to Kv
        cell main() -> list[String]
          let direct = Store.get("k1", fallback: "f1")
          let performed = perform Store.get("k2", "f2")
          let handled = handle
            perform Store.get("k3", "f3")
          with
            Store.get(k, f) =>
              resume("handled " ++ k)
          end
          return [direct, performed, handled]
        end
    """, session_with(provider))
    assert value == ["k1|f1", "k2|f2", "handled k3"]
    assert [(c.alias, c.tool_id, c.args) for c in provider.calls] == [
        ("Kv", "kv.get", {"key": "k1", "fallback": "f1"}),
        ("Kv", "kv.get", {"key": "k2", "fallback": "f2"})]


def test_a_failing_tool_call_in_a_future_fails_only_that_future() -> None:
    provider = FakeProvider(answer=lambda call: ToolError("Timeout", "timeout: elapsed 5ms, "
                                                          "limit 1ms")
                            if call.args.get("arg0") == "slow" else "fine")
    value, _ = run_with("""
        use tool svc.ask as Ask
        grant Ask
        cell main() -> String
          let ok = spawn(fn() => Ask("fast"))
          let bad = spawn(fn() => Ask("slow"))
          return await ok
        end
    """, session_with(provider))
    assert value == "fine"
