"""`lumen trace list|show [--verify]`: output, exit statuses, clean diagnostics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lumen.cli.main import run_cli
from lumen.runtime.calls import ToolCall, ToolResult
from lumen.runtime.trace import TraceWriter

CALL = ToolCall(alias="Chat", tool_id="openai.chat", version=None, args={"prompt": "hi"},
                policy={}, file="prog.lm", line=2, column=1)


def record(directory: Path, run_id: str) -> Path:
    with TraceWriter(directory, run_id=run_id, doc_hash="sha256:doc") as writer:
        writer.event("run_start", details={"file": "prog.lm", "entry": "main"})
        writer.tool_call(CALL, result=ToolResult(value="hello", provider="ollama", latency_ms=5))
        writer.event("run_end", details={"status": "ok"})
    return writer.path


def lumen(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = run_cli(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_shows_each_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(tmp_path, "20260101T000000000Z-aaaa")
    record(tmp_path, "20260102T000000000Z-bbbb")
    status, out, _ = lumen(capsys, "trace", "list", "--trace-dir", str(tmp_path))
    lines = out.splitlines()
    assert status == 0 and lines[0].startswith("RUN")
    assert lines[1].startswith("20260101T000000000Z-aaaa") and lines[2].startswith("20260102")
    assert "ok" in lines[1] and "prog.lm" in lines[1]


def test_list_of_an_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = lumen(capsys, "trace", "list", "--trace-dir", str(tmp_path / "none"))
    assert status == 0 and out == "" and "no runs recorded" in err


def test_show_verify_passes_then_catches_a_one_byte_edit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = record(tmp_path, "run1")
    status, out, err = lumen(capsys, "trace", "show", "run1", "--trace-dir", str(tmp_path),
                             "--verify")
    assert status == 0 and "chain verified" in err
    assert "Chat -> openai.chat" in out and '-> "hello"' in out
    data = bytearray(path.read_bytes())
    data[data.index(b"hello")] = ord("j")
    path.write_bytes(bytes(data))
    status, out, err = lumen(capsys, "trace", "show", "run1", "--trace-dir", str(tmp_path),
                             "--verify")
    assert status == 1 and out == ""
    assert f"chain broken at {path}:2: hash mismatch at seq 1" in err
    assert "Traceback" not in err


def test_show_json_prints_the_recorded_events(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    record(tmp_path, "run1")
    status, out, _ = lumen(capsys, "trace", "show", "run1", "--trace-dir", str(tmp_path),
                           "--format", "json")
    events = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and [e["seq"] for e in events] == [0, 1, 2]


def test_truncated_file_is_a_warning_without_verify_and_a_failure_with_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = record(tmp_path, "run1")
    path.write_bytes(path.read_bytes()[:-7])
    status, out, err = lumen(capsys, "trace", "show", "run1", "--trace-dir", str(tmp_path))
    assert status == 0 and len(out.splitlines()) == 2
    assert "run1.jsonl:3: truncated last line" in err
    status, _, err = lumen(capsys, "trace", "show", "run1", "--trace-dir", str(tmp_path),
                           "--verify-chain")
    assert status == 1 and "truncated last line" in err and "Traceback" not in err


def test_garbage_file_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "junk.jsonl").write_bytes(b"\x00\x01binary\n")
    status, _, err = lumen(capsys, "trace", "show", "junk", "--trace-dir", str(tmp_path))
    assert status == 1 and "no event could be read" in err


def test_unknown_run_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(tmp_path, "run1")
    status, _, err = lumen(capsys, "trace", "show", "zzz", "--trace-dir", str(tmp_path))
    assert status == 1 and err.startswith("lumen: error: no run 'zzz'")


def test_show_replay_format_lists_the_tool_calls(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    record(tmp_path, "run1")
    status, out, _ = lumen(capsys, "trace", "show", "run1", "--trace-dir", str(tmp_path),
                           "--format", "replay")
    (line,) = out.splitlines()
    assert status == 0 and json.loads(line) == {
        "seq": 1, "tool_id": "openai.chat", "tool_version": None, "inputs": {"prompt": "hi"},
        "output": "hello", "cached": False}
