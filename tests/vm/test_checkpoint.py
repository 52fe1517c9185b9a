"""VM checkpoints (lumen/vm/checkpoint.py): a run paused at its K-th call, captured,
restored into a fresh VM and continued prints and returns what the uninterrupted run did;
state that cannot be captured exactly is a CheckpointError."""

from __future__ import annotations

import contextlib
import functools
import io
from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumen.vm.checkpoint import (
    CheckpointError,
    pause_at_call,
    restore,
    resume,
    snapshot,
)
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.interpreter import VM
from lumen.vm.options import VMOptions
from tests.vm.run_helpers import compile_source

INTERPRETER = VMOptions(fast_tier=False, jit=False, seed=7)

# Values of every kind the heap holds, shared between registers (`shared` is in a list,
# a record and a closure), process memory, effects with a continuation in flight, deferred
# blocks, random numbers from a seeded generator, and a big Int.
PROGRAM = """
effect Ask
  cell question(prompt: String) -> Int
end

memory Journal
end

record Point
  x: Int
  y: Int
end

enum Shape
  Circle(r: Int)
  Rect(w: Int, h: Int)
end

cell area(s: Shape) -> Int
  match s
    Circle(r) -> return 3 * r * r
    Rect(w, h) -> return w * h
  end
end

cell fib(n: Int) -> Int
  if n < 2
    return n
  end
  return fib(n - 1) + fib(n - 2)
end

cell walk(p: Point, steps: Int, j: Any) -> Point
  defer
    print("walked {steps}")
  end
  let mut q = p
  for i in 0..steps
    q = Point(x: q.x + i, y: q.y - 1)
    j.append(q.x)
  end
  return q
end

cell asked(base: Int) -> Int
  return base + perform Ask.question("more")
end

cell main() -> Any
  let j = Journal()
  let shared = [1, 2, 3]
  let holder = {"list": shared, "name": "h"}
  let add = fn(v) => v + length(shared)
  let mut total = 0
  for s in [Circle(2), Rect(3, 4), Circle(1)]
    total = total + area(s)
    print("area so far {total}")
  end
  let p = walk(Point(x: 1, y: 2), 4, j)
  print("point {p.x} {p.y}")
  let answer = handle
    asked(fib(6)) + asked(1)
  with
    Ask.question(q) =>
      print("asked {q}")
      resume(fib(5))
  end
  print("answer {answer}")
  let big = 92233720368547758070
  let tags = {"b", "a", "c"}
  print("random {random_int(1, 1000)}")
  print(add(fib(7)))
  return [total, p, answer, big, holder, j.recent(3), tags, random_int(1, 1000), shared]
end
"""


CALLS = 115  # calls PROGRAM makes, every one from the outermost run loop


