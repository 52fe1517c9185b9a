"""VM checkpoints (§16.11): the complete state of an interpreter run as versioned bytes,
and a fresh VM rebuilt from them that continues where the first one was.

What a snapshot holds (msgpack, `{"format", "version", "module", ...}`):
- the frames of the running fiber (code index, pc, result register, registers, pending
  deferred blocks, an exit or an error unwinding in progress), deepest last, as
  `VM.frames` holds them;
- the handler stack (`handle` scopes and running arms with their continuations, whose
  frames are frames like the others);
- process state (`ProcessRuntime`: instance ids, memory logs and stores, machines), the
  random generator, the instruction budget, the scheduler's counters and virtual clock;
- every value reachable from those, in one table: containers, records, variants, sets,
  closures (by code index, with their captured values), done futures. An object reached
  twice is stored once and restored as one object, so sharing (and what the VM's
  uniqueness test sees) survives.

The table is written children first, so restoring is one pass in table order and never
recurses; writing walks with an explicit stack, so deep values need no Python recursion.

Where a snapshot can be taken: between instructions of an outermost run loop, with every
live frame an interpreter frame. The VM has no instruction-level pause; the point where it
is between instructions and calls out is a call: `enter_frame` of its call tracer, after
the caller's pc is saved and the callee's frame pushed (`pause_at_call` uses it). A
snapshot refuses, with `CheckpointError`, anything it could not restore exactly: a nested
run loop (a builtin callback or a compiled cell on the Python stack), futures in flight or
fibers waiting, values of another module (`eval`), native handles, an error other than a
plain runtime error being unwound. Output already written is not part of the state.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import sys
from collections.abc import Callable
from typing import Any

import msgpack

from lumen.lir.module import Module
from lumen.vm.effects import ArmScope, Continuation, HandlerScope
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.frames import MISSING, Frame, Missing
from lumen.vm.interpreter import VM
from lumen.vm.options import VMOptions
from lumen.vm.processes import MachineState, MemoryState
from lumen.vm.scheduler import Fiber, FiberParked
from lumen.vm.values import (
    BuiltinRef,
    Closure,
    Composed,
    Future,
    LSet,
    Record,
    ToolRef,
    TraceRef,
    Variant,
)

FORMAT = "lumen-checkpoint"
VERSION = 1
_REF = 1  # msgpack ext code: an entry of the object table, by index (4 bytes, big-endian)
_BIGINT = 2  # msgpack ext code: an Int outside 64 bits, as decimal text
_I64 = (-(1 << 63), (1 << 63) - 1)
_SCALARS = (type(None), bool, int, float, str, bytes)
_RESTORE_OPTIONS = VMOptions(fast_tier=False, jit=False)


class CheckpointError(Exception):
    """The VM's state cannot be captured (or these bytes cannot be restored) exactly."""


def module_fingerprint(module: Module) -> str:
    """What a snapshot is bound to: the hash of the serialized module (code indexes and
    pcs mean nothing in another program)."""
    from lumen.lir.serialize import dumps

    return "sha256:" + hashlib.sha256(dumps(module)).hexdigest()


# ------------------------------------------------------------------------------ snapshot


def snapshot(vm: VM) -> bytes:
    """The VM's state as bytes; `CheckpointError` when it is not at a point that can be
    restored exactly (see the module docstring)."""
    _check_capturable(vm)
    table = _Table(vm)
    frames = [table.ref(frame) for frame in vm.frames]
    handlers = [table.ref(scope) for scope in vm.handlers]
    processes = vm.processes
    memories = {key: [table.ref(m.entries), table.ref(m.store)]
                for key, m in processes.memories.items()}
    machines = {key: [m.started, m.name, table.ref(m.payload), m.steps, m.terminal]
                for key, m in processes.machines.items()}
    scheduler = vm.scheduler
    state = {
        "format": FORMAT, "version": VERSION, "module": module_fingerprint(vm.module),
        "objects": table.entries, "frames": frames, "handlers": handlers,
        "processes": {"next_id": processes.next_id, "memories": memories,
                      "machines": machines},
        "rng": _rng_state(vm.rng.getstate()), "budget": vm.budget,
        "scheduler": {"next_id": _count_next(scheduler.ids),
                      "next_sequence": _count_next(scheduler.sequence),
                      "virtual_now": scheduler.virtual_now},
    }
    return msgpack.packb(state, use_bin_type=True, strict_types=True)


