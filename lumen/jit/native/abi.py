"""How Python calls a compiled unit: the C signatures of its exported symbols and the
setup of its state record. Shared by `runtime.Unit` and the fast path of `lumen run`
(`lumen/cli/fast_run.py`), which must start without the VM: ctypes and `layout` only.

A unit tagged T exports `entry_T(args, out) -> i32` (0: returned, else an error code in the
state record), `state_T() -> state record address`, `list_alloc_T(n)` and `arena_free_T()`.
"""

from __future__ import annotations

import ctypes

from lumen.jit.native import layout as L

ENTRY = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p)
STATE = ctypes.CFUNCTYPE(ctypes.c_void_p)
LIST_ALLOC = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_int64)
ARENA_FREE = ctypes.CFUNCTYPE(None)
PRINT_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.c_int64)

# print callback kinds (the first argument; the second is the value's bits)
PRINT_INT, PRINT_FLOAT, PRINT_BOOL = 0, 1, 2


def trace_capacity(max_depth: int) -> int:
    """Slots of the unwound-frames array: one per frame up to the depth limit, capped."""
    return min(int(max_depth), 1 << 20) + 8


def state_record(address: int) -> ctypes.Array[ctypes.c_int64]:
    return (ctypes.c_int64 * L.STATE_SIZE).from_address(address)


def prepare_state(state: ctypes.Array[ctypes.c_int64], trace: ctypes.Array[ctypes.c_int64],
                  max_depth: int, print_callback: object) -> None:
    """Point a unit's state record at the run's trace array, depth limit and printer."""
    state[L.TRACE] = ctypes.addressof(trace)
    state[L.TRACE_CAP] = len(trace)
    state[L.MAX_DEPTH] = int(max_depth)
    state[L.PRINT_CB] = ctypes.cast(print_callback, ctypes.c_void_p).value or 0


def start_call(state: ctypes.Array[ctypes.c_int64], depth_left: int) -> None:
    """Reset the error slots before a call; `depth_left` is the depth limit minus the
    Lumen frames below the call (the root function's own frame included)."""
    state[L.ERR_CODE] = 0
    state[L.NTRACE] = 0
    state[L.DEPTH] = depth_left


def float_from_bits(bits: int) -> float:
    return ctypes.c_double.from_buffer(ctypes.c_int64(bits)).value
