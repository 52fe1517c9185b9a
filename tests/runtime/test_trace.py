"""Trace files (§16.11): the event fields, the sha256 chain, reading damaged files, secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.trace import (
    GENESIS,
    HASHED_FIELDS,
    REDACTED,
    TraceError,
    TraceWriter,
    api_key_env_names,
    canonical_json,
    event_hash,
    find_trace,
    hash_json,
    read_trace,
    secret_values,
    verify,
    verify_log,
)

CALL = ToolCall(alias="Chat", tool_id="openai.chat", version=None, args={"prompt": "hi"},
                policy={"model": "m"}, file="prog.lm", line=3, column=5)


def record(directory: Path, **writer_options: object) -> TraceWriter:
    with TraceWriter(directory, doc_hash="sha256:doc", **writer_options) as writer:
        writer.event("run_start", details={"file": "prog.lm", "entry": "main"})
        writer.event("cell_start", cell="main")
        writer.tool_call(CALL, result=ToolResult(value={"text": "hello"}, provider="p",
                                                 latency_ms=12, tokens_in=3, tokens_out=4))
        writer.tool_call(CALL, error=ToolError("RateLimit", "rate limit exceeded: slow down"),
                         latency_ms=7)
        writer.event("cell_end", cell="main")
        writer.event("run_end", details={"status": "ok"})
    return writer


def test_round_trip_has_the_section_16_11_fields_and_a_valid_chain(tmp_path: Path) -> None:
    writer = record(tmp_path)
    assert writer.path == tmp_path / f"{writer.run_id}.jsonl"
    trace = read_trace(writer.path)
    assert trace.problems == [] and not trace.truncated
    events = trace.events
    assert [e["seq"] for e in events] == list(range(6))
    assert [e["kind"] for e in events] == [
        "run_start", "cell_start", "tool_call", "tool_call", "cell_end", "run_end"]
    assert events[0]["prev_hash"] == GENESIS
    for previous, event in zip(events, events[1:], strict=False):
        assert event["prev_hash"] == previous["hash"]
    for event in events:
        assert event["doc_hash"] == "sha256:doc"
        assert event["timestamp"].endswith("Z") and event["timestamp"][10] == "T"
        payload = {k: event[k] for k in HASHED_FIELDS if k in event}
        digest = hash_json(payload)
        assert event["hash"] == digest and digest.startswith("sha256:")
    assert verify(events) == []
    ok_call, failed_call = events[2], events[3]
    assert ok_call["tool_id"] == "openai.chat"
    assert ok_call["inputs_hash"] == hash_json({"prompt": "hi"})
    assert ok_call["outputs_hash"] == hash_json({"text": "hello"})
    assert ok_call["policy_hash"] == hash_json({"model": "m"})
    assert ok_call["latency_ms"] == 12 and ok_call["cached"] is False
    assert ok_call["details"]["output"] == {"text": "hello"}
    assert ok_call["details"]["at"] == "prog.lm:3:5"
    assert failed_call["details"]["status"] == "error"
    assert failed_call["message"] == "rate limit exceeded: slow down"


def test_canonical_json_is_sorted_and_without_whitespace() -> None:
    assert canonical_json({"b": [1, 2], "a": "é"}) == '{"a":"é","b":[1,2]}'


def test_timestamp_is_outside_the_hash() -> None:
    event = {"seq": 0, "kind": "run_start", "prev_hash": GENESIS, "timestamp": "x"}
    assert event_hash(event) == event_hash({**event, "timestamp": "y"})
    assert event_hash(event) != event_hash({**event, "message": "y"})


def test_each_line_is_on_disk_before_the_next_event(tmp_path: Path) -> None:
    writer = TraceWriter(tmp_path, doc_hash="sha256:doc")
    writer.event("run_start")
    # Not closed: what a crash right now would leave behind.
    assert len(read_trace(writer.path).events) == 1
    writer.close()


def test_one_byte_edit_is_detected_at_its_line(tmp_path: Path) -> None:
    path = record(tmp_path).path
    data = path.read_bytes()
    at = data.index(b'"hello"') + 1
    path.write_bytes(data[:at] + b"j" + data[at + 1:])  # hello -> jello
    problems = verify_log(read_trace(path))
    assert problems and problems[0].line == 3
    assert "hash mismatch at seq 2" in problems[0].message


def test_dropped_and_reordered_lines_break_the_chain(tmp_path: Path) -> None:
    path = record(tmp_path).path
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:2] + lines[3:]))
    problems = verify_log(read_trace(path))
    assert problems[0].line == 3 and "seq is 3, expected 2" in problems[0].message
    path.write_text("".join([lines[1], lines[0], *lines[2:]]))
    assert verify_log(read_trace(path))[0].line == 1


def test_rehashing_an_edited_event_still_breaks_the_next_link(tmp_path: Path) -> None:
    path = record(tmp_path).path
    lines = path.read_text().splitlines()
    event = json.loads(lines[2])
    event["details"]["output"] = {"text": "forged"}
    event["hash"] = event_hash(event)
    lines[2] = json.dumps(event)
    path.write_text("\n".join(lines) + "\n")
    problems = verify_log(read_trace(path))
    assert [p.line for p in problems] == [4]
    assert "prev_hash does not link" in problems[0].message


def test_truncated_last_line_keeps_the_events_before_it(tmp_path: Path) -> None:
    path = record(tmp_path).path
    data = path.read_bytes()
    path.write_bytes(data[:-25])
    trace = read_trace(path)
    assert trace.truncated
    assert len(trace.events) == 5
    assert [(p.line, p.truncated) for p in trace.problems] == [(6, True)]
    assert verify(trace.events) == []


def test_garbage_lines_are_problems_not_exceptions(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\xff\xfe not json\n[1, 2]\n\n")
    trace = read_trace(path)
    assert trace.events == []
    assert [p.line for p in trace.problems] == [1, 2, 3]


def test_missing_file_is_a_trace_error(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match="cannot read trace file"):
        read_trace(tmp_path / "absent.jsonl")


def test_secret_values_never_reach_the_file(tmp_path: Path) -> None:
    secret = "sk-test-0123456789abcdef"
    environ = {"MY_PROVIDER_KEY": secret, "GITHUB_TOKEN": "ghp_zzzzzzzzzzzz", "HOME": "/root",
               "USE_TOKEN": "1"}
    secrets = secret_values(api_key_env_names({"openai": {"api_key_env": "MY_PROVIDER_KEY"}}),
                            environ)
    assert secrets == {secret, "ghp_zzzzzzzzzzzz"}
    call = ToolCall(alias="Chat", tool_id="openai.chat", version=None,
                    args={"prompt": f"my key is {secret}", "key": secret}, policy={})
    with TraceWriter(tmp_path, secrets=secrets) as writer:
        writer.event("run_start", details={"env": environ})
        writer.tool_call(call, result=ToolResult(value=f"echo {secret}", provider="p"))
        writer.tool_call(call, error=ToolError("AuthError", f"authentication failed: {secret}"))
        writer.event("error", message=f"tool call error: {secret}")
    text = writer.path.read_text()
    assert secret not in text and "ghp_zzzzzzzzzzzz" not in text
    assert REDACTED in text and "/root" in text
    assert verify_log(read_trace(writer.path)) == []


def test_find_trace_by_id_prefix_or_path(tmp_path: Path) -> None:
    first = TraceWriter(tmp_path, run_id="20260101T000000000Z-aaaa")
    second = TraceWriter(tmp_path, run_id="20260101T000000000Z-bbbb")
    for writer in (first, second):
        writer.close()
    assert find_trace(tmp_path, "20260101T000000000Z-aaaa") == first.path
    assert find_trace(tmp_path, "20260101T000000000Z-b") == second.path
    assert find_trace(tmp_path, str(first.path)) == first.path
    with pytest.raises(TraceError, match="ambiguous"):
        find_trace(tmp_path, "2026")
    with pytest.raises(TraceError, match="no run 'zzz'"):
        find_trace(tmp_path, "zzz")
    with pytest.raises(TraceError, match="no trace directory"):
        find_trace(tmp_path / "nowhere", "zzz")


def test_a_run_id_is_never_reused(tmp_path: Path) -> None:
    TraceWriter(tmp_path, run_id="same").close()
    with pytest.raises(TraceError, match="cannot create trace file"):
        TraceWriter(tmp_path, run_id="same")


def test_unknown_fields_are_refused(tmp_path: Path) -> None:
    with TraceWriter(tmp_path) as writer, pytest.raises(ValueError, match="bogus"):
        writer.event("run_start", bogus=1)


def test_non_finite_floats_are_recorded_as_strings(tmp_path: Path) -> None:
    assert canonical_json([float("nan"), float("-inf")]) == '["NaN","-Infinity"]'
    with TraceWriter(tmp_path) as writer:
        writer.tool_call(CALL, result=ToolResult(value=float("inf"), provider="p"))
    event = read_trace(writer.path).events[0]
    assert event["details"]["output"] == "Infinity" and verify([event]) == []


def test_a_full_disk_warns_once_and_the_run_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    writer = TraceWriter(tmp_path)
    writer.close()
    writer._file = open("/dev/full", "w")  # noqa: SIM115 - the writer closes it
    writer.event("run_start")
    writer.event("run_end")
    writer.close()
    assert capsys.readouterr().err.count("the trace ends here") == 1
