"""Futures and their scheduling (§14): fibers, `spawn`, `await`, blocking waits.

A future runs as a **fiber**: its own explicit frame list and handle-scope stack, run by
the same dispatch loop (`VM._enter`) after the scheduler swaps them into the VM. A fiber
that must wait (a pending future, `sleep`, later tool calls) **parks**: the waiting
instruction saves where to continue, raises `FiberParked` out of the fiber's run loop, and
the fiber's state stays in its frames until the scheduler resumes it. No Python threads or
generators hold Lumen state.

Scheduling (§14.3):
- eager (default): `spawn` runs the new fiber at once, until it finishes or parks;
- deferred FIFO (`@deterministic true`): `spawn` queues it; queued fibers run in spawn
  order when something waits.

`drive(until)` is the scheduler loop: it runs woken fibers (FIFO), then queued ones, and
otherwise sleeps until the earliest timer, until the fiber `until` is woken. The main
program's fiber parks to `run_main`, which drives; a fiber waiting inside a builtin
callback (Python frames in between, so it cannot park) drives in place.
Timers are ordered by deadline; under `@deterministic` by a virtual clock (deadline in
program milliseconds, then spawn order) so that wake-up order never depends on timing.
"""

from __future__ import annotations

import itertools
import time
from collections import deque

from lumen.lir.opcodes import Op
from lumen.vm import errors
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.frames import Frame, bind_arguments
from lumen.vm.interpreter_slow import handles
from lumen.vm.render import display
from lumen.vm.values import FUNCTION_TYPES, Closure, Future, LSet, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lumen.vm.interpreter import VM

CALLABLES = FUNCTION_TYPES


class FiberParked(Exception):
    """Raised by a waiting instruction to leave the fiber's run loop; never escapes the
    scheduler."""


class Fiber:
    __slots__ = ("future", "frames", "handlers", "callee", "args", "started", "store")

    def __init__(self, future: Future | None, callee: Any = None,
                 args: list[Any] | None = None) -> None:
        self.future = future
        self.frames: list[Frame] = []
        self.handlers: list[Any] = []
        self.callee = callee
        self.args = args or []
        self.started = False
        # On resumption after a parked call: (frame, register) that receives null.
        self.store: tuple[Frame, int] | None = None


