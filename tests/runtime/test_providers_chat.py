"""openai-compatible, ollama and auto against a real HTTP server on loopback."""

from __future__ import annotations

import pytest

from lumen.runtime.calls import ToolError
from lumen.runtime.config import Config
from lumen.runtime.providers.auto import AutoProvider
from lumen.runtime.providers.base import RateLimitError
from lumen.runtime.providers.ollama import OllamaProvider
from lumen.runtime.providers.openai_compatible import OpenAICompatibleProvider
from lumen.runtime.providers.registry import provider_for
from tests.runtime.helpers import closed_port_url, tool_call
from tests.runtime.servers import (
    FakeModelServer,
    Reply,
    error_reply,
    ollama_reply,
    openai_reply,
)
from tests.runtime.servers import model_server as model_server  # noqa: F401  (fixture)

OPENAI = OpenAICompatibleProvider()
OLLAMA = OllamaProvider()


def openai_settings(server: FakeModelServer, **extra: object) -> dict[str, object]:
    return {"base_url": server.openai_base_url, "default_model": "fake-model", **extra}


def chat(prompt: str = "hello", **args: object):
    return tool_call("llm.chat", {"prompt": prompt, **args}, alias="Chat")


# ------------------------------------------------------------------ openai-compatible


def test_openai_returns_content_and_usage(model_server: FakeModelServer) -> None:
    model_server.script("openai", openai_reply("Hi there", prompt_tokens=21,
                                               completion_tokens=3))
    result = OPENAI.call(chat("hello"), openai_settings(model_server))
    assert result.value == "Hi there"
    assert (result.tokens_in, result.tokens_out) == (21, 3)
    assert result.provider == "openai-compatible"
    request = model_server.chat_requests()[-1]
    assert request.path == "/v1/chat/completions"
    assert request.json["model"] == "fake-model"
    assert request.json["messages"] == [{"role": "user", "content": "hello"}]


def test_openai_sends_options_roles_and_policy_defaults(model_server: FakeModelServer) -> None:
    call = tool_call("llm.chat", {"system": "system: be brief", "user": "user: hi",
                                  "temperature": 0.2},
                     policy={"model": "granted-model", "max_tokens": 64})
    OPENAI.call(call, openai_settings(model_server, temperature=0.9))
    body = model_server.chat_requests()[-1].json
    assert body["model"] == "granted-model"  # the grant's value wins over default_model
    assert body["temperature"] == 0.2  # the call's argument wins over settings
    assert body["max_tokens"] == 64
    assert body["messages"] == [{"role": "system", "content": "be brief"},
                                {"role": "user", "content": "hi"}]


