"""RunSession (§12.4): policy before dispatch, provider lookup and settings, retries, replay
and cache in place of the provider, trace events, totals; and the driver creating one per run
of a program with tools."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from lumen.driver import RunOptions, run_file
from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.config import Config, parse_config
from lumen.runtime.session import RunSession, open_session
from lumen.vm.errors import LumenRuntimeError
from tests.runtime.tool_helpers import FakeProvider, run_with, session_with


def _call(**args: Any) -> ToolCall:
    return ToolCall("Chat", "llm.chat", None, args, {"max_tokens": 100}, "m.lm", 3, 9)


def test_policy_is_checked_before_the_provider_is_asked() -> None:
    provider = FakeProvider()
    session = session_with(provider)
    with pytest.raises(ToolError) as info:
        session.call_tool(_call(max_tokens=500))
    assert info.value.kind == "PolicyViolation"
    assert info.value.message == \
        "policy violation for 'Chat': max_tokens 500 exceeds allowed 100"
    assert provider.calls == []
    assert session.call_tool(_call(max_tokens=5)) == {"max_tokens": 5}
    totals = session.totals()
    assert {k: totals[k] for k in ("tool_calls", "failed", "tokens_in", "tokens_out")} == \
        {"tool_calls": 2, "failed": 1, "tokens_in": 3, "tokens_out": 4}


def test_provider_gets_its_own_settings_and_is_looked_up_once() -> None:
    provider = FakeProvider(name="ollama")
    config = parse_config('[providers.config.ollama]\nbase_url = "http://x"\n', "lumen.toml")
    asked: list[str] = []

    def lookup(tool_id: str, _config: Config) -> FakeProvider:
        asked.append(tool_id)
        return provider

    session = RunSession(config, provider_for=lookup)
    session.call_tool(_call(prompt="a"))
    session.call_tool(_call(prompt="b"))
    assert asked == ["llm.chat"]
    assert provider.settings == [{"base_url": "http://x"}] * 2


def test_no_provider_is_provider_unavailable_with_a_hint() -> None:
    session = RunSession(Config(), provider_for=lambda tool_id, config: None)
    with pytest.raises(ToolError) as info:
        session.call_tool(_call())
    assert (info.value.kind, info.value.message) == (
        "ProviderUnavailable", "no provider configured for tool llm.chat")
    assert '[providers] "llm.chat"' in (info.value.hint or "")


def test_registry_answers_builtin_tools_end_to_end() -> None:
    _, out = run_with("""
        use tool crypto.sha256 as Sha
        grant Sha
        print(Sha(text: "abc"))
    """, RunSession(Config()))
    assert out == hashlib.sha256(b"abc").hexdigest() + "\n"


def test_retries_follow_the_provider_retry_table() -> None:
    answers = [ToolError("RateLimit", "rate limit exceeded: slow down"),
               ToolError("ProviderUnavailable", "provider unavailable: fake (HTTP 503)"),
               "third time lucky"]
    provider = FakeProvider(answer=lambda call: answers.pop(0))
    config = parse_config("[providers.config.fake.retry]\nmax_retries = 2\nbase_delay_ms = 1\n",
                          "lumen.toml")
    assert session_with(provider, config).call_tool(_call()) == "third time lucky"
    assert len(provider.calls) == 3
    provider = FakeProvider(answer=lambda call: ToolError("RateLimit", "rate limit exceeded: x"))
    config = parse_config("[providers.config.fake.retry]\nmax_retries = 1\n", "lumen.toml")
    with pytest.raises(ToolError, match="rate limit exceeded"):
        session_with(provider, config).call_tool(_call())
    assert len(provider.calls) == 2


class _Recorder:
    """Stands for the trace writer: keeps the events it is given."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.closed = False

    def tool_call(self, call: ToolCall, *, result: ToolResult | None = None,
                  error: ToolError | None = None, latency_ms: int | None = None) -> None:
        self.events.append(("tool_call", {"call": call, "result": result, "error": error}))

    def event(self, kind: str, **fields: Any) -> None:
        self.events.append((kind, fields))

    def close(self) -> None:
        self.closed = True


def test_every_call_and_failure_is_recorded_and_close_ends_the_run() -> None:
    trace = _Recorder()
    session = session_with(FakeProvider(), trace=trace)
    session.call_tool(_call(prompt="x"))
    with pytest.raises(ToolError):
        session.call_tool(_call(max_tokens=1000))
    session.event("cell_start", cell="main")
    session.close("error")
    kinds = [kind for kind, _ in trace.events]
    assert kinds == ["tool_call", "tool_call", "cell_start", "run_end"]
    assert trace.events[0][1]["result"].value == {"prompt": "x"}
    assert trace.events[1][1]["error"].kind == "PolicyViolation"
    assert trace.events[3][1]["message"] == "error" and trace.closed