class Scheduler:
    def __init__(self, vm: VM, deterministic: bool) -> None:
        self.vm = vm
        self.deterministic = deterministic
        self.ids = itertools.count(1)
        self.sequence = itertools.count()
        self.current: Fiber | None = None
        self.woken: deque[Fiber] = deque()
        self.queued: deque[Fiber] = deque()
        self.timers: list[tuple[float, int, float, Fiber]] = []
        self.waiters: dict[int, list[Fiber]] = {}
        self.virtual_now = 0.0  # deterministic mode: program milliseconds

    # ------------------------------------------------------------------ entry

    def run_main(self, frame: Frame) -> Any:
        main = Fiber(None)
        main.started = True
        main.frames.append(frame)
        saved = self._switch_in(main)
        try:
            while True:
                try:
                    return self.vm._enter(0)
                except FiberParked:
                    self.drive(main)
                    self._resume_store(main)
        finally:
            self._switch_out(saved)

    def run_main_call(self, work: Any) -> Any:
        """`run_main` for an entry cell that runs in a faster tier (no frame of its own)."""
        main = Fiber(None)
        main.started = True
        saved = self._switch_in(main)
        nesting = self.vm.nesting
        # Compiled frames sit on the Python stack: like a builtin callback, nothing below
        # them may park (see can_park); waits drive the other fibers in place.
        self.vm.nesting = 1
        try:
            return work()
        finally:
            self.vm.nesting = nesting
            self._switch_out(saved)

    # ------------------------------------------------------------------ spawn

    def spawn(self, callee: Any, args: list[Any]) -> Future:
        if type(callee) not in CALLABLES:
            raise errors.type_error(f"spawn expects a callable, got {display(callee)}")
        future = Future(next(self.ids))
        fiber = Fiber(future, callee, list(args))
        if self.deterministic:
            self.queued.append(fiber)
        else:
            self._step(fiber)
        return future

    # ------------------------------------------------------------------ waiting

    def can_park(self) -> bool:
        """Only from the fiber's outermost run loop (no builtin frames in between)."""
        vm = self.vm
        return vm.nesting == 1 and bool(vm.frames)

    def wait_future(self, future: Future, frame: Frame, retry_pc: int) -> None:
        """Wait until `future` is settled: park (the instruction at `retry_pc` runs again
        on resumption) or drive in place."""
        fiber = self._running()
        self.waiters.setdefault(future.id, []).append(fiber)
        if self.can_park():
            frame.pc = retry_pc
            raise FiberParked()
        self.drive(fiber)

    def sleep(self, milliseconds: Any) -> None:
        if type(milliseconds) not in (int, float) or milliseconds != milliseconds:
            raise errors.type_error(f"sleep expects milliseconds, got {display(milliseconds)}")
        delay = max(0.0, float(milliseconds))
        fiber = self._running()
        deadline = time.monotonic() + delay / 1000.0
        key = self.virtual_now + delay if self.deterministic else deadline
        from heapq import heappush  # timers are rare: not imported by every run

        heappush(self.timers, (key, next(self.sequence), deadline, fiber))
        if self.can_park():
            top = self.vm.frames[-1]
            fiber.store = (top, top.code.instrs[top.pc - 1][1])  # the call's result register
            raise FiberParked()
        self.drive(fiber)

    def _running(self) -> Fiber:
        assert self.current is not None, "no fiber is running"
        return self.current

    # ------------------------------------------------------------------ the loop

    def drive(self, until: Fiber) -> None:
        """Run other fibers until `until` is woken (it is then taken off the queue)."""
        while True:
            if self.woken:
                fiber = self.woken.popleft()
                if fiber is until:
                    return
                self._step(fiber)
            elif self.queued:
                self._step(self.queued.popleft())
            elif self.timers:
                from heapq import heappop

                key, _seq, deadline, fiber = heappop(self.timers)
                delay = deadline - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                if self.deterministic:
                    self.virtual_now = max(self.virtual_now, key)
                self.woken.append(fiber)
            else:
                raise LumenRuntimeError(
                    "futures", "runtime error: deadlock: awaited futures can never complete")

    def _step(self, fiber: Fiber) -> None:
        """Run `fiber` until it finishes or parks."""
        vm = self.vm
        saved = self._switch_in(fiber)
        try:
            if not fiber.started:
                fiber.started = True
                callee = fiber.callee
                fiber.callee = None
                if type(callee) is Closure:
                    code = callee.func
                    regs = bind_arguments(code, fiber.args, None, callee.captures)
                    value = vm._run_pushed(Frame(code, regs, 0))
                else:  # builtins and compositions run on the Python stack: never park
                    vm.nesting = 1
                    value = vm.call(callee, fiber.args)
                fiber.args = []
            else:
                self._resume_store(fiber)
                value = vm._enter(0)
        except FiberParked:
            return
        except LumenRuntimeError as exc:
            # `await failed for future N: MESSAGE` already says "runtime error".
            self._settle(fiber, "error", None, exc.message.removeprefix("runtime error: "))
            return
        finally:
            self._switch_out(saved)
        self._settle(fiber, "completed", value, None)

    def _resume_store(self, fiber: Fiber) -> None:
        if fiber.store is not None:
            frame, register = fiber.store
            frame.regs[register] = None
            fiber.store = None

    def _settle(self, fiber: Fiber, state: str, value: Any, message: str | None) -> None:
        future = fiber.future
        assert future is not None
        future.state = state
        future.value = value
        future.error = message
        fiber.frames = []
        fiber.handlers = []
        self.woken.extend(self.waiters.pop(future.id, ()))

    def _switch_in(self, fiber: Fiber) -> tuple[Any, ...]:
        vm = self.vm
        saved = (vm.frames, vm.handlers, vm.nesting, vm.exec_base, self.current)
        vm.frames = fiber.frames
        vm.handlers = fiber.handlers
        vm.nesting = 0
        vm.exec_base = 0
        self.current = fiber
        return saved

    def _switch_out(self, saved: tuple[Any, ...]) -> None:
        vm = self.vm
        vm.frames, vm.handlers, vm.nesting, vm.exec_base, self.current = saved


# ------------------------------------------------------------------------ await


def first_pending(value: Any) -> Future | None:
    """The first future inside `value` (in order) that is still pending; a failed one met
    before is the `await failed` error."""
    t = type(value)
    if t is Future:
        if value.state == "error":
            raise errors.await_failed(value.id, str(value.error))
        return value if value.state == "pending" else None
    if t is list or t is tuple or t is LSet:
        items: Any = value
    elif t is dict:
        items = value.values()
    elif t is Record:
        items = value.fields.values()
    else:
        return None
    for item in items:
        found = first_pending(item)
        if found is not None:
            return found
    return None


def resolved(value: Any) -> Any:
    """`value` with every (completed) future inside replaced by its value (§14.4)."""
    t = type(value)
    if t is Future:
        return value.value
    if t is list:
        return [resolved(v) for v in value]
    if t is tuple:
        return tuple(resolved(v) for v in value)
    if t is LSet:
        return LSet([resolved(v) for v in value])
    if t is dict:
        return {k: resolved(v) for k, v in value.items()}
    if t is Record:
        return Record(value.type_name, {k: resolved(v) for k, v in value.fields.items()})
    return value


def has_future(value: Any) -> bool:
    t = type(value)
    if t is Future:
        return True
    if t is list or t is tuple or t is LSet:
        return any(has_future(v) for v in value)
    if t is dict:
        return any(has_future(v) for v in value.values())
    if t is Record:
        return any(has_future(v) for v in value.fields.values())
    return False


@handles(Op.AWAIT)
def _await(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[b]
    if not has_future(value):
        regs[a] = value
        return pc
    while True:
        pending = first_pending(value)
        if pending is None:
            regs[a] = resolved(value)
            return pc
        vm.scheduler.wait_future(pending, frame, pc - 1)
