"""The time-travel view of a recorded run (`lumen trace step`, §16.11): positions over its
events, each with the state of the run at that point.

A position is one recorded event plus what the events up to it tell: the Lumen call stack
(from `call_enter` / `call_exit`), the tool calls made so far and the run's outcome so far.
Everything here is pure data built from the events; reading files, checking the hash chain
and printing belong to the callers (lumen.runtime.trace, lumen.cli.trace).

The stack is rebuilt from the `depth` each call event carries (an enter at depth d sits on
the d calls below it; an exit at depth d leaves d), so one lost or unmatched event cannot
shift every later frame. After `call_events_truncated` no more calls were recorded and the
stack is marked unknown rather than shown wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# What an outcome's status can be while the run is still going, and at its end.
RUNNING = "running"
INCOMPLETE = "incomplete"  # the trace ends without a run_end (killed, or cut short)


class TimelineError(Exception):
    """A position that does not exist (a seq not in the run, stepping past either end)."""


@dataclass(frozen=True, slots=True)
class StackFrame:
    """One Lumen call open at a position: its cell, its depth (0 = the entry call) and the
    seq of the call_enter that opened it."""

    cell: str
    depth: int
    entered_seq: int | None


@dataclass(frozen=True, slots=True)
class ToolCallSummary:
    """A recorded tool call as time travel shows it."""

    seq: int | None
    tool_id: str
    alias: str | None
    status: str
    inputs: Any
    output: Any
    error: Any
    latency_ms: Any
    cached: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    """The run's outcome as far as a position: `running`, or how it ended (`ok`, `error`,
    an exit status... as its run_end says, `incomplete` at the end of a trace without one).
    `error_kind` / `error_message`: the last runtime error recorded so far; `error_stack`:
    the calls open when that error started unwinding them, deepest first."""

    status: str
    error_kind: str | None = None
    error_message: str | None = None
    error_stack: tuple[StackFrame, ...] = ()


@dataclass(frozen=True, slots=True)
class StackLink:
    """The innermost open call and the link below it: positions share the calls they have
    in common, so a long run with a deep stack costs one link per call, not a copy of the
    stack per event."""

    frame: StackFrame
    below: StackLink | None

    def frames(self) -> tuple[StackFrame, ...]:
        """Deepest first."""
        found = []
        link: StackLink | None = self
        while link is not None:
            found.append(link.frame)
            link = link.below
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Position:
    """The state of a run at one event (`index`: its place in the timeline, from 0)."""

    index: int
    seq: int | None
    kind: str
    timestamp: str | None
    cell: str | None
    tool_id: str | None
    message: str | None
    latency_ms: Any
    details: Mapping[str, Any]
    event: Mapping[str, Any]
    stack_top: StackLink | None  # the innermost open call (None: no call is open)
    stack_known: bool  # False once call events stopped being recorded
    tool_calls: int  # tool calls recorded up to and including this event
    last_tool_call: ToolCallSummary | None
    outcome: Outcome

    @property
    def stack(self) -> tuple[StackFrame, ...]:
        """The Lumen calls open at this position, deepest first."""
        return () if self.stack_top is None else self.stack_top.frames()


@dataclass(frozen=True, slots=True)
class Timeline:
    """Every position of one run, in recorded order."""

    run_id: str
    positions: tuple[Position, ...]

    def __len__(self) -> int:
        return len(self.positions)

    @property
    def last(self) -> int:
        """The index of the last position (where the run ended); -1 when there is none."""
        return len(self.positions) - 1

    def index_of_seq(self, seq: int) -> int:
        """The position of the event with sequence number `seq`."""
        for position in self.positions:
            if position.seq == seq:
                return position.index
        first = self.positions[0].seq if self.positions else None
        last = self.positions[-1].seq if self.positions else None
        span = f"seq {first} to {last}" if self.positions else "no events"
        raise TimelineError(f"run {self.run_id} has no event with seq {seq} ({span})")

    def step(self, index: int, offset: int) -> int:
        """The position `offset` steps from `index` (negative: back); an error past either
        end, naming how far one can go."""
        target = index + offset
        if 0 <= target < len(self.positions):
            return target
        if offset < 0:
            raise TimelineError(f"cannot go back {-offset} position(s) from seq "
                                f"{self.positions[index].seq}: it is {index} position(s) "
                                f"after the start of run {self.run_id}")
        raise TimelineError(f"cannot go forward {offset} position(s) from seq "
                            f"{self.positions[index].seq}: it is {self.last - index} "
                            f"position(s) before the end of run {self.run_id}")


def build_timeline(run_id: str, events: Sequence[Mapping[str, Any]]) -> Timeline:
    """The positions of a run from its events (read and verified by the caller)."""
    builder = _StateBuilder()
    positions = tuple(builder.position(index, event) for index, event in enumerate(events))
    if positions and positions[-1].outcome.status == RUNNING:
        last = positions[-1]
        ended = Outcome(INCOMPLETE, last.outcome.error_kind, last.outcome.error_message,
                        last.outcome.error_stack)
        positions = (*positions[:-1], _replace_outcome(last, ended))
    return Timeline(run_id, positions)


def _replace_outcome(position: Position, outcome: Outcome) -> Position:
    from dataclasses import replace

    return replace(position, outcome=outcome)


class _StateBuilder:
    """Folds events, one at a time, into the running state a Position freezes."""

    def __init__(self) -> None:
        self.top: StackLink | None = None
        self.stack_known = True
        self.tool_calls = 0
        self.last_tool_call: ToolCallSummary | None = None
        self.outcome = Outcome(RUNNING)
        # The calls open at the first failing call_exit since the last call_enter: where
        # an error started unwinding (`failed`: a call has failed since).
        self.failed = False
        self.failed_top: StackLink | None = None

    def position(self, index: int, event: Mapping[str, Any]) -> Position:
        kind = str(event.get("kind") or "?")
        details = _details(event)
        seq = event.get("seq") if _is_int(event.get("seq")) else None
        if kind == "call_enter":
            self._enter(str(event.get("cell") or "?"), details, seq)
        elif kind == "call_exit":
            self._exit(details)
        elif kind == "call_events_truncated":
            self.stack_known = False
            self.top = None
        elif kind == "tool_call":
            self.tool_calls += 1
            self.last_tool_call = _tool_call_summary(event, details, seq)
        elif kind == "error":
            self._error(event, details)
        elif kind == "run_end":
            status = str(details.get("status") or event.get("message") or "ended")
            self.outcome = Outcome(status, self.outcome.error_kind, self.outcome.error_message,
                                   self.outcome.error_stack)
        return Position(
            index=index, seq=seq, kind=kind,
            timestamp=_text(event.get("timestamp")), cell=_text(event.get("cell")),
            tool_id=_text(event.get("tool_id")), message=_text(event.get("message")),
            latency_ms=event.get("latency_ms"), details=details, event=event,
            stack_top=self.top, stack_known=self.stack_known,
            tool_calls=self.tool_calls, last_tool_call=self.last_tool_call,
            outcome=self.outcome)

    def _enter(self, cell: str, details: Mapping[str, Any], seq: int | None) -> None:
        depth = details.get("depth")
        if not _is_int(depth) or depth < 0:
            depth = 0 if self.top is None else self.top.frame.depth + 1
        self._leave_to(depth)
        self.top = StackLink(StackFrame(cell, depth, seq), self.top)
        self.failed = False  # a new call: any earlier failure was handled

    def _exit(self, details: Mapping[str, Any]) -> None:
        if details.get("status") == "error" and not self.failed:
            # The first failing exit of an error: the stack now is where it happened.
            self.failed, self.failed_top = True, self.top
        depth = details.get("depth")
        if _is_int(depth) and depth >= 0:
            self._leave_to(depth)
        elif self.top is not None:
            self.top = self.top.below

    def _leave_to(self, depth: int) -> None:
        """Keep only the calls below `depth`."""
        while self.top is not None and self.top.frame.depth >= depth:
            self.top = self.top.below

    def _error(self, event: Mapping[str, Any], details: Mapping[str, Any]) -> None:
        """The run's error: where it happened is the stack its failing exits unwound, or
        the calls open now when none failed before it."""
        kind = details.get("kind")
        link = self.failed_top if self.failed else self.top
        stack = () if link is None else link.frames()
        self.outcome = Outcome(self.outcome.status, None if kind is None else str(kind),
                               _text(event.get("message")), stack)


def _tool_call_summary(event: Mapping[str, Any], details: Mapping[str, Any],
                       seq: int | None) -> ToolCallSummary:
    return ToolCallSummary(
        seq=seq, tool_id=str(event.get("tool_id") or "?"), alias=_text(details.get("alias")),
        status=str(details.get("status") or ""), inputs=details.get("inputs"),
        output=details.get("output"), error=details.get("error"),
        latency_ms=event.get("latency_ms"), cached=bool(event.get("cached", False)))


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    details = event.get("details")
    return details if isinstance(details, Mapping) else {}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def position_json(timeline: Timeline, position: Position) -> dict[str, Any]:
    """One position as a JSON object (`lumen trace step --json`)."""
    def frame(f: StackFrame) -> dict[str, Any]:
        return {"cell": f.cell, "depth": f.depth, "entered_seq": f.entered_seq}

    last = position.last_tool_call
    outcome = position.outcome
    return {
        "run_id": timeline.run_id,
        "position": position.index,
        "positions": len(timeline),
        "seq": position.seq,
        "event": dict(position.event),
        "stack": [frame(f) for f in position.stack] if position.stack_known else None,
        "tool_calls": {
            "count": position.tool_calls,
            "last": None if last is None else {
                "seq": last.seq, "tool_id": last.tool_id, "alias": last.alias,
                "status": last.status, "inputs": last.inputs, "output": last.output,
                "error": last.error, "latency_ms": last.latency_ms, "cached": last.cached},
        },
        "outcome": {
            "status": outcome.status, "error_kind": outcome.error_kind,
            "error_message": outcome.error_message,
            "error_stack": [frame(f) for f in outcome.error_stack],
        },
    }
