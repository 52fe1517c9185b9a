"""One LIR function -> the Python source of one function whose locals are its registers.

`compile_source(tier, code)` checks the ops, builds the CFG (cfg.py), asks structure.py
for structured control flow and fills each basic block with the per-opcode templates
(templates.py), branch conditions (below) and calls (calls.py). It returns the source text
and the table from Python line numbers to LIR pcs used to annotate runtime errors.
"""

from __future__ import annotations

import math
import os
import re

from lumen.jit.pytier import calls
from lumen.jit.pytier.cfg import CFG, Irreducible, build_cfg
from lumen.jit.pytier.dead_stores import PrunedBlocks
from lumen.jit.pytier.inference import (
    Kinds,
    bounded_counters,
    register_kinds,
    written_registers,
)
from lumen.jit.pytier.ownership import owned_registers
from lumen.jit.pytier.structure import Cond, Goto, Line, Terminator, build_tree, write_tree
from lumen.jit.pytier.templates import TEMPLATES, compare_expr, equal_expr, r, truthy_expr
from lumen.lir.opcodes import OP_INFO, Op

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lumen.jit.pytier import PyTier
    from lumen.vm.frames import Code


class Unsupported(Exception):
    """The cell stays interpreted; the message says why."""


# Ops whose semantics need the interpreter's explicit frame state.
UNSUPPORTED_OPS = frozenset({
    Op.DEFER, Op.ENDDEFER, Op.HANDLE, Op.HANDLEARM, Op.UNHANDLE, Op.PERFORM, Op.RESUME,
    Op.AWAIT, Op.INSTANCE, Op.PROCESS,
})

_SAFE_NAME = re.compile(r"[^0-9A-Za-z_]")


