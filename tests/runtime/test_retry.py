"""Retry policy: backoff strategies, jitter, and the three failure classes, both as pure
logic and against the loopback model server (429 with Retry-After, 500, time-outs)."""

from __future__ import annotations

import random

import pytest

from lumen.runtime.calls import ToolError, ToolResult
from lumen.runtime.providers.base import RateLimitError
from lumen.runtime.providers.openai_compatible import OpenAICompatibleProvider
from lumen.runtime.retry import RetryConfigError, RetryPolicy, call_with_retry, classify
from tests.runtime.helpers import tool_call
from tests.runtime.servers import FakeModelServer, error_reply, openai_reply
from tests.runtime.servers import model_server as model_server  # noqa: F401  (fixture)

NO_JITTER = {"jitter": False}


@pytest.mark.parametrize(("backoff", "expected"), [
    ("constant", [100, 100, 100, 100, 100]),
    ("linear", [100, 200, 300, 400, 500]),
    ("exponential", [100, 200, 400, 800, 1000]),
    ("fibonacci", [100, 100, 200, 300, 500]),
])
def test_backoff_strategies_are_capped(backoff: str, expected: list[int]) -> None:
    policy = RetryPolicy.from_settings({"backoff": backoff, "max_delay_ms": 1000})
    assert [policy.backoff_ms(n) for n in range(1, 6)] == expected


def test_defaults_follow_the_spec() -> None:
    policy = RetryPolicy.from_settings(None)
    assert (policy.max_retries, policy.base_delay_ms, policy.max_delay_ms) == (3, 100, 10_000)
    assert policy.backoff == "exponential" and policy.jitter is True
    assert policy.retry_on == {"RateLimit", "Timeout", "ProviderUnavailable"}


def test_jitter_stays_within_the_delay() -> None:
    rng = random.Random(7)
    full = RetryPolicy(jitter=True)
    delays = {full.jittered(1000, rng) for _ in range(200)}
    assert min(delays) >= 500 and max(delays) <= 1000 and len(delays) > 50
    assert RetryPolicy(jitter=0.1).jittered(1000, rng) >= 900
    assert RetryPolicy(jitter=False).jittered(1000, rng) == 1000


@pytest.mark.parametrize(("table", "key"), [
    ({"max_retry": 2}, "max_retry"),
    ({"backoff": "quadratic"}, "backoff"),
    ({"max_retries": -1}, "max_retries"),
    ({"jitter": 3}, "jitter"),
    ({"retry_on": "RateLimit"}, "retry_on"),
])
def test_bad_retry_tables_name_the_key(table: dict[str, object], key: str) -> None:
    with pytest.raises(RetryConfigError, match=key):
        RetryPolicy.from_settings(table)


def test_classification() -> None:
    assert classify(ToolError("RateLimit", "rate limit exceeded: x")) == "rate_limit"
    assert classify(ToolError("Timeout", "timeout: elapsed 1ms, limit 1ms")) == "transient"
    assert classify(ToolError("ProviderUnavailable", "provider unavailable: p (x)")) \
        == "transient"
    for kind in ("AuthError", "InvalidArgs", "ModelNotFound", "PolicyViolation"):
        assert classify(ToolError(kind, "x")) == "permanent"


class Scripted:
    """An attempt function failing with the given errors, then succeeding."""

    def __init__(self, *errors: ToolError) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> ToolResult:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return ToolResult(value="done", provider="p", latency_ms=1)


def test_transient_failures_back_off_then_succeed() -> None:
    sleeps: list[float] = []
    attempt = Scripted(ToolError("ProviderUnavailable", "provider unavailable: p (HTTP 500)"),
                       ToolError("Timeout", "timeout: elapsed 5ms, limit 5ms"))
    result = call_with_retry(attempt, RetryPolicy(jitter=False), sleep=sleeps.append)
    assert result.value == "done" and attempt.calls == 3
    assert sleeps == [0.1, 0.2]
    assert [a["status"] for a in result.attempts] == ["error", "error", "ok"]
    assert result.attempts[0]["class"] == "transient"
    assert [a.get("delay_ms") for a in result.attempts] == [100, 200, None]


def test_permanent_failures_are_never_retried() -> None:
    sleeps: list[float] = []
    attempt = Scripted(ToolError("AuthError", "authentication failed: no"))
    policy = RetryPolicy(retry_on=frozenset({"AuthError"}))  # even when listed
    with pytest.raises(ToolError) as caught:
        call_with_retry(attempt, policy, sleep=sleeps.append)
    assert attempt.calls == 1 and sleeps == []
    assert caught.value.attempts[0]["class"] == "permanent"  # type: ignore[attr-defined]


