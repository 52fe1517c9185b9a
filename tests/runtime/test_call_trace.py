"""`call_enter` / `call_exit` events of a traced run (lumen/runtime/call_trace.py): one pair
per cell call in every tier a traced run uses, with depth, status and duration; a cap per
run; replay and the hash chain unaffected; nothing at all for untraced runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lumen.cli.main import run_cli
from lumen.runtime.call_trace import CallTracer
from lumen.runtime.trace import read_trace, trace_files, verify_log

NESTED = """\
cell inner(x: Int) -> Int
  return x + 1
end

cell outer(x: Int) -> Int
  return inner(x) * 2
end

cell main() -> Int
  let doubled = map([1, 2], fn(v) => v * 2)
  print(outer(3))
  return doubled[1]
end
"""

FAILING = """\
cell divide(x: Int) -> Int
  return 10 / x
end

cell main() -> Int
  return divide(0)
end
"""

EXITING = """\
cell leave() -> Int
  exit(3)
  return 0
end

cell main() -> Int
  return leave()
end
"""

LOOPING = """\
use tool crypto.sha256 as Sha
grant Sha

cell step(x: Int) -> Int
  return x + 1
end

cell main() -> Int
  let total = 0
  for i in range(100)
    total = step(total)
  end
  print(trace_ref())
  print(Sha(text: "abc"))
  print(trace_ref())
  return total