class Emit:
    """Compilation state of one function; the templates call back into it."""

    def __init__(self, tier: PyTier, code: Code) -> None:
        self.tier = tier
        self.code = code
        self.function = code.function
        self.instrs = self.function.code
        self.index = code.index
        self.cfg: CFG | None = None
        self.folded: dict[tuple[int, int], int] = {}  # (call pc, arg register) -> source
        self.skipped: set[int] = set()  # pcs of MOVEs folded into a call
        self.owned: list[frozenset[int]] = []  # per pc: registers holding unshared containers
        self.bounded: set[int] = set()  # pcs of loop-counter increments that cannot overflow
        self.kinds: list[Kinds] = []
        self.pc = 0
        self.native = False

    # ---------------------------------------------------------------- template services

    def op_at(self, pc: int) -> Op:
        return self.instrs[pc].op

    def constant(self, k: int) -> Any:
        return self.function.constants[k]

    def const(self, k: int) -> str:
        return self.literal(self.function.constants[k])

    def literal(self, value: Any) -> str:
        """A Python expression for an immutable Lumen constant."""
        t = type(value)
        if value is None or t is bool or t is int or t is str or t is bytes:
            return repr(value)
        if t is float and math.isfinite(value):
            return repr(value)
        return self.tier.bind_value(value)

    def kind(self, reg: int) -> str | None:
        """The Python type register `reg` surely holds before the current instruction:
        "int", "float", "str", "bool", "list", or None when unknown."""
        return self.kinds[self.pc].get(reg)

    def is_owned(self, reg: int) -> bool:
        """Register `reg` surely holds a container no one else refers to (ownership.py)."""
        return reg in self.owned[self.pc]

    def constant_before(self, pc: int, reg: int) -> object:
        """The constant register `reg` surely holds at `pc`, when it was loaded earlier in
        the same basic block (None otherwise)."""
        assert self.cfg is not None
        start = max(label for label in self.cfg.blocks if label <= pc)
        for m in range(pc - 1, start - 1, -1):
            instr = self.instrs[m]
            if reg in written_registers(instr, self.function.nregs):
                if instr.op == Op.LOADI:
                    return instr.b
                if instr.op == Op.LOADK:
                    return self.function.constants[instr.b]
                return None
        return None

    def is_int(self, reg: int) -> bool:
        return self.kinds[self.pc].get(reg) == "int"

    def builtin_call(self, name: str, args: list[str]) -> str:
        spec = self.tier.vm.builtins.get(name)
        if spec is None:
            return f"_raise_undefined({name!r})"
        fn = self.tier.bind_builtin(name, spec)
        if spec.needs_context:
            args = ["_vm", *args]
        return f"{fn}({', '.join(args)})"

    def global_value(self, name: str) -> str:
        vm = self.tier.vm
        if name in vm.builtin_constants:
            return self.tier.bind_value(vm.builtin_constants[name])
        if name in vm.builtins:
            return self.tier.bind_builtin_ref(name)
        return f"_raise_undefined({name!r})"

    # ---------------------------------------------------------------- blocks

    def block_lines(self, label: int) -> tuple[list[Line], Terminator]:
        assert self.cfg is not None
        block = self.cfg.blocks[label]
        lines: list[Line] = []
        if self.native and label in self.cfg.loops:
            regs = ", ".join(r(i) for i in range(self.function.nregs))
            lines.append((label, f"_K[{self.index}] -= 1\n"
                                 f"if _K[{self.index}] < 0:\n"
                                 f"    _o = _OSR({self.index}, {label}, ({regs},))\n"
                                 f"    if _o is not _NO:\n"
                                 f"        return _o"))
        last = block.end - 1
        term_op = self.op_at(last)
        branches = OP_INFO[term_op].ends_block and term_op not in (
            Op.RETURN, Op.HALT, Op.UNDEFINED)
        body_end = last if branches else block.end
        for pc in range(block.start, body_end):
            if pc in self.skipped:
                continue
            text = self.instruction(pc)
            if text:
                lines.append((pc, text))
        if not branches:
            if not block.succs:
                return lines, None
            return lines, Goto(block.succs[0])
        self.pc = last
        if term_op == Op.JMP:
            return lines, Goto(self.instrs[last].a)
        cond = branch(self, last, block.end)
        return lines, cond

    def instruction(self, pc: int) -> str:
        self.pc = pc
        instr = self.instrs[pc]
        op = instr.op
        if op in calls.CALL_TEMPLATES:
            return calls.CALL_TEMPLATES[op](self, pc, instr.a, instr.b, instr.c)
        template = TEMPLATES.get(op)
        if template is None:
            raise Unsupported(f"{op.name} unsupported")
        return template(self, pc, instr.a, instr.b, instr.c)  # type: ignore[return-value]


# ------------------------------------------------------------------------ branches

_COMPARE_JUMP = {Op.LTJF: Op.LT, Op.LEJF: Op.LE, Op.GTJF: Op.GT, Op.GEJF: Op.GE}