def test_openai_function_calling(model_server: FakeModelServer) -> None:
    model_server.script("openai", openai_reply(None, tool_calls=[
        {"name": "get_weather", "arguments": {"city": "Oslo"}}]))
    tools = [{"name": "get_weather", "description": "weather by city",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    result = OPENAI.call(chat("weather?", tools=tools), openai_settings(model_server))
    assert result.value == {"content": "", "finish_reason": "tool_calls", "tool_calls": [
        {"id": "call_0", "name": "get_weather", "arguments": {"city": "Oslo"}}]}
    sent = model_server.chat_requests()[-1].json["tools"]
    assert sent[0]["type"] == "function" and sent[0]["function"]["name"] == "get_weather"


def test_openai_estimates_tokens_without_usage(model_server: FakeModelServer) -> None:
    model_server.script("openai", openai_reply("x" * 40, usage=False))
    result = OPENAI.call(chat("y" * 80), openai_settings(model_server))
    assert (result.tokens_in, result.tokens_out) == (20, 10)


def test_openai_sends_the_key_from_the_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test-correct-0123456789")
    with FakeModelServer(api_key="sk-test-correct-0123456789") as server:
        result = OPENAI.call(chat(), openai_settings(server, api_key_env="FAKE_LLM_KEY"))
    assert result.value == "echo: hello"


def test_openai_wrong_key_is_auth_error_without_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-wrong-secret-value-987654321"
    monkeypatch.setenv("FAKE_LLM_KEY", secret)
    with FakeModelServer(api_key="sk-the-right-one") as server:
        with pytest.raises(ToolError) as caught:
            OPENAI.call(chat(), openai_settings(server, api_key_env="FAKE_LLM_KEY"))
    error = caught.value
    assert error.kind == "AuthError"
    assert error.message.startswith("authentication failed: openai-compatible answered HTTP 401")
    # The server echoed the key back; none of it may reach the user.
    for text in (error.message, error.hint or "", str(error), repr(error)):
        assert secret not in text
    assert "***" in error.message


def test_openai_missing_key_variable_names_the_variable(model_server: FakeModelServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAKE_UNSET_KEY", raising=False)
    with pytest.raises(ToolError) as caught:
        OPENAI.call(chat(), openai_settings(model_server, api_key_env="FAKE_UNSET_KEY"))
    assert caught.value.kind == "AuthError"
    assert "environment variable FAKE_UNSET_KEY is not set" in caught.value.message
    assert model_server.requests == []  # nothing was sent


def test_openai_unknown_model() -> None:
    with FakeModelServer(models={"fake-model"}) as server:
        with pytest.raises(ToolError) as caught:
            OPENAI.call(chat(model="nope"), openai_settings(server))
    assert caught.value.kind == "ModelNotFound"
    assert caught.value.message == "model not found: nope (provider: openai-compatible)"


def test_openai_rate_limit_carries_retry_after(model_server: FakeModelServer) -> None:
    model_server.script("openai", error_reply(429, "slow down", headers={"Retry-After": "2"}))
    with pytest.raises(RateLimitError) as caught:
        OPENAI.call(chat(), openai_settings(model_server))
    assert caught.value.kind == "RateLimit"
    assert caught.value.retry_after_ms == 2000
    assert caught.value.message.startswith("rate limit exceeded:")


def test_openai_server_error_is_unavailable(model_server: FakeModelServer) -> None:
    model_server.script("openai", error_reply(500, "boom"))
    with pytest.raises(ToolError) as caught:
        OPENAI.call(chat(), openai_settings(model_server))
    assert caught.value.kind == "ProviderUnavailable"
    assert caught.value.message == "provider unavailable: openai-compatible (HTTP 500: boom)"


def test_openai_malformed_body_is_execution_failure(model_server: FakeModelServer) -> None:
    model_server.script("openai", Reply(200, '{"choices": [ {"message": '))
    with pytest.raises(ToolError) as caught:
        OPENAI.call(chat(), openai_settings(model_server))
    assert caught.value.kind == "ExecutionFailed"
    assert "not JSON" in caught.value.message


def test_openai_slow_answer_times_out(model_server: FakeModelServer) -> None:
    model_server.script("openai", openai_reply("late", delay_s=0.6))
    with pytest.raises(ToolError) as caught:
        OPENAI.call(chat(timeout_ms=150), openai_settings(model_server))
    assert caught.value.kind == "Timeout"
    assert caught.value.message.startswith("timeout: elapsed ")
    assert caught.value.message.endswith("limit 150ms")


def test_openai_without_base_url_or_model() -> None:
    with pytest.raises(ToolError) as caught:
        OPENAI.call(chat(), {"default_model": "m"})
    assert caught.value.kind == "ProviderUnavailable"
    assert "[providers.config.openai-compatible]" in (caught.value.hint or "")
    with pytest.raises(ToolError) as caught:
        OPENAI.call(chat(), {"base_url": "http://127.0.0.1:9"})
    assert caught.value.kind == "InvalidArgs"


def test_chat_without_prompt_is_invalid(model_server: FakeModelServer) -> None:
    with pytest.raises(ToolError) as caught:
        OPENAI.call(tool_call("llm.chat", {"temperature": 1}), openai_settings(model_server))
    assert caught.value.kind == "InvalidArgs"


# ------------------------------------------------------------------ ollama


def test_ollama_chat(model_server: FakeModelServer) -> None:
    model_server.script("ollama", ollama_reply("from ollama", prompt_eval_count=9,
                                               eval_count=4))
    call = chat("hi", max_tokens=32, temperature=0)
    result = OLLAMA.call(call, {"base_url": model_server.url, "default_model": "llama3"})
    assert result.value == "from ollama"
    assert (result.tokens_in, result.tokens_out) == (9, 4)
    body = model_server.chat_requests()[-1].json
    assert body["stream"] is False and body["model"] == "llama3"
    assert body["options"] == {"temperature": 0, "num_predict": 32}


def test_ollama_tool_calls(model_server: FakeModelServer) -> None:
    model_server.script("ollama", ollama_reply("", tool_calls=[
        {"name": "lookup", "arguments": {"q": "x"}}]))
    result = OLLAMA.call(chat("use a tool", tools=[{"name": "lookup"}]),
                         {"base_url": model_server.url, "default_model": "llama3"})
    assert result.value["tool_calls"] == [{"id": "", "name": "lookup", "arguments": {"q": "x"}}]


def test_ollama_unknown_model() -> None:
    with FakeModelServer(models={"llama3"}) as server:
        with pytest.raises(ToolError) as caught:
            OLLAMA.call(chat(), {"base_url": server.url, "default_model": "mistral"})
    assert caught.value.kind == "ModelNotFound"
    assert caught.value.message == "model not found: mistral (provider: ollama)"
    assert "try pulling it first" in (caught.value.hint or "")


def test_ollama_not_running_is_unavailable() -> None:
    with pytest.raises(ToolError) as caught:
        OLLAMA.call(chat(), {"base_url": closed_port_url(), "default_model": "llama3"})
    assert caught.value.kind == "ProviderUnavailable"
    assert caught.value.message.startswith("provider unavailable: ollama (ConnectError")


# ------------------------------------------------------------------ auto


def test_auto_prefers_ollama(model_server: FakeModelServer) -> None:
    model_server.script("ollama", ollama_reply("local answer"))
    auto = AutoProvider([(OLLAMA, {"base_url": model_server.url, "default_model": "l"}),
                         (OPENAI, openai_settings(model_server))])
    assert auto.call(chat(), {}).value == "local answer"
    assert [r.path for r in model_server.requests] == ["/api/chat"]


def test_auto_falls_back_to_openai(model_server: FakeModelServer) -> None:
    auto = AutoProvider([(OLLAMA, {"base_url": closed_port_url(), "default_model": "l"}),
                         (OPENAI, openai_settings(model_server))])
    result = auto.call(chat("fallback please"), {})
    assert result.value == "echo: fallback please"
    assert [a["provider"] for a in result.attempts] == ["ollama", "openai-compatible"]
    assert result.attempts[0]["kind"] == "ProviderUnavailable"


def test_auto_reports_every_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAKE_UNSET_KEY", raising=False)
    dead = closed_port_url()
    config = Config(providers={"llm.chat": "auto"}, provider_settings={
        "ollama": {"base_url": dead, "default_model": "llama3"},
        "openai-compatible": {"base_url": dead + "/v1", "default_model": "m",
                              "api_key_env": "FAKE_UNSET_KEY"}})
    provider = provider_for("llm.chat", config)
    with pytest.raises(ToolError) as caught:
        provider.call(chat(), config.settings("auto"))
    lines = caught.value.message.splitlines()
    assert caught.value.kind == "ProviderUnavailable"
    assert lines[0] == "provider unavailable: auto (all 2 providers failed)"
    assert lines[1].startswith(f"  1. ollama at {dead}: provider unavailable: ollama (")
    second = next(line for line in lines if line.startswith("  2. "))
    assert second.startswith(f"  2. openai-compatible at {dead}/v1: authentication failed")
    assert "FAKE_UNSET_KEY is not set" in second
    assert "     hint: export FAKE_UNSET_KEY=" in caught.value.message
    assert "ollama serve" in (caught.value.hint or "")


@pytest.mark.parametrize("body", [
    {"choices": []},
    {"choices": [{"message": "text"}]},
    ["not", "an", "object"],
])
def test_openai_odd_shapes_are_execution_failures(model_server: FakeModelServer,
                                                  body: object) -> None:
    model_server.script("openai", Reply(200, body))
    with pytest.raises(ToolError) as caught:
        OPENAI.call(chat(), openai_settings(model_server))
    assert caught.value.kind == "ExecutionFailed"


def test_odd_tool_call_entries_are_skipped(model_server: FakeModelServer) -> None:
    model_server.script("ollama", Reply(200, {"message": {"content": "x", "tool_calls": [
        {"function": "bad"}, 7, {"function": {"name": "ok", "arguments": {}}}]}}))
    result = OLLAMA.call(chat(tools=[{"name": "ok"}]),
                         {"base_url": model_server.url, "default_model": "m"})
    assert result.value["tool_calls"] == [{"id": "", "name": "ok", "arguments": {}}]
