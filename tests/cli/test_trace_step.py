"""`lumen trace step RUN [--at SEQ] [--back N] [--json]`: time travel over a recorded run,
the interactive stepper, and one-line diagnostics for missing or damaged traces."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from lumen.cli import trace as trace_cli
from lumen.cli.main import run_cli
from lumen.runtime.trace import trace_files

FAILING = """\
cell square(x: Int) -> Int
  return x * x
end

cell boom(n: Int) -> Int
  return 10 / n
end

cell main()
  print(square(3))
  print(boom(0))
end
"""


def lumen(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = run_cli(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture()
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    """A real traced run that fails inside `boom` (events: run_start, cell_start, enter
    main, enter/exit square, enter boom, exit boom, exit main, error, run_end)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "prog.lm").write_text(FAILING)
    status, _, err = lumen(capsys, "run", "prog.lm", "--trace-dir", "tr")
    assert status == 2, err
    (path,) = trace_files("tr")
    return path, path.stem


def step(capsys: pytest.CaptureFixture[str], run: str, *options: str) -> tuple[int, str, str]:
    return lumen(capsys, "trace", "step", run, "--trace-dir", "tr", *options)


def test_default_is_the_end_of_the_run_with_its_error(
        recorded: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    _, run = recorded
    status, out, err = step(capsys, run)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"run {run}  position 10 of 10  (end of run)"
    assert lines[1].startswith("#9") and "run_end" in lines[1]
    assert "outcome: error (division: division by zero)" in out
    assert "error raised in (innermost call first):\n  [1] boom  (entered at #5)\n" \
           "  [0] main  (entered at #2)" in out


def test_at_a_seq_shows_the_stack_there(recorded: tuple[Path, str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    _, run = recorded
    status, out, _ = step(capsys, run[:10], "--at", "3")  # a unique prefix of the run id
    assert status == 0
    assert "call_enter  | square" in out
    assert "stack (innermost call first):\n  [1] square  (entered at #3)\n" \
           "  [0] main  (entered at #2)" in out
    assert "outcome: running" in out


def test_back_counts_from_the_end_or_from_at(recorded: tuple[Path, str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _, run = recorded
    _, from_end, _ = step(capsys, run, "--back", "4")
    _, from_at, _ = step(capsys, run, "--at", "8", "--back", "3")
    assert from_end.splitlines()[1].startswith("#5") and "| boom" in from_end
    assert from_at.splitlines()[1].startswith("#5")
    status, out, err = step(capsys, run, "--back", "10")
    assert status == 1 and out == "" and "cannot go back 10 position(s)" in err


def test_json_is_one_object(recorded: tuple[Path, str],
                            capsys: pytest.CaptureFixture[str]) -> None:
    _, run = recorded
    status, out, _ = step(capsys, run, "--at", "6", "--json")
    (line,) = out.splitlines()
    data = json.loads(line)
    assert status == 0 and data["run_id"] == run and data["seq"] == 6
    assert data["event"]["kind"] == "call_exit" and data["event"]["details"]["error"] == "division"
    assert [f["cell"] for f in data["stack"]] == ["main"]
    assert data["outcome"]["status"] == "running"


def test_tool_call_positions_show_inputs_and_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "prog.lm").write_text(
        'use tool crypto.sha256 as Sha\ngrant Sha\n\ncell digest() -> String\n'
        '  return Sha(text: "abc")\nend\n\ncell main()\n  print(digest())\nend\n')
    assert lumen(capsys, "run", "prog.lm", "--trace-dir", "tr")[0] == 0
    (path,) = trace_files("tr")
    events = [json.loads(line) for line in path.read_text().splitlines()]
    seq = next(e["seq"] for e in events if e["kind"] == "tool_call")
    status, out, _ = step(capsys, path.stem, "--at", str(seq))
    assert status == 0 and "Sha -> crypto.sha256" in out
    assert '  inputs: {"text":"abc"}' in out and "  output: " in out
    assert "[1] digest" in out and "tool calls so far: 1" in out
    _, end, _ = step(capsys, path.stem)
    assert f"tool calls so far: 1 (last: #{seq} crypto.sha256 ok)" in end
    assert "outcome: ok" in end


def test_missing_run_is_a_one_line_error(recorded: tuple[Path, str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = step(capsys, "nosuchrun")
    assert status == 1 and out == "" and len(err.splitlines()) == 1
    assert "no run 'nosuchrun'" in err
    status, _, err = step(capsys, recorded[1], "--at", "40")
    assert status == 1 and "has no event with seq 40" in err


def test_a_broken_hash_chain_names_the_seq(recorded: tuple[Path, str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path, run = recorded
    lines = path.read_text().splitlines(keepends=True)
    lines[4] = lines[4].replace('"square"', '"squarf"')
    path.write_text("".join(lines))
    status, out, err = step(capsys, run)
    assert status == 1 and out == "" and len(err.splitlines()) == 1
    assert f"damaged at seq 4 ({path}:5): hash mismatch at seq 4" in err
    assert "Traceback" not in err


def test_a_line_that_is_not_json_names_the_seq(recorded: tuple[Path, str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path, run = recorded
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = "{not json\n"
    path.write_text("".join(lines))
    status, _, err = step(capsys, run, "--json")
    assert status == 1 and f"damaged at seq 2 ({path}:3): not a JSON object" in err


def test_a_last_line_cut_by_a_crash_is_a_warning(recorded: tuple[Path, str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path, run = recorded
    path.write_bytes(path.read_bytes()[:-20])
    status, out, err = step(capsys, run)
    assert status == 0 and "truncated last line" in err
    assert "position 9 of 9" in out and "outcome: incomplete (division: division by zero)" in out


def test_stepper_moves_with_the_same_rendering(recorded: tuple[Path, str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _, run = recorded
    timeline = trace_cli._load_timeline("tr", run)
    view = trace_cli._StepView(timeline)
    commands = iter(["p", "p 2", "g 3", "n", "", "x", "n 99", "g abc", "e", "q", "n"])
    shown: list[str] = []
    status = trace_cli.run_stepper(view, timeline.last, lambda: next(commands), shown.append)
    heads = [text.splitlines()[1][:2] for text in shown if text.startswith("run ")]
    assert status == 0 and heads == ["#9", "#8", "#6", "#3", "#4", "#5", "#9"]
    assert trace_cli._STEPPER_HELP in shown
    assert any("cannot go forward 99" in text for text in shown)
    assert any("not a number: g abc" in text for text in shown)


def test_a_terminal_gets_the_stepper(recorded: tuple[Path, str],
                                     capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _, run = recorded
    commands = iter(["p", "q"])
    monkeypatch.setattr(trace_cli, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(commands))
    status, out, _ = step(capsys, run)
    assert status == 0 and "position 10 of 10" in out and "position 9 of 10" in out
    # Options ask for one position: no stepper even on a terminal.
    status, out, _ = step(capsys, run, "--back", "1")
    assert status == 0 and out.count("position ") == 1


def test_end_of_input_leaves_the_stepper(recorded: tuple[Path, str],
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def no_more(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr(trace_cli, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr("builtins.input", no_more)
    status, out, _ = step(capsys, recorded[1])
    assert status == 0 and "position 10 of 10" in out


def test_deep_recursion_shows_both_ends_of_the_stack(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "prog.lm").write_text(
        "cell down(n: Int) -> Int\n  if n == 0\n    return 1 / n\n  end\n"
        "  return down(n - 1)\nend\n\ncell main() -> Int\n  return down(60)\nend\n")
    assert lumen(capsys, "run", "prog.lm", "--trace-dir", "tr")[0] == 2
    (path,) = trace_files("tr")
    status, out, _ = step(capsys, path.stem)
    lines = out.splitlines()
    start = lines.index("error raised in (innermost call first):")
    frames = lines[start + 1:]
    assert status == 0 and len(frames) == 26
    assert frames[0].startswith("  [61] down") and frames[20] == "  ... 37 more call(s)"
    assert frames[-1].startswith("  [0] main")


def test_a_failed_tool_call_shows_its_error(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from lumen.runtime.calls import ToolCall, ToolError
    from lumen.runtime.trace import TraceWriter

    call = ToolCall(alias="Chat", tool_id="openai.chat", version=None, args={"prompt": "hi"},
                    policy={}, file="prog.lm", line=2, column=1)
    with TraceWriter(tmp_path, run_id="run1") as writer:
        writer.event("run_start", details={"file": "prog.lm"})
        writer.tool_call(call, error=ToolError("Timeout", "no answer in 30 s"), latency_ms=9)
        writer.event("error", message="tool call error: no answer in 30 s",
                     details={"kind": "tools"})
        writer.event("run_end", message="error", details={})
    status, out, _ = lumen(capsys, "trace", "step", "run1", "--trace-dir", str(tmp_path),
                           "--at", "1")
    assert status == 0 and "Chat -> openai.chat  error  9 ms" in out
    assert '  error: {"kind":"Timeout","message":"no answer in 30 s"}' in out
    _, end, _ = lumen(capsys, "trace", "step", "run1", "--trace-dir", str(tmp_path))
    assert "tool calls so far: 1 (last: #1 openai.chat error)" in end
    assert "outcome: error (tools: tool call error: no answer in 30 s)" in end
    assert "stack: no Lumen call open" in end and "error raised in" not in end


def test_the_stepper_on_a_real_terminal(recorded: tuple[Path, str]) -> None:
    pexpect = pytest.importorskip("pexpect")
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ, NO_COLOR="1", TERM="xterm", PYTHONPATH=str(repo))
    child = pexpect.spawn(sys.executable, ["-m", "lumen", "trace", "step", recorded[1],
                                           "--trace-dir", "tr"],
                          env=env, encoding="utf-8", timeout=30)
    try:
        child.expect("position 10 of 10")
        child.expect("step> ")
        child.send("g 3\r")
        child.expect(r"position 4 of 10\r\n#3 ")
        child.expect(r"\[1\] square")
        child.expect("step> ")
        child.send("q\r")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
