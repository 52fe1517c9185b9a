"""Async and orchestration builtins (§10.18, §14.3, §14.5) and `sleep`.

`spawn` and `sleep` talk to the VM's scheduler (`lumen/vm/scheduler.py`). The combinators
never wait: they inspect the current state of each future, so results depend only on
argument order and states (wrap them in `await` to resolve what is still pending).
"""

from __future__ import annotations

from lumen.vm.builtins.registry import builtin
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.values import Future, values_equal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@builtin("spawn", context=True, effect="async")
def spawn(ctx: Any, fn: Any = None, *args: Any) -> Future:
    return ctx.scheduler.spawn(fn, list(args))


@builtin("sleep", context=True, effect="async")
def sleep(ctx: Any, milliseconds: Any = 0) -> None:
    """Wait `milliseconds`; other futures run meanwhile (a spawned future parks)."""
    ctx.scheduler.sleep(milliseconds)


def _items(args: tuple[Any, ...]) -> list[Any]:
    """Separate arguments, or one list argument (§14.5)."""
    if len(args) == 1 and type(args[0]) is list:
        return list(args[0])
    return list(args)


def _completed(item: Any) -> tuple[bool, Any]:
    """(True, value) for a completed future or a plain value."""
    if type(item) is Future:
        return (True, item.value) if item.state == "completed" else (False, None)
    return True, item


def _first_pending(items: list[Any]) -> Future | None:
    for item in items:
        if type(item) is Future and item.state == "pending":
            return item
    return None


@builtin("parallel", effect="async")
def parallel(*args: Any) -> list[Any]:
    return [item.value if type(item) is Future and item.state == "completed" else item
            for item in _items(args)]


@builtin("race", effect="async")
def race(*args: Any) -> Any:
    items = _items(args)
    for item in items:
        done, value = _completed(item)
        if done:
            return value
    return _first_pending(items)


@builtin("select", effect="async")
def select(*args: Any) -> Any:
    items = _items(args)
    for item in items:
        done, value = _completed(item)
        if done and value is not None:
            return value
    return _first_pending(items)


@builtin("vote", effect="async")
def vote(*args: Any) -> Any:
    items = _items(args)
    tallies: list[list[Any]] = []  # [value, count] in order of first occurrence
    for item in items:
        done, value = _completed(item)
        if not done:
            continue
        for tally in tallies:
            if values_equal(tally[0], value):
                tally[1] += 1
                break
        else:
            tallies.append([value, 1])
    if tallies:
        best = tallies[0]
        for tally in tallies[1:]:
            if tally[1] > best[1]:
                best = tally
        return best[0]
    return _first_pending(items)


@builtin("timeout", effect="async")
def timeout(target: Any = None, milliseconds: Any = None) -> Any:
    if type(target) is not Future:
        return target
    if target.state == "completed":
        return target.value
    if target.state == "error":
        raise LumenRuntimeError(
            "futures", f"runtime error: timeout target failed: {target.error}")
    return None
