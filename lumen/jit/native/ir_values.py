"""LLVM types and value encodings shared by the native code generator (`codegen.py`) and
its list runtime (`lists.py`). Register values are i64 (Int, Null), double (Float), i1
(Bool) or a pointer to a list header (lists, and closures: the array of captured values).
In memory (entry buffers, list elements, captured values) every value is one i64."""

from __future__ import annotations

import llvmlite.ir as ir

from lumen.jit.native import layout as L
from lumen.jit.native.types import is_fn, is_list

I1, I8, I32, I64 = ir.IntType(1), ir.IntType(8), ir.IntType(32), ir.IntType(64)
F64 = ir.DoubleType()
I8P = I8.as_pointer()
I64P = I64.as_pointer()
LIST = ir.LiteralStructType([I64, I64, I64, I64])  # see layout.LIST_*: elements follow
LISTP = LIST.as_pointer()
LIST_BYTES = L.LIST_HEADER_BYTES
INT_MIN = -(2**63)
LIKELY, UNLIKELY = 2000, 1  # branch weights: errors and negative indexes are rare
PRINT_CB = ir.FunctionType(ir.VoidType(), [I64, I64])


def is_ref(t: str) -> bool:
    """Held as a pointer: a list, or a closure (the array of its captured values)."""
    return is_list(t) or is_fn(t)


def repr_of(t: str) -> ir.Type:
    if t == "Float":
        return F64
    if t == "Bool":
        return I1
    if is_ref(t):
        return LISTP
    return I64  # Int, Null


def c64(n: int) -> ir.Constant:
    return ir.Constant(I64, n)


def encode(b: ir.IRBuilder, value: ir.Value, t: str) -> ir.Value:
    """A register value as the i64 stored in lists and entry buffers."""
    if t == "Float":
        return b.bitcast(value, I64)
    if t == "Bool":
        return b.zext(value, I64)
    if is_ref(t):
        return b.ptrtoint(value, I64)
    return value


def decode(b: ir.IRBuilder, raw: ir.Value, t: str) -> ir.Value:
    if t == "Float":
        return b.bitcast(raw, F64)
    if t == "Bool":
        return b.icmp_signed("!=", raw, c64(0))
    if is_ref(t):
        return b.inttoptr(raw, LISTP)
    return raw
