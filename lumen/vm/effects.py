"""Algebraic effects in the VM (§11.5): handler frames and one-shot delimited continuations.

State (per fiber, `VM.handlers`): a stack of handle scopes, each tied to the frame that
opened it (its object and its index in `VM.frames`):

- `HandlerScope`: a `handle` whose BODY is running; maps `"E.op"` to its arm.
- `ArmScope`: an arm that is running; holds the continuation it may resume.

`perform` finds the innermost `HandlerScope` with an arm for `E.op`, then slices the
continuation off the explicit state: the frames above the handler's frame, the pc at which
that frame resumes, and the scopes from the handler's own one upwards. The arm then runs in
the handler's frame (its code is inline there), outside the `handle`. `resume(v)` splices
the slices back and stores `v` where `perform` wanted its result: no Python recursion, no
threads, no generators, so performing and resuming in a loop runs in constant Python stack
and memory.

Scopes are left explicitly (`UNHANDLE`, emitted for the normal end and for `break` /
`continue` leaving a `handle`). A `return`, `?` or error that pops the frame leaves its
scopes behind: such stale scopes are recognised (their frame is no longer at its index)
and dropped lazily.

A `perform` inside a builtin callback (`map(xs, fn)` calling a lambda) whose handler lies
outside that callback cannot slice through the builtin's Python frames; there the arm runs
nested: `resume(v)` returns `v` to the `perform`, and an arm that ends without resuming
aborts to the `handle` by unwinding the Python stack (`EffectAbort`).
"""

from __future__ import annotations

from lumen.lir.opcodes import Op
from lumen.vm import errors
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.frames import Frame, bind_arguments
from lumen.vm.interpreter_slow import handles
from lumen.vm.tool_calls import call_bound_tool, record_effect  # also registers TOOLCALL

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lumen.vm.interpreter import VM

Arm = tuple[int, int, int]  # (arm pc, first parameter register, parameter count)


class HandlerScope:
    __slots__ = ("frame", "depth", "arms")

    def __init__(self, frame: Frame, depth: int, arms: dict[str, Arm]) -> None:
        self.frame = frame
        self.depth = depth
        self.arms = arms


class Continuation:
    """What `perform` sliced off: resumable at most once."""

    __slots__ = ("frames", "resume_pc", "scopes", "dest_frame", "dest_reg", "used")

    def __init__(self, frames: list[Frame], resume_pc: int, scopes: list[Any],
                 dest_frame: Frame, dest_reg: int) -> None:
        self.frames = frames
        self.resume_pc = resume_pc
        self.scopes = scopes
        self.dest_frame = dest_frame
        self.dest_reg = dest_reg
        self.used = False


class ArmScope:
    """A running arm. `cont` is None for an arm run nested (see the module docstring);
    then `hidden` holds the scopes taken off while it runs and `exit_pc` where the handle's
    frame continues when the arm aborts."""

    __slots__ = ("frame", "depth", "cont", "hidden", "home", "home_depth")

    def __init__(self, frame: Frame, depth: int, cont: Continuation | None,
                 hidden: list[Any] | None = None, home: Frame | None = None,
                 home_depth: int = 0) -> None:
        self.frame = frame
        self.depth = depth
        self.cont = cont
        self.hidden = hidden
        self.home = home  # nested arms: the frame that opened the `handle`, and its index
        self.home_depth = home_depth


class EffectAbort(Exception):
    """Unwinds the Python stack from a nested arm that ended without `resume` to the run
    loop of the `handle`'s frame (`VM._execute` catches it)."""

    def __init__(self, frame: Frame, depth: int, exit_pc: int) -> None:
        super().__init__("effect abort")
        self.frame = frame
        self.depth = depth
        self.exit_pc = exit_pc


class NestedResume(Exception):
    """`resume(v)` in a nested arm: returns `v` to the `perform` that runs the arm."""

    def __init__(self, value: Any) -> None:
        super().__init__("nested resume")
        self.value = value


def _live(vm: VM, scope: Any) -> bool:
    depth = scope.depth
    frames = vm.frames
    return depth < len(frames) and frames[depth] is scope.frame


def _prune(vm: VM) -> None:
    handlers = vm.handlers
    while handlers and not _live(vm, handlers[-1]):
        handlers.pop()


def _arms(vm: VM, frame: Frame, pc: int, count: int) -> dict[str, Arm]:
    key = (frame.code.index, pc)
    arms = vm.arm_tables.get(key)
    if arms is None:
        arms = {}
        constants = frame.code.constants
        for _op, a, b, c in frame.code.instrs[pc:pc + count]:
            effect_op, nparams = constants[a]
            arms.setdefault(effect_op, (c, b, nparams))
        vm.arm_tables[key] = arms
    return arms


# ------------------------------------------------------------------------ handle


