"""The Python tier drops constant stores and register copies nobody reads, and only those."""

from __future__ import annotations

from typing import Any

from lumen.jit.pytier.dead_stores import PrunedBlocks
from lumen.jit.pytier.structure import Cond, Goto, Line, Terminator


class _Blocks:
    def __init__(self, blocks: dict[int, tuple[list[Line], Terminator]]) -> None:
        self.blocks = blocks

    def block_lines(self, label: int) -> tuple[list[Line], Terminator]:
        return self.blocks[label]


class _CFG:
    def __init__(self, rpo: list[int]) -> None:
        self.rpo = rpo


def _pruned(blocks: dict[int, tuple[list[Line], Terminator]]) -> dict[int, list[str]]:
    source = PrunedBlocks(_Blocks(blocks), _CFG(sorted(blocks)))  # type: ignore[arg-type]
    return {label: [text for _, text in source.block_lines(label)[0]] for label in blocks}


def _lines(*texts: str) -> list[Line]:
    return [(0, text) for text in texts]


def test_a_folded_constant_is_dropped_and_a_read_one_kept() -> None:
    kept = _pruned({0: (_lines("r13 = 65536", "r12 = r3 // 65536", "r14 = 8",
                               "r5 = r12 % r14", "r4 = r10", "return r5"), None)})
    assert kept[0] == ["r12 = r3 // 65536", "r14 = 8", "r5 = r12 % r14", "return r5"]


def test_values_live_around_a_loop_or_into_a_branch_are_kept() -> None:
    blocks: dict[int, Any] = {
        0: (_lines("r1 = 0", "r2 = 10", "r7 = 'unused'"), Goto(1)),
        1: (_lines("_K[0] -= 1"), Cond(1, "r1 < r2", (), 2, (), 3)),
        2: (_lines("r3 = 2", "r1 = r1 + r3"), Goto(1)),  # r3 read right away; r1 around
        3: (_lines("r9 = 'x'", "return r1"), None),
    }
    kept = _pruned(blocks)
    assert kept[0] == ["r1 = 0", "r2 = 10"]
    assert kept[2] == ["r3 = 2", "r1 = r1 + r3"]
    assert kept[3] == ["return r1"]


def test_lines_that_may_raise_or_do_more_are_never_dropped() -> None:
    kept = _pruned({0: (_lines("r1 = r2 // r3", "r4 = f(r5)", "r6 = 1; r7 = 2",
                               "r8 = r9 = 1", "return None"), None)})
    assert kept[0] == ["r1 = r2 // r3", "r4 = f(r5)", "r6 = 1; r7 = 2", "r8 = r9 = 1",
                       "return None"]


def test_the_native_entry_at_a_loop_header_keeps_every_register_alive() -> None:
    blocks: dict[int, Any] = {
        0: (_lines("r5 = 3"), Goto(1)),
        1: (_lines("_o = _OSR(0, 1, (r0, r1, r2, r3, r4, r5,))"), Cond(1, "r0", (), 1, (), 2)),
        2: (_lines("return None"), None),
    }
    assert _pruned(blocks)[0] == ["r5 = 3"]
