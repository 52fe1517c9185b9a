"""Structured control flow from a reducible CFG (Ramsey, "Beyond Relooper", ICFP 2022),
written out as Python statements.

`build_tree` follows the paper: `do_tree` walks the dominator tree; the children of a
node that are merge nodes (two or more forward in-edges) become blocks whose code follows
the node's code, sorted so the child with the highest reverse-postorder number is
outermost; `do_branch` turns an edge into a continue (back-edge), a break out of a block
(the target is placed as a block) or the target's code inlined. One change for Python: the
children of a loop header that lie outside the loop (its exits) are placed after the
loop, so leaving a loop is a plain `break`, and blocks nested in a loop whose exit lies
outside it are lifted to the loop header.

`write` turns the tree into Python lines. Python has no labelled blocks, so a jump is
  - nothing when it is in tail position (falling off reaches its target),
  - `continue` / `break` when the innermost Python loop gives exactly that,
  - else a block with a non-tail exit becomes a one-shot `while True: ...; break`, and a
    jump across several Python loops sets the pending-exit variable `_t` and breaks; each
    loop it crosses checks `_t` right after itself and carries on.
"""

from __future__ import annotations

from lumen.jit.pytier.cfg import CFG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple, Protocol
else:
    from lumen.plain_tuples import NamedTuple

    Protocol = object  # for type checkers only

Line = tuple[int, str]  # (pc it belongs to, statement text; may hold "\n" + deeper lines)


# Plain records (NamedTuple, not dataclasses): the Python tier is imported by every run,
# and a NamedTuple class costs a seventh of a dataclass to create.
class Goto(NamedTuple):
    target: int


class Cond(NamedTuple):
    pc: int
    test: str  # Python expression: true -> then_target
    then_lines: tuple[Line, ...]
    then_target: int
    else_lines: tuple[Line, ...]
    else_target: int


Terminator = Goto | Cond | None  # None: the block's lines end the cell (return / raise)


class BlockSource(Protocol):
    def block_lines(self, label: int) -> tuple[list[Line], Terminator]: ...


# Tree statements: ("code", lines) | ("if", pc, test, then, else) | ("loop", h, body)
# | ("block", y, body, follow) | ("br", y) | ("cont", h)
Stmt = tuple


class _Builder:
    def __init__(self, cfg: CFG, source: BlockSource) -> None:
        self.cfg = cfg
        self.source = source
        self.children: dict[int, list[int]] = {label: [] for label in cfg.rpo}
        self.placed_after: set[int] = set()  # nodes reached by break (block followers)
        self.outside: dict[int, list[int]] = {}  # loop header -> its blocks placed after it
        self._place()

    def _innermost_loop(self, label: int) -> int | None:
        best = None
        for header, body in self.cfg.loops.items():
            if label in body and (best is None or len(body) < len(self.cfg.loops[best])):
                best = header
        return best

    def _place(self) -> None:
        cfg = self.cfg
        loops = cfg.loops
        for y in cfg.rpo[1:]:
            parent = cfg.idom[y]
            as_block = cfg.is_merge(y)
            outside_of: int | None = None
            # Lift y out of the outermost loop that holds its dominator but not y (natural
            # loops nest, so that loop holds every other such loop).
            holders = [h for h, body in loops.items() if parent in body and y not in body]
            if holders:
                outside_of = max(holders, key=lambda h: len(loops[h]))
                parent = outside_of
                as_block = True
            self.children[parent].append(y)
            if as_block:
                self.placed_after.add(y)
                if outside_of is not None:
                    self.outside.setdefault(outside_of, []).append(y)

    def do_tree(self, x: int) -> list[Stmt]:
        cfg = self.cfg
        outside = set(self.outside.get(x, ()))
        merges = [c for c in self.children[x] if c in self.placed_after]
        inner = sorted((c for c in merges if c not in outside), key=lambda c: -cfg.rpo_index[c])
        after = sorted((c for c in merges if c in outside), key=lambda c: -cfg.rpo_index[c])
        code = self._node_within(x, inner)
        if x in cfg.loops:
            code = [("loop", x, code)]
        for y in reversed(after):  # innermost (lowest rpo) first
            code = [("block", y, code, self.do_tree(y))]
        return code

    def _node_within(self, x: int, merges: list[int]) -> list[Stmt]:
        if merges:
            y, rest = merges[0], merges[1:]
            return [("block", y, self._node_within(x, rest), self.do_tree(y))]
        lines, term = self.source.block_lines(x)
        out: list[Stmt] = [("code", lines)] if lines else []
        if isinstance(term, Goto):
            out.extend(self._do_branch(x, term.target))
        elif isinstance(term, Cond):
            then = [("code", list(term.then_lines))] if term.then_lines else []
            then += self._do_branch(x, term.then_target)
            other = [("code", list(term.else_lines))] if term.else_lines else []
            other += self._do_branch(x, term.else_target)
            out.append(("if", term.pc, term.test, then, other))
        return out

    def _do_branch(self, source: int, target: int) -> list[Stmt]:
        if (source, target) in self.cfg.back_edges:
            return [("cont", target)]
        if target in self.placed_after:
            return [("br", target)]
        return self.do_tree(target)


