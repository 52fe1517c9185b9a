"""Runtime grant checks (§12.3): one case per constraint kind, the exact reasons, and the
whole message as a program sees it; plus the static check (E0106) for a tool without a
grant."""

from __future__ import annotations

import textwrap

import pytest

from lumen.driver import compile_source
from lumen.runtime.calls import ToolError
from lumen.runtime.grants import check_policy, host_matches, url_host
from lumen.source import source_from_text
from lumen.vm.errors import LumenRuntimeError
from tests.runtime.tool_helpers import FakeProvider, run_with, session_with


def _reason(policy: dict, args: dict) -> str | None:  # type: ignore[type-arg]
    try:
        check_policy("A", policy, args)
    except ToolError as error:
        assert error.kind == "PolicyViolation"
        prefix = "policy violation for 'A': "
        assert error.message.startswith(prefix)
        return error.message[len(prefix):]
    return None


@pytest.mark.parametrize(("pattern", "url", "allowed"), [
    ("example.com", "https://example.com/x", True),
    ("example.com", "https://EXAMPLE.com:8443/x", True),
    ("example.com", "https://api.example.com/x", False),
    ("*.example.com", "https://example.com", True),
    ("*.example.com", "http://a.b.example.com/p?q=1", True),
    ("*.example.com", "https://badexample.com/", False),
    ("*.Example.COM", "https://api.example.com", True),
    ("api.example.com", "api.example.com/path", True),
])
def test_domain_patterns(pattern: str, url: str, allowed: bool) -> None:
    reason = _reason({"domain": pattern}, {"url": url})
    assert (reason is None) == allowed
    if not allowed:
        assert reason == f"domain '{pattern}' does not allow '{url}'"


def test_domain_needs_a_string_url() -> None:
    assert _reason({"domain": "x.org"}, {}) == "domain policy requires string 'url' argument"
    assert _reason({"domain": "x.org"}, {"url": 3}) == \
        "domain policy requires string 'url' argument"


def test_domain_list_allows_any_listed_pattern() -> None:
    assert _reason({"domain": ["a.org", "*.b.org"]}, {"url": "https://x.b.org"}) is None
    assert _reason({"domain": ["a.org"]}, {"url": "https://c.org"}) == \
        "domain '[\"a.org\"]' does not allow 'https://c.org'"


def test_url_host_and_matching() -> None:
    assert url_host("https://user.Example.org:80/a/b") == "user.example.org"
    assert host_matches("example.org", "*.example.org")
    assert not host_matches("xexample.org", "*.example.org")


def test_timeout_ms_limit() -> None:
    assert _reason({"timeout_ms": 5000}, {"timeout_ms": 5000}) is None
    assert _reason({"timeout_ms": 5000}, {}) is None
    assert _reason({"timeout_ms": 5000}, {"timeout_ms": 6000}) == \
        "timeout_ms 6000 exceeds allowed 5000"
    assert _reason({"timeout_ms": 5000}, {"timeout_ms": 5000.5}) == \
        "timeout_ms 5000.5 exceeds allowed 5000"


def test_max_keys_compare_ints() -> None:
    assert _reason({"max_tokens": 1024}, {"max_tokens": 2000}) == \
        "max_tokens 2000 exceeds allowed 1024"
    assert _reason({"max_results": 3}, {"max_results": 4}) == "max_results 4 exceeds allowed 3"
    assert _reason({"max_tokens": 1024}, {"max_tokens": 10}) is None
    assert _reason({"max_tokens": 1024}, {"max_tokens": "9999"}) is None  # not an Int


def test_other_keys_must_equal_the_granted_value() -> None:
    assert _reason({"model": "gpt-4o"}, {"model": "gpt-4o"}) is None
    assert _reason({"model": "gpt-4o"}, {}) is None
    assert _reason({"model": "gpt-4o"}, {"model": "other"}) == \
        "argument 'model' value other violates required gpt-4o"
    assert _reason({"temperature": 0}, {"temperature": 0.5}) == \
        "argument 'temperature' value 0.5 violates required 0"
    assert _reason({"stream": False}, {"stream": 0}) == \
        "argument 'stream' value 0 violates required false"


def test_effect_keys_are_static_only() -> None:
    assert _reason({"effect": "llm", "effects": ["llm"]}, {"effect": "x", "effects": 1}) is None


def test_first_violated_key_in_grant_order_is_reported() -> None:
    policy = {"model": "m", "max_tokens": 10}
    assert _reason(policy, {"model": "n", "max_tokens": 99}) == \
        "argument 'model' value n violates required m"


def test_violation_seen_by_the_program_and_the_provider_is_not_called() -> None:
    provider = FakeProvider()
    with pytest.raises(LumenRuntimeError) as info:
        run_with("""
            use tool http.get as Fetch
            grant Fetch domain "*.example.com"
            grant Fetch timeout_ms 5000
            let ok = Fetch(url: "https://api.example.com/a", timeout_ms: 100)
            let bad = Fetch(url: "https://api.example.com/a", timeout_ms: 9000)
        """, session_with(provider))
    assert info.value.kind == "tools"
    assert info.value.message == \
        "tool call error: policy violation for 'Fetch': timeout_ms 9000 exceeds allowed 5000"
    assert "timeout_ms" in (info.value.hint or "")
    assert len(provider.calls) == 1  # only the allowed call was dispatched


def _errors(source: str) -> list[tuple[str, str]]:
    unit = source_from_text(textwrap.dedent(source), "static.lm")
    return [(d.code, d.message) for d in compile_source(unit).errors]


def test_a_called_tool_without_any_grant_is_a_compile_error() -> None:
    errors = _errors("""
        use tool llm.chat as Chat
        cell ask(q: String) -> Any
          return Chat(prompt: q)
        end
    """)
    assert ("E0106", "cell 'ask' requires effect 'external' but no compatible grant is in "
                     "scope (line 4)") in errors


def test_a_member_call_of_a_tool_alias_needs_a_grant_too() -> None:
    source = """
        use tool tracker as T
        cell find(q: String) -> Any
          return T.search(q: q)
        end
    """
    assert ("E0106", "cell 'find' requires effect 'external' but no compatible grant is in "
                     "scope (line 4)") in _errors(source)
    granted = source.replace("use tool tracker as T", "use tool tracker as T\n        grant T")
    assert [code for code, _ in _errors(granted)] == []


def test_a_grant_in_scope_satisfies_the_static_check() -> None:
    assert _errors("""
        use tool llm.chat as Chat
        grant Chat effect llm
        cell ask(q: String) -> Any / {llm}
          return Chat(prompt: q)
        end
    """) == []


def test_grant_for_an_undeclared_alias_is_e0104() -> None:
    assert [code for code, _ in _errors("grant Nope timeout_ms 5\n")] == ["E0104"]
