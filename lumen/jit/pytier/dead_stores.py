"""Removing constant loads whose register the generated Python never reads.

Templates fold a constant loaded earlier in a block into the instruction that uses it
(`r3 = r12 % 2147483648`), so the load itself (`r13 = 2147483648`) often stores a value
nobody reads: a wasted bytecode pair in hot loops. `PrunedBlocks` takes every block's
lines from the emitter, computes which registers are live in the generated code, and
drops the constant stores (`rN = <literal>`) and register copies (`rN = rM`) to dead
registers.

Liveness is read off the text, conservatively: any mention of `rN` in a line counts as a
read, and only a line that is one assignment `rN = <expression>` counts as a write of
`rN` (when the expression does not mention it). Only constant stores and register copies
are ever dropped: they cannot raise. The code that enters the native tier
at a loop header names every register, so everything is live there, and a register the
interpreter or native code may still need is never dropped: compiled Python code hands
its registers to nothing else.
"""

from __future__ import annotations

import re

from lumen.jit.pytier.cfg import CFG
from lumen.jit.pytier.structure import BlockSource, Cond, Goto, Line, Terminator

_REGISTER = re.compile(r"\br(\d+)\b")
_LITERAL = r"(?:-?\d+(?:\.\d+)?(?:e[-+]?\d+)?|None|True|False|'[^'\\\n]*'|\"[^\"\\\n]*\")"
# A line that only copies a literal or a register into a register: dropped when dead.
_PLAIN_STORE = re.compile(r"r(\d+) = (?:" + _LITERAL + r"|r\d+)")
# A line that only assigns one register (any expression): it kills the register.
_ASSIGNMENT = re.compile(r"r(\d+) = ([^;\n]*)")


def _reads(text: str) -> set[int]:
    return {int(n) for n in _REGISTER.findall(text)}


def _stored_constant(text: str) -> int | None:
    """The register a line stores a literal (or another register) into, if that is all
    the line does: nothing can go wrong in it, so it can go when the register is dead."""
    found = _PLAIN_STORE.fullmatch(text)
    return int(found.group(1)) if found else None


def _transfer(text: str, live: set[int]) -> None:
    """`live` before `text` from `live` after it (in place)."""
    found = _ASSIGNMENT.fullmatch(text)
    if found is None:
        live |= _reads(text)
        return
    target, value = int(found.group(1)), _reads(found.group(2))
    if target not in value:
        live.discard(target)
    live |= value


def _edges(term: Terminator) -> list[tuple[int, tuple[Line, ...]]]:
    if isinstance(term, Goto):
        return [(term.target, ())]
    if isinstance(term, Cond):
        return [(term.then_target, term.then_lines), (term.else_target, term.else_lines)]
    return []


class PrunedBlocks:
    """A `BlockSource` serving the emitter's blocks without their dead constant stores."""

    def __init__(self, source: BlockSource, cfg: CFG) -> None:
        self.blocks = {label: source.block_lines(label) for label in cfg.rpo}
        live_in = self._liveness(cfg)
        for label, (lines, term) in self.blocks.items():
            self.blocks[label] = (self._pruned(lines, self._live_out(term, live_in), term),
                                  term)

    def block_lines(self, label: int) -> tuple[list[Line], Terminator]:
        return self.blocks[label]

    def _live_out(self, term: Terminator, live_in: dict[int, set[int]]) -> set[int]:
        live: set[int] = set()
        for target, edge_lines in _edges(term):
            live |= live_in.get(target, set())
            for _, text in edge_lines:  # lines on the edge read; they are never dropped
                live |= _reads(text)
        if isinstance(term, Cond):
            live |= _reads(term.test)
        return live

    def _liveness(self, cfg: CFG) -> dict[int, set[int]]:
        live_in: dict[int, set[int]] = {label: set() for label in self.blocks}
        changed = True
        while changed:
            changed = False
            for label in reversed(cfg.rpo):
                lines, term = self.blocks[label]
                live = self._live_out(term, live_in)
                for _, text in reversed(lines):
                    _transfer(text, live)
                if live != live_in[label]:
                    live_in[label] = live
                    changed = True
        return live_in

    @staticmethod
    def _pruned(lines: list[Line], live: set[int], term: Terminator) -> list[Line]:
        kept: list[Line] = []
        for pc, text in reversed(lines):
            stored = _stored_constant(text)
            if stored is not None and stored not in live:
                continue
            _transfer(text, live)
            kept.append((pc, text))
        kept.reverse()
        return kept
