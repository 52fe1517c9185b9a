"""LLVM IR for inferred specialisations (`types.Spec`), built with `llvmlite.ir`.

One LLVM module per compilation unit (a hot function or an OSR entry plus every
specialisation it calls); it is self-contained, so it can be cached as one shared object.
Registers live in one alloca per (register, machine representation); LLVM promotes them.

Exported symbols (suffix `_<tag>`): `entry_<tag>(i64* in, i64* out) -> i32` (arguments or,
for OSR, all registers encoded as i64: Int as is, Float bit pattern, Bool 0/1, list as a
pointer), `state_<tag>() -> i64*` (the state record below), `list_alloc_<tag>(n)` and
`arena_free_<tag>()`. Errors set the state record and make every native caller return at
once; the Python side (`runtime.py`) turns it into the interpreter's exact error.
"""

from __future__ import annotations

import re
from typing import Any

import llvmlite.ir as ir

from lumen.jit.native import layout as L
from lumen.jit.native.ir_values import (
    F64,
    I1,
    I8,
    I8P,
    I32,
    I64,
    I64P,
    INT_MIN,
    LIKELY,
    LIST_BYTES,
    PRINT_CB,
    UNLIKELY,
    c64,
    encode,
    is_ref,
    repr_of,
)
from lumen.jit.native.lists import NativeLists
from lumen.jit.native.types import Spec, element, fn_parts, fn_type, is_list
from lumen.lir.module import Function
from lumen.lir.opcodes import Op