def branch(e: Emit, pc: int, fallthrough: int) -> Cond:
    instr = e.instrs[pc]
    op, a, b, c = instr.op, instr.a, instr.b, instr.c
    if op in _COMPARE_JUMP:
        return Cond(pc, compare_expr(e, _COMPARE_JUMP[op], a, b), (), fallthrough, (), c)
    if op == Op.EQJF or op == Op.NEJF:
        return Cond(pc, equal_expr(e, a, b, op == Op.NEJF), (), fallthrough, (), c)
    x = r(a)
    if op == Op.JMPF:
        return Cond(pc, truthy_expr(x, e.kind(a)), (), fallthrough, (), b)
    if op == Op.JMPT:
        return Cond(pc, truthy_expr(x, e.kind(a)), (), b, (), fallthrough)
    if op == Op.FORNEXT:
        seq, i = r(b), r(b + 1)
        step = ((pc, f"{r(a)} = {seq}[{i}]"), (pc, f"{i} += 1"))
        return Cond(pc, f"{i} < len({seq})", step, fallthrough, (), c)
    if op == Op.JMPNULL:
        return Cond(pc, f"{x} is None", (), b, (), fallthrough)
    if op == Op.JMPNOTNULL:
        return Cond(pc, f"{x} is not None", (), b, (), fallthrough)
    if op == Op.DEFAULT:
        return Cond(pc, f"{x} is not _MISSING", (), b, (), fallthrough)
    if op == Op.COALESCE:
        # pc line before the test: `_o` is the value to keep, `_NO` when falling through.
        return Cond(pc, f"(_o := _coalesce({r(b)})) is not _NO",
                    ((pc, f"{x} = _o"),), c, (), fallthrough)
    if op == Op.ERRJMP:
        y = r(b)
        return Cond(pc, f"type({y}) is _Variant and {y}.tag == 'err' and "
                        f"{y}.enum_name == 'result'",
                    ((pc, f"{x} = {y}.payload"),), fallthrough, (), c)
    if op == Op.TESTTAG:
        _enum, tag = e.constant(b)
        return Cond(pc, f"type({x}) is _Variant and {x}.tag == {tag!r}", (), fallthrough,
                    (), c)
    if op == Op.TESTTYPE:
        return Cond(pc, f"_is_type({x}, {e.const(b)})", (), fallthrough, (), c)
    if op == Op.TESTEQ:
        return Cond(pc, f"_veq({x}, {e.const(b)})", (), fallthrough, (), c)
    if op == Op.TESTTUPLE:
        return Cond(pc, f"type({x}) is tuple and len({x}) == {b}", (), fallthrough, (), c)
    if op == Op.TESTLIST:
        return Cond(pc, f"type({x}) is list and len({x}) == {b}", (), fallthrough, (), c)
    if op == Op.TESTLISTMIN:
        return Cond(pc, f"type({x}) is list and len({x}) >= {b}", (), fallthrough, (), c)
    if op == Op.TESTRECORD:
        return Cond(pc, f"type({x}) is _Record and {x}.type_name == {e.const(b)}", (),
                    fallthrough, (), c)
    raise Unsupported(f"{op.name} unsupported")


# ------------------------------------------------------------------------ whole function


def check_supported(code: Code) -> None:
    function = code.function
    if function.is_generator:
        raise Unsupported("generator")
    for instr in function.code:
        if instr.op in UNSUPPORTED_OPS:
            raise Unsupported(f"{instr.op.name} unsupported")
    if not function.code:
        raise Unsupported("empty cell")


# Declared parameter types whose Python type one `type(x) is T` test on entry proves.
# Element types of lists are not: only the list-ness is.
_HINTED_KINDS = {"Int": "int", "Float": "float", "Bool": "bool", "String": "str"}


def param_hints(code: Code) -> Kinds:
    """register -> kind for the parameters whose declared type an entry guard can check
    (not defaulted ones: their register may hold the missing-argument marker)."""
    if code.variadic:
        return {}
    hints: Kinds = {}
    for reg, param in enumerate(code.function.params):
        if param.has_default or param.variadic:
            continue
        declared = param.type.strip()
        kind = "list" if declared.startswith("list[") else _HINTED_KINDS.get(declared)
        if kind is not None:
            hints[reg] = kind
    return hints


def observed_hints(code: Code, args: list[Any], captures: tuple[Any, ...]) -> Kinds:
    """param_hints plus the kinds of the values a closure entry first runs with: captured
    values and undeclared parameters (a lambda's captures have no declared type). The
    guard checks them on every entry; other values run the generic version."""
    if code.variadic:
        return {}
    hints = param_hints(code)
    params = code.function.params
    for reg, value in enumerate(args):
        if reg < len(params) and not params[reg].type and not params[reg].has_default:
            _observe(hints, reg, value)
    for offset, value in enumerate(captures):
        _observe(hints, len(params) + offset, value)
    return hints


_OBSERVED_KINDS = {int: "int", float: "float", bool: "bool", str: "str", list: "list"}


def _observe(hints: Kinds, reg: int, value: Any) -> None:
    kind = _OBSERVED_KINDS.get(type(value))
    if kind == "int" and not -9223372036854775808 <= value <= 9223372036854775807:
        return
    if kind is not None:
        hints[reg] = kind


def _guard_test(reg: int, kind: str) -> str:
    x = r(reg)
    test = f"type({x}) is {kind}"
    if kind == "int":  # big integers take the generic path
        test += f" and -9223372036854775808 <= {x} <= 9223372036854775807"
    return test


