"""Lowering of tools (§12): TOOLCALL with its call shape, Module.tools with merged grant
policies, `bind effect` routes, and the LIR round trip."""

from __future__ import annotations

from lumen.lir import serialize
from lumen.lir.module import FORMAT_VERSION
from lumen.lir.opcodes import Op
from tests.runtime.tool_helpers import FakeProvider, compile_checked, run_with, session_with


def _instrs(module, name: str = "main"):  # noqa: ANN001, ANN202
    function = module.function_named(name)
    return [(i.op, function.constants[i.b] if i.op in (Op.TOOLCALL, Op.PERFORM) else None, i.c)
            for i in function.code]


def test_call_of_a_tool_alias_is_one_toolcall_with_its_shape() -> None:
    module = compile_checked("""
        use tool llm.chat as Chat
        grant Chat
        let r = Chat(prompt: "hi", 3, role user: "q")
    """)
    calls = [(k, c) for op, k, c in _instrs(module) if op == Op.TOOLCALL]
    assert calls == [(("Chat", ("prompt", "", "user"), "", ""), 3)]
    assert not any(op in (Op.GLOBAL, Op.CALLX) for op, _, _ in _instrs(module))


def test_positional_only_call_has_an_all_positional_shape() -> None:
    module = compile_checked("""
        use tool crypto.sha256 as Sha
        grant Sha
        let r = Sha("abc", "d")
    """)
    calls = [(k, c) for op, k, c in _instrs(module) if op == Op.TOOLCALL]
    assert calls == [(("Sha", ("", ""), "", ""), 2)]


def test_grants_merge_in_source_order_including_agents() -> None:
    module = compile_checked("""
        use tool http.get@2.1 as Fetch
        grant Fetch domain "a.example.com" timeout_ms 5000
        agent Crawler
          grant Fetch
            timeout_ms 100
            max_tokens 7
          cell go() -> Any
            return Fetch(url: "https://a.example.com")
          end
        end
        grant Fetch
          domain "*.example.com"
          model gpt_x
          temperature -1
          effects ["http", "trace"]
    """)
    tool = module.tools["Fetch"]
    assert (tool.tool_id, tool.version) == ("http.get", "2.1")
    assert tool.policy == {"domain": "*.example.com", "timeout_ms": 100, "max_tokens": 7,
                           "model": "gpt_x", "temperature": -1, "effects": ["http", "trace"]}
    assert list(tool.policy) == ["domain", "timeout_ms", "max_tokens", "model", "temperature",
                                 "effects"]


def test_tools_survive_the_lir_round_trip() -> None:
    module = compile_checked("""
        use tool http.get@2 as Fetch
        grant Fetch domain "x.org" retries 3 flags [true, null, 1.5]
        let r = Fetch(url: "https://x.org")
    """)
    assert module.format_version == FORMAT_VERSION
    again = serialize.loads(serialize.dumps(module))
    assert again.tools == module.tools
    assert _instrs(again) == _instrs(module)


def test_bind_effect_routes_perform_and_direct_calls_to_the_tool() -> None:
    module = compile_checked("""
        use tool kv.get as Kv
        grant Kv
        effect Store
          cell get(key: String, fallback: String) -> String
        end
        bind effect Store.get to Kv
        let a = Store.get("k", fallback: "f")
        let b = perform Store.get("k2", "f2")
    """)
    performs = [k for op, k, _ in _instrs(module) if op == Op.PERFORM]
    assert performs == [("Store.get", False, -1, "Kv", ("key", "fallback")),
                        ("Store.get", True, -1, "Kv", ("key", "fallback"))]


def test_cells_with_tool_calls_stay_correct_under_the_faster_tiers() -> None:
    provider = FakeProvider(answer=lambda call: call.args["arg0"] * 2)
    value, _ = run_with("""
        use tool math.double as Double
        grant Double
        cell twice(n: Int) -> Int
          return Double(n)
        end
        cell main() -> Int
          let mut total = 0
          for i in 0..3000
            total = total + twice(i)
          end
          return total
        end
    """, session_with(provider))
    assert value == sum(2 * i for i in range(3000))
    assert len(provider.calls) == 3000


def test_member_call_of_an_alias_calls_the_member_tool() -> None:
    provider = FakeProvider(answer=lambda call: call.tool_id)
    value, _ = run_with("""
        use tool tracker as Tracker
        grant Tracker max_results 5
        cell main() -> String
          return Tracker.search(q: "bug", max_results: 2)
        end
    """, session_with(provider))
    assert value == "tracker.search"
    (call,) = provider.calls
    assert (call.alias, call.args, call.policy) == (
        "Tracker", {"q": "bug", "max_results": 2}, {"max_results": 5})


def test_tools_of_an_imported_module_are_in_the_program(tmp_path) -> None:  # noqa: ANN001
    from lumen.driver import compile_file

    (tmp_path / "helper.lm").write_text(
        "use tool crypto.sha256 as Sha\ngrant Sha model \"m\"\n"
        "cell digest(t: String) -> String\n  return Sha(text: t)\nend\n", encoding="utf-8")
    (tmp_path / "main.lm").write_text("import helper: digest\nprint(digest(\"abc\"))\n",
                                      encoding="utf-8")
    compilation = compile_file(tmp_path / "main.lm")
    assert compilation.ok, [d.message for d in compilation.errors]
    tool = compilation.module.tools["Sha"]
    assert (tool.tool_id, tool.policy) == ("crypto.sha256", {"model": "m"})
