"""The register VM: runs LIR modules.

Design
- Every Lumen call pushes a `Frame` onto `self.frames` and continues in the same dispatch
  loop; a return pops it. No Python recursion happens for Lumen->Lumen calls, so depth is
  bounded by `VMOptions.max_depth` only. Builtin callbacks (`map(xs, fn)` calling a
  lambda) re-enter the loop through `call()` and nest on the Python stack: only those do.
- Instructions are pre-decoded tuples `(op, a, b, c)`; the loop tests opcodes roughly in
  order of frequency and inlines the Int/Float fast paths, calling `ops.*` otherwise.
- Value semantics (§9.9) without quadratic copying: `APPEND`, `SETINDEX` and `SETATTR`
  mutate the container in place when the register holds the only reference, else copy.
  Uniqueness: inside a handler, `x = regs[a]; getrefcount(x)` counts the register slot,
  the local `x` and the call's argument: `UNIQUE_REFS == 3`. Any other holder (another
  register, a record field, a captured value, an iteration snapshot) raises the count, and
  the container is copied first. Argument registers are cleared after calls so that dead
  temporaries do not count as holders.
"""

from __future__ import annotations

import gc
import os
import sys

from lumen.lir.module import Module
from lumen.lir.opcodes import OP_INFO, Op
from lumen.vm import errors, ops
from lumen.vm.effects import EffectAbort, abort_to
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.frames import Code, Frame, bind_arguments
from lumen.vm.options import DEFAULT_JIT_THRESHOLD, VMOptions
from lumen.vm.processes import ProcessRuntime
from lumen.vm.render import display, plain
from lumen.vm.scheduler import Scheduler
from lumen.vm.tool_calls import call_tool_value
from lumen.vm.values import (
    INT_MAX,
    INT_MIN,
    BuiltinRef,
    Closure,
    Composed,
    Record,
    ToolRef,
    Variant,
    truthy,
    type_of,
    values_equal,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

UNIQUE_REFS = 3
_GC_THRESHOLD = 50_000
_NONES = [[None] * n for n in range(64)]

(MOVE, LOADK, LOADI, LOADNULL, LOADBOOL, ADD, SUB, ADDI, SUBI, MUL, JMP, LTJF, LEJF, GTJF,
 GEJF, EQJF, NEJF, JMPF, JMPT, FORNEXT, GETINDEX, SETINDEX, GETATTR, CALLCELL, RETURN,
 APPEND, LT, LE, GT, GE, EQ, NE, CALLBUILTIN, CALL, MOD) = range(35)
assert Op.MOD == MOD
TRY = int(Op.TRY)
ENDDEFER = int(Op.ENDDEFER)


def _loops(function: Any) -> bool:
    """Whether `function` has a backward jump (a loop): `J` operands at or before their pc."""
    for pc, instr in enumerate(function.code):
        fmt = OP_INFO[instr.op].format
        if ("J" in fmt and any(kind == "J" and target <= pc for kind, target in
                               zip(fmt, (instr.a, instr.b, instr.c)))):
            return True
    return False


def _is_err(v: Any) -> bool:
    return type(v) is Variant and v.tag == "err" and v.enum_name == "result"


class VM:
    """Runs one module. Also the `BuiltinContext` that builtins call back into."""

    def __init__(self, module: Module, options: VMOptions | None = None,
                 tools: Any = None) -> None:
        from lumen.vm.builtins.core import BUILTIN_CONSTANTS
        from lumen.vm.builtins.registry import builtin_table

        self.module = module
        self.options = options or VMOptions()
        # The run's tool session (lumen.runtime.session.RunSession), None: no tool calls.
        self.tools = tools
        # call_enter/call_exit events (lumen/runtime/call_trace.py); None unless the run
        # records a trace or replays one, so untraced runs never look further.
        self.call_tracer: Any = getattr(tools, "call_tracer", None)
        self.builtins = builtin_table()
        self.builtin_constants = BUILTIN_CONSTANTS
        if module.tools:  # a tool alias named as a value is a callable ToolRef (§12.2)
            from lumen.vm.tool_calls import tool_values

            self.builtin_constants = {**BUILTIN_CONSTANTS, **tool_values(module)}
        self.codes = tuple(Code(f, i, f.file or module.file, self.builtins.get)
                           for i, f in enumerate(module.functions))
        self.cell_codes = {name: self.codes[i] for name, i in module.entry_points.items()}
        self.frames: list[Frame] = []
        self.program_args = list(self.options.program_args)
        self._rng: Any = None  # random.Random(options.seed), made on first use (`rng`)
        self.budget = self.options.max_steps if self.options.max_steps is not None else -1
        self.max_depth = self.options.max_depth
        self.processes = ProcessRuntime()  # process state by instance id (§13)
        # Effects and async (lumen/vm/effects.py, lumen/vm/scheduler.py): the running
        # fiber's handle scopes, how many run loops of this fiber are active (a fiber can
        # park only from its outermost one) and the base of the innermost one.
        self.handlers: list[Any] = []
        self.nesting = 0
        self.exec_base = 0
        self.arm_tables: dict[tuple[int, int], dict[str, Any]] = {}
        self.scheduler = Scheduler(self, module.deterministic)
        # The faster tiers: `fast_tiers` says whether they run at all; the Python tier is
        # made on first use (a program the native tier runs whole never imports it).
        self.fast_tiers = False
        self.pytier: Any = None
        self.native: Any = None
        self.jit_report: list[str] | None = None
        self._start_tiers()

    @property
    def rng(self) -> Any:
        """The run's random source (§10.14), seeded by `VMOptions.seed`; `random` is
        imported only by programs that draw from it."""
        if self._rng is None:
            import random

            self._rng = random.Random(self.options.seed)
        return self._rng

    @rng.setter
    def rng(self, value: Any) -> None:
        self._rng = value

    def _start_tiers(self) -> None:
        """The Python tier and the native tier (lumen/jit). Environment switches (for CI and
        debugging): LUMEN_TIER=interp, LUMEN_JIT_THRESHOLD=N, LUMEN_JIT_VERBOSE=1."""
        options = self.options
        if options.jit_verbose or os.environ.get("LUMEN_JIT_VERBOSE", "") not in ("", "0"):
            self.jit_report = []
        if (not options.fast_tier or options.max_steps is not None
                or os.environ.get("LUMEN_TIER") == "interp"):
            return
        self.fast_tiers = True
        if not options.jit or self.call_tracer is not None:  # native calls are not traced
            return
        threshold = options.jit_threshold
        if threshold is None:
            env = os.environ.get("LUMEN_JIT_THRESHOLD", "")
            threshold = int(env) if env.isdigit() else DEFAULT_JIT_THRESHOLD
        try:
            from lumen.jit.native.tier import NativeTier
        except ImportError:  # a build without the native tier
            return
        self.native = NativeTier(self, threshold)

    def _tier(self, code: Code) -> Any:
        """The compiled form of `code` (asking the Python tier once), or None."""
        if not code.tier_tried:
            code.tier_tried = True
            pytier = self.pytier or self._python_tier()
            if pytier is not None and code.fast is None:
                code.fast = pytier.compile(code)
        return code.fast

    def _python_tier(self) -> Any:
        if not self.fast_tiers:
            return None
        try:
            from lumen.jit.pytier import PyTier
        except ImportError:  # a build without the Python tier
            self.fast_tiers = False
            return None
        self.pytier = PyTier(self)
        return self.pytier

    def call_interpreted(self, code: Code, args: list[Any]) -> Any:
        """Run `code` in a nested interpreter loop (cells the Python tier left alone)."""
        regs = bind_arguments(code, list(args[:code.nparams]), None,
                              tuple(args[code.nparams:]))
        base = len(self.frames)
        if base >= self.max_depth:
            raise errors.stack_overflow(self.max_depth)
        frame = Frame(code, regs, 0)
        self.frames.append(frame)
        if self.call_tracer is not None:
            self.call_tracer.enter_frame(frame, self.frames)
        return self._enter(base)

    # ------------------------------------------------------------------ BuiltinContext

    def write_stdout(self, text: str) -> None:
        sys.stdout.write(text)

    def write_stderr(self, text: str) -> None:
        sys.stderr.write(text)

    def read_stdin_line(self) -> str:
        return sys.stdin.readline()

    def call(self, fn_value: Any, args: list[Any]) -> Any:
        """Call any Lumen callable from Python (builtin callbacks); nests the run loop."""
        t = type(fn_value)
        if t is Closure:
            code = fn_value.func
            regs = bind_arguments(code, list(args), None, fn_value.captures)
            fast = code.fast if code.tier_tried else self._tier(code)
            if fast is not None:
                return fast(*regs[:code.nparams + code.ncaptures])
            return self._run_frame(code, regs)
        if t is BuiltinRef:
            return self._call_builtin(fn_value.name, list(args), None)
        if t is Composed:
            return self.call(fn_value.second, [self.call(fn_value.first, args)])
        if t is ToolRef:
            return call_tool_value(self, fn_value, list(args), None)
        raise errors.type_error(f"cannot call {display(fn_value)}")

    # ------------------------------------------------------------------ entry

    def run(self, entry: str = "main", args: tuple[Any, ...] | list[Any] = ()) -> Any:
        # Lumen values are immutable to the program, so they rarely form reference cycles:
        # the collector's default young-generation threshold (700) makes allocation-heavy
        # programs spend up to half their time scanning. Objects made before the run (the
        # compiled program) are frozen out of every scan.
        gc.freeze()
        if gc.get_threshold()[0] < _GC_THRESHOLD:
            gc.set_threshold(_GC_THRESHOLD, 20, 100)
        if not self.fast_tiers:  # only compiled cells recurse on the Python stack
            return self._run_entry(entry, args)
        from lumen.vm.deep_stack import on_deep_stack

        # A traced compiled call is two Python frames (call_trace.py wraps each cell).
        depth = self.max_depth if self.call_tracer is None else 2 * self.max_depth
        return on_deep_stack(lambda: self._run_entry(entry, args), depth)

    def _run_entry(self, entry: str, args: tuple[Any, ...] | list[Any]) -> Any:
        code = self.cell_codes.get(entry)
        if code is None:
            raise errors.undefined_cell(entry)
        regs = bind_arguments(code, list(args), None)
        try:
            if self.native is not None:
                whole = self.native.entry(code.index, tuple(regs[:code.nparams]))
                if whole is not None:
                    return self.scheduler.run_main_call(whole)
            # The entry cell runs once: compiling it pays only when it loops.
            if _loops(code.function) and self._tier(code) is not None:
                return self.scheduler.run_main_call(lambda: code.fast(*regs[:code.nparams]))
            frame = Frame(code, regs, 0)
            if self.call_tracer is not None:
                self.call_tracer.enter_frame(frame, None)  # the run ends with it
            return self.scheduler.run_main(frame)
        except RecursionError as exc:  # deep recursion inside a faster tier
            raise self._trimmed(self._overflow(exc)) from None
        except LumenRuntimeError as exc:
            raise self._trimmed(exc) from None
        finally:
            sys.stdout.flush()

    def _run_frame(self, code: Code, regs: list[Any]) -> Any:
        return self._run_pushed(Frame(code, regs, 0))

    def _run_pushed(self, frame: Frame) -> Any:
        """Push `frame` and run it to its return in a nested run loop."""
        base = len(self.frames)
        if base >= self.max_depth:
            raise errors.stack_overflow(self.max_depth)
        self.frames.append(frame)
        # pc 0: a call starting (a spawned future, a callback); not an effect arm or the
        # deferred blocks of a frame being dropped.
        if self.call_tracer is not None and frame.pc == 0 and not frame.exiting:
            self.call_tracer.enter_frame(frame, self.frames)
        return self._enter(base)

    def _enter(self, base: int) -> Any:
        """Run the frames above `base` (resuming at their saved pcs) until they return."""
        saved_base = self.exec_base
        self.exec_base = base
        self.nesting += 1
        try:
            return self._execute(base)
        finally:
            self.nesting -= 1
            self.exec_base = saved_base

    # ------------------------------------------------------------------ helpers

    def _call_builtin(self, name: str, args: list[Any], named: dict[str, Any] | None) -> Any:
        spec = self.builtins.get(name)
        if spec is None:
            raise errors.undefined_cell(name)
        if named:
            args = args + list(named.values())
        if spec.needs_context:
            return spec.fn(self, *args)
        return spec.fn(*args)

    def _split_args(self, values: list[Any], shape: tuple[str, ...]
                    ) -> tuple[list[Any], dict[str, Any] | None]:
        positional: list[Any] = []
        named: dict[str, Any] = {}
        for kind, value in zip(shape, values):
            if kind == "":
                positional.append(value)
            elif kind == "*":
                positional.extend(ops.iterate(value) if type(value) is not str else [value])
            else:
                named[kind] = value
        return positional, (named or None)

    def _resolve_method(self, receiver: Any, name: str) -> tuple[Any, bool]:
        """§7.6 steps 3-6: (callable, prepend receiver)."""
        t = type(receiver)
        if t is Record or t is dict:
            field = receiver.fields.get(name) if t is Record else receiver.get(name)
            if type(field) in (Closure, BuiltinRef, Composed):
                return field, True
        owner = receiver.enum_name if t is Variant else type_of(receiver)
        code = self.cell_codes.get(f"{owner}.{name}")
        if code is not None:
            return Closure(code, (), code.name), True
        code = self.cell_codes.get(name)
        if code is not None:
            return Closure(code, (), code.name), True
        if name in self.builtins:
            return BuiltinRef(name), True
        if t is Record and "__process_name" in receiver.fields:
            raise errors.undefined_cell(f"{receiver.type_name}.{name}")  # §13.1
        raise errors.undefined_cell(name)

    def _global(self, name: str) -> Any:
        if name in self.builtin_constants:
            return self.builtin_constants[name]
        if name in self.builtins:
            return BuiltinRef(name)
        raise errors.undefined_cell(name)

    def _annotate(self, exc: LumenRuntimeError, frame: Frame, pc: int) -> None:
        code = frame.code
        line, column = code.line_at(pc - 1)
        if exc.line is None:
            exc.file, exc.line, exc.column = code.file, line, column
        exc.lumen_stack.append((code.name, code.file, line))

    # ------------------------------------------------------------------ the loop

    def _execute(self, base: int) -> Any:  # noqa: C901 - the dispatch loop is one function
        frames = self.frames
        codes = self.codes
        getrefcount = sys.getrefcount
        frame = frames[-1]
        code = frame.code
        instrs = code.instrs
        consts = code.constants
        regs = frame.regs
        pc = frame.pc
        lo, hi = INT_MIN, INT_MAX
        max_depth = self.max_depth
        counting = self.budget >= 0
        tracer = self.call_tracer
        while True:
            try:
                while True:
                    op, a, b, c = instrs[pc]
                    pc += 1
                    if op < 10:
                        if op == MOVE:
                            regs[a] = regs[b]
                        elif op == LOADI or op == LOADK:
                            regs[a] = b if op == LOADI else consts[b]
                        elif op == ADD:
                            x = regs[b]
                            y = regs[c]
                            if type(x) is int and type(y) is int:
                                r = x + y
                                regs[a] = r if lo <= r <= hi else ops.add(x, y)
                            elif type(x) is float and type(y) is float:
                                regs[a] = x + y
                            else:
                                regs[a] = ops.add(x, y)
                        elif op == ADDI:
                            x = regs[b]
                            if type(x) is int:
                                r = x + c
                                regs[a] = r if r <= hi else ops.add(x, c)
                            else:
                                regs[a] = ops.add(x, c)
                        elif op == SUB:
                            x = regs[b]
                            y = regs[c]
                            if type(x) is int and type(y) is int:
                                r = x - y
                                regs[a] = r if lo <= r <= hi else ops.sub(x, y)
                            elif type(x) is float and type(y) is float:
                                regs[a] = x - y
                            else:
                                regs[a] = ops.sub(x, y)
                        elif op == SUBI:
                            x = regs[b]
                            if type(x) is int:
                                r = x - c
                                regs[a] = r if r >= lo else ops.sub(x, c)
                            else:
                                regs[a] = ops.sub(x, c)
                        elif op == MUL:
                            x = regs[b]
                            y = regs[c]
                            if type(x) is int and type(y) is int:
                                r = x * y
                                regs[a] = r if lo <= r <= hi else ops.mul(x, y)
                            elif type(x) is float and type(y) is float:
                                regs[a] = x * y
                            else:
                                regs[a] = ops.mul(x, y)
                        elif op == LOADNULL:
                            regs[a] = None
                        else:  # LOADBOOL
                            regs[a] = b != 0
                        continue
                    if op < 20:
                        if op == JMP:
                            if counting and a < pc:
                                self._spend(pc - a)
                            pc = a
                            continue
                        x = regs[a]
                        if op == LTJF:
                            y = regs[b]
                            if type(x) is int and type(y) is int:
                                if not x < y:
                                    pc = c
                            elif not ops.lt(x, y):
                                pc = c
                        elif op == JMPF:
                            if x is not True and (x is False or x is None or not truthy(x)):
                                pc = b
                        elif op == FORNEXT:
                            seq = regs[b]
                            i = regs[b + 1]
                            if i < len(seq):
                                regs[a] = seq[i]
                                regs[b + 1] = i + 1
                            else:
                                pc = c
                        elif op == LEJF:
                            y = regs[b]
                            if type(x) is int and type(y) is int:
                                if not x <= y:
                                    pc = c
                            elif not ops.le(x, y):
                                pc = c
                        elif op == GTJF:
                            y = regs[b]
                            if type(x) is int and type(y) is int:
                                if not x > y:
                                    pc = c
                            elif not ops.gt(x, y):
                                pc = c
                        elif op == GEJF:
                            y = regs[b]
                            if type(x) is int and type(y) is int:
                                if not x >= y:
                                    pc = c
                            elif not ops.ge(x, y):
                                pc = c
                        elif op == EQJF:
                            y = regs[b]
                            if type(x) is type(y) and (type(x) is int or type(x) is str):
                                if x != y:
                                    pc = c
                            elif not values_equal(x, y):
                                pc = c
                        elif op == NEJF:
                            y = regs[b]
                            if type(x) is type(y) and (type(x) is int or type(x) is str):
                                if x == y:
                                    pc = c
                            elif values_equal(x, y):
                                pc = c
                        else:  # JMPT
                            if x is True or (x is not False and x is not None and truthy(x)):
                                pc = b
                        continue
                    if op == GETINDEX:
                        x = regs[b]
                        y = regs[c]
                        if type(x) is list and type(y) is int and -len(x) <= y < len(x):
                            regs[a] = x[y]
                        else:
                            regs[a] = ops.index_get(x, y)
                        continue
                    if op == GETATTR:
                        x = regs[b]
                        if type(x) is Record:
                            regs[a] = x.fields.get(consts[c])
                        else:
                            regs[a] = ops.get_attr(x, consts[c])
                        continue
                    if op == CALLCELL or op == CALL:
                        if op == CALLCELL:
                            callee = codes[b]
                            if c == 1:
                                args = [regs[a + 1]]
                                regs[a + 1] = None
                            else:
                                args = regs[a + 1:a + 1 + c]
                                if c:
                                    regs[a + 1:a + 1 + c] = _NONES[c] if c < 64 else [None] * c
                            if c == callee.nparams and callee.simple:
                                fast = callee.fast if callee.tier_tried else self._tier(callee)
                                if fast is not None:
                                    frame.pc = pc
                                    regs[a] = fast(*args)
                                    args = None
                                    continue
                                new_regs = args + callee.padding
                            else:
                                new_regs = bind_arguments(callee, args, None)
                        else:
                            fn = regs[a]
                            args = regs[a + 1:a + 1 + b]
                            if b:
                                regs[a + 1:a + 1 + b] = _NONES[b] if b < 64 else [None] * b
                            if type(fn) is not Closure:
                                frame.pc = pc
                                regs[a] = self._call_value(fn, args, None)
                                args = fn = None
                                continue
                            callee = fn.func
                            new_regs = bind_arguments(callee, args, None, fn.captures)
                            fast = callee.fast if callee.tier_tried else self._tier(callee)
                            if fast is not None:
                                frame.pc = pc
                                regs[a] = fast(*new_regs[:callee.nparams + callee.ncaptures])
                                args = fn = new_regs = None
                                continue
                            fn = None
                        args = None
                        if len(frames) >= max_depth:
                            raise errors.stack_overflow(max_depth)
                        if counting:
                            self._spend(1)
                        frame.pc = pc
                        frame = Frame(callee, new_regs, a)
                        frames.append(frame)
                        if tracer is not None:
                            tracer.enter_frame(frame, frames)
                        code = callee
                        instrs = callee.instrs
                        consts = callee.constants
                        regs = new_regs
                        new_regs = None
                        pc = 0
                        continue
                    if op == RETURN or op == TRY or op == ENDDEFER:
                        if op == TRY:
                            x = regs[b]
                            if type(x) is not Variant or x.enum_name != "result":
                                regs[a] = None
                                continue
                            if x.tag != "err":
                                regs[a] = x.payload if x.tag == "ok" else None
                                continue
                            value = x
                        else:
                            value = regs[a] if op == RETURN else None
                        if op != ENDDEFER and not frame.exiting:
                            if frame.defers:
                                frame.exiting = True
                                frame.result = value
                                pc = frame.defers.pop()
                                continue
                        else:  # end of a deferred block (or `return` inside one)
                            if frame.defers:
                                pc = frame.defers.pop()
                                continue
                            if frame.error is not None:
                                raise frame.error
                            value = frame.result
                        frames.pop()
                        if tracer is not None:
                            tracer.exit_frame(frame)
                        if len(frames) == base:
                            return value
                        ret = frame.ret
                        frame = frames[-1]
                        code = frame.code
                        instrs = code.instrs
                        consts = code.constants
                        regs = frame.regs
                        regs[ret] = value
                        pc = frame.pc
                        continue
                    if op == SETINDEX:
                        x = regs[a]
                        y = regs[b]
                        if type(x) is list and type(y) is int and getrefcount(x) == UNIQUE_REFS \
                                and -len(x) <= y < len(x):
                            x[y] = regs[c]
                        elif type(x) is dict and getrefcount(x) == UNIQUE_REFS:
                            x[y if type(y) is str else plain(y)] = regs[c]
                        else:
                            regs[a] = ops.index_set(x, y, regs[c])
                        x = None
                        continue
                    if op == APPEND:
                        x = regs[a]
                        if type(x) is list and getrefcount(x) == UNIQUE_REFS:
                            x.append(regs[b])
                        else:
                            frame.pc = pc
                            regs[a] = self._call_builtin("append", [x, regs[b]], None)
                        x = None
                        continue
                    if op < 32:
                        x = regs[b]
                        y = regs[c]
                        if type(x) is int and type(y) is int:
                            if op == LT:
                                regs[a] = x < y
                            elif op == LE:
                                regs[a] = x <= y
                            elif op == GT:
                                regs[a] = x > y
                            elif op == GE:
                                regs[a] = x >= y
                            elif op == EQ:
                                regs[a] = x == y
                            else:
                                regs[a] = x != y
                        elif op == LT:
                            regs[a] = ops.lt(x, y)
                        elif op == LE:
                            regs[a] = ops.le(x, y)
                        elif op == GT:
                            regs[a] = ops.gt(x, y)
                        elif op == GE:
                            regs[a] = ops.ge(x, y)
                        elif op == EQ:
                            regs[a] = values_equal(x, y)
                        else:
                            regs[a] = not values_equal(x, y)
                        continue
                    if op == CALLBUILTIN:
                        args = regs[a + 1:a + 1 + c]
                        if c:
                            regs[a + 1:a + 1 + c] = _NONES[c] if c < 64 else [None] * c
                        frame.pc = pc
                        if type(b) is str:
                            raise errors.undefined_cell(b)
                        if b.needs_context:
                            regs[a] = b.fn(self, *args)
                        else:
                            regs[a] = b.fn(*args)
                        args = None
                        continue
                    if op == MOD:
                        x = regs[b]
                        y = regs[c]
                        if type(x) is int and type(y) is int and y > 0:
                            regs[a] = x % y
                        else:
                            regs[a] = ops.mod(x, y)
                        continue
                    # Everything else: less frequent operations.
                    frame.pc = pc
                    pc = self._slow_op(frame, op, a, b, c, pc)
                    if frame is not frames[-1]:
                        frame = frames[-1]
                        code = frame.code
                        instrs = code.instrs
                        consts = code.constants
                        regs = frame.regs
                        pc = frame.pc
            except LumenRuntimeError as exc:
                frame, pc = self._unwind(exc, frame, pc, base)
            except EffectAbort as abort:  # a nested effect arm ended without resume
                if abort.depth < base:
                    raise
                frame = abort_to(self, abort, base)
                pc = frame.pc
            except RecursionError as exc:
                frame, pc = self._unwind(self._overflow(exc), frame, pc, base)
            except (ArithmeticError, MemoryError) as exc:
                frame, pc = self._unwind(errors.internal(f"{type(exc).__name__}: {exc}"),
                                         frame, pc, base)
            code = frame.code
            instrs = code.instrs
            consts = code.constants
            regs = frame.regs

    def _overflow(self, exc: RecursionError) -> LumenRuntimeError:
        """`stack overflow` for Python's recursion limit reached in a faster tier, located
        in the generated frames the traceback holds (the interpreter's own frames are
        added as the error unwinds them)."""
        error = errors.stack_overflow(self.max_depth)
        if self.pytier is not None:
            self.pytier.locate_overflow(error, exc.__traceback__)
        return error

    def _trimmed(self, exc: LumenRuntimeError) -> LumenRuntimeError:
        """Python's recursion limit sits a little above the Lumen one: a `stack overflow`
        from a faster tier shows the outermost `max_depth` frames, as the interpreter."""
        stack = exc.lumen_stack
        if len(stack) > self.max_depth and exc.message.startswith("stack overflow"):
            dropped = len(stack) - self.max_depth
            del stack[:dropped]
            positions = getattr(exc, "frame_positions", ())
            if dropped < len(positions):  # the innermost frame kept was making a call
                exc.file, exc.line, exc.column = positions[dropped]
        return exc

    def _spend(self, steps: int) -> None:
        self.budget -= steps
        if self.budget < 0:
            self.budget = 0
            raise errors.instruction_limit(self.options.max_steps or 0)

    def _unwind(self, exc: LumenRuntimeError, frame: Frame, pc: int,
                base: int) -> tuple[Frame, int]:
        """Propagate `exc` outwards: run each frame's deferred blocks (§6.9), record the
        Lumen stack, and re-raise once the frames of this run loop are gone."""
        frames = self.frames
        while True:
            if frame.error is None:
                self._annotate(exc, frame, pc)
                frame.error = exc
            if frame.defers:
                frame.exiting = True
                return frame, frame.defers.pop()
            first = frame.error
            if isinstance(first, LumenRuntimeError):
                exc = first
            frames.pop()
            if self.call_tracer is not None:
                self.call_tracer.exit_frame(frame, exc)
            if len(frames) <= base:
                raise exc
            frame = frames[-1]
            pc = frame.pc

    def _call_value(self, fn: Any, args: list[Any], named: dict[str, Any] | None) -> Any:
        """Call a non-closure function value (builtin ref, composed) or fail."""
        t = type(fn)
        if t is BuiltinRef:
            return self._call_builtin(fn.name, args, named)
        if t is Composed:
            return self.call(fn.second, [self.call(fn.first, args)])
        if t is Closure:
            code = fn.func
            regs = bind_arguments(code, args, named, fn.captures)
            fast = code.fast if code.tier_tried else self._tier(code)
            if fast is not None:
                return fast(*regs[:code.nparams + code.ncaptures])
            return self._run_frame(code, regs)
        if t is ToolRef:
            return call_tool_value(self, fn, args, named)
        raise errors.type_error(f"cannot call {display(fn)}")

    def _push(self, frame: Frame, callee: Code, regs: list[Any], ret: int) -> None:
        fast = callee.fast if callee.tier_tried else self._tier(callee)
        if fast is not None:
            frame.regs[ret] = fast(*regs[:callee.nparams + callee.ncaptures])
            return
        if len(self.frames) >= self.max_depth:
            raise errors.stack_overflow(self.max_depth)
        pushed = Frame(callee, regs, ret)
        self.frames.append(pushed)
        if self.call_tracer is not None:
            self.call_tracer.enter_frame(pushed, self.frames)

    def _invoke_value(self, frame: Frame, fn: Any, args: list[Any],
                      named: dict[str, Any] | None, ret: int) -> None:
        """Call `fn` for the instruction at `frame.pc`: closures get a new frame, other
        callables run at once and store into `R[ret]`."""
        if type(fn) is Closure:
            self._push(frame, fn.func, bind_arguments(fn.func, args, named, fn.captures), ret)
        else:
            frame.regs[ret] = self._call_value(fn, args, named)

    def _slow_op(self, frame: Frame, op: int, a: int, b: int, c: int, pc: int) -> int:
        """Less frequent instructions; returns the next pc of `frame`. May push a frame
        (calls) or start an exit sequence."""
        from lumen.vm.interpreter_slow import slow_op

        return slow_op(self, frame, op, a, b, c, pc)