class _Replayer:
    def __init__(self, values: list[Any]) -> None:
        self.values = values

    def next_result(self, call: ToolCall) -> ToolResult:
        return ToolResult(self.values.pop(0), "replay")


def test_replay_serves_results_without_the_provider() -> None:
    provider = FakeProvider()
    session = session_with(provider, replayer=_Replayer(["recorded"]))
    assert session.call_tool(_call(prompt="x")) == "recorded"
    assert provider.calls == []
    with pytest.raises(ToolError):  # the policy still holds during replay
        session.call_tool(_call(max_tokens=101))


class _Cache:
    def __init__(self) -> None:
        self.stored: dict[str, ToolResult] = {}

    def lookup(self, call: ToolCall) -> ToolResult | None:
        return self.stored.get(repr(call.args))

    def store(self, call: ToolCall, result: ToolResult) -> None:
        self.stored[repr(call.args)] = ToolResult(result.value, result.provider, cached=True)


def test_cache_is_used_only_for_calls_that_opted_in() -> None:
    provider = FakeProvider()
    session = session_with(provider, cache=_Cache())
    opted = ToolCall("C", "t.x", None, {"q": 1}, {"cache": True})
    plain = ToolCall("C", "t.x", None, {"q": 1}, {})
    for call in (opted, opted, plain, plain):
        session.call_tool(call)
    assert len(provider.calls) == 3


def test_driver_creates_a_session_only_for_programs_with_tools(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "lumen.toml").write_text('[providers]\n"hash.it" = "crypto"\n"x" = 1\n',
                                         encoding="utf-8")
    plain = tmp_path / "plain.lm"
    plain.write_text("print(1)\n", encoding="utf-8")
    assert run_file(plain, RunOptions()).ok  # no tools: lumen.toml is not even read
    tools = tmp_path / "tools.lm"
    tools.write_text('use tool crypto.sha256 as Sha\ngrant Sha\nprint(Sha(text: "a"))\n',
                     encoding="utf-8")
    outcome = run_file(tools, RunOptions())
    assert not outcome.ran
    (error,) = outcome.compilation.errors
    assert (error.code, error.line, Path(error.file).name) == ("E0902", 3, "lumen.toml")
    (tmp_path / "lumen.toml").write_text('[providers]\n"hash.it" = "crypto"\n', encoding="utf-8")
    assert run_file(tools, RunOptions()).ok


def test_open_session_reads_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "lumen.toml").write_text('[providers]\n"a.b" = "fs"\n', encoding="utf-8")
    session = open_session(tmp_path)
    assert session.config.providers == {"a.b": "fs"}
    assert os.fspath(tmp_path / "lumen.toml") == session.config.path


def test_grant_keys_a_provider_does_not_understand_are_refused() -> None:
    provider = FakeProvider(name="chatty")
    provider.grant_keys = frozenset({"model", "temperature"})  # type: ignore[attr-defined]
    session = session_with(provider)
    understood = ToolCall("Chat", "llm.chat", None, {"url": "https://x"},
                          {"model": "m", "max_tokens": 5, "domain": "x", "effects": ["llm"],
                           "timeout_ms": 9, "cache": True})
    assert session.call_tool(understood) == {"url": "https://x"}
    typo = ToolCall("Chat", "llm.chat", None, {}, {"model": "m", "modle": "n"})
    with pytest.raises(ToolError) as info:
        session.call_tool(typo)
    assert info.value.kind == "InvalidArgs"
    assert info.value.message == ("invalid arguments: grant key 'modle' of 'Chat' is not "
                                  "understood by provider 'chatty'")
    assert info.value.hint == "custom grant keys of chatty: model, temperature"
    assert len(provider.calls) == 1


def test_a_secret_echoed_by_a_provider_never_reaches_the_program(
        monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-live-0123456789abcdef"
    monkeypatch.setenv("MY_SERVICE_KEY", secret)
    config = parse_config('[providers.config.leaky]\napi_key_env = "MY_SERVICE_KEY"\n',
                          "lumen.toml")
    provider = FakeProvider(name="leaky", answer=lambda call: ToolError(
        "AuthError", f"authentication failed: key {secret} was refused",
        f"check {secret}"))
    with pytest.raises(LumenRuntimeError) as info:
        run_with("""
            use tool svc.call as Svc
            grant Svc
            let r = Svc(q: 1)
        """, session_with(provider, config))
    assert info.value.message.startswith("tool call error: authentication failed: key ")
    assert secret not in info.value.message + (info.value.hint or "")
