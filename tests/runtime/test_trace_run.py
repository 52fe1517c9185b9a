"""`lumen run --trace-dir` records a run; `--replay RUN` re-runs it from the recording."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.cli.main import run_cli
from lumen.runtime.trace import read_trace, trace_files, verify_log

# crypto.uuid answers differently every time: only a replay can print the same id again.
PROGRAM = """\
use tool crypto.uuid as Uuid
use tool crypto.sha256 as Sha
use tool crypto.base64_decode as Unbase
grant Uuid
grant Sha
grant Unbase

cell main() -> Int
  print(Uuid())
  print(Sha(text: "abc"))
  let code = args()
  print(Sha(text: code[0]))
  return 7
end
"""
SECRET = "zz-secret-0f3a9c77d1"


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # no user lumen.toml
    (tmp_path / "prog.lm").write_text(PROGRAM)
    return tmp_path


def lumen(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = run_cli(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def record(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[str, str]:
    status, out, err = lumen(capsys, "run", "prog.lm", "--trace-dir", "tr", *extra, "word")
    assert status == 0, err
    (path,) = trace_files("tr")
    assert f"trace recorded in {Path('tr') / path.name}" in err
    return path.stem, out


def test_recorded_run_replays_with_identical_stdout(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_id, original = record(capsys)
    trace = read_trace(workdir / "tr" / f"{run_id}.jsonl")
    assert verify_log(trace) == []
    assert [e["kind"] for e in trace.events] == [
        "run_start", "cell_start", "call_enter", "tool_call", "tool_call", "tool_call",
        "call_exit", "cell_end", "run_end"]
    assert trace.events[0]["details"]["file"] == "prog.lm"
    assert trace.events[1]["cell"] == "main"
    status, replayed, err = lumen(capsys, "run", "prog.lm", "--replay", run_id,
                                  "--trace-dir", "tr", "word")
    assert status == 0, err
    assert replayed == original
    assert len(trace_files("tr")) == 1  # a replay records nothing new


def test_replay_needs_no_provider(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_id, original = record(capsys)
    (workdir / "lumen.toml").write_text('[providers]\n"crypto.uuid" = "no-such-provider"\n')
    status, out, err = lumen(capsys, "run", "prog.lm", "--replay", run_id[:12],
                             "--trace-dir", "tr", "word")
    assert (status, out) == (0, original), err


def test_changed_program_is_a_divergence(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_id, _ = record(capsys)
    (workdir / "prog.lm").write_text(PROGRAM.replace('"abc"', '"abd"'))
    status, out, err = lumen(capsys, "run", "prog.lm", "--replay", run_id, "--trace-dir", "tr",
                             "word")
    assert status == 2 and len(out.splitlines()) == 1
    assert ("tool call error: replay divergence at tool call 2 (Sha at prog.lm:10:9, recorded "
            "at prog.lm:10:9): recorded 'crypto.sha256' with inputs {\"text\":\"abc\"}, the "
            "program asked 'crypto.sha256' with inputs {\"text\":\"abd\"}") in err


def test_failed_run_records_the_error_event(workdir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "prog.lm").write_text(PROGRAM.replace('Sha(text: "abc")', 'Unbase(text: "%")'))
    status, _, err = lumen(capsys, "run", "prog.lm", "--trace-dir", "tr", "word")
    assert status == 2 and "not valid base64" in err
    (path,) = trace_files("tr")
    events = read_trace(path).events
    assert [e["kind"] for e in events][-4:] == ["tool_call", "call_exit", "error", "run_end"]
    assert events[-4]["details"]["error"]["kind"] == "InvalidArgs"
    assert events[-3]["details"]["status"] == "error" and events[-3]["cell"] == "main"
    assert events[-1]["message"] == "error"
    status, _, replay_err = lumen(capsys, "run", "prog.lm", "--replay", path.stem,
                                  "--trace-dir", "tr", "word")
    assert status == 2 and "not valid base64" in replay_err


def test_no_secret_value_in_the_trace(workdir: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEBRA_KEY_VAR", SECRET)
    (workdir / "lumen.toml").write_text(
        '[providers.config.openai-compatible]\napi_key_env = "ZEBRA_KEY_VAR"\n')
    status, _, err = lumen(capsys, "run", "prog.lm", "--trace-dir", "tr", SECRET)
    assert status == 0, err
    (path,) = trace_files("tr")
    text = path.read_text()
    assert SECRET not in text and "[redacted]" in text
    assert verify_log(read_trace(path)) == []


def test_unknown_run_is_a_diagnostic(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = lumen(capsys, "run", "prog.lm", "--replay", "nope")
    assert status == 1 and out == ""
    assert "error[E0900]: no trace directory .lumen/trace" in err


def test_replay_that_makes_fewer_calls_warns(workdir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    run_id, _ = record(capsys)
    (workdir / "prog.lm").write_text(PROGRAM.replace("  print(Sha(text: code[0]))\n", ""))
    status, _, err = lumen(capsys, "run", "prog.lm", "--replay", run_id, "--trace-dir", "tr")
    assert status == 0
    assert f"the replay used 2 of the 3 tool calls recorded in run {run_id}" in err


def test_cached_calls_are_marked_in_the_trace(workdir: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(workdir / "cache"))
    (workdir / "prog.lm").write_text(
        "use tool crypto.uuid as Uuid\ngrant Uuid cache true\n\n"
        "cell main() -> Bool\n  return Uuid() == Uuid()\nend\n")
    status, out, err = lumen(capsys, "run", "prog.lm", "--trace-dir", "tr")
    assert (status, out) == (0, "true\n"), err
    (path,) = trace_files("tr")
    calls = [e for e in read_trace(path).events if e["kind"] == "tool_call"]
    assert [c["cached"] for c in calls] == [False, True]
    assert calls[0]["outputs_hash"] == calls[1]["outputs_hash"]
