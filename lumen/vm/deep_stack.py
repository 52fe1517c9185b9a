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

_deep_threads: set[int] = set()  # idents of the threads this module started


def on_deep_stack(work: Callable[[], Any], max_depth: int) -> Any:
    """`work()` on a deep-stack thread (or here, when already on one); returns its value
    and re-raises what it raised. Plain `_thread`: `threading` costs every run ~5 ms."""
    import _thread

    if _thread.get_ident() in _deep_threads:
        return work()
    result: list[Any] = []
    raised: list[BaseException] = []
    done = _thread.allocate_lock()
    done.acquire()

    def target() -> None:
        ident = _thread.get_ident()
        _deep_threads.add(ident)
        try:
            result.append(work())
        except BaseException as exc:  # handed to the calling thread
            raised.append(exc)
        finally:
            _deep_threads.discard(ident)
            done.release()

    previous_limit = sys.getrecursionlimit()
    previous_size = _thread.stack_size()
    try:
        _thread.stack_size(STACK_BYTES)
    except (ValueError, RuntimeError):  # no settable stacks here: run on this thread
        return work()
    sys.setrecursionlimit(max(previous_limit, max_depth + RECURSION_SLACK))
    try:
        try:
            _thread.start_new_thread(target, ())
        finally:
            _thread.stack_size(previous_size)
        done.acquire()
    finally:
        sys.setrecursionlimit(previous_limit)
    if raised:
        raise raised[0]
    return result[0]