def _check_capturable(vm: VM) -> None:
    if vm.fast_tiers or vm.native is not None:
        raise CheckpointError("checkpoints need an interpreter-only VM "
                              "(VMOptions(fast_tier=False))")
    if not vm.frames:
        raise CheckpointError("the VM is not running a cell (not in its run loop)")
    scheduler = vm.scheduler
    # A restored VM not resumed yet is between instructions by construction.
    restored = vm.nesting == 0 and scheduler.current is None
    if vm.nesting != 1 and not restored:
        raise CheckpointError(
            "the VM is not at the top of its run loop (a builtin callback or a compiled "
            "cell is running): only state between instructions can be captured")
    if not restored and (scheduler.current is None or scheduler.current.future is not None):
        raise CheckpointError("a checkpoint can only be taken on the main fiber, "
                              "not inside a spawned future")
    if scheduler.woken or scheduler.queued or scheduler.timers or scheduler.waiters:
        raise CheckpointError("futures are in flight (spawned or waiting fibers); "
                              "a checkpoint needs them all finished")


def _count_next(counter: itertools.count) -> int:
    """The next number an itertools.count gives, without taking it."""
    match = re.fullmatch(r"count\((-?\d+)\)", repr(counter))
    if match is None:
        raise CheckpointError(f"unexpected counter state {counter!r}")
    return int(match.group(1))


def _rng_state(state: tuple[Any, ...]) -> list[Any]:
    version, internal, gauss = state
    return [version, list(internal), gauss]


