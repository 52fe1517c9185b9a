"""Native lists in LLVM IR: the helper functions every unit carries (allocation on the
run's arena, append, copy, the exported `list_alloc`/`arena_free`) and the IR for reading
and writing list elements. The block layout and the length tag are in `layout.py`."""

from __future__ import annotations

from typing import Any

import llvmlite.ir as ir

from lumen.jit.native import layout as L
from lumen.jit.native.ir_values import (
    I1,
    I8,
    I8P,
    I32,
    I64,
    I64P,
    LIKELY,
    LIST_BYTES,
    LISTP,
    UNLIKELY,
    c64,
    decode,
    encode,
    is_ref,
)
from lumen.jit.native.types import element, is_list


class NativeLists:
    """The list runtime of one unit (`codegen.UnitBuilder`): its helper functions and the
    IR for element access."""

    def __init__(self, unit: Any) -> None:
        self.unit = unit
        self.module: ir.Module = unit.module
        # A list or closure pointer always addresses a live header: telling LLVM so lets
        # it hoist header loads (length) out of loops ahead of the bounds checks.
        self.md_nonnull = self.module.add_metadata([])
        self.md_header = self.module.add_metadata([c64(LIST_BYTES)])
        self.md_align = self.module.add_metadata([c64(8)])
        self._helpers()

    def _helpers(self) -> None:
        u = self.unit
        tag = u.tag
        # list_new(len, cap) -> list*, linked at the head of the arena
        f = self.list_new = u._internal("list_new", LISTP, [I64, I64])
        b = ir.IRBuilder(f.append_basic_block())
        n, cap = f.args
        cap = b.select(b.icmp_signed("<", cap, c64(1)), c64(1), cap)
        hdr = b.bitcast(b.call(u.malloc, [b.add(c64(LIST_BYTES), b.mul(cap, c64(8)))]),
                        LISTP)
        b.store(n, self.field(b, hdr, L.LIST_LEN))
        b.store(cap, self.field(b, hdr, L.LIST_CAP))
        head = u.slot(b, L.ARENA)
        first = b.load(head)
        b.store(first, self.field(b, hdr, L.LIST_NEXT))
        b.store(c64(0), self.field(b, hdr, L.LIST_PREV))
        address = b.ptrtoint(hdr, I64)
        linked = f.append_basic_block("linked")
        done = f.append_basic_block("done")
        b.cbranch(b.icmp_signed("!=", first, c64(0)), linked, done)
        b.position_at_end(linked)
        b.store(address, self.field(b, b.inttoptr(first, LISTP), L.LIST_PREV))
        b.branch(done)
        b.position_at_end(done)
        b.store(address, head)
        b.ret(hdr)
        # list_push(list*, i64) and list_push8(list*, i8): Bool lists hold bytes
        self.list_push = self._push_helper("list_push", I64, 8)
        self.list_push8 = self._push_helper("list_push8", I8, 1)
        # list_copy(list*, element size) -> list*
        f = self.list_copy = u._internal("list_copy", LISTP, [LISTP, I64])
        b = ir.IRBuilder(f.append_basic_block())
        src, size = f.args
        n = b.load(self.field(b, src, L.LIST_LEN))
        dst = b.call(self.list_new, [n, n])
        b.call(u.memcpy, [self.elements(b, dst, "Bool"), self.elements(b, src, "Bool"),
                             b.mul(n, size), ir.Constant(I1, 0)])
        b.ret(dst)
        # exported: list_alloc_<tag>(n) -> list* with len = cap = n (filled by Python)
        f = ir.Function(self.module, ir.FunctionType(LISTP, [I64]), f"list_alloc_{tag}")
        b = ir.IRBuilder(f.append_basic_block())
        b.ret(b.call(self.list_new, [f.args[0], f.args[0]]))
        # exported: arena_free_<tag>() frees every list made since the last call
        f = ir.Function(self.module, ir.FunctionType(ir.VoidType(), []), f"arena_free_{tag}")
        b = ir.IRBuilder(f.append_basic_block())
        loop, body, done = (f.append_basic_block(x) for x in ("loop", "body", "done"))
        b.branch(loop)
        b.position_at_end(loop)
        head = u.slot(b, L.ARENA)
        cur = b.load(head)
        b.cbranch(b.icmp_signed("==", cur, c64(0)), done, body)
        b.position_at_end(body)
        hdr = b.inttoptr(cur, LISTP)
        b.store(b.load(self.field(b, hdr, L.LIST_NEXT)), head)
        b.call(u.free, [b.bitcast(hdr, I8P)])
        b.branch(loop)
        b.position_at_end(done)
        b.ret_void()

    def _push_helper(self, name: str, elem: ir.Type, size: int) -> ir.Function:
        """`push(list*, value) -> list*`: the list with `value` appended. A full list is
        reallocated, so it may move: callers keep the returned address (only unshared lists
        are pushed to, see `FunctionEmitter.put`) and its arena neighbours are re-pointed."""
        f = self.unit._internal(name, LISTP, [LISTP, elem])
        b = ir.IRBuilder(f.append_basic_block())
        lst, value = f.args
        n = b.load(self.field(b, lst, L.LIST_LEN))
        cap = b.load(self.field(b, lst, L.LIST_CAP))
        entry = b.block
        grow = f.append_basic_block("grow")
        moved = f.append_basic_block("moved")
        relink_next = f.append_basic_block("relink_next")
        relink_prev = f.append_basic_block("relink_prev")
        relink_head = f.append_basic_block("relink_head")
        grown = f.append_basic_block("grown")
        done = f.append_basic_block("done")
        b.cbranch(b.icmp_signed(">=", n, cap), grow, done).set_weights([UNLIKELY, LIKELY])
        b.position_at_end(grow)
        newcap = b.mul(cap, c64(2))
        block = b.call(self.unit.realloc, [b.bitcast(lst, I8P),
                                      b.add(c64(LIST_BYTES), b.mul(newcap, c64(size)))])
        new = b.bitcast(block, LISTP)
        b.store(newcap, self.field(b, new, L.LIST_CAP))
        address = b.ptrtoint(new, I64)
        b.cbranch(b.icmp_unsigned("!=", new, lst), moved, grown)
        b.position_at_end(moved)
        nxt = b.load(self.field(b, new, L.LIST_NEXT))
        prv = b.load(self.field(b, new, L.LIST_PREV))
        b.cbranch(b.icmp_signed("!=", nxt, c64(0)), relink_next, relink_prev)
        b.position_at_end(relink_next)
        b.store(address, self.field(b, b.inttoptr(nxt, LISTP), L.LIST_PREV))
        b.branch(relink_prev)
        b.position_at_end(relink_prev)
        before = f.append_basic_block("before")
        b.cbranch(b.icmp_signed("!=", prv, c64(0)), before, relink_head)
        b.position_at_end(before)
        b.store(address, self.field(b, b.inttoptr(prv, LISTP), L.LIST_NEXT))
        b.branch(grown)
        b.position_at_end(relink_head)
        b.store(address, self.unit.slot(b, L.ARENA))
        b.branch(grown)
        b.position_at_end(grown)
        b.branch(done)
        b.position_at_end(done)
        target = b.phi(LISTP)
        target.add_incoming(lst, entry)
        target.add_incoming(new, grown)
        data = self.elements(b, target, "Bool" if size == 1 else "Int")
        b.store(value, b.gep(data, [n]))
        b.store(b.add(n, c64(1)), self.field(b, target, L.LIST_LEN))
        b.ret(target)
        return f

    def copy(self, b: ir.IRBuilder, lst: ir.Value, t: str) -> ir.Value:
        return b.call(self.list_copy, [lst, c64(1 if element(t) == "Bool" else 8)])

    def push(self, b: ir.IRBuilder, lst: ir.Value, value: ir.Value, t: str) -> ir.Value:
        """Append `value` (a register value of type `t`) to `lst`; the list's address
        afterwards (it moves when it grows)."""
        if t == "Bool":
            return b.call(self.list_push8, [lst, b.zext(value, I8)])
        return b.call(self.list_push, [lst, self.encode_element(b, value, t)])

    def elements(self, b: ir.IRBuilder, lst: ir.Value, elem: str) -> ir.Value:
        """Address of the first element: right after the header."""
        first = b.gep(b.bitcast(lst, I8P), [c64(LIST_BYTES)])
        return first if elem == "Bool" else b.bitcast(first, I64P)

    def field(self, b: ir.IRBuilder, lst: ir.Value, index: int) -> ir.Value:
        return b.gep(lst, [ir.Constant(I32, 0), ir.Constant(I32, index)])

    def encode_element(self, b: ir.IRBuilder, value: ir.Value, t: str) -> ir.Value:
        """A register value as the i64 stored in a list: a list gets its length tag."""
        if not is_list(t):
            return encode(b, value, t)
        n = b.load(self.field(b, value, L.LIST_LEN))
        tag = b.select(b.icmp_unsigned("<=", n, c64(L.LEN_TAG_MAX)), b.add(n, c64(1)), c64(0))
        return b.or_(b.ptrtoint(value, I64), b.shl(tag, c64(L.ADDRESS_BITS)))

    def load_element(self, b: ir.IRBuilder, addr: ir.Value, t: str
                     ) -> tuple[ir.Value, ir.Value | None]:
        """The list element at `addr` as a register value, with its length (-1: unknown)
        when it is a list."""
        if not is_list(t):
            return self.load_value(b, addr, t), None
        raw = b.load(addr)
        lst = b.inttoptr(b.and_(raw, c64(L.ADDRESS_MASK)), LISTP)
        return lst, b.sub(b.lshr(raw, c64(L.ADDRESS_BITS)), c64(1))

    def load_value(self, b: ir.IRBuilder, addr: ir.Value, t: str) -> ir.Value:
        """The register value of type `t` stored as an i64 at `addr`: an entry buffer, a
        captured value, or a list element that is not a list (see `load_element`)."""
        if not is_ref(t):
            return decode(b, b.load(addr), t)
        ptr = b.load(b.bitcast(addr, LISTP.as_pointer()))
        ptr.set_metadata("nonnull", self.md_nonnull)
        ptr.set_metadata("dereferenceable", self.md_header)
        ptr.set_metadata("align", self.md_align)
        return ptr
