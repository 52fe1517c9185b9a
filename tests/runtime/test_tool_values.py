"""A tool alias used as a value (§12.2: a tool is called like a function): `let f = Chat`
then `f(prompt: q)` is the same tool call, under the same grants; naming the alias needs
the grant a call would (E0106)."""

from __future__ import annotations

import textwrap

import pytest

from lumen.driver import compile_source
from lumen.source import source_from_text
from lumen.vm.errors import LumenRuntimeError
from tests.runtime.tool_helpers import FakeProvider, run_with, session_with

PROGRAM = """
use tool llm.chat as Chat
grant Chat max_tokens 10

cell ask(f: Fn, q: String) -> Any
  return f(prompt: q, max_tokens: 5)
end

cell main()
  let f = Chat
  print(f(prompt: "direct"))
  print(ask(Chat, "passed"))
  print(["a", "b"].map(Chat))
  print(Chat)
  print(type_of(f))
  print(f == Chat)
  print(await spawn(Chat, "later"))
end
"""


def test_calls_through_the_value_are_tool_calls_with_the_same_argument_map() -> None:
    provider = FakeProvider(answer=lambda call: call.args.get("prompt", call.args.get("arg0")))
    _value, out = run_with(PROGRAM, session_with(provider))
    assert out.splitlines() == ["direct", "passed", '["a", "b"]', "<closure:Chat>",
                                "Closure", "true", "later"]
    assert [call.args for call in provider.calls] == [
        {"prompt": "direct"}, {"prompt": "passed", "max_tokens": 5}, {"arg0": "a"},
        {"arg0": "b"}, {"arg0": "later"}]
    assert {call.alias for call in provider.calls} == {"Chat"}
    assert {call.tool_id for call in provider.calls} == {"llm.chat"}


def test_the_grants_of_the_alias_apply_to_calls_through_the_value() -> None:
    provider = FakeProvider()
    with pytest.raises(LumenRuntimeError) as info:
        run_with(PROGRAM.replace("max_tokens: 5", "max_tokens: 50"), session_with(provider))
    assert info.value.message == \
        "tool call error: policy violation for 'Chat': max_tokens 50 exceeds allowed 10"


def _errors(source: str) -> list[tuple[str, str]]:
    unit = source_from_text(textwrap.dedent(source), "values.lm")
    return [(d.code, d.message) for d in compile_source(unit).errors]


def test_naming_an_ungranted_tool_as_a_value_needs_a_grant() -> None:
    errors = _errors("""
        use tool llm.chat as Chat
        cell pick() -> Any
          return Chat
        end
    """)
    assert ("E0106", "cell 'pick' requires effect 'external' but no compatible grant is in "
                     "scope (line 4)") in errors
    assert _errors("""
        use tool llm.chat as Chat
        grant Chat
        cell pick() -> Any
          return Chat
        end
    """) == []


@pytest.mark.parametrize("fast_tier", [True, False])
def test_calls_through_the_value_name_their_call_site(fast_tier: bool) -> None:
    import contextlib
    import io

    from lumen.vm.interpreter import VM
    from lumen.vm.options import VMOptions
    from tests.runtime.tool_helpers import compile_checked

    provider = FakeProvider(answer=lambda call: "x")
    module = compile_checked(PROGRAM)
    with contextlib.redirect_stdout(io.StringIO()):
        VM(module, VMOptions(fast_tier=fast_tier), tools=session_with(provider)).run("main")
    sites = [(call.cell, call.line) for call in provider.calls]
    assert sites[:3] == [("main", 11), ("ask", 6), ("main", 13)]