def test_kinds_outside_retry_on_are_not_retried() -> None:
    attempt = Scripted(ToolError("Timeout", "timeout: elapsed 5ms, limit 5ms"))
    with pytest.raises(ToolError):
        call_with_retry(attempt, RetryPolicy(retry_on=frozenset({"RateLimit"})),
                        sleep=lambda s: None)
    assert attempt.calls == 1


def test_gives_up_after_max_retries() -> None:
    failure = ToolError("ProviderUnavailable", "provider unavailable: p (down)")
    attempt = Scripted(*[failure] * 10)
    sleeps: list[float] = []
    with pytest.raises(ToolError) as caught:
        call_with_retry(attempt, RetryPolicy(max_retries=2, jitter=False),
                        sleep=sleeps.append)
    assert attempt.calls == 3 and len(sleeps) == 2
    assert caught.value.hint == "gave up after 3 attempts"
    assert len(caught.value.attempts) == 3  # type: ignore[attr-defined]


def test_rate_limit_honours_retry_after() -> None:
    sleeps: list[float] = []
    attempt = Scripted(RateLimitError("rate limit exceeded: x", retry_after_ms=750))
    call_with_retry(attempt, RetryPolicy(jitter=False), sleep=sleeps.append)
    assert sleeps == [0.75]


def test_rate_limit_longer_than_the_cap_stops_at_once() -> None:
    sleeps: list[float] = []
    attempt = Scripted(RateLimitError("rate limit exceeded: x", retry_after_ms=60_000))
    with pytest.raises(ToolError) as caught:
        call_with_retry(attempt, RetryPolicy(max_delay_ms=1000), sleep=sleeps.append)
    assert sleeps == [] and "60000ms" in (caught.value.hint or "")


# ------------------------------------------------------------------ against the server


def _settings(server: FakeModelServer) -> dict[str, object]:
    return {"base_url": server.openai_base_url, "default_model": "fake-model"}


def test_server_429_then_success_waits_retry_after(model_server: FakeModelServer) -> None:
    model_server.script("openai", error_reply(429, "too many", headers={"Retry-After": "0.05"}),
                        openai_reply("finally"))
    provider = OpenAICompatibleProvider()
    call = tool_call("llm.chat", {"prompt": "hi"})
    sleeps: list[float] = []
    result = call_with_retry(lambda: provider.call(call, _settings(model_server)),
                             RetryPolicy(base_delay_ms=1, jitter=False), sleep=sleeps.append)
    assert result.value == "finally" and sleeps == [0.05]
    assert [a.get("kind") for a in result.attempts] == ["RateLimit", None]
    assert len(model_server.chat_requests()) == 2


def test_server_500s_and_timeouts_are_retried(model_server: FakeModelServer) -> None:
    model_server.script("openai", error_reply(500, "boom"), openai_reply("slow", delay_s=0.4),
                        openai_reply("ok"))
    provider = OpenAICompatibleProvider()
    call = tool_call("llm.chat", {"prompt": "hi", "timeout_ms": 100})
    policy = RetryPolicy.from_settings({"base_delay_ms": 1, "max_retries": 3, "jitter": False})
    result = call_with_retry(lambda: provider.call(call, _settings(model_server)), policy)
    assert result.value == "ok"
    assert [a.get("kind") for a in result.attempts] == ["ProviderUnavailable", "Timeout", None]


def test_server_auth_failure_is_not_retried() -> None:
    with FakeModelServer(api_key="expected") as server:
        provider = OpenAICompatibleProvider()
        call = tool_call("llm.chat", {"prompt": "hi"})
        with pytest.raises(ToolError) as caught:
            call_with_retry(lambda: provider.call(call, _settings(server)),
                            RetryPolicy(base_delay_ms=1))
        assert caught.value.kind == "AuthError"
        assert len(server.chat_requests()) == 1


def test_retry_after_forms() -> None:
    import email.utils
    import time

    from lumen.runtime.providers.transport import retry_after_ms

    assert retry_after_ms("3") == 3000 and retry_after_ms("0.25") == 250
    assert retry_after_ms(None) is None and retry_after_ms("soon") is None
    in_two_seconds = email.utils.formatdate(time.time() + 2, usegmt=True)
    assert 0 < (retry_after_ms(in_two_seconds) or 0) <= 2000