def compile_source(tier: PyTier, code: Code, native: bool, entry: bool = False,
                   hints: Kinds | None = None) -> tuple[str, str, list[int]]:
    """(name of the defined function, its source, pc per Python line number).

    `entry`: the closure entry `E{index}(params..., captures)` instead of `F{index}`, which
    unpacks the captured values itself (call sites of function values use it).

    `hints` (param_hints, observed_hints): register kinds the body may trust; one guard on
    entry sends any other arguments to the generic version `_G{index}` / `_GE{index}`
    (compiled without hints), before the `try:` so its errors are annotated once. Without
    hints the source defines `G{index}` / `GE{index}`. Every variant has its own line table,
    named like the function (`_annotate` is told which)."""
    check_supported(code)
    e = Emit(tier, code)
    e.native = native
    try:
        e.cfg = build_cfg(e.instrs)
    except Irreducible as exc:
        raise Unsupported(str(exc)) from None
    generic = hints is None
    e.kinds = register_kinds(e.instrs, code.function.constants, e.cfg, hints)
    e.bounded = bounded_counters(e.instrs, e.cfg, e.kinds, code.function.nregs)
    calls.fold_argument_moves(e)
    e.owned = owned_registers(e)
    body, uses_pending = write_tree(build_tree(e.cfg, PrunedBlocks(e, e.cfg)), 2)
    function = code.function
    nparams = len(function.params)
    nargs = nparams + len(function.captures)
    header: list[tuple[int, str]] = []
    rest = [r(i) for i in range(nargs, function.nregs)]
    if uses_pending:
        rest.append("_t")
    init = " = ".join(rest) + " = None" if rest else "pass"
    name = ("G" if generic else "") + ("E" if entry else "F") + str(code.index)
    if not entry and generic:
        name = f"G{code.index}"
    if entry:
        params = "".join(r(i) + ", " for i in range(nparams)) + "_cp"
        header.append((0, f"def {name}({params}):"))
        if nargs > nparams:  # captured values first: the guard may test them too
            header.append((0, "    " + "".join(r(i) + ", " for i in range(nparams, nargs))
                           + "= _cp"))
        if hints:
            header.append((0, _guard(hints, f"_GE{code.index}({params})")))
    else:
        params = ", ".join(r(i) for i in range(nargs))
        header.append((0, f"def {name}({params}):"))
        if hints:
            header.append((0, _guard(hints, f"_G{code.index}({params})")))
    header.append((0, "    " + init))
    if native:
        args = ", ".join(r(i) for i in range(nargs))
        header.append((0, f"    _K[{code.index}] -= 1\n"
                          f"    if _K[{code.index}] < 0:\n"
                          f"        _o = _HOT({code.index}, ({args}{',' if nargs else ''}))\n"
                          f"        if _o is not _NO:\n"
                          f"            return _o"))
    header.append((0, "    try:"))
    footer = [(0, "    except _LRE as _e:"),
              (0, f"        _annotate(_e, {code.index}, '{name}')"),
              (0, "        raise"),
              (0, "    except _PYERRORS as _e:"),
              (0, f"        raise _internal(_e, {code.index}, '{name}') from None")]
    lines: list[tuple[int, str]] = []
    for pc, text in header + body + footer:
        for part in text.split("\n"):
            lines.append((pc, part))
    pcs = [0] + [pc for pc, _ in lines]  # Python line numbers start at 1
    source = "\n".join(text for _, text in lines) + "\n"
    if os.environ.get("LUMEN_PYTIER_DUMP") == "1":
        import sys

        sys.stderr.write(f"# pytier: {code.name} (f{code.index})\n{source}\n")
    return name, source, pcs


def _guard(hints: Kinds, call: str) -> str:
    tests = " and ".join(_guard_test(reg, kind) for reg, kind in sorted(hints.items()))
    return f"    if not ({tests}):\n        return {call}"


def safe_name(name: str) -> str:
    return _SAFE_NAME.sub("_", name)
