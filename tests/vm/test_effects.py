"""Algebraic effects in the VM (§11.5, §11.6): handle/perform/resume semantics."""

from __future__ import annotations

import pytest

from lumen.lir.serialize import dumps, loads
from lumen.vm.errors import LumenRuntimeError
from tests.vm.run_helpers import compile_source, run_source

ASK = """
effect Ask
  cell question(prompt: String) -> String
end
effect Log
  cell write(msg: String) -> Null
end
"""


def run(body: str) -> tuple[object, str]:
    return run_source(ASK + body)


def fails(body: str) -> LumenRuntimeError:
    with pytest.raises(LumenRuntimeError) as info:
        run(body)
    return info.value


def test_resume_continues_body_and_skips_rest_of_arm() -> None:
    value, out = run("""
cell main() -> String
  let r = handle
    let a = perform Ask.question("first")
    print("body got " ++ a)
    a ++ "/" ++ perform Ask.question("second")
  with
    Ask.question(p) =>
      print("arm " ++ p)
      resume(p ++ "!")
      print("never printed")
  end
  return r
end
""")
    assert value == "first!/second!"
    assert out == "arm first\nbody got first!\narm second\n"


def test_arm_without_resume_aborts_and_runs_deferred_blocks_of_abandoned_frames() -> None:
    value, out = run("""
cell inner() -> Int
  defer
    print("inner defer")
  end
  perform Log.write("stop")
  print("not reached")
  return 1
end
cell main() -> String
  let r = handle
    inner()
    "finished"
  with
    Log.write(m) =>
      "aborted: " ++ m
  end
  print(r)
  return r
end
""")
    assert value == "aborted: stop"
    assert out == "inner defer\naborted: stop\n"


def test_body_temporaries_survive_the_arm() -> None:
    value, _ = run("""
cell main() -> Int
  let r = handle
    let base = 5
    base * 10 + (perform Ask.question("x") as Int) + base
  with
    Ask.question(p) =>
      let scratch = 1000
      let other = scratch * 3
      resume("7")
  end
  return r
end
""")
    assert value == 62


def test_nested_handlers_inner_shadows_outer_and_arms_perform_outward() -> None:
    value, out = run("""
cell main() -> String
  let r = handle
    handle
      perform Ask.question("q")
    with
      Ask.question(p) =>
        let outer = perform Ask.question("from inner arm")
        resume("inner(" ++ outer ++ ")")
    end
  with
    Ask.question(p) =>
      print("outer sees " ++ p)
      resume("outer")
  end
  return r
end
""")
    assert value == "inner(outer)"
    assert out == "outer sees from inner arm\n"


def test_handler_is_removed_after_its_body() -> None:
    error = fails("""
cell main() -> String
  let a = handle
    "no perform"
  with
    Ask.question(p) =>
      resume("x")
  end
  return perform Ask.question("again")
end
""")
    assert error.message == "runtime error: unhandled effect: Ask.question"
    assert error.kind == "effects"
    assert error.line == 16


def test_return_inside_body_and_arm_returns_from_the_cell() -> None:
    value, _ = run("""
cell from_body() -> String
  handle
    return "body"
  with
    Ask.question(p) =>
      resume("x")
  end
  return "after"
end
cell from_arm() -> String
  handle
    perform Ask.question("q")
  with
    Ask.question(p) =>
      return "arm " ++ p
  end
  return "after"
end
cell main() -> list[String]
  let a = from_body()
  let b = from_arm()
  let c = handle
    perform Ask.question("still handled")
  with
    Ask.question(p) =>
      resume(p)
  end
  return [a, b, c]
end
""")
    assert value == ["body", "arm q", "still handled"]


def test_break_and_continue_leave_the_handle_scope() -> None:
    value, _ = run("""
cell main() -> list[String]
  let mut seen: list[String] = []
  for i in 0..3
    handle
      if i == 1
        continue
      end
      if i == 2
        break
      end
      seen = append(seen, perform Ask.question("i{i}"))
    with
      Ask.question(p) =>
        resume(p)
    end
  end
  let after = handle
    perform Ask.question("outside")
  with
    Ask.question(p) =>
      resume("handled " ++ p)
  end
  return append(seen, after)
end
""")
    assert value == ["i0", "handled outside"]


