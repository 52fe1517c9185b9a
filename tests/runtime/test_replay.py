"""Replay (§16.11): recorded results served in order; a differing call is a divergence."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.replay import Replayer, load_replayer
from lumen.runtime.trace import TraceError, TraceWriter, read_trace

ASK = ToolCall(alias="Chat", tool_id="openai.chat", version="1", args={"prompt": "first"},
               policy={}, file="prog.lm", line=4, column=3)
FETCH = ToolCall(alias="Web", tool_id="http.get", version=None,
                 args={"url": "https://example.com"}, policy={"domain": "example.com"},
                 file="prog.lm", line=9, column=1)


def recording(tmp_path: Path) -> Path:
    with TraceWriter(tmp_path, run_id="run1") as writer:
        writer.event("run_start")
        writer.tool_call(ASK, result=ToolResult(value={"answer": 42}, provider="ollama",
                                                latency_ms=30, tokens_in=5, tokens_out=2))
        writer.tool_call(FETCH, error=ToolError("Timeout", "timeout: elapsed 50ms, limit 10ms",
                                                "raise timeout_ms"))
        writer.tool_call(ASK, result=ToolResult(value="again", provider="ollama", cached=True))
        writer.event("run_end")
    return writer.path


@pytest.fixture(autouse=True)
def _recorded(tmp_path: Path) -> None:
    recording(tmp_path)


def test_results_come_back_in_recorded_order(tmp_path: Path) -> None:
    replayer = load_replayer(tmp_path, "run1")
    first = replayer.next_result(ASK)
    assert first.value == {"answer": 42} and first.provider == "ollama"
    with pytest.raises(ToolError) as failed:
        replayer.next_result(FETCH)
    assert failed.value.kind == "Timeout"
    assert failed.value.message == "timeout: elapsed 50ms, limit 10ms"
    assert failed.value.hint == "raise timeout_ms"
    third = replayer.next_result(ASK)
    assert third.value == "again" and third.cached
    assert replayer.unused() == 0


def test_recorded_token_counts_and_latency_are_served(tmp_path: Path) -> None:
    result = load_replayer(tmp_path, "run1").next_result(ASK)
    assert (result.latency_ms, result.tokens_in, result.tokens_out) == (30, 5, 2)


def test_different_input_is_a_divergence_naming_the_call_and_both_inputs(tmp_path: Path) -> None:
    replayer = load_replayer(tmp_path, "run1")
    replayer.next_result(ASK)
    changed = replace(FETCH, args={"url": "https://example.org"}, line=10)
    with pytest.raises(ToolError) as diverged:
        replayer.next_result(changed)
    error = diverged.value
    assert error.kind == "ReplayDivergence"
    assert error.message.startswith("replay divergence at tool call 2 (Web at prog.lm:10:1, "
                                    "recorded at prog.lm:9:1)")
    assert '{"url":"https://example.com"}' in error.message
    assert '{"url":"https://example.org"}' in error.message
    assert "run1" in (error.hint or "")


def test_different_tool_is_a_divergence(tmp_path: Path) -> None:
    replayer = load_replayer(tmp_path, "run1")
    with pytest.raises(ToolError, match="recorded 'openai.chat' .* asked 'http.get'") as diverged:
        replayer.next_result(replace(FETCH, args=ASK.args))
    assert diverged.value.kind == "ReplayDivergence"


def test_a_call_beyond_the_recording_is_a_divergence(tmp_path: Path) -> None:
    replayer = load_replayer(tmp_path, "run1")
    replayer.next_result(ASK)
    with pytest.raises(ToolError):
        replayer.next_result(FETCH)
    replayer.next_result(ASK)
    with pytest.raises(ToolError, match="has only 3 tool call"):
        replayer.next_result(ASK)


def test_divergence_message_keeps_secrets_out(tmp_path: Path) -> None:
    replayer = Replayer(read_trace(tmp_path / "run1.jsonl").events, "run1",
                        secrets=["sk-live-abcdef"])
    with pytest.raises(ToolError) as diverged:
        replayer.next_result(replace(ASK, args={"prompt": "sk-live-abcdef"}))
    assert "sk-live-abcdef" not in diverged.value.message


def test_a_tampered_trace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run1.jsonl"
    path.write_text(path.read_text().replace('"answer":42', '"answer":43'))
    with pytest.raises(TraceError, match="cannot replay run run1: .*hash mismatch"):
        load_replayer(tmp_path, "run1")


def test_a_truncated_trace_still_replays_its_complete_events(tmp_path: Path) -> None:
    path = tmp_path / "run1.jsonl"
    path.write_bytes(path.read_bytes()[:-10])  # the run_end line is cut short
    replayer = load_replayer(tmp_path, "run1")
    assert replayer.next_result(ASK).value == {"answer": 42}


def test_unknown_run_is_a_trace_error(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match="no run 'run2'"):
        load_replayer(tmp_path, "run2")


def test_calls_refused_by_a_grant_are_not_served(tmp_path: Path) -> None:
    with TraceWriter(tmp_path, run_id="run2") as writer:
        writer.tool_call(FETCH, error=ToolError("PolicyViolation", "policy violation for 'Web': x"))
        writer.tool_call(ASK, result=ToolResult(value=1, provider="p"))
    replayer = load_replayer(tmp_path, "run2")
    assert replayer.next_result(ASK).value == 1
