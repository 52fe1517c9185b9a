"""Explicit execution state of the VM: decoded functions and call frames.

All Lumen-level state lives in these objects (never on the Python stack), so a slice of
the frame list is a delimited continuation (effects, §11) and call depth is bounded only
by `VMOptions.max_depth`.
"""

from __future__ import annotations

from lumen.lir.module import Function
from lumen.lir.opcodes import Op
from lumen.vm import errors

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Missing:
    """Marker in a parameter register: the argument was not passed (its default runs)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING = Missing()


class Code:
    """A function decoded for execution: instructions as plain tuples, constants bound.

    `Closure.func` holds a `Code`, so closure identity (§9.3) is identity of this object.
    """

    __slots__ = ("function", "index", "name", "instrs", "constants", "nregs", "nparams",
                 "ncaptures", "simple", "padding", "param_index", "defaults", "variadic",
                 "lines", "file", "fast", "tier_tried")

    def __init__(self, function: Function, index: int, file: str,
                 resolve_builtin: Any) -> None:
        self.function = function
        self.index = index
        self.file = file
        self.name = function.shown_name
        self.constants = function.constants
        self.nregs = function.nregs
        self.nparams = len(function.params)
        self.ncaptures = len(function.captures)
        self.variadic = function.variadic
        self.simple = not self.variadic and not self.ncaptures
        self.padding = [None] * (self.nregs - self.nparams)
        self.param_index = {p.name: i for i, p in enumerate(function.params)}
        self.defaults = tuple(p.has_default for p in function.params)
        self.lines = function.lines
        # Faster tiers (lumen/jit): `fast` takes the registers R[0..nparams+ncaptures-1]
        # positionally and returns the result; `tier_tried` once the Python tier was asked.
        self.fast: Any = None
        self.tier_tried = False
        decoded = []
        for instr in function.code:
            b: Any = instr.b
            if instr.op == Op.CALLBUILTIN:
                name = function.constants[instr.b]
                b = resolve_builtin(name) or name
            decoded.append((int(instr.op), instr.a, b, instr.c))
        self.instrs = tuple(decoded)

    def line_at(self, pc: int) -> tuple[int, int]:
        if 0 <= pc < len(self.lines):
            return self.lines[pc]
        return (0, 0)


class Frame:
    """One activation: registers, program counter and the exit sequence state."""

    __slots__ = ("code", "regs", "pc", "ret", "defers", "exiting", "result", "error")

    def __init__(self, code: Code, regs: list[Any], ret: int) -> None:
        self.code = code
        self.regs = regs
        self.pc = 0
        self.ret = ret  # caller register that receives the result
        self.defers: list[int] | None = None
        self.exiting = False  # running deferred blocks on the way out
        self.result: Any = None
        self.error: BaseException | None = None


def bind_arguments(code: Code, positional: list[Any], named: dict[str, Any] | None,
                   captures: tuple[Any, ...] = ()) -> list[Any]:
    """Registers for a new frame of `code` (§5.1): positional left to right, then named;
    absent parameters get the missing marker (default) or null; a variadic parameter
    collects the remaining positional arguments."""
    nparams = code.nparams
    regs: list[Any] = [None] * code.nregs
    defaults = code.defaults
    fixed = nparams - 1 if code.variadic else nparams
    count = min(len(positional), fixed)
    regs[:count] = positional[:count]
    for index in range(count, fixed):
        regs[index] = MISSING if defaults[index] else None
    if code.variadic:
        regs[fixed] = list(positional[fixed:])
    if named:
        for name, value in named.items():
            index = code.param_index.get(name)
            if index is None:
                raise errors.type_error(f"unknown argument '{name}' for {code.name}")
            if index < count:
                raise errors.type_error(f"argument '{name}' of {code.name} given twice")
            regs[index] = value
    if captures:
        regs[nparams:nparams + len(captures)] = captures
    return regs