def test_resume_outside_an_arm_is_an_error() -> None:
    error = fails("""
cell main() -> Int
  resume(1)
  return 0
end
""")
    assert error.message == "runtime error: resume called outside of effect handler"
    error = fails("""
cell helper() -> Int
  resume(2)
  return 0
end
cell main() -> Int
  return handle
    perform Ask.question("q")
    0
  with
    Ask.question(p) =>
      helper()
  end
end
""")
    assert error.message == "runtime error: resume called outside of effect handler"


def test_top_level_handler_direct_calls_and_bindings() -> None:
    source = """
handler Fixed
  handle Ask.question(prompt: String) -> String
    return "fixed " ++ prompt
  end
end
cell main() -> list[String]
  let direct = Ask.question("d")
  let performed = perform Ask.question("p")
  let dynamic = handle
    perform Ask.question("h")
  with
    Ask.question(p) =>
      resume("dynamic " ++ p)
  end
  let static_in_handle = handle
    Ask.question(prompt: "s")
  with
    Ask.question(p) =>
      resume("wrong")
  end
  return [direct, performed, dynamic, static_in_handle]
end
"""
    value, _ = run(source)
    assert value == ["fixed d", "fixed p", "dynamic h", "fixed s"]
    error = fails("""
bind effect Log to Logger
cell main() -> Null
  return Log.write("x")
end
""")
    assert error.message == "tool call error: no provider configured for tool Logger"
    error = fails("""
cell main() -> Null
  return Log.write("x")
end
""")
    assert error.message == "runtime error: unhandled effect: Log.write"


def test_perform_inside_builtin_callback_resumes_and_aborts() -> None:
    value, out = run("""
cell main() -> list[Any]
  let resumed = handle
    map([1, 2, 3], fn(x) => perform Ask.question("x{x}"))
  with
    Ask.question(p) =>
      print(p)
      resume(p ++ "!")
  end
  let aborted = handle
    map([1, 2, 3], fn(x) => perform Ask.question("y{x}"))
  with
    Ask.question(p) =>
      "aborted at " ++ p
  end
  return [resumed, aborted]
end
""")
    assert value == [["x1!", "x2!", "x3!"], "aborted at y1"]
    assert out == "x1\nx2\nx3\n"


def test_many_resumes_use_constant_python_stack_and_bounded_state(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from lumen.lir.opcodes import Op
    from lumen.vm import interpreter_slow

    samples: list[tuple[int, int, int]] = []
    original = interpreter_slow.HANDLERS[int(Op.RESUME)]

    def measuring(vm, frame, regs, a, b, c, pc):  # noqa: ANN001, ANN202
        depth = 0
        python_frame = sys._getframe()
        while python_frame is not None:
            depth += 1
            python_frame = python_frame.f_back
        samples.append((depth, len(vm.frames), len(vm.handlers)))
        return original(vm, frame, regs, a, b, c, pc)

    monkeypatch.setitem(interpreter_slow.HANDLERS, int(Op.RESUME), measuring)
    value, _ = run("""
cell count(n: Int) -> Int
  let mut total = 0
  for i in 0..n
    total = total + (perform Ask.question("q") as Int)
  end
  return total
end
cell main() -> Int
  return handle
    count(10000)
  with
    Ask.question(p) =>
      resume("1")
  end
end
""")
    assert value == 10000
    assert len(samples) == 10000
    assert len(set(samples)) == 1, set(samples)


def test_modules_with_handles_round_trip_through_serialization() -> None:
    module = compile_source(ASK + """
cell main() -> String
  return handle
    perform Ask.question("q")
  with
    Ask.question(p) =>
      resume(p)
  end
end
""")
    assert loads(dumps(module)) == module


def test_handle_left_by_break_no_longer_handles() -> None:
    error = fails("""
cell main() -> String
  for i in 0..3
    handle
      break
    with
      Ask.question(p) =>
        resume(p)
    end
  end
  return perform Ask.question("after the loop")
end
""")
    assert error.message == "runtime error: unhandled effect: Ask.question"
