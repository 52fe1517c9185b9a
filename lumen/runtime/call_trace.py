"""`call_enter` / `call_exit` trace events (§16.11): one pair per call of a Lumen cell (named
cells, methods, handlers, lambdas) made while a run records a trace or replays one.

The VM asks for a `CallTracer` only when the run's session records events
(`RunSession.call_tracer`), so untraced runs pay nothing but a test of `vm.call_tracer`
where a run loop starts. Who reports what:

- the interpreter: `enter_frame` when it pushes a call's frame, `exit_frame` when it pops
  it (a return, or an error unwinding it);
- the Python tier: every compiled cell is wrapped by `wrap` (enter, run, exit);
- the native tier does not run in a traced run (its calls could not be seen).

A run records at most `max_call_events` of these events (`[trace] max_call_events` in
lumen.toml, default 10 000); the next one is replaced by a single `call_events_truncated`
event and the rest of the run records no calls, so a hot loop cannot blow up the trace.
The count is deterministic, so a replay re-enacts the same positions (trace_ref()).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from lumen.vm.effects import EffectAbort, NestedResume
from lumen.vm.errors import ProgramExit
from lumen.vm.scheduler import FiberParked

DEFAULT_MAX_CALL_EVENTS = 10_000

# What a call_exit's status says: returned, failed with a runtime error, ended by exit(N)
# (closed when the run ends), or unwound by anything else (an effect arm that did not
# resume, a continuation that was dropped).
STATUS_OK = "ok"
STATUS_ERROR = "error"
STATUS_EXIT = "exit"
STATUS_ABANDONED = "abandoned"


class _OpenCall:
    __slots__ = ("cell", "depth", "started", "order", "stack")

    def __init__(self, cell: str, depth: int, order: int) -> None:
        self.cell = cell
        self.depth = depth
        self.started = time.perf_counter()
        self.order = order  # the how-many-th call_enter of the run
        self.stack: Any = None  # interpreter frames: the frame list (one per fiber) it is on


class CallTracer:
    """Turns the VM's call notifications into events through `record(kind, **fields)`
    (the session's `event`, which writes them or, replaying, only counts positions)."""

    def __init__(self, record: Callable[..., Any],
                 max_events: int = DEFAULT_MAX_CALL_EVENTS) -> None:
        self.record = record
        self.max_events = max_events
        self.recorded = 0
        self.truncated = False
        self.depth = 0
        # Interpreter frames with a recorded call_enter, in entry order (dicts keep it).
        self.open_frames: dict[Any, _OpenCall] = {}

    # ------------------------------------------------------------------ events

    def _room(self, count: int) -> bool:
        """Whether `count` more events fit under the cap; at the cap, one truncation event."""
        if self.truncated:
            return False
        if self.recorded + count > self.max_events:
            self.truncated = True
            self.record("call_events_truncated", message=f"after {self.recorded} call events",
                        details={"max_call_events": self.max_events})
            return False
        self.recorded += count
        return True

    def enter(self, cell: str) -> _OpenCall | None:
        """Record a call_enter; returns what `exit` needs (None: not recorded)."""
        # Room for the exit as well, so every recorded enter has its exit.
        if not self._room(2):
            return None
        call = _OpenCall(cell, self.depth, self.recorded)
        self.depth += 1
        self.record("call_enter", cell=cell, details={"depth": call.depth})
        return call

    def exit(self, call: _OpenCall | None, error: BaseException | None = None,
             status: str | None = None) -> None:
        if call is None:
            return
        self.depth = call.depth
        duration_ms = round((time.perf_counter() - call.started) * 1000, 3)
        details: dict[str, Any] = {"depth": call.depth, "duration_ms": duration_ms}
        if status is None:
            status = STATUS_OK if error is None else _status_of(error)
        if status == STATUS_ERROR and error is not None:
            details["error"] = _error_kind(error)
        details["status"] = status
        self.record("call_exit", cell=call.cell, message=status, details=details)

    # ------------------------------------------------------------------ interpreter frames

    def enter_frame(self, frame: Any, stack: Any) -> None:
        """A new call's frame was pushed onto `stack` (the running fiber's frame list; None
        for the entry cell, whose end ends every fiber); ignored when already open."""
        if frame not in self.open_frames:
            call = self.enter(frame.code.name)
            if call is not None:
                call.stack = stack
                self.open_frames[frame] = call

    def exit_frame(self, frame: Any, error: BaseException | None = None) -> None:
        """A frame was popped: its call_exit when its enter was recorded. Frames of the same
        fiber entered after it and still open can never return (a continuation an effect
        arm dropped without resuming): they are closed first, as `abandoned`."""
        call = self.open_frames.pop(frame, None)
        if call is None:
            return
        later = []
        for other, open_call in reversed(self.open_frames.items()):
            if open_call.order < call.order:
                break
            if call.stack is None or open_call.stack is call.stack:  # None: the entry's
                later.append(other)
        for other in later:
            self.exit(self.open_frames.pop(other), status=STATUS_ABANDONED)
        self.exit(call, error)

    # ------------------------------------------------------------------ compiled cells

    def wrap(self, cell: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """`fn` (a Python-tier function) with its calls recorded."""
        enter = self.enter
        exit_ = self.exit

        def traced(*args: Any) -> Any:
            call = enter(cell)
            try:
                result = fn(*args)
            except BaseException as exc:
                exit_(call, exc)
                raise
            exit_(call)
            return result

        return traced

    # ------------------------------------------------------------------ the end

    def finish(self, exited: bool) -> None:
        """Close the calls still open when the run ends: after exit(N) (status `exit`) or
        frames an effect handler dropped (status `abandoned`), innermost first."""
        status = STATUS_EXIT if exited else STATUS_ABANDONED
        for frame in reversed(list(self.open_frames)):
            self.exit(self.open_frames.pop(frame), status=status)


def _status_of(error: BaseException) -> str:
    if isinstance(error, ProgramExit):
        return STATUS_EXIT
    # Control flow of effects and futures passing through a compiled call: it never returns.
    if isinstance(error, (EffectAbort, NestedResume, FiberParked)):
        return STATUS_ABANDONED
    return STATUS_ERROR


def _error_kind(error: BaseException) -> str:
    """The §9.11 kind of a call's error (Python's recursion limit in a compiled cell is the
    `limits` error the run reports for it)."""
    if isinstance(error, RecursionError):
        return "limits"
    return str(getattr(error, "kind", "") or type(error).__name__)