class _Table:
    """The object table of one snapshot: each object once, children before parents."""

    def __init__(self, vm: VM) -> None:
        self.codes = vm.codes
        self.entries: list[list[Any]] = []
        self.index: dict[int, int] = {}
        self.keep: list[Any] = []  # the objects indexed, so no id is reused meanwhile

    def ref(self, value: Any) -> Any:
        """`value` as stored: a scalar inline, anything else a reference into the table
        (added with everything it holds, if new)."""
        if type(value) in _SCALARS:
            return _scalar(value)
        if id(value) not in self.index:
            self._add(value)
        return msgpack.ExtType(_REF, self.index[id(value)].to_bytes(4, "big"))

    def _add(self, root: Any) -> None:
        # Post-order with an explicit stack; `open_` catches a cycle (which no Lumen value
        # makes) instead of looping forever.
        stack: list[tuple[Any, bool]] = [(root, False)]
        open_: set[int] = set()
        while stack:
            obj, children_done = stack.pop()
            key = id(obj)
            if key in self.index:
                continue
            if children_done:
                self.entries.append(self._entry(obj))
                self.index[key] = len(self.entries) - 1
                self.keep.append(obj)
                open_.discard(key)
                continue
            if key in open_:
                raise CheckpointError("a value refers to itself; it cannot be captured")
            open_.add(key)
            stack.append((obj, True))
            for child in reversed(self._children(obj)):
                if type(child) not in _SCALARS and id(child) not in self.index:
                    stack.append((child, False))

    def _children(self, obj: Any) -> list[Any]:
        t = type(obj)
        if t is list or t is tuple:
            return list(obj)
        if t is dict:
            return list(obj.values())
        if t is LSet:
            return list(obj.items)
        if t is Record:
            return list(obj.fields.values())
        if t is Variant:
            return [obj.payload]
        if t is Closure:
            return list(obj.captures)
        if t is Composed:
            return [obj.first, obj.second]
        if t is Future:
            return [obj.value]
        if t is Frame:
            return [*obj.regs, obj.result, obj.error]
        if t is HandlerScope:
            return [obj.frame]
        if t is ArmScope:
            return [obj.frame, obj.cont]
        if t is Continuation:
            return [*obj.frames, *obj.scopes, obj.dest_frame]
        return []

    def _entry(self, obj: Any) -> list[Any]:  # noqa: C901 - one case per kind of object
        ref = self.ref
        t = type(obj)
        if t is list:
            return ["list", [ref(v) for v in obj]]
        if t is tuple:
            return ["tuple", [ref(v) for v in obj]]
        if t is dict:
            return ["map", [[ref(k), ref(v)] for k, v in obj.items()]]
        if t is LSet:
            return ["set", [ref(v) for v in obj.items]]
        if t is Record:
            return ["record", obj.type_name, [[k, ref(v)] for k, v in obj.fields.items()]]
        if t is Variant:
            return ["variant", obj.enum_name, obj.tag, ref(obj.payload)]
        if t is Closure:
            return ["closure", self._code_index(obj.func), [ref(v) for v in obj.captures],
                    obj.name]
        if t is BuiltinRef:
            return ["builtin", obj.name]
        if t is ToolRef:
            return ["tool", obj.alias]
        if t is Composed:
            return ["composed", ref(obj.first), ref(obj.second)]
        if t is TraceRef:
            return ["traceref", obj.trace_id, obj.position]
        if t is Future:
            if obj.state == "pending":
                raise CheckpointError(f"future {obj.id} is still pending; a checkpoint "
                                      f"needs every future finished")
            return ["future", obj.id, obj.state, ref(obj.value), _plain_error(obj.error)]
        if t is Missing:
            return ["missing"]
        if t is Frame:
            return self._frame(obj)
        if t is LumenRuntimeError:
            return self._error(obj)
        if t is HandlerScope:
            return ["handler", ref(obj.frame), obj.depth,
                    {name: list(arm) for name, arm in obj.arms.items()}]
        if t is ArmScope:
            if obj.cont is None:
                raise CheckpointError("an effect arm runs nested inside a builtin callback")
            return ["arm", ref(obj.frame), obj.depth, ref(obj.cont)]
        if t is Continuation:
            return ["continuation", [ref(f) for f in obj.frames], obj.resume_pc,
                    [ref(s) for s in obj.scopes], ref(obj.dest_frame), obj.dest_reg,
                    obj.used]
        if isinstance(obj, BaseException):
            raise CheckpointError(f"a frame is unwinding {t.__name__}, which cannot be "
                                  f"captured")
        raise CheckpointError(f"a {t.__name__} value (a native handle or run-time object) "
                              f"cannot be captured")

    def _frame(self, frame: Frame) -> list[Any]:
        return ["frame", self._code_index(frame.code), frame.pc, frame.ret,
                [self.ref(v) for v in frame.regs],
                None if frame.defers is None else list(frame.defers), frame.exiting,
                self.ref(frame.result), self.ref(frame.error)]

    def _error(self, error: LumenRuntimeError) -> list[Any]:
        """An error being unwound through deferred blocks (one object for every frame)."""
        return ["error", error.kind, error.message, error.file, error.line, error.column,
                [list(entry) for entry in error.lumen_stack], error.hint]

    def _code_index(self, code: Any) -> int:
        index = getattr(code, "index", None)
        if not isinstance(index, int) or not 0 <= index < len(self.codes) \
                or self.codes[index] is not code:
            raise CheckpointError(f"function {getattr(code, 'name', code)!r} is not part "
                                  f"of the program (made by eval?)")
        return index


def _scalar(value: Any) -> Any:
    if type(value) is int and not _I64[0] <= value <= _I64[1]:
        return msgpack.ExtType(_BIGINT, str(value).encode("ascii"))
    return value


def _plain_error(error: Any) -> Any:
    if error is None or type(error) in _SCALARS:
        return error
    return str(error)


# ------------------------------------------------------------------------------ restore


def restore(module: Module, data: bytes, options: VMOptions | None = None,
            tools: Any = None) -> VM:
    """A new VM for `module` in the state `data` captured; `resume(vm)` continues it.
    `CheckpointError` for bytes that are not a checkpoint of this module (or damaged)."""
    state = _unpack(data)
    if state.get("module") != module_fingerprint(module):
        raise CheckpointError("the checkpoint was taken from a different program")
    vm = VM(module, options or _RESTORE_OPTIONS, tools)
    try:
        objects = _rebuild(vm, state["objects"])
        deref = _dereferencer(objects)
        vm.frames = [deref(r) for r in state["frames"]]
        vm.handlers = [deref(r) for r in state["handlers"]]
        processes = state["processes"]
        vm.processes.next_id = processes["next_id"]
        for key, (entries, store) in processes["memories"].items():
            memory = MemoryState()
            memory.entries, memory.store = deref(entries), deref(store)
            vm.processes.memories[key] = memory
        for key, (started, name, payload, steps, terminal) in processes["machines"].items():
            machine = MachineState()
            machine.started, machine.name, machine.payload = started, name, deref(payload)
            machine.steps, machine.terminal = steps, terminal
            vm.processes.machines[key] = machine
        version, internal, gauss = state["rng"]
        vm.rng.setstate((version, tuple(internal), gauss))
        vm.budget = state["budget"]
        scheduler = state["scheduler"]
        vm.scheduler.ids = itertools.count(scheduler["next_id"])
        vm.scheduler.sequence = itertools.count(scheduler["next_sequence"])
        vm.scheduler.virtual_now = scheduler["virtual_now"]
    except CheckpointError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise CheckpointError(f"damaged checkpoint ({type(exc).__name__}: {exc})") from None
    if not vm.frames or any(type(f) is not Frame for f in vm.frames):
        raise CheckpointError("damaged checkpoint (no frames to continue)")
    return vm