def run_whole(module: Any) -> tuple[Any, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        value = VM(module, INTERPRETER).run("main")
    return value, out.getvalue()


def paused_then_resumed(module: Any, call: int) -> tuple[Any, str, bytes | None]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        data, _, value = pause_at_call(module, call, options=INTERPRETER)
        if data is not None:
            value = resume(restore(module, data, INTERPRETER))
    return value, out.getvalue(), data


@functools.cache
def compiled_program() -> Any:
    return compile_source(PROGRAM)


@pytest.fixture(scope="module")
def module() -> Any:
    return compiled_program()


@pytest.fixture(scope="module")
def whole(module: Any) -> tuple[Any, str]:
    return run_whole(module)


def test_the_program_makes_many_calls(module: Any, whole: tuple[Any, str]) -> None:
    data, calls, value = pause_at_call(module, 10_000, options=INTERPRETER)
    assert data is None and calls == CALLS and value == whole[0]


@settings(max_examples=25, deadline=None)
@given(call=st.integers(min_value=1, max_value=CALLS))
def test_resumed_run_matches_the_uninterrupted_one(call: int) -> None:
    module = compiled_program()
    value, out, data = paused_then_resumed(module, call)
    assert data is not None
    assert (value, out) == run_whole(module)


@pytest.mark.parametrize("call", [1, 2, 40, 97])
def test_fixed_points_including_inside_the_handle(module: Any, whole: tuple[Any, str],
                                                  call: int) -> None:
    assert paused_then_resumed(module, call)[:2] == whole


def test_a_restored_vm_can_be_captured_again(module: Any, whole: tuple[Any, str]) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        data, _, _ = pause_at_call(module, 30, options=INTERPRETER)
        assert data is not None
        vm = restore(module, data, INTERPRETER)
        again = snapshot(restore(module, snapshot(vm), INTERPRETER))
        value = resume(restore(module, again, INTERPRETER))
    assert (value, out.getvalue()) == whole


def test_sharing_survives(module: Any) -> None:
    source = """
cell touch(a: List[Int], b: List[Int]) -> List[Int]
  let mut c = a
  c[0] = 99
  return [a[0], b[0], c[0]]
end

cell main() -> Any
  let xs = [1, 2]
  let r = touch(xs, xs)
  return [r, xs]
end
"""
    shared = compile_source(source)
    data, _, _ = pause_at_call(shared, 1, options=INTERPRETER)
    assert data is not None
    state = msgpack.unpackb(data, raw=False, strict_map_key=False)
    lists = [e for e in state["objects"] if e[0] == "list"]
    assert len(lists) == 1  # xs once, referred to from both argument registers
    frame = restore(shared, data, INTERPRETER).frames[-1]
    assert frame.regs[0] is frame.regs[1]
    assert resume(restore(shared, data, INTERPRETER)) == [[1, 1, 99], [1, 2]]


def test_errors_after_the_pause_are_the_same_runtime_errors() -> None:
    failing = compile_source("""
cell divide(n: Int) -> Int
  return 10 / n
end

cell main() -> Int
  return divide(2) + divide(0)
end
""")
    data, _, _ = pause_at_call(failing, 2, options=INTERPRETER)
    assert data is not None
    with pytest.raises(LumenRuntimeError) as info:
        resume(restore(failing, data, INTERPRETER))
    assert info.value.kind == "division"
    assert [name for name, _, _ in info.value.lumen_stack] == ["divide", "main"]


def test_a_run_that_ends_before_the_call_returns_its_value(module: Any,
                                                            whole: tuple[Any, str]) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        data, calls, value = pause_at_call(module, 10**9, options=INTERPRETER)
    assert data is None and value == whole[0] and calls > 0


def test_a_callback_inside_a_builtin_is_not_a_pause_point() -> None:
    mapped = compile_source("""
cell double(v: Int) -> Int
  return v * 2
end

cell main() -> Any
  let xs = map([1, 2, 3], fn(v) => double(v))
  return [xs, double(5)]
end
""")
    # Call 1 enters main, calls 2-7 run inside map's callback (nested loops): the pause
    # waits for double(5).
    data, calls, _ = pause_at_call(mapped, 1, options=INTERPRETER)
    assert data is not None and calls == 8
    assert resume(restore(mapped, data, INTERPRETER)) == [[2, 4, 6], 10]


def test_fast_tiers_are_refused_and_pending_futures_skipped() -> None:
    module = compile_source("cell f() -> Int\n  return 1\nend\n"
                            "cell main() -> Int\n  return f()\nend\n")
    with pytest.raises(CheckpointError, match="interpreter-only"):
        pause_at_call(module, 1, options=VMOptions(jit=False))
    spawning = """
cell work(n: Int) -> Int
  return n * 2
end

cell main() -> Int
  let f = spawn(work, 21)
  return work(1) + await(f)
end
"""
    # Futures run when spawned: at work(1) the future is completed and is captured.
    eager = compile_source(spawning)
    data, _, _ = pause_at_call(eager, 3, options=INTERPRETER)
    assert data is not None and resume(restore(eager, data, INTERPRETER)) == 44
    # Deterministic runs queue them: calls while the future is pending are not places to
    # pause, so the run pauses at the first call after it finished (here: none, it ends).
    queued = compile_source("@deterministic true\n" + spawning)
    data, calls, value = pause_at_call(queued, 1, options=INTERPRETER)
    assert data is None and value == 44 and calls == 3
    later = compile_source("@deterministic true\n" + spawning.replace(
        "return work(1) + await(f)", "let a = work(1) + await(f)\n  return a + work(0)"))
    data, calls, _ = pause_at_call(later, 1, options=INTERPRETER)
    assert data is not None and calls == 4
    assert resume(restore(later, data, INTERPRETER)) == 44


def test_not_running_vm_is_refused(module: Any) -> None:
    with pytest.raises(CheckpointError, match="not running a cell"):
        snapshot(VM(module, INTERPRETER))


def test_foreign_or_damaged_bytes_are_refused(module: Any) -> None:
    data, _, _ = pause_at_call(module, 5, options=INTERPRETER)
    assert data is not None
    other = compile_source("cell main() -> Int\n  return 1\nend\n")
    with pytest.raises(CheckpointError, match="different program"):
        restore(other, data)
    with pytest.raises(CheckpointError, match="not a checkpoint"):
        restore(module, b"\xc1garbage")
    with pytest.raises(CheckpointError, match="not a checkpoint"):
        restore(module, msgpack.packb({"format": "zip"}))
    state = msgpack.unpackb(data, raw=False, strict_map_key=False,
                            ext_hook=lambda code, raw: msgpack.ExtType(code, raw))
    state["version"] = 99
    with pytest.raises(CheckpointError, match="version 99 is not supported"):
        restore(module, msgpack.packb(state, use_bin_type=True))
    state["version"] = 1
    state["objects"] = [["gizmo"]]
    with pytest.raises(CheckpointError, match="damaged checkpoint"):
        restore(module, msgpack.packb(state, use_bin_type=True))


def test_an_error_unwinding_through_a_deferred_block_is_captured() -> None:
    unwinding = compile_source("""
cell cleanup(n: Int) -> Null
  print("cleanup {n}")
end

cell risky(n: Int) -> Int
  defer
    cleanup(n)
  end
  return 10 / n
end

cell main() -> Int
  return risky(0)
end
""")
    def failure(run: Any) -> tuple[Any, ...]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), pytest.raises(LumenRuntimeError) as info:
            run()
        error = info.value
        return error.kind, error.message, error.line, error.lumen_stack, out.getvalue()

    whole = failure(lambda: VM(unwinding, INTERPRETER).run("main"))
    # Call 3 is cleanup(0), made by the deferred block while the division error unwinds.
    data, calls, _ = pause_at_call(unwinding, 3, options=INTERPRETER)
    assert data is not None and calls == 3
    assert restore(unwinding, data, INTERPRETER).frames[1].error is not None
    resumed = failure(lambda: resume(restore(unwinding, data, INTERPRETER)))
    assert resumed == whole and whole[0] == "division" and whole[-1] == "cleanup 0\n"