def build_tree(cfg: CFG, source: BlockSource) -> list[Stmt]:
    return _Builder(cfg, source).do_tree(cfg.rpo[0])


# ----------------------------------------------------------------------------- writing

# Continuations: what falling off the end of a statement list means.
_SEQ = ("seq", -1)


class _PyLoop:
    __slots__ = ("kind", "label", "exit_k", "crossing")

    def __init__(self, kind: str, label: int, exit_k: tuple[str, int],
                 crossing: list[tuple[str, int]]) -> None:
        self.kind = kind  # "loop" (header h) or "once" (one-shot block y)
        self.label = label
        self.exit_k = exit_k  # continuation after the Python loop statement
        self.crossing = crossing  # pending exits that pass through this loop


class NeedsOneShot(Exception):
    def __init__(self, label: int) -> None:
        self.label = label


class Writer:
    """Writes the tree as indented Python lines, each tagged with its pc."""

    def __init__(self, oneshots: set[int]) -> None:
        self.oneshots = oneshots
        self.out: list[tuple[int, str]] = []  # (pc, full line text)
        self.uses_pending = False
        self.ctx: list[tuple[str, int, _PyLoop | None]] = []  # ("block"|"loop"|"once", label)
        self.pyloops: list[_PyLoop] = []

    def emit(self, pc: int, depth: int, text: str) -> None:
        pad = "    " * depth
        for part in text.split("\n"):
            self.out.append((pc, pad + part))

    def write_list(self, stmts: list[Stmt], depth: int, k: tuple[str, int], pc: int) -> int:
        """Returns the pc of the last statement written (for `pass` lines)."""
        if not stmts:
            self.emit(pc, depth, "pass")
            return pc
        before = len(self.out)
        for i, stmt in enumerate(stmts):
            last = i == len(stmts) - 1
            pc = self.write_stmt(stmt, depth, k if last else _SEQ, pc)
        if len(self.out) == before:
            self.emit(pc, depth, "pass")
        return pc

    def write_stmt(self, stmt: Stmt, depth: int, k: tuple[str, int], pc: int) -> int:
        kind = stmt[0]
        if kind == "code":
            for line_pc, text in stmt[1]:
                self.emit(line_pc, depth, text)
                pc = line_pc
            return pc
        if kind == "if":
            _, if_pc, test, then, other = stmt
            self.emit(if_pc, depth, f"if {test}:")
            self.write_list(then, depth + 1, k, if_pc)
            if self._ends_path(depth + 1) and other and not \
                    (len(other) == 1 and other[0][0] == "if"):
                # The then-arm never falls through: the else-arm needs no nesting.
                return self.write_list(other, depth, k, if_pc)
            # `elif` chains keep Python's static nesting shallow (match arms).
            while len(other) == 1 and other[0][0] == "if":
                _, if_pc, test, then, other = other[0]
                self.emit(if_pc, depth, f"elif {test}:")
                self.write_list(then, depth + 1, k, if_pc)
            if other and not self._is_silent(other, k):
                self.emit(if_pc, depth, "else:")
                self.write_list(other, depth + 1, k, if_pc)
            return if_pc
        if kind == "loop":
            _, header, body = stmt
            loop = _PyLoop("loop", header, k, [])
            self.emit(pc, depth, "while True:")
            self.ctx.append(("loop", header, loop))
            self.pyloops.append(loop)
            pc = self.write_list(body, depth + 1, ("loop", header), pc)
            self.pyloops.pop()
            self.ctx.pop()
            self._dispatch_after(loop, depth, k, pc)
            return pc
        if kind == "block":
            _, label, body, follow = stmt
            if label in self.oneshots:
                loop = _PyLoop("once", label, ("block", label), [])
                self.emit(pc, depth, "while True:")
                self.ctx.append(("once", label, loop))
                self.pyloops.append(loop)
                pc = self.write_list(body, depth + 1, ("block", label), pc)
                self.emit(pc, depth + 1, "break")
                self.pyloops.pop()
                self.ctx.pop()
                self._dispatch_after(loop, depth, ("block", label), pc)
            else:
                self.ctx.append(("block", label, None))
                pc = self.write_list(body, depth, ("block", label), pc)
                self.ctx.pop()
            return self.write_list(follow, depth, k, pc)
        if kind == "br":
            self.write_jump(("block", stmt[1]), depth, k, pc)
            return pc
        if kind == "cont":
            self.write_jump(("loop", stmt[1]), depth, k, pc)
            return pc
        raise AssertionError(kind)

    def _ends_path(self, depth: int) -> bool:
        """The last line written is a return/raise/break/continue at `depth`."""
        if not self.out:
            return False
        text = self.out[-1][1]
        pad = "    " * depth
        if not text.startswith(pad) or text[len(pad):len(pad) + 1] == " ":
            return False
        body = text[len(pad):]
        return body.startswith(("return ", "raise ")) or body in ("break", "continue",
                                                                  "return")

    def _is_silent(self, stmts: list[Stmt], k: tuple[str, int]) -> bool:
        """An else arm that is only a tail jump writes nothing."""
        return len(stmts) == 1 and stmts[0][0] in ("br", "cont") and \
            (("block" if stmts[0][0] == "br" else "loop"), stmts[0][1]) == k

    def write_jump(self, target: tuple[str, int], depth: int, k: tuple[str, int],
                   pc: int) -> None:
        if target == k:
            return  # tail position: falling off the end gets there
        if self.pyloops:
            inner = self.pyloops[-1]
            if target[0] == "loop" and inner.kind == "loop" and inner.label == target[1]:
                self.emit(pc, depth, "continue")
                return
            if inner.exit_k == target:
                self.emit(pc, depth, "break")
                return
        if target[0] == "block" and target[1] not in self.oneshots:
            # No Python loop between here and the block: a one-shot loop gives a break.
            crossed = False
            for kind, label, _loop in reversed(self.ctx):
                if kind == "block" and label == target[1]:
                    break
                if kind != "block":
                    crossed = True
            if not crossed:
                raise NeedsOneShot(target[1])
        # Leave several Python loops: remember where to go and break; each loop crossed
        # dispatches on `_t` right after itself.
        self.uses_pending = True
        code = self._pending_code(target)
        self.emit(pc, depth, f"_t = {code}")
        self.emit(pc, depth, "break")
        if target not in self.pyloops[-1].crossing:
            self.pyloops[-1].crossing.append(target)

    @staticmethod
    def _pending_code(target: tuple[str, int]) -> int:
        # Distinct small ints: loops even, blocks odd.
        return target[1] * 2 + (1 if target[0] == "block" else 0)

    def _dispatch_after(self, loop: _PyLoop, depth: int, k: tuple[str, int], pc: int) -> None:
        for target in loop.crossing:
            self.emit(pc, depth, f"if _t == {self._pending_code(target)}:")
            self.emit(pc, depth + 1, "_t = None")
            self.write_jump(target, depth + 1, k, pc)


def write_tree(tree: list[Stmt], depth: int) -> tuple[list[tuple[int, str]], bool]:
    """Python lines (pc, text) for `tree` and whether the pending-exit variable `_t` is
    used. Blocks that need a one-shot loop are found by retrying."""
    oneshots: set[int] = set()
    while True:
        writer = Writer(oneshots)
        try:
            writer.write_list(tree, depth, ("end", -1), 0)
        except NeedsOneShot as need:
            oneshots.add(need.label)
            continue
        return writer.out, writer.uses_pending
