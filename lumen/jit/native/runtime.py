"""The Python side of one compiled unit: argument encoding, list copies in and out, the
state record, and errors raised exactly as the interpreter raises them. No llvmlite here:
units loaded from the native code cache run without it."""

from __future__ import annotations

import ctypes
import struct
from array import array
from collections.abc import Callable, Sequence

from lumen.jit.native import abi
from lumen.jit.native import layout as L
from lumen.jit.native.abi import ARENA_FREE, ENTRY, LIST_ALLOC, PRINT_CALLBACK, STATE
from lumen.jit.native.types import element, fn_parts, is_fn, is_list
from lumen.lir.opcodes import Op
from lumen.vm import errors, ops
from lumen.vm.errors import LumenRuntimeError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ELEMENTS = L.LIST_HEADER_BYTES  # a native list's elements start this far into its block

_REDO: dict[Op, Callable[[int, int], Any]] = {
    Op.ADD: ops.add, Op.ADDI: ops.add, Op.SUB: ops.sub, Op.SUBI: ops.sub, Op.MUL: ops.mul,
    Op.DIV: ops.div, Op.MOD: ops.mod, Op.FLOORDIV: ops.floordiv,
    Op.NEG: lambda a, _b: ops.neg(a),
}


float_from_bits = abi.float_from_bits


class Shared:
    """Per-VM resources every unit points its state record at."""

    def __init__(self, vm: Any) -> None:
        self.vm = vm
        self.trace_cap = abi.trace_capacity(vm.max_depth)
        self.trace = (ctypes.c_int64 * self.trace_cap)()
        self.pending: BaseException | None = None
        self.current_state: Any = None
        self.print_callback = PRINT_CALLBACK(self._print)

    def _print(self, kind: int, bits: int) -> None:
        value: Any = bits if kind == 0 else float_from_bits(bits) if kind == 1 else bits != 0
        try:
            self.vm._call_builtin("print", [value], None)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the unit after unwinding
            self.pending = exc
            self.current_state[L.ERR_CODE] = L.ERR_CALLBACK


class Unit:
    """A loaded unit: `run(values)` calls its entry with Python values."""

    def __init__(self, shared: Shared, symbols: Callable[[str], int], tag: str,
                 arg_types: tuple[str, ...], returns: str, keep: object = None,
                 osr: bool = False) -> None:
        self.shared = shared
        self.keep = keep  # the engine or library that owns the code
        self.tag = tag
        self.library_key: str | None = None  # set when loaded from the native code cache
        self.entry = ENTRY(symbols(f"entry_{tag}"))
        self.list_alloc = LIST_ALLOC(symbols(f"list_alloc_{tag}"))
        self.arena_free = ARENA_FREE(symbols(f"arena_free_{tag}"))
        address = STATE(symbols(f"state_{tag}"))()
        self.state = abi.state_record(address)
        abi.prepare_state(self.state, shared.trace, shared.vm.max_depth, shared.print_callback)
        self.arg_types = arg_types
        self.returns = returns
        self.nargs = max(1, len(arg_types))
        # An OSR unit runs the rest of a frame of the Python tier, which adds that frame
        # to the Lumen stack (at the loop header's line) as the error passes through it.
        self.osr = osr
        self.max_depth = int(shared.vm.max_depth)
        self.active = False

    # -- lists

    def list_in(self, value: list[Any], t: str) -> int:
        """A fresh native copy of `value` (its element types already checked)."""
        n = len(value)
        address = self.list_alloc(n) or 0
        if n:
            elem = element(t)
            if elem == "Float":
                raw = array("d", value)
            elif elem == "Bool":  # Bool lists hold one byte per element
                raw = array("b", value)
                ctypes.memmove(address + ELEMENTS, raw.buffer_info()[0], n)
                return address
            elif elem == "Int":
                raw = array("q", value)
            elif is_list(elem):  # tagged with their lengths, as native code stores them
                raw = array("Q", [self.list_in(item, elem) | (
                    (len(item) + 1) << L.ADDRESS_BITS if len(item) <= L.LEN_TAG_MAX else 0)
                    for item in value])
            else:
                raw = array("q", [self.list_in(item, elem) for item in value])
            ctypes.memmove(address + ELEMENTS, raw.buffer_info()[0], 8 * n)
        return address

    def closure_in(self, closure: Any, t: str) -> int:
        """A closure as native code holds it: a fresh array of its encoded captures."""
        _index, types = fn_parts(t)
        address = self.list_alloc(len(types)) or 0
        if types:
            raw = array("q", [self.encode(value, ct) for value, ct in zip(closure.captures, types)])
            ctypes.memmove(address + ELEMENTS, raw.buffer_info()[0], 8 * len(types))
        return address

    def encode(self, value: Any, t: str) -> int:
        if t == "Float":
            return struct.unpack("<q", struct.pack("<d", value))[0]
        if is_list(t):
            return self.list_in(value, t)
        return int(value)  # Int, Bool

    def list_out(self, address: int, t: str) -> list[Any]:
        n = ctypes.c_int64.from_address(address).value  # layout.LIST_LEN
        data = address + ELEMENTS
        if not n:
            return []
        elem = element(t)
        if elem == "Bool":
            return [x != 0 for x in ctypes.string_at(data, n)]
        raw = array("d" if elem == "Float" else "q")
        raw.frombytes(ctypes.string_at(data, 8 * n))
        if elem in ("Float", "Int"):
            return raw.tolist()
        if is_list(elem):  # tagged words (layout.ADDRESS_MASK)
            return [self.list_out(item & L.ADDRESS_MASK, elem) for item in raw]
        return [self.list_out(item, elem) for item in raw]

    # -- calls

    def run(self, values: Sequence[Any], depth: int = 0) -> Any:
        """Run with `values` (already checked against `arg_types`); `depth` counts the
        Lumen frames below the native code (including the one it runs, for `hot`)."""
        if self.active:  # re-entered through a callback: no shared state to clobber
            raise _Reentered()
        self.active = True
        state = self.state
        shared = self.shared
        saved = shared.current_state
        shared.current_state = state
        buf = (ctypes.c_int64 * self.nargs)()
        out = ctypes.c_int64(0)
        try:
            floats = None
            for k, (value, t) in enumerate(zip(values, self.arg_types)):
                if t == "Float":
                    if floats is None:
                        floats = (ctypes.c_double * self.nargs).from_buffer(buf)
                    floats[k] = value
                elif is_list(t):
                    buf[k] = self.list_in(value, t)
                elif is_fn(t):
                    buf[k] = self.closure_in(value, t)
                elif t in ("Int", "Bool"):
                    buf[k] = value
            abi.start_call(state, self.max_depth - depth)
            failed = self.entry(ctypes.addressof(buf), ctypes.addressof(out))
            if failed:
                raise self.error()
            return self.result(out.value)
        finally:
            self.arena_free()
            shared.current_state = saved
            self.active = False

    def result(self, raw: int) -> Any:
        t = self.returns
        if t == "Int":
            return raw
        if t == "Float":
            return float_from_bits(raw)
        if t == "Bool":
            return raw != 0
        if is_list(t):
            return self.list_out(raw, t)
        return None

    def error(self) -> BaseException:
        pending, self.shared.pending = self.shared.pending, None
        return error_from_state(self.shared.vm, self.state, self.shared.trace, pending,
                                osr=self.osr)