def _unpack(data: bytes) -> dict[Any, Any]:
    def ext_hook(code: int, payload: bytes) -> Any:
        if code == _REF:
            return _Ref(int.from_bytes(payload, "big"))
        if code == _BIGINT:
            return int(payload.decode("ascii"))
        raise CheckpointError(f"damaged checkpoint (unknown ext type {code})")

    try:
        state = msgpack.unpackb(data, raw=False, ext_hook=ext_hook, strict_map_key=False)
    except CheckpointError:
        raise
    except (ValueError, msgpack.UnpackException, TypeError) as exc:
        raise CheckpointError(f"not a checkpoint ({exc})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError("not a checkpoint")
    if state.get("version") != VERSION:
        raise CheckpointError(f"checkpoint format version {state.get('version')!r} is not "
                              f"supported (this toolchain reads version {VERSION})")
    return state


class _Ref:
    """A table reference as unpacked, before it is replaced by the object."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


def _dereferencer(objects: list[Any]) -> Callable[[Any], Any]:
    def deref(value: Any) -> Any:
        if type(value) is _Ref:
            if not 0 <= value.index < len(objects):
                raise CheckpointError("damaged checkpoint (a reference points forward)")
            return objects[value.index]
        return value

    return deref


def _rebuild(vm: VM, entries: list[list[Any]]) -> list[Any]:  # noqa: C901 - one case per kind
    """The objects of the table, in order (every entry refers only to earlier ones)."""
    objects: list[Any] = []
    deref = _dereferencer(objects)
    codes = vm.codes
    for entry in entries:
        kind = entry[0]
        obj: Any
        if kind == "list":
            obj = [deref(v) for v in entry[1]]
        elif kind == "tuple":
            obj = tuple(deref(v) for v in entry[1])
        elif kind == "map":
            obj = {deref(k): deref(v) for k, v in entry[1]}
        elif kind == "set":
            obj = LSet(deref(v) for v in entry[1])
        elif kind == "record":
            obj = Record(entry[1], {k: deref(v) for k, v in entry[2]})
        elif kind == "variant":
            obj = Variant(entry[1], entry[2], deref(entry[3]))
        elif kind == "closure":
            obj = Closure(codes[entry[1]], tuple(deref(v) for v in entry[2]), entry[3])
        elif kind == "builtin":
            obj = BuiltinRef(entry[1])
        elif kind == "tool":
            obj = ToolRef(entry[1])
        elif kind == "composed":
            obj = Composed(deref(entry[1]), deref(entry[2]))
        elif kind == "traceref":
            obj = TraceRef(entry[1], entry[2])
        elif kind == "future":
            obj = Future(entry[1], entry[2], deref(entry[3]), entry[4])
        elif kind == "missing":
            obj = MISSING
        elif kind == "frame":
            _, code_index, pc, ret, regs, defers, exiting, result, error = entry
            obj = Frame(codes[code_index], [deref(v) for v in regs], ret)
            obj.pc, obj.defers, obj.exiting, obj.result = pc, defers, exiting, deref(result)
            obj.error = deref(error)
        elif kind == "error":
            obj = LumenRuntimeError(entry[1], entry[2])
            obj.file, obj.line, obj.column = entry[3], entry[4], entry[5]
            obj.lumen_stack = [(name, file, line) for name, file, line in entry[6]]
            obj.hint = entry[7]
        elif kind == "handler":
            obj = HandlerScope(deref(entry[1]), entry[2],
                               {name: tuple(arm) for name, arm in entry[3].items()})
        elif kind == "arm":
            obj = ArmScope(deref(entry[1]), entry[2], deref(entry[3]))
        elif kind == "continuation":
            obj = Continuation([deref(f) for f in entry[1]], entry[2],
                               [deref(s) for s in entry[3]], deref(entry[4]), entry[5])
            obj.used = entry[6]
        else:
            raise CheckpointError(f"damaged checkpoint (unknown object kind {kind!r})")
        objects.append(obj)
    return objects


def resume(vm: VM) -> Any:
    """Continue a restored VM until its entry cell returns; its value (or the run's
    LumenRuntimeError), as `VM.run` would have given."""
    scheduler = vm.scheduler
    main = Fiber(None)
    main.started = True
    main.frames, main.handlers = vm.frames, vm.handlers
    # The loop of Scheduler.run_main, entered with the restored frames instead of a new one.
    saved = scheduler._switch_in(main)
    try:
        while True:
            try:
                return vm._enter(0)
            except FiberParked:
                scheduler.drive(main)
                scheduler._resume_store(main)
    except RecursionError as exc:
        raise vm._trimmed(vm._overflow(exc)) from None
    except LumenRuntimeError as exc:
        raise vm._trimmed(exc) from None
    finally:
        scheduler._switch_out(saved)
        sys.stdout.flush()


# ------------------------------------------------------------------------------ pausing


class _Paused(Exception):
    def __init__(self, data: bytes, calls: int) -> None:
        super().__init__("paused")
        self.data = data
        self.calls = calls


class _PauseAtCall:
    """A call tracer that takes a snapshot at the first call, from the `after`-th on, made
    from the outermost run loop, and stops the run there."""

    def __init__(self, vm: VM, after: int) -> None:
        self.vm = vm
        self.after = after
        self.calls = 0

    def enter_frame(self, frame: Frame, stack: Any) -> None:
        self.calls += 1
        vm = self.vm
        if self.calls >= self.after and vm.nesting == 1 and vm.frames \
                and vm.frames[-1] is frame and _on_the_main_fiber(vm) \
                and _pushed_by_the_run_loop():
            raise _Paused(snapshot(vm), self.calls)

    def exit_frame(self, frame: Frame, error: BaseException | None = None) -> None:
        pass

    def finish(self, exited: bool) -> None:
        pass


# The VM methods that push a call's frame from inside the running loop (the caller's pc is
# saved, nothing of the call is on the Python stack). The others (`_run_pushed`,
# `call_interpreted`, `_run_entry`) start a nested loop for a builtin callback, a compiled
# caller or the entry, and `vm.nesting` does not show that yet when they report the call.
_RUN_LOOP_PUSHERS = frozenset({VM._execute.__code__, VM._push.__code__})


def _on_the_main_fiber(vm: VM) -> bool:
    """Calls made inside a spawned future, or while futures are in flight, are skipped: a
    snapshot holds the main fiber alone (see `_check_capturable`)."""
    scheduler = vm.scheduler
    current = scheduler.current
    return current is not None and current.future is None and not (
        scheduler.woken or scheduler.queued or scheduler.timers or scheduler.waiters)


def _pushed_by_the_run_loop() -> bool:
    # Two frames up: enter_frame's caller (the VM method that pushed the frame).
    return sys._getframe(2).f_code in _RUN_LOOP_PUSHERS


def pause_at_call(module: Module, after: int, entry: str = "main",
                  args: tuple[Any, ...] = (), options: VMOptions | None = None
                  ) -> tuple[bytes | None, int, Any]:
    """Run `entry` on an interpreter-only VM and snapshot it at the first call made from
    the outermost run loop once `after` calls were made. Returns (snapshot, calls made
    when it was taken, None), or (None, calls made, the run's value) when the run ended
    first. Runtime errors of the run propagate."""
    vm = VM(module, options or _RESTORE_OPTIONS)
    if vm.fast_tiers or vm.native is not None:
        raise CheckpointError("checkpoints need an interpreter-only VM "
                              "(VMOptions(fast_tier=False))")
    pauser = _PauseAtCall(vm, after)
    vm.call_tracer = pauser
    try:
        value = vm.run(entry, args)
    except _Paused as paused:
        return paused.data, paused.calls, None
    return None, pauser.calls, value
