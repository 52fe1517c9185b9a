"""Control-flow graph of one LIR function: basic blocks, reverse postorder, dominators,
natural loops.

Blocks are named by the pc of their first instruction. Only blocks reachable from pc 0 are
kept (the lowering leaves dead `JMP`/`RETURN` tails after returns).
"""

from __future__ import annotations

from collections.abc import Callable

from lumen.lir.opcodes import JUMP_OPERANDS, OP_INFO, Op

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    State = TypeVar("State")

# Terminators with no successor inside the cell.
_EXITS = frozenset({Op.RETURN, Op.HALT, Op.UNDEFINED, Op.ENDDEFER, Op.RESUME})


class Irreducible(Exception):
    """The CFG has a loop with more than one entry; the cell stays interpreted."""


# Plain classes, not dataclasses: every run imports the Python tier, and creating a
# dataclass costs far more than a class with `__slots__`.
class Block:
    __slots__ = ("start", "end", "succs", "preds")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end  # exclusive: instructions start..end-1
        self.succs: list[int] = []  # [fallthrough, jump target] for branches
        self.preds: list[int] = []


class CFG:
    __slots__ = ("blocks", "rpo", "rpo_index", "idom", "back_edges", "loops")

    def __init__(self, blocks: dict[int, Block], rpo: list[int], rpo_index: dict[int, int],
                 idom: dict[int, int], back_edges: set[tuple[int, int]],
                 loops: dict[int, frozenset[int]]) -> None:
        self.blocks = blocks
        self.rpo = rpo  # block starts in reverse postorder
        self.rpo_index = rpo_index
        self.idom = idom  # immediate dominator (the entry maps to itself)
        self.back_edges = back_edges
        self.loops = loops  # header -> blocks of its natural loop

    def dominates(self, a: int, b: int) -> bool:
        while True:
            if a == b:
                return True
            parent = self.idom[b]
            if parent == b:
                return False
            b = parent

    def is_merge(self, label: int) -> bool:
        """Two or more forward edges enter this block (Ramsey's merge node)."""
        forward = [p for p in self.blocks[label].preds if (p, label) not in self.back_edges]
        return len(forward) >= 2


def _instr_op(instr: object) -> Op:
    return Op(instr.op)  # type: ignore[attr-defined]


def block_successors(code: tuple, start: int, end: int) -> list[int]:
    last = code[end - 1]
    op = _instr_op(last)
    if op in _EXITS:
        return []
    if op == Op.JMP:
        return [last.a]
    if OP_INFO[op].ends_block:
        operand = JUMP_OPERANDS[op]
        target = (last.a, last.b, last.c)[operand]
        return [end, target]
    return [end]  # falls into the next leader


def build_cfg(code: tuple) -> CFG:
    """Split `code` (a tuple of `Instr`) into blocks and analyse them."""
    n = len(code)
    leaders = {0}
    for pc, instr in enumerate(code):
        op = _instr_op(instr)
        if op in JUMP_OPERANDS:
            leaders.add((instr.a, instr.b, instr.c)[JUMP_OPERANDS[op]])
        if OP_INFO[op].ends_block and pc + 1 < n:
            leaders.add(pc + 1)
    starts = sorted(x for x in leaders if x < n)
    blocks: dict[int, Block] = {}
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else n
        blocks[start] = Block(start, end)
    for block in blocks.values():
        block.succs = block_successors(code, block.start, block.end)
        for s in block.succs:
            if s not in blocks:
                raise Irreducible(f"jump to {s} outside the cell")
    # Depth-first order from the entry (iterative: cells can be long).
    order: list[int] = []
    seen = {0}
    stack: list[tuple[int, int]] = [(0, 0)]
    while stack:
        label, i = stack.pop()
        succs = blocks[label].succs
        if i < len(succs):
            stack.append((label, i + 1))
            s = succs[i]
            if s not in seen:
                seen.add(s)
                stack.append((s, 0))
        else:
            order.append(label)
    rpo = order[::-1]
    rpo_index = {label: i for i, label in enumerate(rpo)}
    blocks = {label: blocks[label] for label in rpo}
    for label in rpo:
        for s in blocks[label].succs:
            blocks[s].preds.append(label)
    idom = _dominators(blocks, rpo, rpo_index)
    cfg = CFG(blocks, rpo, rpo_index, idom, set(), {})
    for label in rpo:
        for s in blocks[label].succs:
            if rpo_index[s] <= rpo_index[label]:
                if not cfg.dominates(s, label):
                    raise Irreducible("loop with more than one entry")
                cfg.back_edges.add((label, s))
    for source, header in cfg.back_edges:
        body = set(cfg.loops.get(header, {header}))
        work = [source]
        while work:
            b = work.pop()
            if b not in body:
                body.add(b)
                work.extend(blocks[b].preds)
        cfg.loops[header] = frozenset(body)
    return cfg


def _dominators(blocks: dict[int, Block], rpo: list[int],
                rpo_index: dict[int, int]) -> dict[int, int]:
    """Cooper, Harvey and Kennedy's iterative algorithm."""
    entry = rpo[0]
    idom: dict[int, int] = {entry: entry}

    def intersect(a: int, b: int) -> int:
        while a != b:
            while rpo_index[a] > rpo_index[b]:
                a = idom[a]
            while rpo_index[b] > rpo_index[a]:
                b = idom[b]
        return a

    changed = True
    while changed:
        changed = False
        for label in rpo[1:]:
            new: int | None = None
            for p in blocks[label].preds:
                if p in idom:
                    new = p if new is None else intersect(p, new)
            if new is not None and idom.get(label) != new:
                idom[label] = new
                changed = True
    return idom


def forward_dataflow(cfg: CFG, ncode: int, initial: State, copy: Callable[[State], State],
                     step: Callable[[int, State], None],
                     join: Callable[[State, State], State]) -> list[State | None]:
    """A forward analysis to its fixpoint: `step(pc, state)` applies instruction `pc` in
    place, `join(old, new)` merges the states where paths meet. The state before each pc
    (None when unreachable)."""
    entry: dict[int, Any] = {label: None for label in cfg.rpo}
    entry[cfg.rpo[0]] = copy(initial)
    changed = True
    while changed:
        changed = False
        for label in cfg.rpo:
            state = entry[label]
            if state is None:
                continue
            block = cfg.blocks[label]
            current = copy(state)
            for pc in range(block.start, block.end):
                step(pc, current)
            for succ in block.succs:
                old = entry[succ]
                merged = copy(current) if old is None else join(old, current)
                if merged != old:
                    entry[succ] = merged
                    changed = True
    result: list[Any] = [None] * ncode
    for label in cfg.rpo:
        state = entry[label]
        if state is None:
            continue
        current = copy(state)
        block = cfg.blocks[label]
        for pc in range(block.start, block.end):
            result[pc] = copy(current)
            step(pc, current)
    return result
