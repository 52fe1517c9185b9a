"""Deterministic replay (§16.11): serve every tool call from a recorded trace, in order.

`Replayer.next_result(call)` compares the call with the next recorded `tool_call` event:
the same tool id and the same inputs hash (the hash of the JSON argument map) get the
recorded outcome back (its value, or the same ToolError); anything else stops the run with
a `ReplayDivergence` naming the first differing call and both inputs. Nothing here touches
the network or reads provider configuration.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from lumen.runtime.trace import (
    Scrubber,
    TraceError,
    canonical_json,
    find_trace,
    inputs_hash,
    read_trace,
    secret_values,
    tool_call_events,
    verify_log,
)

_SHOWN_INPUT_CHARS = 400  # longer inputs are cut in the divergence message


class Replayer:
    """Recorded tool results, served in the order they were recorded."""

    def __init__(self, events: Iterable[Mapping[str, Any]], run_id: str = "",
                 secrets: Iterable[str] | None = None) -> None:
        self.run_id = run_id
        self.calls: list[Mapping[str, Any]] = [
            e for e in tool_call_events(events) if _was_dispatched(e)]
        self.served = 0
        # The program's own inputs appear in the divergence message: keep secrets out of it.
        self._scrubber = Scrubber(secret_values() if secrets is None else secrets)

    def next_result(self, call: Any) -> Any:
        """The recorded ToolResult for `call`; raises the recorded ToolError for a call that
        failed when recorded, and ToolError("ReplayDivergence") when the call differs."""
        from lumen.runtime.calls import TOOL_ERROR_KINDS, ToolError, ToolResult

        number = self.served + 1
        if self.served >= len(self.calls):
            raise ToolError(
                "ReplayDivergence",
                f"replay divergence at tool call {number} ({self._where(call)}): the recording"
                f"{self._of_run()} has only {len(self.calls)} tool call(s); the program asked "
                f"'{call.tool_id}' with inputs {self._show(call.args)}",
                self._hint(),
            )
        recorded = self.calls[self.served]
        details = recorded.get("details") if isinstance(recorded.get("details"), Mapping) else {}
        if recorded.get("tool_id") != call.tool_id or recorded.get("inputs_hash") != inputs_hash(call):
            recorded_at = details.get("at")
            recorded_where = f", recorded at {recorded_at}" if recorded_at else ""
            raise ToolError(
                "ReplayDivergence",
                f"replay divergence at tool call {number} ({self._where(call)}{recorded_where}): "
                f"recorded '{recorded.get('tool_id')}' with inputs "
                f"{self._show(details.get('inputs'))}, the program asked '{call.tool_id}' "
                f"with inputs {self._show(call.args)}",
                self._hint(),
            )
        self.served += 1
        if details.get("status") == "error":
            failure = details.get("error") if isinstance(details.get("error"), Mapping) else {}
            kind = failure.get("kind")
            raise ToolError(kind if kind in TOOL_ERROR_KINDS else "ExecutionFailed",
                            str(failure.get("message") or recorded.get("message") or ""),
                            failure.get("hint"))
        return ToolResult(
            value=details.get("output"),
            provider=str(details.get("provider") or "replay"),
            latency_ms=int(recorded.get("latency_ms") or 0),
            tokens_in=details.get("tokens_in"),
            tokens_out=details.get("tokens_out"),
            attempts=list(details.get("attempts") or []),
            cached=bool(recorded.get("cached", False)),
            model=details.get("model") if isinstance(details.get("model"), str) else None,
            tokens_estimated=details.get("tokens_estimated") is True,
        )

    def unused(self) -> int:
        """Recorded calls the program has not asked for (yet)."""
        return len(self.calls) - self.served

    def _where(self, call: Any) -> str:
        return f"{call.alias} at {call.file}:{call.line}:{call.column}"

    def _of_run(self) -> str:
        return f" of run {self.run_id}" if self.run_id else ""

    def _show(self, value: Any) -> str:
        text = canonical_json(self._scrubber.value(value))
        if len(text) > _SHOWN_INPUT_CHARS:
            text = text[:_SHOWN_INPUT_CHARS] + f"... ({len(text)} characters)"
        return text

    def _hint(self) -> str:
        recorded_in = f" in run {self.run_id}" if self.run_id else ""
        return ("the program no longer makes the tool calls recorded"
                f"{recorded_in}; record a new run with `lumen run FILE --trace-dir DIR`")


def _was_dispatched(event: Mapping[str, Any]) -> bool:
    """Calls refused before dispatch (a grant violation, a spent token budget) are checked
    again during replay, not served; a recorded divergence is no result either."""
    details = event.get("details")
    failure = details.get("error") if isinstance(details, Mapping) else None
    kind = failure.get("kind") if isinstance(failure, Mapping) else None
    return kind not in ("PolicyViolation", "ReplayDivergence", "BudgetExceeded")


def load_replayer(trace_dir: str | os.PathLike[str], run: str) -> Replayer:
    """The Replayer for RUN in `trace_dir`. A trace whose chain is broken is refused (its
    results cannot be trusted); a truncated last line (a run killed mid-write) is not."""
    trace = read_trace(find_trace(trace_dir, run))
    problems = [p for p in verify_log(trace) if not p.truncated]
    if problems:
        first = problems[0]
        raise TraceError(f"cannot replay run {trace.run_id}: {trace.path}: {first} "
                         f"(`lumen trace show {trace.run_id} --verify` lists every problem)")
    return Replayer(trace.events, trace.run_id)
