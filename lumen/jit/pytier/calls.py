"""Call templates and the argument-move peephole.

A known cell is called through its global `C{index}` with positional arguments only (no
`*args` in the hot path, so CPython 3.11 inlines the Python-to-Python call). The argument
shape of the callee (missing defaults, a variadic rest, dropped surplus arguments) is
resolved here at compile time, the way `bind_arguments` does it at run time.

The interpreter clears argument registers after a call so a dead temporary never makes a
container look shared. Here `MOVE tmp, rX` feeding only a call argument is folded (the call
reads `rX`), and the remaining argument temporaries are set to None after the call.
"""

from __future__ import annotations

from collections.abc import Callable

from lumen.jit.pytier.fast_builtins import fast_builtin
from lumen.jit.pytier.templates import r
from lumen.lir.opcodes import Op

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lumen.jit.pytier.emit import Emit


def _args(e: Emit, pc: int, first: int, count: int) -> tuple[list[str], list[int]]:
    """Argument expressions and the temporaries to clear after the call."""
    exprs: list[str] = []
    clear: list[int] = []
    for reg in range(first, first + count):
        source = e.folded.get((pc, reg))
        if source is None:
            exprs.append(r(reg))
            kind = e.kinds[pc].get(reg)
            if kind is None or kind == "dict" or kind.startswith("list"):  # scalars cannot
                clear.append(reg)  # look shared
                clear.append(reg)
        else:
            exprs.append(r(source))
    return exprs, clear


def _clear(clear: list[int]) -> str:
    return "\n" + " = ".join(r(reg) for reg in clear) + " = None" if clear else ""


def bind_static(callee_params: tuple, variadic: bool, ncaptures: int,
                positional: list[str], named: dict[str, str] | None) -> list[str] | None:
    """`bind_arguments` at compile time: the callee's register expressions, or None when
    the binding fails (the run-time path raises the proper error)."""
    nparams = len(callee_params)
    fixed = nparams - 1 if variadic else nparams
    count = min(len(positional), fixed)
    regs = positional[:count]
    for index in range(count, fixed):
        regs.append("_MISSING" if callee_params[index].has_default else "None")
    if variadic:
        regs.append("[" + ", ".join(positional[fixed:]) + "]")
    if named:
        index_of = {p.name: i for i, p in enumerate(callee_params)}
        for name, expr in named.items():
            index = index_of.get(name)
            if index is None or index < count:
                return None
            regs[index] = expr
    regs.extend(["None"] * ncaptures)
    return regs