end
"""

TIERS = ["default", "interp"]


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # no user lumen.toml
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tier: str,
         source: str, *extra: str) -> tuple[int, str, list[dict[str, Any]]]:
    """Run `source` traced into `tr`; (exit status, stdout, events of the new trace)."""
    if tier == "interp":
        monkeypatch.setenv("LUMEN_TIER", "interp")
    Path("prog.lm").write_text(source)
    before = set(trace_files("tr"))
    status = run_cli(["run", "prog.lm", "--trace-dir", "tr", *extra])
    out = capsys.readouterr().out
    (path,) = set(trace_files("tr")) - before
    trace = read_trace(path)
    assert verify_log(trace) == []  # the new events are chained like every other
    return status, out, trace.events


def _calls(events: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(e["kind"], e["cell"], e["details"]["depth"]) for e in events
            if e["kind"] in ("call_enter", "call_exit")]


@pytest.mark.parametrize("tier", TIERS)
def test_every_call_is_entered_and_exited_with_its_depth(
        workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tier: str) -> None:
    status, out, events = _run(capsys, monkeypatch, tier, NESTED)
    assert (status, out) == (0, "8\n4\n")
    lam = [e["cell"] for e in events if e["kind"] == "call_enter"][1]  # the lambda's name
    assert _calls(events) == [
        ("call_enter", "main", 0),
        ("call_enter", lam, 1), ("call_exit", lam, 1),
        ("call_enter", lam, 1), ("call_exit", lam, 1),
        ("call_enter", "outer", 1),
        ("call_enter", "inner", 2), ("call_exit", "inner", 2),
        ("call_exit", "outer", 1),
        ("call_exit", "main", 0)]
    kinds = [e["kind"] for e in events]
    assert kinds[:3] == ["run_start", "cell_start", "call_enter"]
    assert kinds[-3:] == ["call_exit", "cell_end", "run_end"]
    for exit_event in (e for e in events if e["kind"] == "call_exit"):
        assert exit_event["message"] == exit_event["details"]["status"] == "ok"
        assert exit_event["details"]["duration_ms"] >= 0


@pytest.mark.parametrize("tier", TIERS)
def test_a_failing_call_exits_with_error_status_and_kind(
        workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tier: str) -> None:
    status, _, events = _run(capsys, monkeypatch, tier, FAILING)
    assert status == 2
    exits = [e for e in events if e["kind"] == "call_exit"]
    assert [(e["cell"], e["details"]["status"]) for e in exits] == [
        ("divide", "error"), ("main", "error")]
    assert exits[0]["details"]["error"] == "division"
    assert [e["kind"] for e in events][-2:] == ["error", "run_end"]


@pytest.mark.parametrize("tier", TIERS)
def test_calls_open_at_exit_are_closed_with_exit_status(
        workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tier: str) -> None:
    status, _, events = _run(capsys, monkeypatch, tier, EXITING)
    assert status == 3
    exits = [(e["cell"], e["details"]["status"]) for e in events if e["kind"] == "call_exit"]
    assert exits == [("leave", "exit"), ("main", "exit")]
    assert events[-1]["message"] == "exit 3"


@pytest.mark.parametrize("tier", TIERS)
def test_the_cap_keeps_a_hot_loop_from_filling_the_trace(
        workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tier: str) -> None:
    Path("lumen.toml").write_text("[trace]\nmax_call_events = 10\n")
    status, out, events = _run(capsys, monkeypatch, tier, LOOPING)
    assert status == 0 and out.endswith("100\n")
    calls = _calls(events)
    assert len(calls) <= 10
    # Every recorded enter has its exit: the cap keeps room for it.
    assert sum(k == "call_enter" for k, _, _ in calls) == sum(k == "call_exit" for k, _, _ in calls)
    truncated = [e for e in events if e["kind"] == "call_events_truncated"]
    assert len(truncated) == 1 and truncated[0]["details"] == {"max_call_events": 10}
    assert [e["kind"] for e in events].count("tool_call") == 1  # other events go on


def test_replay_reenacts_call_events_so_stdout_is_identical(
        workdir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    Path("lumen.toml").write_text("[trace]\nmax_call_events = 50\n")
    status, out, events = _run(capsys, monkeypatch, "default", LOOPING)
    assert status == 0
    (path,) = trace_files("tr")
    # trace_ref() counts the call events recorded before it.
    first_ref = out.splitlines()[0]
    assert first_ref == f"<trace_ref:{path.stem}:{_seq_before_tool_call(events)}>"
    assert run_cli(["run", "prog.lm", "--trace-dir", "tr", "--replay", path.stem]) == 0
    assert capsys.readouterr().out == out
    assert len(trace_files("tr")) == 1  # a replay records nothing


def _seq_before_tool_call(events: list[dict[str, Any]]) -> int:
    call = next(e for e in events if e["kind"] == "tool_call")
    return int(call["seq"]) - 1


def test_an_edited_call_event_breaks_the_chain(
        workdir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _run(capsys, monkeypatch, "default", NESTED)
    (path,) = trace_files("tr")
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if '"cell":"inner"' in line)
    lines[index] = lines[index].replace('"cell":"inner"', '"cell":"other"')
    path.write_text("\n".join(lines) + "\n")
    assert run_cli(["trace", "show", path.stem, "--trace-dir", "tr", "--verify"]) == 1
    assert f"{path.name}:{index + 1}: hash mismatch" in capsys.readouterr().err


def test_trace_show_indents_calls_by_depth(
        workdir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _run(capsys, monkeypatch, "default", NESTED)
    (path,) = trace_files("tr")
    assert run_cli(["trace", "show", path.stem, "--trace-dir", "tr", "--verify"]) == 0
    out = capsys.readouterr().out
    assert "call_enter  | outer" in out
    assert "call_enter  | | inner" in out
    exit_line = next(line for line in out.splitlines() if "call_exit   | | inner" in line)
    assert "  ok  " in exit_line and exit_line.endswith(" ms")
    assert run_cli(["trace", "show", path.stem, "--trace-dir", "tr", "--format", "json"]) == 0
    shown = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert "call_enter" in {e["kind"] for e in shown}


def test_an_untraced_run_has_no_call_tracer_and_unwrapped_compiled_cells() -> None:
    from lumen.driver import compile_source
    from lumen.source import source_from_text
    from lumen.vm.interpreter import VM

    vm = VM(compile_source(source_from_text(NESTED, "prog.lm")).module)
    assert vm.call_tracer is None
    vm.run("main")
    compiled = [code.fast for code in vm.codes if code.fast is not None]
    assert compiled and all(fn.__name__ != "traced" for fn in compiled)


def test_an_invalid_cap_is_a_config_error(workdir: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    Path("lumen.toml").write_text("[trace]\nmax_call_events = -1\n")
    Path("prog.lm").write_text(NESTED)
    assert run_cli(["run", "prog.lm", "--trace-dir", "tr"]) == 1
    assert "'trace.max_call_events' must be a non-negative integer" in capsys.readouterr().err


# ------------------------------------------------------------------ the tracer on its own


def _recorder() -> tuple[list[tuple[str, dict[str, Any]]], Any]:
    recorded: list[tuple[str, dict[str, Any]]] = []
    return recorded, lambda kind, **fields: recorded.append((kind, fields))


def test_the_cap_counts_an_enter_with_its_exit() -> None:
    recorded, record = _recorder()
    tracer = CallTracer(record, max_events=3)
    first = tracer.enter("a")
    second = tracer.enter("b")  # 2 + 2 > 3: not recorded, truncation said once
    tracer.exit(second)
    tracer.exit(first)
    assert tracer.enter("c") is None
    assert [kind for kind, _ in recorded] == ["call_enter", "call_events_truncated", "call_exit"]


def test_wrapped_functions_report_errors_and_pass_results_through() -> None:
    from lumen.vm.errors import LumenRuntimeError

    recorded, record = _recorder()
    tracer = CallTracer(record)

    def fails() -> None:
        raise LumenRuntimeError("index", "runtime error: index out of range")

    assert tracer.wrap("ok", lambda x: x + 1)(1) == 2
    with pytest.raises(LumenRuntimeError):
        tracer.wrap("fails", fails)()
    exits = [fields for kind, fields in recorded if kind == "call_exit"]
    assert [(f["cell"], f["message"]) for f in exits] == [("ok", "ok"), ("fails", "error")]
    assert exits[1]["details"]["error"] == "index"


DROPPED = """\
effect Stop
  cell now() -> Int
