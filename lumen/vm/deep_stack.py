"""Running the VM where compiled cells may recurse deeply on the Python stack.

The interpreter keeps Lumen frames in explicit data, but the faster tiers (lumen/jit) call
compiled cells as Python functions. `VM.run` therefore runs on a thread with a large C stack
and a recursion limit just above the Lumen call-depth limit, so deep recursion in compiled
code ends in the same `stack overflow` error as in the interpreter, not in a crash.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # no typing import at run time: lumen/cli/fast_run.py reads STACK_BYTES
    from collections.abc import Callable
    from typing import Any

STACK_BYTES = 512 * 1024 * 1024
# Python frames of the run loop itself, builtins and callbacks on top of one frame per
# compiled Lumen call.
RECURSION_SLACK = 200

_state: Any = None  # a threading.local(), made on first use (threading costs ~5 ms)


def on_deep_stack(work: Callable[[], Any], max_depth: int) -> Any:
    """`work()` on a deep-stack thread (or here, when already on one); returns its value
    and re-raises what it raised."""
    global _state
    import threading

    if _state is None:
        _state = threading.local()
    if getattr(_state, "deep", False):
        return work()
    result: list[Any] = []
    raised: list[BaseException] = []

    def target() -> None:
        _state.deep = True
        try:
            result.append(work())
        except BaseException as exc:  # handed to the calling thread
            raised.append(exc)

    previous_limit = sys.getrecursionlimit()
    previous_size = threading.stack_size()
    try:
        threading.stack_size(STACK_BYTES)
    except (ValueError, RuntimeError):  # no settable stacks here: run on this thread
        return work()
    sys.setrecursionlimit(max(previous_limit, max_depth + RECURSION_SLACK))
    try:
        thread = threading.Thread(target=target, name="lumen-run", daemon=True)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous_size)
        sys.setrecursionlimit(previous_limit)
    if raised:
        raise raised[0]
    return result[0]
