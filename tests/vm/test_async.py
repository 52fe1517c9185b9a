"""Futures and scheduling in the VM (§14, §6.7): spawn, await, combinators, sleep."""

from __future__ import annotations

import time

import pytest

from lumen.vm.errors import LumenRuntimeError
from tests.vm.run_helpers import compile_source, run_source

DETERMINISTIC = "@deterministic true\n"


def fails(source: str) -> LumenRuntimeError:
    with pytest.raises(LumenRuntimeError) as info:
        run_source(source)
    return info.value


def test_eager_spawn_runs_at_once_and_await_gives_the_value() -> None:
    value, out = run_source("""
cell work(n: Int) -> Int
  print("work {n}")
  return n * 2
end
cell main() -> list[Any]
  let f = spawn(work, 4)
  print("spawned {f}")
  let g = spawn(work(5))
  return [await f, await g, await 7, f]
end
""")
    assert out == "work 4\nspawned <future:1:completed>\nwork 5\n"
    assert value[:3] == [8, 10, 7]


def test_deferred_fifo_runs_queued_futures_in_spawn_order_when_awaited() -> None:
    source = DETERMINISTIC + """
cell work(n: Int) -> Int
  print("work {n}")
  return n
end
cell main() -> Int
  let a = spawn(work, 1)
  let b = spawn(work, 2)
  let c = spawn(work, 3)
  let never = spawn(work, 4)
  print("before {a} {c}")
  let x = await c
  print("after {a} {never}")
  return x + await a
end
"""
    assert compile_source(source).deterministic
    value, out = run_source(source)
    assert value == 4
    assert out == ("before <future:1:pending> <future:3:pending>\nwork 1\nwork 2\nwork 3\n"
                   "after <future:1:completed> <future:4:pending>\n")


def test_error_or_halt_inside_a_future_fails_only_that_future() -> None:
    value, out = run_source("""
cell boom(n: Int) -> Int
  halt("boom {n}")
  return n
end
cell divide(n: Int) -> Int = n / 0
cell main() -> list[String]
  let f = spawn(boom, 1)
  let g = spawn(divide, 2)
  print("still running {f} {g}")
  return ["{f}", "{g}"]
end
""")
    assert out == "still running <future:1:error> <future:2:error>\n"
    error = fails("""
cell boom() -> Int
  halt("boom")
  return 1
end
cell main() -> Int
  let f = spawn(boom)
  return await f
end
""")
    assert error.kind == "futures"
    assert error.message == "runtime error: await failed for future 1: halt: boom"


def test_await_goes_through_nested_collections() -> None:
    value, _ = run_source("""
record Pair
  left: Any
  right: Any
end
cell main() -> Any
  let f = spawn(fn() => 1)
  let g = spawn(fn() => "two")
  return await {"xs": [f, (g, f)], "p": Pair(left: f, right: [g])}
end
""")
    assert value["xs"] == [1, ("two", 1)]
    assert value["p"].fields == {"left": 1, "right": ["two"]}


def test_combinators_inspect_states_without_waiting() -> None:
    value, _ = run_source(DETERMINISTIC + """
cell fail() -> Int
  halt("no")
  return 0
end
cell main() -> list[Any]
  let p1 = spawn(fn() => 1)
  let p2 = spawn(fn() => 2)
  let states = [type_of(race(p1, p2)), parallel(5, p1)[0], timeout(p1, 10), select(null, p2) == p2]
  let done = await p2
  let bad = spawn(fail)
  let x = await p1
  return [states, race(bad, p1, p2), race([p2, p1]), select(null, p2), vote(p1, p2, 2),
          parallel(p1, 3), timeout(p1, 1), timeout(4, 1)]
end
""")
    assert value[0] == ["Future", 5, None, True]
    assert value[1:] == [1, 2, 2, 2, [1, 3], 1, 4]


def test_timeout_on_a_failed_future_is_an_error() -> None:
    error = fails("""
cell fail() -> Int
  halt("late")
  return 0
end
cell main() -> Any
  return timeout(spawn(fail), 5)
end
""")
    assert error.message == "runtime error: timeout target failed: halt: late"


def test_orchestration_blocks_and_spawn_errors() -> None:
    value, _ = run_source("""
cell twice(n: Int) -> Int = n * 2
cell main() -> list[Any]
  let all = await parallel for x in [1, 2, 3]
    twice(x)
  end
  let first = await race(99)
    twice(1)
  end
  let picked = await select
    null
    twice(4)
  end
  let voted = await vote
    1
    2
    2
  end
  return [all, first, picked, voted]
end
""")
    assert value == [[2, 4, 6], 99, 8, 2]
    error = fails("cell main() -> Any\n  return spawn(42)\nend\n")
    assert error.message == "type error at runtime: spawn expects a callable, got 42"


def test_spawned_sleeps_overlap() -> None:
    source = """
cell nap(n: Int) -> Int
  sleep(200)
  return n
end
cell main() -> list[Int]
  let mut fs: list[Any] = []
  for i in 0..10
    fs = append(fs, spawn(nap, i))
  end
  return await fs
end
"""
    module = compile_source(source)
    from lumen.vm.interpreter import VM

    started = time.monotonic()
    value = VM(module).run()
    elapsed = time.monotonic() - started
    assert value == list(range(10))
    assert 0.2 <= elapsed < 0.6


def test_sleeping_futures_interleave_by_deadline_and_deterministic_runs_agree() -> None:
    source = """
cell step(name: String, ms: Int) -> String
  print("{name} start")
  sleep(ms)
  print("{name} woke")
  sleep(ms)
  print("{name} done")
  return name
end
cell main() -> list[String]
  let a = spawn(step, "a", 30)
  let b = spawn(step, "b", 20)
  sleep(5)
  print("main slept")
  return await [a, b]
end
"""
    value, out = run_source(source)
    assert value == ["a", "b"]
    assert out == ("a start\nb start\nmain slept\nb woke\na woke\nb done\na done\n")
    outputs = {run_source(DETERMINISTIC + source)[1] for _ in range(20)}
    assert len(outputs) == 1
    # Deferred FIFO: the queued futures start when main first waits (its sleep).
    assert outputs.pop() == ("a start\nb start\nmain slept\nb woke\na woke\nb done\n"
                             "a done\n")


def test_waiting_inside_a_builtin_callback_drives_other_futures() -> None:
    value, _ = run_source("""
cell nap(n: Int) -> Int
  sleep(20)
  return n
end
cell main() -> list[Int]
  let fs = map([1, 2, 3], fn(n) => spawn(nap, n))
  return map(fs, fn(f) => await f)
end
""")
    assert value == [1, 2, 3]



def test_futures_have_their_own_handler_stack() -> None:
    error = fails("""
effect Ask
  cell q() -> Int
end
cell main() -> Any
  return handle
    await spawn(fn() => perform Ask.q())
  with
    Ask.q() =>
      resume(1)
  end
end
""")
    assert error.message == "runtime error: await failed for future 1: unhandled effect: Ask.q"
