"""Which registers hold a container nothing else refers to (forward dataflow).

Lumen lists, maps and records are values: `xs = append(xs, v)` may update `xs` in place
only when no other reference to that object exists. Generated code checks this at run time
with `sys.getrefcount(x) == 2`. That test is unnecessary where the register surely holds
an unshared object: one this function made (a fresh list or map, or the result of an
append or index update, which are unshared whichever path they took) and has not handed
anywhere since (copied to another register, stored in a container, passed to a cell or a
function value, captured, iterated). Reads that never keep a reference (indexing,
membership, length, arithmetic and comparisons, string building, the builtins below) keep
ownership. Anything not understood drops every claim, so the analysis errs on the side of
the run-time check.
"""

from __future__ import annotations

from lumen.jit.pytier.cfg import forward_dataflow
from lumen.lir.opcodes import OP_INFO, Op

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lumen.jit.pytier.emit import Emit

# Builtins that neither keep nor return a reference to their arguments.
_BORROWING_BUILTINS = frozenset({
    "length", "len", "count", "size", "join", "contains", "has", "keys", "values", "sum",
    "print", "to_string", "string", "str", "split",
})
# Ops that read registers only to compute a new value (numbers, strings, bools, jumps).
_NON_RETAINING = frozenset({
    Op.LOADI, Op.LOADK, Op.LOADNULL, Op.LOADBOOL, Op.ADDI, Op.SUBI, Op.ADD, Op.SUB,
    Op.MUL, Op.DIV, Op.MOD, Op.FLOORDIV, Op.NEG, Op.NOT, Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ,
    Op.NE, Op.LTJF, Op.LEJF, Op.GTJF, Op.GEJF, Op.EQJF, Op.NEJF, Op.JMP, Op.JMPF, Op.JMPT,
    Op.TOSTR, Op.JOINSTR, Op.GETINDEX, Op.IN, Op.NOP, Op.TRUTHY,
})
_FRESH = frozenset({Op.NEWLIST, Op.NEWMAP})


def owned_registers(e: Emit) -> list[frozenset[int]]:
    """For each pc, the registers that surely hold an unshared container before it."""
    assert e.cfg is not None
    states = forward_dataflow(e.cfg, len(e.instrs), set(), set,
                              lambda pc, owned: _transfer(e, pc, owned),
                              lambda old, new: old & new)
    return [frozenset() if state is None else frozenset(state) for state in states]


def _transfer(e: Emit, pc: int, owned: set[int]) -> None:
    if pc in e.skipped:  # a MOVE folded into its call: the call reads the source itself
        return
    instr = e.instrs[pc]
    op, a, b, c = instr.op, instr.a, instr.b, instr.c
    if op in _NON_RETAINING:
        if OP_INFO[op].format[0] == "R" and op not in _JUMPS:
            owned.discard(a)
        return
    if op == Op.MOVE:  # both registers now name the same object
        owned.discard(a)
        owned.discard(b)
        return
    if op in _FRESH:
        for reg in range(b, b + c):  # the elements are kept by the new container
            owned.discard(reg)
        owned.add(a)
        return
    if op == Op.APPEND:  # R[A] := R[A] + [R[B]]: unshared on both paths; R[B] is kept
        owned.discard(b)
        owned.add(a)
        return
    if op == Op.SETINDEX:
        owned.discard(c)
        if a != c:
            owned.add(a)
        return
    if op == Op.CALLBUILTIN and str(e.function.constants[b]) in _BORROWING_BUILTINS:
        for reg in range(a, a + 1 + c):
            owned.discard(reg)
        return
    owned.clear()


_JUMPS = frozenset({Op.LTJF, Op.LEJF, Op.GTJF, Op.GEJF, Op.EQJF, Op.NEJF, Op.JMP, Op.JMPF,
                    Op.JMPT})
