"""Trace events beyond tool calls: the calling cell of a `tool_call`, and an `effect`
event for every `perform` of a traced run."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.cli.main import run_cli
from lumen.runtime.trace import read_trace, trace_files, verify_log

PROGRAM = """\
use tool crypto.sha256 as Sha
grant Sha
effect Log
  cell write(msg: String) -> Null
end

cell digest(text: String) -> String
  perform Log.write("hashing " ++ text)
  return Sha(text: text)
end

cell main() -> Int
  handle
    print(digest("abc"))
  with
    Log.write(m) =>
      resume(null)
  end
  return 0
end
"""


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "prog.lm").write_text(PROGRAM)
    return tmp_path


def test_tool_calls_name_their_cell_and_effects_are_recorded(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["run", "prog.lm", "--trace-dir", "tr"]) == 0, capsys.readouterr().err
    (path,) = trace_files("tr")
    trace = read_trace(path)
    assert verify_log(trace) == []
    shown = [(e["kind"], e.get("cell")) for e in trace.events]
    assert shown == [
        ("run_start", None), ("cell_start", "main"), ("call_enter", "main"),
        ("call_enter", "digest"), ("effect", "digest"), ("tool_call", "digest"),
        ("call_exit", "digest"), ("call_exit", "main"), ("cell_end", "main"),
        ("run_end", None)]
    effect, call = trace.events[4], trace.events[5]
    assert effect["cell"] == "digest"
    assert effect["message"] == "Log.write"
    assert effect["details"]["args"] == ["hashing abc"]
    assert effect["details"]["at"] == "prog.lm:8:3"
    assert call["cell"] == "digest"


def test_an_untraced_run_records_nothing(workdir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["run", "prog.lm"]) == 0
    assert not (workdir / "tr").exists()
    assert not (workdir / ".lumen").exists()
    assert len(capsys.readouterr().out.splitlines()[0]) == 64  # the sha256 digest


REF_PROGRAM = """\
use tool crypto.sha256 as Sha
grant Sha

cell main()
  print(trace_ref())
  print(Sha(text: "x"))
  print(trace_ref())
end
"""


def test_trace_ref_names_the_run_and_position_and_replays_identically(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "ref.lm").write_text(REF_PROGRAM)
    assert run_cli(["run", "ref.lm", "--trace-dir", "tr"]) == 0
    out = capsys.readouterr().out.splitlines()
    (path,) = trace_files("tr")
    # run_start (0), cell_start (1), call_enter main (2), then the tool call (3).
    assert out[0] == f"<trace_ref:{path.stem}:2>"
    assert out[2] == f"<trace_ref:{path.stem}:3>"
    assert read_trace(path).events[3]["kind"] == "tool_call"
    assert run_cli(["run", "ref.lm", "--trace-dir", "tr", "--replay", path.stem]) == 0
    assert capsys.readouterr().out.splitlines() == out


def test_trace_ref_without_a_trace(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "plain.lm").write_text("cell main()\n  print(trace_ref())\n"
                                      "  print(type_of(trace_ref()))\nend\n")
    assert run_cli(["run", "plain.lm"]) == 0
    assert capsys.readouterr().out == "<trace_ref::-1>\nTraceRef\n"
