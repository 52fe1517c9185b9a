"""The time-travel model of a recorded run (lumen/runtime/timeline.py): positions, the call
stack rebuilt from call events, tool calls so far, the outcome and where an error happened."""

from __future__ import annotations

from typing import Any

import pytest

from lumen.runtime.timeline import (
    INCOMPLETE,
    RUNNING,
    TimelineError,
    build_timeline,
    position_json,
)


def events(*specs: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Events with consecutive seqs, as a reader returns them (the chain is not needed)."""
    return [{"seq": seq, "kind": kind, **fields} for seq, (kind, fields) in enumerate(specs)]


def enter(cell: str, depth: int) -> tuple[str, dict[str, Any]]:
    return ("call_enter", {"cell": cell, "details": {"depth": depth}})


def exit_(cell: str, depth: int, status: str = "ok", error: str | None = None
          ) -> tuple[str, dict[str, Any]]:
    details: dict[str, Any] = {"depth": depth, "status": status}
    if error:
        details["error"] = error
    return ("call_exit", {"cell": cell, "message": status, "details": details})


def tool(tool_id: str, output: Any) -> tuple[str, dict[str, Any]]:
    return ("tool_call", {"tool_id": tool_id, "latency_ms": 3,
                          "details": {"alias": "T", "inputs": {"q": 1}, "status": "ok",
                                      "output": output}})


FAILED_RUN = events(
    ("run_start", {"details": {"file": "p.lm"}}),
    enter("main", 0),
    enter("square", 1),
    exit_("square", 1),
    enter("boom", 1),
    tool("crypto.uuid", "u-1"),
    exit_("boom", 1, "error", "division"),
    exit_("main", 0, "error", "division"),
    ("error", {"cell": "main", "message": "division by zero", "details": {"kind": "division"}}),
    ("run_end", {"message": "error", "details": {"tool_calls": 1}}),
)


def cells(stack: Any) -> list[str]:
    return [frame.cell for frame in stack]


def test_stack_at_each_position_is_deepest_first() -> None:
    timeline = build_timeline("r", FAILED_RUN)
    assert len(timeline) == 10 and timeline.last == 9
    assert [cells(p.stack) for p in timeline.positions] == [
        [], ["main"], ["square", "main"], ["main"], ["boom", "main"], ["boom", "main"],
        ["main"], [], [], []]
    boom = timeline.positions[4].stack[0]
    assert (boom.depth, boom.entered_seq) == (1, 4)


def test_tool_calls_so_far_and_the_last_one() -> None:
    timeline = build_timeline("r", FAILED_RUN)
    assert [p.tool_calls for p in timeline.positions] == [0] * 5 + [1] * 5
    last = timeline.positions[9].last_tool_call
    assert last is not None and (last.seq, last.tool_id, last.output) == (5, "crypto.uuid", "u-1")
    assert last.inputs == {"q": 1} and last.latency_ms == 3 and last.alias == "T"


def test_outcome_and_where_the_error_happened() -> None:
    timeline = build_timeline("r", FAILED_RUN)
    assert all(p.outcome.status == RUNNING for p in timeline.positions[:9])
    end = timeline.positions[-1].outcome
    assert (end.status, end.error_kind, end.error_message) == (
        "error", "division", "division by zero")
    assert cells(end.error_stack) == ["boom", "main"]


def test_a_failure_handled_by_a_caller_is_not_the_runs_error() -> None:
    run = events(enter("main", 0), enter("risky", 1), exit_("risky", 1, "error", "index"),
                 enter("fallback", 1), exit_("fallback", 1), exit_("main", 0),
                 ("run_end", {"details": {"status": "ok"}}))
    end = build_timeline("r", run).positions[-1].outcome
    assert (end.status, end.error_kind, end.error_stack) == ("ok", None, ())


def test_an_error_with_calls_still_open_is_placed_there() -> None:
    run = events(enter("main", 0), enter("worker", 1),
                 ("error", {"message": "out of fuel", "details": {"kind": "limits"}}))
    end = build_timeline("r", run).positions[-1].outcome
    assert end.status == INCOMPLETE and cells(end.error_stack) == ["worker", "main"]


def test_depth_keeps_the_stack_right_after_a_missing_exit() -> None:
    # The exit of `lost` was never recorded: the next enter at depth 1 replaces it.
    run = events(enter("main", 0), enter("lost", 1), enter("next", 1), enter("leaf", 2))
    assert cells(build_timeline("r", run).positions[-1].stack) == ["leaf", "next", "main"]


def test_stack_is_unknown_after_call_events_stop() -> None:
    run = events(enter("main", 0), ("call_events_truncated", {"message": "after 2"}),
                 tool("t", 1))
    last = build_timeline("r", run).positions[-1]
    assert not last.stack_known and last.stack == ()
    assert position_json(build_timeline("r", run), last)["stack"] is None


def test_a_trace_without_run_end_is_incomplete() -> None:
    timeline = build_timeline("r", events(("run_start", {}), enter("main", 0)))
    assert timeline.positions[-1].outcome.status == INCOMPLETE
    assert timeline.positions[0].outcome.status == RUNNING


def test_seq_lookup_and_stepping_bounds() -> None:
    timeline = build_timeline("r", FAILED_RUN)
    assert timeline.index_of_seq(4) == 4
    assert timeline.step(9, -3) == 6 and timeline.step(0, 9) == 9
    with pytest.raises(TimelineError, match="no event with seq 12 .seq 0 to 9"):
        timeline.index_of_seq(12)
    with pytest.raises(TimelineError, match="cannot go back 10"):
        timeline.step(9, -10)
    with pytest.raises(TimelineError, match="cannot go forward 1"):
        timeline.step(9, 1)


def test_position_json_carries_the_whole_state() -> None:
    timeline = build_timeline("r", FAILED_RUN)
    data = position_json(timeline, timeline.positions[5])
    assert data["seq"] == 5 and data["positions"] == 10 and data["event"]["kind"] == "tool_call"
    assert [f["cell"] for f in data["stack"]] == ["boom", "main"]
    assert data["tool_calls"]["count"] == 1 and data["tool_calls"]["last"]["output"] == "u-1"
    assert data["outcome"] == {"status": RUNNING, "error_kind": None, "error_message": None,
                               "error_stack": []}


def test_malformed_fields_never_raise() -> None:
    run = [{"seq": "x", "kind": None, "details": [1]}, {"kind": "call_enter"},
           {"kind": "call_exit", "details": {"depth": -4}}, {"kind": "tool_call", "details": 3}]
    timeline = build_timeline("r", run)
    assert len(timeline) == 4 and timeline.positions[0].seq is None
    assert timeline.positions[1].stack[0].cell == "?" and timeline.positions[2].stack == ()


def test_deep_stacks_are_shared_between_positions() -> None:
    depth = 5000
    run = events(*(enter(f"f{d}", d) for d in range(depth)),
                 *(exit_(f"f{d}", d) for d in reversed(range(depth))))
    timeline = build_timeline("r", run)
    deepest = timeline.positions[depth - 1]
    assert len(deepest.stack) == depth and deepest.stack[0].cell == f"f{depth - 1}"
    # One link per call: each enter's stack is the previous one plus a link.
    assert all(timeline.positions[i].stack_top.below is timeline.positions[i - 1].stack_top
               for i in range(1, depth))
    assert timeline.positions[-1].stack == ()