def _callcell(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    callee = e.tier.vm.codes[b]
    exprs, clear = _args(e, pc, a + 1, c)
    regs = bind_static(callee.function.params, callee.variadic, callee.ncaptures, exprs, None)
    assert regs is not None
    return f"{r(a)} = {_cell_call(e, b, regs)}" + _clear(clear)


def _cell_call(e: Emit, index: int, regs: list[str]) -> str:
    """A call of cell `index` with its registers bound; a record's plain constructor cell
    (`RECORD` of its parameters, then `RETURN`: nothing can fail) is built in place."""
    function = e.tier.vm.codes[index].function
    code = function.code
    if (len(code) == 2 and code[0].op == Op.RECORD and code[0].c == 0
            and code[1].op == Op.RETURN and code[1].a == code[0].a
            and not function.captures and not function.variadic
            and len(regs) == len(function.params)):
        type_name, names = function.constants[code[0].b]
        if len(names) == len(regs) and not any(p.has_default for p in function.params):
            fields = ", ".join(f"{name!r}: {x}" for name, x in zip(names, regs))
            return f"_Record({type_name!r}, {{{fields}}})"
    return f"C{index}({', '.join(regs)})"


def _callcellx(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    shape = e.constant(c)
    callee = e.tier.vm.codes[b]
    exprs, clear = _args(e, pc, a + 1, len(shape))
    regs = None
    if "*" not in shape:
        positional = [x for kind, x in zip(shape, exprs) if kind == ""]
        named = {kind: x for kind, x in zip(shape, exprs) if kind != ""}
        if len(named) == len([k for k in shape if k]):  # no name given twice
            regs = bind_static(callee.function.params, callee.variadic, callee.ncaptures,
                               positional, named)
    if regs is not None:
        return f"{r(a)} = {_cell_call(e, b, regs)}" + _clear(clear)
    return (f"{r(a)} = _call_cell_shaped({b}, [{', '.join(exprs)}], {e.literal(shape)})"
            + _clear(clear))


def _call(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    """A function value: a one-entry inline cache per call site keyed by the closure's
    code; a hit calls the cell's closure entry directly (`E{index}(args..., captures)`)."""
    exprs, clear = _args(e, pc, a + 1, b)
    source = e.folded.get((pc, a))
    f = r(a) if source is None else r(source)
    site = e.tier.new_call_site()
    joined = "".join(x + ", " for x in exprs)
    return (f"if type({f}) is _Closure and {f}.func is _ic{site}:\n"
            f"    {r(a)} = _ie{site}({joined}{f}.captures)\n"
            f"else:\n"
            f"    {r(a)} = _call_site({site}, {f}, [{', '.join(exprs)}])" + _clear(clear))


def _callbuiltin(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    name = e.constant(b)
    exprs, clear = _args(e, pc, a + 1, c)
    fast = fast_builtin(name, [e.kind(reg) for reg in range(a + 1, a + 1 + c)])
    if fast is not None and _is_standard(e, name):
        call = fast.template.format(*exprs)
    elif name in ("length", "len", "count", "size") and c == 1 and \
            e.tier.vm.builtins.get(name) is not None:
        x = exprs[0]
        kind = e.kind(a + 1)
        call = f"len({x})" if kind is not None and kind.startswith(("list", "str", "dict")) else (
            f"len({x}) if type({x}) is list or type({x}) is str else "
            f"{e.builtin_call(name, exprs)}")
    else:
        call = e.builtin_call(name, exprs)
    return f"{r(a)} = {call}" + _clear(clear)


def _is_standard(e: Emit, name: str) -> bool:
    """The VM runs the registered builtin `name` (not one a host replaced)."""
    from lumen.vm.builtins.registry import BUILTINS

    spec = e.tier.vm.builtins.get(name)
    return spec is not None and spec is BUILTINS.get(name)


def _callx(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    exprs, clear = _args(e, pc, a + 1, b)
    return (f"{r(a)} = _call_shaped({r(a)}, [{', '.join(exprs)}], {e.const(c)})"
            + _clear(clear))


def _invoke(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    name, shape = e.constant(b)
    receiver = r(a + 1)
    exprs, clear = _args(e, pc, a + 2, c)
    return (f"{r(a)} = _invoke({name!r}, {e.literal(shape)}, {receiver}, "
            f"[{', '.join(exprs)}])\n{receiver} = None" + _clear(clear))


def _closure(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    callee = e.tier.vm.codes[b]
    captured = "".join(r(c + i) + ", " for i in range(callee.ncaptures))
    return f"{r(a)} = _Closure({e.tier.bind_code(b)}, ({captured}), {callee.name!r})"


def _funcref(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    callee = e.tier.vm.codes[b]
    return f"{r(a)} = _Closure({e.tier.bind_code(b)}, (), {callee.name!r})"


CALL_TEMPLATES: dict[Op, Callable[[Emit, int, int, int, int], str]] = {
    Op.CALLCELL: _callcell, Op.CALLCELLX: _callcellx, Op.CALL: _call,
    Op.CALLBUILTIN: _callbuiltin, Op.CALLX: _callx, Op.INVOKE: _invoke,
    Op.CLOSURE: _closure, Op.FUNCREF: _funcref,
}

# ------------------------------------------------------------------------ peephole

_MULTI_READ = {Op.NEWLIST, Op.NEWTUPLE, Op.NEWSET, Op.JOINSTR}


def _call_args(instr: object) -> range | None:
    op, a, b, c = instr.op, instr.a, instr.b, instr.c  # type: ignore[attr-defined]
    if op == Op.CALLCELL or op == Op.CALLBUILTIN:
        return range(a + 1, a + 1 + c)
    if op == Op.CALL or op == Op.CALLX:
        return range(a + 1, a + 1 + b)
    return None


def _touches(e: Emit, instr: object) -> tuple[set[int], set[int]] | None:
    """(registers read, registers written) for the simple ops allowed between a folded
    MOVE and its call; None for anything else."""
    op, a, b, c = instr.op, instr.a, instr.b, instr.c  # type: ignore[attr-defined]
    fmt = _FORMATS.get(op)
    if fmt is None:
        return None
    reads: set[int] = set()
    if fmt[1] == "R":
        reads.add(b)
    if fmt[2] == "R":
        reads.add(c)
    if op in _MULTI_READ:
        reads.update(range(b, b + max(c, 1)))
    return reads, {a}


_FORMATS: dict[Op, str] = {}


def _init_formats() -> None:
    from lumen.lir.opcodes import OP_INFO

    simple = [Op.MOVE, Op.LOADK, Op.LOADI, Op.LOADNULL, Op.LOADBOOL, Op.ADD, Op.SUB, Op.ADDI,
              Op.SUBI, Op.MUL, Op.GETINDEX, Op.GETATTR, Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ,
              Op.NE, Op.MOD, Op.DIV, Op.FLOORDIV, Op.POW, Op.NEG, Op.NOT, Op.POSGET,
              Op.NEWLIST, Op.NEWTUPLE, Op.CONCAT, Op.TOSTR, Op.JOINSTR, Op.TRUTHY,
              Op.FUNCREF, Op.GLOBAL, Op.PAYLOAD, Op.OKVALUE]
    for op in simple:
        _FORMATS[op] = OP_INFO[op].format


_init_formats()


def fold_argument_moves(e: Emit) -> None:
    """Find `MOVE t, s` whose only use is as argument `t` of a call later in the block."""
    assert e.cfg is not None
    instrs = e.instrs
    for block in e.cfg.blocks.values():
        for pc in range(block.start, block.end):
            instr = instrs[pc]
            op = instr.op
            if op == Op.CALLCELLX:
                args = range(instr.a + 1, instr.a + 1 + len(e.constant(instr.c)))
            elif op == Op.INVOKE:
                args = range(instr.a + 2, instr.a + 2 + instr.c)
            else:
                args = _call_args(instr)
            if not args:
                continue
            for t in args:
                _fold_one(e, block.start, pc, t)
            if op == Op.CALL:
                _fold_one(e, block.start, pc, instr.a)


def _fold_one(e: Emit, block_start: int, call_pc: int, t: int) -> None:
    instrs = e.instrs
    m = call_pc - 1
    while m >= block_start:
        instr = instrs[m]
        if instr.op == Op.MOVE and instr.a == t:
            break
        if m in e.skipped:
            m -= 1
            continue
        touched = _touches(e, instr)
        if touched is None:
            return
        reads, writes = touched
        if t in reads or t in writes:
            return
        m -= 1
    else:
        return
    s = instrs[m].b
    if s == t:
        return
    for between in range(m + 1, call_pc):
        if between in e.skipped:
            continue
        touched = _touches(e, instrs[between])
        if touched is None or s in touched[1]:
            return
        # A folded MOVE in between still reads its source at the call: fine.
    e.skipped.add(m)
    e.folded[(call_pc, t)] = s