end

cell early() -> Int
  return perform Stop.now() + 1
end

cell after() -> Int
  return 2
end

cell run() -> Int
  let r = handle
    early()
  with
    Stop.now() =>
      40
  end
  return r + after()
end

cell main() -> Int
  return run()
end
"""


@pytest.mark.parametrize("tier", TIERS)
def test_a_call_an_effect_arm_drops_is_closed_as_abandoned(
        workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tier: str) -> None:
    status, out, events = _run(capsys, monkeypatch, tier, DROPPED)
    assert (status, out) == (0, "42\n")
    exits = [(e["cell"], e["details"]["status"]) for e in events if e["kind"] == "call_exit"]
    # `early` never returns; it is closed when `run`, which handled the effect, returns.
    assert exits == [("after", "ok"), ("early", "abandoned"), ("run", "ok"), ("main", "ok")]


def test_a_cap_of_zero_records_no_call_events(
        workdir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    Path("lumen.toml").write_text("[trace]\nmax_call_events = 0\n")
    status, _, events = _run(capsys, monkeypatch, "default", NESTED)
    assert status == 0
    assert [e["kind"] for e in events] == ["run_start", "cell_start", "cell_end", "run_end"]


# ------------------------------------------------------------------ the driver's summary


def test_run_outcome_carries_the_tool_summary(workdir: Path) -> None:
    from lumen.driver import RunOptions, run_file

    Path("tools.lm").write_text('use tool crypto.sha256 as Sha\ngrant Sha\n\n'
                                'cell main() -> String\n  return Sha(text: "abc")\nend\n')
    outcome = run_file("tools.lm", RunOptions())
    assert outcome.ok
    assert outcome.tool_summary[0].startswith("lumen: tools: 1 call(s), 0 failed; tokens: ")
    Path("plain.lm").write_text("cell main() -> Int\n  return 1\nend\n")
    assert run_file("plain.lm", RunOptions()).tool_summary == ()