def test_pauses_inside_a_handle_and_inside_its_arm_keep_the_continuation(
        module: Any, whole: tuple[Any, str]) -> None:
    kinds_at: dict[int, set[str]] = {}
    for call in range(1, CALLS + 1):
        data, _, _ = pause_at_call(module, call, options=INTERPRETER)
        assert data is not None
        state = msgpack.unpackb(data, raw=False, strict_map_key=False,
                                ext_hook=lambda code, raw: msgpack.ExtType(code, raw))
        kinds_at[call] = {entry[0] for entry in state["objects"]}
    in_body = [c for c, kinds in kinds_at.items() if "handler" in kinds]
    in_arm = [c for c, kinds in kinds_at.items() if "continuation" in kinds]
    assert in_body and in_arm
    for call in (in_body[0], in_arm[0], in_arm[-1]):
        assert paused_then_resumed(module, call)[:2] == whole


def test_machine_state_is_captured() -> None:
    machine = compile_source("""
machine Door
  initial: Closed
  state Closed(tries: Int)
    guard: tries < 3
    transition Open(tries + 1)
  end
  state Open(tries: Int)
    terminal: true
  end
end

cell note(d: Any) -> Bool
  return d.is_terminal()
end

cell main() -> Any
  let d = Door()
  d.start(1)
  let before = note(d)
  let after = d.step()
  return [before, after, note(d)]
end
""")
    whole = VM(machine, INTERPRETER).run("main")
    machines_at = []
    for call in range(1, 8):  # Door(), d.start, note, d.is_terminal, d.step, ...
        data, _, _ = pause_at_call(machine, call, options=INTERPRETER)
        assert data is not None
        state = msgpack.unpackb(data, raw=False, strict_map_key=False,
                                ext_hook=lambda code, raw: msgpack.ExtType(code, raw))
        machines_at.append([m[:2] + m[3:] for m in state["processes"]["machines"].values()])
        assert resume(restore(machine, data, INTERPRETER)) == whole
    assert [True, "Closed", 0, False] in [m[0] for m in machines_at if m]
    assert [True, "Open", 1, True] in [m[0] for m in machines_at if m]
    assert whole[0] is False and whole[2] is True