def error_from_state(vm: Any, state: Sequence[int], trace: Sequence[int],
                     pending: BaseException | None = None, osr: bool = False) -> BaseException:
    """The interpreter's error for a unit that returned failure, from its state record and
    unwound-frames array (`layout.py`); `pending` is what a Python callback raised."""
    code, func, pc = state[L.ERR_CODE], state[L.ERR_FUNC], state[L.ERR_PC]
    a, b = state[L.ERR_A], state[L.ERR_B]
    exc: BaseException
    if code == L.ERR_CALLBACK:
        exc = pending or errors.internal("native callback failed")
    elif code == L.ERR_INDEX:
        exc = errors.index_error(a, b, "list")
    elif code == L.ERR_STACK:
        exc = errors.stack_overflow(vm.max_depth)
        func = -1
    elif code == L.ERR_NEG:
        exc = errors.overflow("negation")
    else:
        exc = _redo(vm.codes[func].function.code[pc].op, a, b)
    if not isinstance(exc, LumenRuntimeError):
        return exc
    frames = [(func, pc)] if func >= 0 else []
    for k in range(min(state[L.NTRACE], len(trace))):
        entry = trace[k]
        frames.append((entry >> 32, entry & 0xFFFFFFFF))
    for index, at in frames:
        code_obj = vm.codes[index]
        line, column = code_obj.line_at(at)
        if exc.line is None:
            exc.file, exc.line, exc.column = code_obj.file, line, column
        exc.lumen_stack.append((code_obj.name, code_obj.file, line))
    if osr and frames:
        exc.lumen_stack = _SkipNext(exc.lumen_stack, vm.codes[frames[-1][0]].name)
    return exc


class _SkipNext(list):  # type: ignore[type-arg]
    """A Lumen stack whose next entry for cell `name` is dropped: the native code already
    added the OSR frame with the exact line; the Python tier frame adds it again."""

    def __init__(self, entries: list[Any], name: str) -> None:
        super().__init__(entries)
        self.skip: str | None = name

    def append(self, entry: Any) -> None:
        if self.skip is not None and entry[0] == self.skip:
            self.skip = None
            return
        self.skip = None
        super().append(entry)


class _Reentered(Exception):
    """A unit was entered again while running (its caller falls back to Python)."""


def _redo(op: Op, a: int, b: int) -> LumenRuntimeError:
    """The interpreter's error for an Int instruction that failed natively."""
    redo = _REDO.get(op)
    try:
        if redo is not None:
            redo(a, b)
    except LumenRuntimeError as exc:
        return exc
    return errors.internal(f"native {op.name} failed without an interpreter error")