class UnitBuilder:
    """Builds one module: helpers, every specialisation, one exported entry."""

    def __init__(self, functions: tuple[Function, ...], tag: str) -> None:
        self.functions = functions
        self.tag = tag
        self.module = ir.Module(name=f"lumen_{tag}")
        self.state = ir.GlobalVariable(self.module, ir.ArrayType(I64, L.STATE_SIZE),
                                       f"state_{tag}_data")
        self.state.linkage = "internal"
        self.state.initializer = ir.Constant(ir.ArrayType(I64, L.STATE_SIZE), None)
        self.fns: dict[tuple[int, tuple[str, ...], int], ir.Function] = {}
        self.twins: dict[tuple[int, tuple[str, ...], int], ir.Function] = {}
        self._declare_libc()
        self.lists = NativeLists(self)
        self._helpers()

    # ------------------------------------------------------------------ runtime helpers

    def _declare_libc(self) -> None:
        m = self.module
        self.malloc = ir.Function(m, ir.FunctionType(I8P, [I64]), "malloc")
        self.realloc = ir.Function(m, ir.FunctionType(I8P, [I8P, I64]), "realloc")
        self.free = ir.Function(m, ir.FunctionType(ir.VoidType(), [I8P]), "free")
        self.memcpy = m.declare_intrinsic("llvm.memcpy", [I8P, I8P, I64])
        self.sqrt = m.declare_intrinsic("llvm.sqrt", [F64])
        self.floor = m.declare_intrinsic("llvm.floor", [F64])
        self.fabs = m.declare_intrinsic("llvm.fabs", [F64])

    def slot(self, b: ir.IRBuilder, index: int) -> ir.Value:
        return b.gep(self.state, [ir.Constant(I32, 0), ir.Constant(I32, index)])

    def _internal(self, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
        f = ir.Function(self.module, ir.FunctionType(ret, args), name)
        f.linkage = "internal"
        return f

    def _helpers(self) -> None:
        tag = self.tag
        # exported: state_<tag>() -> address of the state record
        f = ir.Function(self.module, ir.FunctionType(I64P, []), f"state_{tag}")
        b = ir.IRBuilder(f.append_basic_block())
        b.ret(self.slot(b, 0))
        # cmp_if(i64, double) -> i32: -1, 0, 1 exactly as Python compares int with float;
        # 2 when the float is NaN.
        f = self.cmp_if = self._internal("cmp_if", I32, [I64, F64])
        b = ir.IRBuilder(f.append_basic_block())
        i, x = f.args
        d = b.sitofp(i, F64)
        big = b.fcmp_ordered(">=", x, ir.Constant(F64, 2.0**63))
        xi = b.fptosi(b.select(big, ir.Constant(F64, 0.0), x), I64)
        exact = b.select(b.icmp_signed("<", i, xi), ir.Constant(I32, -1),
                         b.select(b.icmp_signed(">", i, xi), ir.Constant(I32, 1),
                                  ir.Constant(I32, 0)))
        exact = b.select(big, ir.Constant(I32, -1), exact)
        r = b.select(b.fcmp_ordered("<", d, x), ir.Constant(I32, -1),
                     b.select(b.fcmp_ordered(">", d, x), ir.Constant(I32, 1), exact))
        b.ret(b.select(b.fcmp_unordered("uno", x, x), ir.Constant(I32, 2), r))

    def declare(self, spec: Spec) -> ir.Function:
        key = spec.key
        if key not in self.fns:
            fn = self.functions[spec.index]
            suffix = "osr" if spec.osr_pc >= 0 else re.sub(r"\W", "_", "_".join(
                a.replace("[", "L").replace("?", "U") for a in spec.args))
            # (remaining call depth, arguments) -> {result, failed}: the depth and the
            # error flag travel in registers, not through memory, on every call.
            args = [I64] + ([I64P] if spec.osr_pc >= 0 else [repr_of(t) for t in spec.args])
            ret = ir.LiteralStructType([repr_of(spec.returns), I1])
            f = self._internal(f"f{spec.index}_{fn.name}_{suffix}", ret, args)
            self.mark_headers(f, spec)
            self.fns[key] = f
        return self.fns[key]

    def mark_headers(self, f: ir.Function, spec: Spec) -> None:
        """List and closure arguments address live headers (see `load_value`)."""
        if spec.osr_pc >= 0:
            return
        for arg, t in zip(f.args[1:], spec.args):
            if is_ref(t):
                arg.add_attribute("nonnull")
                arg.attributes.dereferenceable = LIST_BYTES
                arg.attributes.align = 8

    def define(self, spec: Spec, specs: dict[tuple[int, tuple[str, ...]], Spec]) -> None:
        chain: list[ir.Function] = []
        copies = recursion_copies(self.functions[spec.index], spec)
        if copies:
            # A self-recursive cell gets `copies` inlined twins: its own calls go to the
            # first twin, whose calls go to the next, the last one's back to the cell. LLVM
            # inlines the twins, unrolling the recursion: fewer calls, same semantics.
            primary = self.declare(spec)
            for k in range(copies):
                twin = self._internal(f"{primary.name}_twin{k}",
                                      primary.function_type.return_type,
                                      list(primary.function_type.args))
                twin.attributes.add("alwaysinline")
                self.mark_headers(twin, spec)
                chain.append(twin)
            self.twins[spec.key] = chain[0]
        FunctionEmitter(self, spec, specs).emit()
        for k, twin in enumerate(chain):
            after = chain[k + 1] if k + 1 < len(chain) else self.fns[spec.key]
            FunctionEmitter(self, spec, specs, into=twin, calls=after).emit()

    def export_entry(self, spec: Spec) -> str:
        """`entry_<tag>(i64* in, i64* out) -> i32`: 0 ok, 1 error (state record set)."""
        name = f"entry_{self.tag}"
        f = ir.Function(self.module, ir.FunctionType(I32, [I64P, I64P]), name)
        b = ir.IRBuilder(f.append_basic_block())
        src, out = f.args
        target = self.fns[spec.key]
        remaining = b.load(self.slot(b, L.DEPTH))
        if spec.osr_pc >= 0:
            args = [remaining, src]
        else:
            args = [remaining] + [self.lists.load_value(b, b.gep(src, [c64(k)]), t)
                                  for k, t in enumerate(spec.args)]
        pair = b.call(target, args)
        b.store(encode(b, b.extract_value(pair, 0), spec.returns), out)
        b.ret(b.zext(b.extract_value(pair, 1), I32))
        return name


class FunctionEmitter:
    """The body of one specialisation: a block per reachable pc."""

    def __init__(self, unit: UnitBuilder, spec: Spec,
                 specs: dict[tuple[int, tuple[str, ...]], Spec],
                 into: ir.Function | None = None, calls: ir.Function | None = None) -> None:
        self.unit = unit
        self.spec = spec
        self.specs = specs
        self.fn = unit.functions[spec.index]
        self.f = into or unit.declare(spec)
        self.self_target = calls
        self.slots: dict[tuple[int, str], ir.Value] = {}
        self.blocks: dict[int, ir.Block] = {}
        self.alloca_block = self.f.append_basic_block("entry")
        self.ab = ir.IRBuilder(self.alloca_block)
        self.b = ir.IRBuilder(self.alloca_block)

    # -- registers

    def slot(self, reg: int, t: str) -> ir.Value:
        rt = repr_of(t)
        key = (reg, str(rt))
        if key not in self.slots:
            self.slots[key] = self.ab.alloca(rt, name=f"r{reg}_{'f' if rt == F64 else 'i'}")
        return self.slots[key]

    def typ(self, pc: int, reg: int) -> str:
        state = self.spec.states[pc]
        assert state is not None
        return state[reg]

    def get(self, pc: int, reg: int) -> ir.Value:
        return self.b.load(self.slot(reg, self.typ(pc, reg)))

    def get_escaping(self, pc: int, reg: int) -> ir.Value:
        """A list read for a use that keeps it (move, element, argument): storage of a
        mutated register is never shared."""
        value = self.get(pc, reg)
        t = self.typ(pc, reg)
        if is_list(t) and reg in self.spec.mutated:
            value = self.unit.lists.copy(self.b, value, t)
        return value

    def put(self, reg: int, t: str, value: ir.Value, fresh: bool = True,
            length: ir.Value | None = None) -> None:
        """Set `reg`. For a list, `length` is its length when known without a header load
        (-1 or None: unknown); registers that are never appended to keep it beside them."""
        if is_list(t):
            if reg in self.spec.mutated:
                if not fresh:
                    value = self.unit.lists.copy(self.b, value, t)
            else:
                self.b.store(length if length is not None else c64(-1), self.length_slot(reg))
        self.b.store(value, self.slot(reg, t))

    def length_slot(self, reg: int) -> ir.Value:
        key = (reg, "length")
        if key not in self.slots:
            self.slots[key] = self.ab.alloca(I64, name=f"r{reg}_len")
        return self.slots[key]

    def known_length(self, reg: int) -> ir.Value | None:
        """The length kept beside list register `reg` (-1: unknown), or None."""
        if reg in self.spec.mutated:
            return None
        return self.b.load(self.length_slot(reg))

    def length_of(self, reg: int, lst: ir.Value) -> ir.Value:
        """The length of the list in `reg`: the one kept beside it, else from its header
        (loaded only then, so a row of a matrix is read without touching its header)."""
        b = self.b
        known = self.known_length(reg)
        if known is None:
            return b.load(self.unit.lists.field(b, lst, L.LIST_LEN))
        have = b.block
        read = self.f.append_basic_block("read_length")
        done = self.f.append_basic_block("length")
        b.cbranch(b.icmp_signed(">=", known, c64(0)), done, read)
        b.position_at_end(read)
        stored = b.load(self.unit.lists.field(b, lst, L.LIST_LEN))
        b.branch(done)
        b.position_at_end(done)
        n = b.phi(I64)
        n.add_incoming(known, have)
        n.add_incoming(stored, read)
        return n

    def as_float(self, pc: int, reg: int) -> ir.Value:
        value = self.get(pc, reg)
        return self.b.sitofp(value, F64) if self.typ(pc, reg) == "Int" else value

    # -- errors

    def fail_if(self, cond: ir.Value, code: int, pc: int, a: ir.Value | None = None,
                x: ir.Value | None = None) -> None:
        """If `cond`: record the error at `pc` and return at once."""
        bad = self.f.append_basic_block(f"err{pc}")
        ok = self.f.append_basic_block(f"ok{pc}")
        self.b.cbranch(cond, bad, ok).set_weights([UNLIKELY, LIKELY])
        self.b.position_at_end(bad)
        u = self.unit
        self.b.store(c64(code), u.slot(self.b, L.ERR_CODE))
        self.b.store(c64(self.spec.index), u.slot(self.b, L.ERR_FUNC))
        self.b.store(c64(pc), u.slot(self.b, L.ERR_PC))
        for value, index in ((a, L.ERR_A), (x, L.ERR_B)):
            if value is not None:
                if value.type == F64:
                    value = self.b.bitcast(value, I64)
                self.b.store(value, u.slot(self.b, index))
        self.ret_undef()
        self.b.position_at_end(ok)

    def ret_undef(self) -> None:
        """Return with the failed flag set (the state record says why)."""
        ret = self.f.function_type.return_type
        self.b.ret(ir.Constant(ret, [ir.Undefined, ir.Constant(I1, 1)]))

    def check_callee(self, pc: int, failed: ir.Value) -> None:
        """After a call: on a pending error add this frame to the trace and return."""
        u, b = self.unit, self.b
        bad = self.f.append_basic_block(f"unwind{pc}")
        ok = self.f.append_basic_block(f"after{pc}")
        b.cbranch(failed, bad, ok)
        b.position_at_end(bad)
        count_slot = u.slot(b, L.NTRACE)
        count = b.load(count_slot)
        room = b.icmp_signed("<", count, b.load(u.slot(b, L.TRACE_CAP)))
        write = self.f.append_basic_block(f"trace{pc}")
        skip = self.f.append_basic_block(f"traced{pc}")
        b.cbranch(room, write, skip)
        b.position_at_end(write)
        trace = b.inttoptr(b.load(u.slot(b, L.TRACE)), I64P)
        b.store(c64((self.spec.index << 32) | pc), b.gep(trace, [count]))
        b.branch(skip)
        b.position_at_end(skip)
        b.store(b.add(count, c64(1)), count_slot)
        self.ret_undef()
        b.position_at_end(ok)

    # -- body

    def emit(self) -> None:
        spec, b = self.spec, self.b
        states = spec.states
        for pc, state in enumerate(states):
            if state is not None:
                self.blocks[pc] = self.f.append_basic_block(f"pc{pc}")
        start = self.f.append_basic_block("start")
        b.position_at_end(start)
        self.remaining = self.f.args[0]
        if spec.osr_pc >= 0:
            regs = self.f.args[1]
            init = states[spec.osr_pc]
            assert init is not None
            for reg, t in enumerate(init):
                if t in ("Int", "Float", "Bool") or is_ref(t):
                    value = self.unit.lists.load_value(b, b.gep(regs, [c64(reg)]), t)
                    self.put(reg, t, value, fresh=False)
            b.branch(self.blocks[spec.osr_pc])
        else:
            self.fail_if(b.icmp_signed("<", self.remaining, c64(0)), L.ERR_STACK, -1)
            for reg, (arg, t) in enumerate(zip(self.f.args[1:], spec.args)):
                self.put(reg, t, arg, fresh=False)
            b.branch(self.blocks[0])
        for pc in self.blocks:
            b.position_at_end(self.blocks[pc])
            self.instruction(pc)
            if not b.block.is_terminated:
                b.branch(self.blocks[pc + 1])
        self.ab.position_at_end(self.alloca_block)
        self.ab.branch(start)

    def instruction(self, pc: int) -> None:  # noqa: C901 - one arm per opcode
        ins = self.fn.code[pc]
        op, a, bb, c = ins.op, ins.a, ins.b, ins.c
        b = self.b
        state = self.spec.states[pc]
        assert state is not None
        if op == Op.MOVE:
            t = state[bb]
            if t in ("Int", "Float", "Bool", "Null") or is_ref(t):
                length = self.known_length(bb) if is_list(t) else None
                self.put(a, t, self.get_escaping(pc, bb), fresh=bb in self.spec.mutated,
                         length=length)
        elif op in (Op.LOADI, Op.LOADK, Op.LOADBOOL, Op.LOADNULL):
            self.load_constant(pc, op, a, bb)
        elif op in (Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD, Op.FLOORDIV):
            self.arith(pc, op, a, bb, c)
        elif op in (Op.ADDI, Op.SUBI):
            if state[bb] == "Int":
                self.int_arith(pc, Op.ADD if op == Op.ADDI else Op.SUB, a,
                               self.get(pc, bb), c64(c if op == Op.ADDI else c))
            else:
                value = self.get(pc, bb)
                imm = ir.Constant(F64, float(c))
                self.put(a, "Float", b.fadd(value, imm) if op == Op.ADDI
                         else b.fsub(value, imm))
        elif op == Op.NEG:
            value = self.get(pc, bb)
            if state[bb] == "Int":
                self.fail_if(b.icmp_signed("==", value, c64(INT_MIN)), L.ERR_ARITH, pc, value)
                self.put(a, "Int", b.sub(c64(0), value))
            else:
                self.put(a, "Float", b.fneg(value))
        elif op == Op.NOT:
            self.put(a, "Bool", b.not_(self.truthy(pc, bb)))
        elif op in (Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE):
            self.put(a, "Bool", self.compare(pc, op, bb, c))
        elif op in (Op.LTJF, Op.LEJF, Op.GTJF, Op.GEJF, Op.EQJF, Op.NEJF):
            plain = {Op.LTJF: Op.LT, Op.LEJF: Op.LE, Op.GTJF: Op.GT, Op.GEJF: Op.GE,
                     Op.EQJF: Op.EQ, Op.NEJF: Op.NE}[op]
            cond = self.compare(pc, plain, a, bb)
            b.cbranch(cond, self.target(pc + 1), self.target(c))
        elif op == Op.JMP:
            b.branch(self.target(a))
        elif op in (Op.JMPF, Op.JMPT):
            cond = self.truthy(pc, a)
            if op == Op.JMPF:
                b.cbranch(cond, self.target(pc + 1), self.target(bb))
            else:
                b.cbranch(cond, self.target(bb), self.target(pc + 1))
        elif op == Op.RETURN:
            self.ret(pc, a)
        elif op == Op.CALLCELL:
            self.call_cell(pc, a, bb, c)
        elif op == Op.CALLBUILTIN:
            self.call_builtin(pc, a, str(self.fn.constants[bb]), c)
        elif op == Op.CLOSURE:
            self.make_closure(pc, a, bb, c, len(self.unit.functions[bb].captures))
        elif op == Op.FUNCREF:
            self.make_closure(pc, a, bb, 0, 0)
        elif op == Op.CALL:
            self.call_closure(pc, a, bb)
        elif op == Op.GETINDEX:
            lst, pos = self.get(pc, bb), self.get(pc, c)
            elem = element(state[bb])
            addr = self.element_ptr(pc, bb, lst, pos, elem)
            length = None
            if elem == "Bool":
                value = b.icmp_signed("!=", b.load(addr), ir.Constant(I8, 0))
            else:
                value, length = self.unit.lists.load_element(b, addr, elem)
            self.put(a, elem, value, fresh=False, length=length)
        elif op == Op.SETINDEX:
            lst, pos = self.get(pc, a), self.get(pc, bb)
            value = self.get_element_value(pc, c)
            if state[c] == "Bool":
                value = b.zext(value, I8)
            else:
                value = self.unit.lists.encode_element(b, value, state[c])
            b.store(value, self.element_ptr(pc, a, lst, pos, state[c]))
        elif op == Op.APPEND:
            grown = self.unit.lists.push(b, self.get(pc, a), self.get_element_value(pc, bb),
                                   state[bb])
            self.b.store(grown, self.slot(a, self.typ(pc, a)))
        elif op == Op.NEWLIST:
            lst = b.call(self.unit.lists.list_new, [c64(0), c64(c)])
            for r in range(bb, bb + c):
                lst = self.unit.lists.push(b, lst, self.get_element_value(pc, r), state[r])
            self.put(a, "list[?]", lst, length=c64(c))
        elif op == Op.FORPREP:
            length = self.known_length(bb) if is_list(state[bb]) else None
            self.put(a, state[bb], self.get_escaping(pc, bb), length=length)
            self.put(a + 1, "Int", c64(0))
        elif op == Op.FORNEXT:
            self.for_next(pc, a, bb, c)
        elif op == Op.NOP:
            pass
        else:  # pragma: no cover - inference refuses these
            raise AssertionError(op)

    def for_next(self, pc: int, a: int, source: int, exit_pc: int) -> None:
        """Next element of a list iteration, or leave the loop."""
        b = self.b
        elem = element(self.typ(pc, source))
        if elem == "?":  # an empty list: the loop body is never entered
            b.branch(self.target(exit_pc))
            return
        lst, position = self.get(pc, source), self.get(pc, source + 1)
        more = b.icmp_signed("<", position, self.length_of(source, lst))
        body = self.f.append_basic_block(f"next{pc}")
        b.cbranch(more, body, self.target(exit_pc))
        b.position_at_end(body)
        data = self.unit.lists.elements(b, lst, elem)
        length = None
        if elem == "Bool":
            raw = b.load(b.gep(data, [position]))
            value = b.icmp_signed("!=", raw, ir.Constant(I8, 0))
        else:
            value, length = self.unit.lists.load_element(b, b.gep(data, [position]), elem)
        self.put(source + 1, "Int", b.add(position, c64(1)))
        self.put(a, elem, value, fresh=False, length=length)
        b.branch(self.target(pc + 1))

    def target(self, pc: int) -> ir.Block:
        return self.blocks[pc]

    def get_element_value(self, pc: int, reg: int) -> ir.Value:
        """A value stored into a list: a list element is copied when its register is
        mutated later (the element must not share storage with it)."""
        return self.get_escaping(pc, reg)

    def element_ptr(self, pc: int, reg: int, lst: ir.Value, pos: ir.Value, elem: str
                    ) -> ir.Value:
        """Address of element `pos` (negative from the end), or an index error.

        The usual case, 0 <= pos < length, is one unsigned compare; negative positions
        take an out-of-line block, so hot loops carry no index arithmetic."""
        b = self.b
        n = self.length_of(reg, lst)
        inside = b.icmp_unsigned("<", pos, n)
        fast = b.block
        other = self.f.append_basic_block(f"negidx{pc}")
        join = self.f.append_basic_block(f"idx{pc}")
        b.cbranch(inside, join, other).set_weights([LIKELY, UNLIKELY])
        b.position_at_end(other)
        # From the end: pos + n is in range only for -n <= pos < 0; a wrapped sum of a
        # huge pos is negative, so the unsigned compare refuses it too.
        from_end = b.add(pos, n)
        self.fail_if(b.icmp_unsigned(">=", from_end, n), L.ERR_INDEX, pc, pos, n)
        slow = b.block
        b.branch(join)
        b.position_at_end(join)
        index = b.phi(I64)
        index.add_incoming(pos, fast)
        index.add_incoming(from_end, slow)
        return b.gep(self.unit.lists.elements(b, lst, elem), [index])

    def load_constant(self, pc: int, op: Op, a: int, operand: int) -> None:
        if op == Op.LOADI:
            self.put(a, "Int", c64(operand))
        elif op == Op.LOADBOOL:
            self.put(a, "Bool", ir.Constant(I1, 1 if operand else 0))
        elif op == Op.LOADNULL:
            self.put(a, "Null", c64(0))
        else:
            value = self.fn.constants[operand]
            if type(value) is bool:
                self.put(a, "Bool", ir.Constant(I1, int(value)))
            elif type(value) is int:
                self.put(a, "Int", c64(value))
            elif type(value) is float:
                self.put(a, "Float", ir.Constant(F64, value))
            else:
                self.put(a, "Null", c64(0))

    def truthy(self, pc: int, reg: int) -> ir.Value:
        t, value = self.typ(pc, reg), self.get(pc, reg)
        if t == "Bool":
            return value
        if t == "Int":
            return self.b.icmp_signed("!=", value, c64(0))
        return self.b.fcmp_unordered("!=", value, ir.Constant(F64, 0.0))

    # -- arithmetic

    def arith(self, pc: int, op: Op, a: int, x: int, y: int) -> None:
        if self.typ(pc, x) == "Int" and self.typ(pc, y) == "Int":
            self.int_arith(pc, op, a, self.get(pc, x), self.get(pc, y))
            return
        b = self.b
        fx, fy = self.as_float(pc, x), self.as_float(pc, y)
        if op == Op.ADD:
            result = b.fadd(fx, fy)
        elif op == Op.SUB:
            result = b.fsub(fx, fy)
        elif op == Op.MUL:
            result = b.fmul(fx, fy)
        elif op == Op.DIV:
            result = self.float_div(fx, fy)
        elif op == Op.FLOORDIV:
            result = b.call(self.unit.floor, [self.float_div(fx, fy)])
        else:
            result = self.float_mod(fx, fy)
        self.put(a, "Float", result)

    def float_div(self, x: ir.Value, y: ir.Value) -> ir.Value:
        """`ops.float_div`: x/0 is a signed infinity, 0/0 and NaN/0 the canonical NaN."""
        b = self.b
        zero = ir.Constant(F64, 0.0)
        nan = ir.Constant(F64, float("nan"))
        inf = ir.Constant(F64, float("inf"))
        by_zero = b.fcmp_ordered("==", y, zero)
        sign_x = b.icmp_signed("<", b.bitcast(x, I64), c64(0))
        sign_y = b.icmp_signed("<", b.bitcast(y, I64), c64(0))
        infinity = b.select(b.xor(sign_x, sign_y), b.fneg(inf), inf)
        undefined = b.fcmp_unordered("==", x, zero)  # x == 0 or x is NaN
        special = b.select(undefined, nan, infinity)
        return b.select(by_zero, special, b.fdiv(x, y))

    def float_mod(self, x: ir.Value, y: ir.Value) -> ir.Value:
        b = self.b
        zero = ir.Constant(F64, 0.0)
        inf = ir.Constant(F64, float("inf"))
        r = b.frem(x, y)
        r = b.select(b.fcmp_ordered("<", r, zero), b.fadd(r, b.call(self.unit.fabs, [y])), r)
        r = b.fadd(r, zero)
        bad = b.or_(b.fcmp_unordered("==", y, zero),
                    b.or_(b.fcmp_unordered("==", b.call(self.unit.fabs, [x]), inf),
                          b.fcmp_unordered("uno", x, y)))
        return b.select(bad, ir.Constant(F64, float("nan")), r)

    def int_arith(self, pc: int, op: Op, a: int, x: ir.Value, y: ir.Value) -> None:
        b = self.b
        if op in (Op.ADD, Op.SUB, Op.MUL):
            fn = {Op.ADD: b.sadd_with_overflow, Op.SUB: b.ssub_with_overflow,
                  Op.MUL: b.smul_with_overflow}[op]
            pair = fn(x, y)
            self.fail_if(b.extract_value(pair, 1), L.ERR_ARITH, pc, x, y)
            self.put(a, "Int", b.extract_value(pair, 0))
            return
        self.fail_if(b.icmp_signed("==", y, c64(0)), L.ERR_ARITH, pc, x, y)
        minus_one = b.icmp_signed("==", y, c64(-1))
        safe_y = b.select(minus_one, c64(1), y)  # INT_MIN / -1 traps in hardware
        if op == Op.DIV or op == Op.FLOORDIV:
            self.fail_if(b.and_(minus_one, b.icmp_signed("==", x, c64(INT_MIN))),
                         L.ERR_ARITH, pc, x, y)
        q = b.select(minus_one, b.sub(c64(0), x), b.sdiv(x, safe_y))
        r = b.select(minus_one, c64(0), b.srem(x, safe_y))
        if op == Op.DIV:
            self.put(a, "Int", q)
            return
        negative = b.icmp_signed("<", r, c64(0))
        if op == Op.MOD:
            abs_y = b.select(b.icmp_signed("<", y, c64(0)), b.sub(c64(0), y), y)
            self.put(a, "Int", b.select(negative, b.add(r, abs_y), r))
            return
        step = b.select(b.icmp_signed(">", y, c64(0)), c64(-1), c64(1))
        self.put(a, "Int", b.select(negative, b.add(q, step), q))

    # -- comparison

    def compare(self, pc: int, op: Op, x: int, y: int) -> ir.Value:
        b = self.b
        tx, ty = self.typ(pc, x), self.typ(pc, y)
        vx, vy = self.get(pc, x), self.get(pc, y)
        sym = {Op.LT: "<", Op.LE: "<=", Op.GT: ">", Op.GE: ">=", Op.EQ: "==", Op.NE: "!="}[op]
        if tx == ty and tx in ("Int", "Bool"):
            return b.icmp_signed(sym, vx, vy)
        if tx == ty == "Float":
            if op in (Op.EQ, Op.NE):
                same = b.or_(b.and_(b.fcmp_ordered("==", vx, vy),
                                    b.fcmp_ordered("!=", vx, ir.Constant(F64, 0.0))),
                             b.icmp_signed("==", b.bitcast(vx, I64), b.bitcast(vy, I64)))
                return same if op == Op.EQ else b.not_(same)
            return b.fcmp_ordered(sym, vx, vy)
        # Int with Float: exact, like Python's int/float comparison
        if tx == "Int":
            c3 = b.call(self.unit.cmp_if, [vx, vy])
        else:
            c3 = b.call(self.unit.cmp_if, [vy, vx])
            c3 = b.select(b.icmp_signed("==", c3, ir.Constant(I32, 2)), c3,
                          b.sub(ir.Constant(I32, 0), c3))
        if op == Op.NE:
            return b.icmp_signed("!=", c3, ir.Constant(I32, 0))
        wanted = {Op.LT: (-1,), Op.LE: (-1, 0), Op.GT: (1,), Op.GE: (1, 0), Op.EQ: (0,)}[op]
        result = ir.Constant(I1, 0)
        for w in wanted:
            result = b.or_(result, b.icmp_signed("==", c3, ir.Constant(I32, w)))
        return result

    # -- calls and return

    def ret(self, pc: int, reg: int) -> None:
        b = self.b
        t = self.typ(pc, reg)
        assert repr_of(t) == repr_of(self.spec.returns)
        pair = ir.Constant(self.f.function_type.return_type, [ir.Undefined, ir.Constant(I1, 0)])
        b.ret(b.insert_value(pair, self.get(pc, reg), 0))

    def call_cell(self, pc: int, a: int, index: int, n: int) -> None:
        state = self.spec.states[pc]
        assert state is not None
        arg_types = tuple(state[r] for r in range(a + 1, a + 1 + n))
        args = [self.get_escaping(pc, r) for r in range(a + 1, a + 1 + n)]
        self.call_spec(pc, a, self.specs[(index, arg_types)], args)

    def call_spec(self, pc: int, a: int, callee: Spec, args: list[ir.Value]) -> None:
        target = self.unit.declare(callee)
        if callee.key == self.spec.key:
            target = self.self_target or self.unit.twins.get(callee.key, target)
        pair = self.b.call(target, [self.b.sub(self.remaining, c64(1))] + args)
        self.check_callee(pc, self.b.extract_value(pair, 1))
        self.put(a, callee.returns, self.b.extract_value(pair, 0), fresh=False)

    def make_closure(self, pc: int, a: int, index: int, first: int, n: int) -> None:
        """A closure value: a fresh array of its captured values (encoded like list items)."""
        b, u = self.b, self.unit
        state = self.spec.states[pc]
        assert state is not None
        types = tuple(state[r] for r in range(first, first + n))
        array = b.call(u.lists.list_new, [c64(n), c64(n)])
        data = u.lists.elements(b, array, "Int")
        for k, t in enumerate(types):
            value = self.get_escaping(pc, first + k)
            b.store(encode(b, value, t), b.gep(data, [c64(k)]))
        self.put(a, fn_type(index, types), array)

    def call_closure(self, pc: int, a: int, n: int) -> None:
        """Call a closure whose function is known from its type: a direct native call
        with the arguments followed by the captured values."""
        b = self.b
        state = self.spec.states[pc]
        assert state is not None
        index, captured = fn_parts(state[a])
        arg_types = tuple(state[r] for r in range(a + 1, a + 1 + n))
        args = [self.get_escaping(pc, r) for r in range(a + 1, a + 1 + n)]
        data = self.unit.lists.elements(b, self.get(pc, a), "Int")
        for k, t in enumerate(captured):
            args.append(self.unit.lists.load_value(b, b.gep(data, [c64(k)]), t))
        self.call_spec(pc, a, self.specs[(index, arg_types + captured)], args)

    def call_builtin(self, pc: int, a: int, name: str, n: int) -> None:
        b, u = self.b, self.unit
        state = self.spec.states[pc]
        assert state is not None
        regs = list(range(a + 1, a + 1 + n))
        types = [state[r] for r in regs]
        values = [self.get(pc, r) for r in regs]
        if name == "print":
            kind = {"Int": 0, "Float": 1, "Bool": 2}[types[0]]
            callback = b.inttoptr(b.load(u.slot(b, L.PRINT_CB)), PRINT_CB.as_pointer())
            b.call(callback, [c64(kind), encode(b, values[0], types[0])])
            self.check_callback(pc)
            self.put(a, "Null", c64(0))
        elif name == "sqrt":
            x = self.as_float(pc, regs[0])
            nan = ir.Constant(F64, float("nan"))
            root = b.call(u.sqrt, [x])
            root = b.select(b.fcmp_ordered("<", x, ir.Constant(F64, 0.0)), nan, root)
            self.put(a, "Float", b.select(b.fcmp_unordered("uno", x, x), x, root))
        elif name in ("to_int", "int"):
            self.put(a, "Int", self.to_int(types[0], values[0]))
        elif name in ("to_float", "float"):
            self.put(a, "Float", self.as_float(pc, regs[0]))
        elif name == "abs":
            if types[0] == "Int":
                x = values[0]
                self.fail_if(b.icmp_signed("==", x, c64(INT_MIN)), L.ERR_NEG, pc, x)
                self.put(a, "Int", b.select(b.icmp_signed("<", x, c64(0)), b.sub(c64(0), x), x))
            else:
                self.put(a, "Float", b.call(u.fabs, [values[0]]))
        elif name in ("min", "max"):
            x, y = values
            sym = "<" if name == "min" else ">"
            better = (b.icmp_signed(sym, y, x) if types[0] == "Int"
                      else b.fcmp_ordered(sym, y, x))
            self.put(a, types[0], b.select(better, y, x))
        else:  # length and its aliases
            self.put(a, "Int", self.length_of(regs[0], values[0]))

    def check_callback(self, pc: int) -> None:
        """A Python callback failed: its exception is kept by the runtime; unwind."""
        b, u = self.b, self.unit
        code = b.load(u.slot(b, L.ERR_CODE))
        self.fail_if(b.icmp_signed("!=", code, c64(0)), L.ERR_CALLBACK, pc)

    def to_int(self, t: str, value: ir.Value) -> ir.Value:
        b = self.b
        if t == "Int":
            return value
        if t == "Bool":
            return b.zext(value, I64)
        big = b.fcmp_ordered(">=", value, ir.Constant(F64, 2.0**63))
        small = b.fcmp_ordered("<", value, ir.Constant(F64, -(2.0**63)))
        nan = b.fcmp_unordered("uno", value, value)
        safe = b.select(b.or_(b.or_(big, small), nan), ir.Constant(F64, 0.0), value)
        result = b.fptosi(safe, I64)
        result = b.select(big, c64(2**63 - 1), result)
        return b.select(small, c64(INT_MIN), result)


RECURSION_UNROLL_BUDGET = 256  # LIR instructions one unrolled native function may hold
MAX_RECURSION_COPIES = 3


def recursion_copies(fn: Function, spec: Spec) -> int:
    """How many inlined twins a self-recursive specialisation gets: as many as keep the
    unrolled body (each copy holds `self_calls` calls of the next) within the budget."""
    if spec.osr_pc >= 0 or (spec.index, spec.args) not in spec.callees:
        return 0
    self_calls = sum(1 for ins in fn.code if ins.op == Op.CALLCELL and ins.b == spec.index)
    copies, size, width = 0, len(fn.code), 1
    while copies < MAX_RECURSION_COPIES:
        width *= max(self_calls, 1)
        if size + width * len(fn.code) > RECURSION_UNROLL_BUDGET:
            break
        size += width * len(fn.code)
        copies += 1
    return copies


def build_unit(functions: tuple[Function, ...], tag: str, root: Spec,
               specs: dict[tuple[int, tuple[str, ...]], Spec]) -> tuple[str, Any]:
    """IR text of the unit rooted at `root` with every specialisation it reaches."""
    unit = UnitBuilder(functions, tag)
    todo = [root]
    seen: set[tuple[int, tuple[str, ...], int]] = set()
    while todo:
        spec = todo.pop()
        if spec.key in seen:
            continue
        seen.add(spec.key)
        unit.declare(spec)
        unit.define(spec, specs)
        todo.extend(specs[key] for key in spec.callees)
    entry = unit.export_entry(root)
    return str(unit.module), entry