@handles(Op.HANDLE)
def _handle(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    _prune(vm)
    vm.handlers.append(HandlerScope(frame, len(vm.frames) - 1, _arms(vm, frame, pc, a)))
    return pc + a


@handles(Op.HANDLEARM)
def _handlearm(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int,
               pc: int) -> int:
    raise errors.internal("HANDLEARM row executed")


@handles(Op.UNHANDLE)
def _unhandle(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    handlers = vm.handlers
    for _ in range(a):
        _prune(vm)
        if not handlers or handlers[-1].frame is not frame:
            raise errors.internal("handle scopes out of balance")
        scope = handlers.pop()
        if type(scope) is ArmScope:
            if scope.cont is None:  # nested arm ended without resume: abort to the handle
                assert scope.home is not None
                raise EffectAbort(scope.home, scope.home_depth, pc)
            discard(vm, scope.cont)
    return pc


def discard(vm: VM, cont: Continuation) -> None:
    """Drop a continuation that will never resume: its frames' deferred blocks run,
    innermost first (§11.5 rule 4)."""
    cont.used = True
    for scope in cont.scopes:
        if type(scope) is ArmScope and scope.cont is not None and not scope.cont.used:
            discard(vm, scope.cont)
    for frame in reversed(cont.frames):
        if frame.defers and not frame.exiting:
            frame.exiting = True
            frame.result = None
            frame.pc = frame.defers.pop()
            vm._run_pushed(frame)
    cont.frames = []
    cont.scopes = []


def abort_to(vm: VM, abort: EffectAbort, base: int) -> Frame:
    """In the run loop that owns the `handle`'s frame: drop everything above it (running
    deferred blocks) and continue after the aborted arm."""
    frames = vm.frames
    depth = abort.depth
    while len(frames) > depth + 1:
        frame = frames.pop()
        if frame.defers and not frame.exiting:
            frame.exiting = True
            frame.result = None
            frame.pc = frame.defers.pop()
            vm._run_pushed(frame)
    _prune(vm)
    home = frames[depth]
    home.pc = abort.exit_pc
    return home


# ------------------------------------------------------------------------ perform


@handles(Op.PERFORM)
def _perform(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    effect_op, dynamic, handler_index, tool, params = frame.code.constants[b]
    args = regs[a + 1:a + 1 + c]
    regs[a + 1:a + 1 + c] = [None] * c
    if vm.tools is not None:  # a run with a tool session: a traced run records the effect
        record_effect(vm, frame, pc, effect_op, args)
    if dynamic:
        handlers = vm.handlers
        index = len(handlers) - 1
        while index >= 0:
            scope = handlers[index]
            if type(scope) is HandlerScope and effect_op in scope.arms and _live(vm, scope):
                arm = scope.arms[effect_op]
                if scope.depth < vm.exec_base:
                    return _perform_nested(vm, frame, a, pc, index, arm, args)
                return _capture(vm, frame, a, pc, index, arm, args)
            index -= 1
    if handler_index >= 0:  # a top-level `handler`: called like a cell
        callee = vm.codes[handler_index]
        vm._push(frame, callee, bind_arguments(callee, args, None), a)
        return pc
    if tool:  # `bind effect` (§11.5 step 2)
        frame.regs[a] = call_bound_tool(vm, frame, pc, tool, params, args)
        return pc
    raise errors.unhandled_effect(effect_op)


def _bind_params(home: Frame, arm: Arm, args: list[Any]) -> None:
    _arm_pc, first, count = arm
    regs = home.regs
    for k in range(count):
        regs[first + k] = args[k] if k < len(args) else None


def _capture(vm: VM, frame: Frame, dest: int, pc: int, index: int, arm: Arm,
             args: list[Any]) -> int:
    frames = vm.frames
    handlers = vm.handlers
    scope: HandlerScope = handlers[index]
    depth = scope.depth
    home = scope.frame
    frame.pc = pc
    resume_pc = home.pc
    cont = Continuation(frames[depth + 1:], resume_pc, handlers[index:], frame, dest)
    del frames[depth + 1:]
    del handlers[index:]
    handlers.append(ArmScope(home, depth, cont))
    _bind_params(home, arm, args)
    home.pc = arm[0]
    return home.pc


def _perform_nested(vm: VM, frame: Frame, dest: int, pc: int, index: int, arm: Arm,
                    args: list[Any]) -> int:
    """The handler lies below this run loop (a builtin callback is in between): run the
    arm on a fresh frame sharing the handle frame's registers."""
    handlers = vm.handlers
    scope: HandlerScope = handlers[index]
    home = scope.frame
    hidden = handlers[index:]
    del handlers[index:]
    frame.pc = pc
    _bind_params(home, arm, args)
    arm_frame = Frame(home.code, home.regs, 0)
    arm_frame.pc = arm[0]
    handlers.append(ArmScope(arm_frame, len(vm.frames), None, hidden, home, scope.depth))
    try:
        vm._run_pushed(arm_frame)
    except NestedResume as resumed:
        frame.regs[dest] = resumed.value
        return pc
    raise LumenRuntimeError(
        "effects", "runtime error: `return` inside an effect arm reached through a builtin "
                   "callback is not supported")


# ------------------------------------------------------------------------ resume


@handles(Op.RESUME)
def _resume(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[a]
    handlers = vm.handlers
    index = len(handlers) - 1
    while index >= 0:
        scope = handlers[index]
        if type(scope) is ArmScope and _live(vm, scope):
            break
        index -= 1
    else:
        raise errors.resume_outside_handler()
    if scope.frame is not frame:
        raise errors.resume_outside_handler()
    cont = scope.cont
    if cont is None:  # nested arm
        del handlers[index:]
        assert scope.hidden is not None
        handlers.extend(scope.hidden)
        vm.frames.pop()
        raise NestedResume(value)
    if cont.used:
        raise LumenRuntimeError("effects", "runtime error: continuation resumed twice")
    cont.used = True
    frames = vm.frames
    del handlers[index:]
    del frames[scope.depth + 1:]
    frame.pc = cont.resume_pc
    frames.extend(cont.frames)
    handlers.extend(cont.scopes)
    cont.dest_frame.regs[cont.dest_reg] = value
    cont.frames = []
    cont.scopes = []
    return frames[-1].pc
