"""Which registers surely hold a Python `int` before each instruction (forward dataflow,
intersection over predecessors). Used to drop `type(x) is int` tests from fast paths.

Only facts that hold whatever the argument values are: Int immediates, `length` of a
list, Int arithmetic on Int operands (its result is an int or the op raises), loop
counters. Parameters are unknown.
"""

from __future__ import annotations

from lumen.jit.pytier.cfg import CFG
from lumen.lir.opcodes import Op

_INT_FROM_INTS = {Op.ADD, Op.SUB, Op.MUL, Op.MOD}
_COUNT_BUILTINS = {"length", "len", "count", "size"}


def _transfer(instr: object, ints: set[int], constants: tuple) -> None:
    op, a, b, c = instr.op, instr.a, instr.b, instr.c  # type: ignore[attr-defined]
    if op == Op.LOADI:
        ints.add(a)
    elif op == Op.MOVE:
        if b in ints:
            ints.add(a)
        else:
            ints.discard(a)
    elif op in (Op.ADDI, Op.SUBI):
        if b in ints:
            ints.add(a)
        else:
            ints.discard(a)
    elif op in _INT_FROM_INTS:
        if b in ints and c in ints:
            ints.add(a)
        else:
            ints.discard(a)
    elif op == Op.LOADK:
        if type(constants[b]) is int:
            ints.add(a)
        else:
            ints.discard(a)
    elif op == Op.CALLBUILTIN:
        for reg in range(a + 1, a + 1 + c):
            ints.discard(reg)  # cleared after the call
        if constants[b] in _COUNT_BUILTINS:
            ints.add(a)
        else:
            ints.discard(a)
    elif op == Op.FORPREP:
        ints.discard(a)
        ints.add(a + 1)
    elif op == Op.FORNEXT:
        ints.discard(a)
        # R[B+1] stays an int when it was one.
    elif op in (Op.CALLCELL, Op.CALL, Op.CALLX):
        count = c if op == Op.CALLCELL else b
        for reg in range(a, a + 1 + count):
            ints.discard(reg)
    elif op in (Op.CALLCELLX, Op.INVOKE):
        # Argument counts come from constants; forget everything from A upwards.
        for reg in [x for x in ints if x >= a]:
            ints.discard(reg)
    elif op in (Op.JMP, Op.LTJF, Op.LEJF, Op.GTJF, Op.GEJF, Op.EQJF, Op.NEJF, Op.JMPF,
                Op.JMPT, Op.JMPNULL, Op.JMPNOTNULL, Op.DEFAULT, Op.TESTTAG, Op.TESTTYPE,
                Op.TESTEQ, Op.TESTTUPLE, Op.TESTLIST, Op.TESTLISTMIN, Op.TESTRECORD,
                Op.RETURN, Op.HALT, Op.UNDEFINED, Op.EMIT, Op.CONSTRAINT, Op.NOP,
                Op.LISTPUSH, Op.MAPPUT, Op.LISTEXTEND, Op.MAPMERGE):
        pass  # writes no register (in-place container updates keep the register's type)
    else:
        ints.discard(a)  # every other op writes (at most) R[A] with a value of any type


def int_registers(instrs: tuple, constants_of: tuple, cfg: CFG) -> list[frozenset[int]]:
    """For each pc, the registers holding an int before it runs (empty when unreachable)."""
    entry_state: dict[int, set[int] | None] = {label: None for label in cfg.rpo}
    entry_state[cfg.rpo[0]] = set()
    changed = True
    while changed:
        changed = False
        for label in cfg.rpo:
            state = entry_state[label]
            if state is None:
                continue
            block = cfg.blocks[label]
            ints = set(state)
            for pc in range(block.start, block.end):
                _transfer(instrs[pc], ints, constants_of)
            out = _after_branch(instrs[block.end - 1], ints)
            for s in block.succs:
                old = entry_state[s]
                new = set(out) if old is None else old & out
                if old is None or new != old:
                    entry_state[s] = new
                    changed = True
    result: list[frozenset[int]] = [frozenset()] * len(instrs)
    for label in cfg.rpo:
        state = entry_state[label]
        if state is None:
            continue
        ints = set(state)
        block = cfg.blocks[label]
        for pc in range(block.start, block.end):
            result[pc] = frozenset(ints)
            _transfer(instrs[pc], ints, constants_of)
    return result


def _after_branch(instr: object, ints: set[int]) -> set[int]:
    # COALESCE / ERRJMP write R[A] only on one way: already discarded by _transfer.
    return ints
