"""Property (issue 5, acceptance 5): random typed arithmetic programs give the same outcome
in the interpreter, in the Python tier (`--no-jit`) and with the native tier forced on for
every cell (`--jit-threshold 0`): the same printed output, the same result value, or the same
runtime error (kind, message, position and Lumen stack).

The programs come from `tests/jit/lumen_gen.py` (Int/Float/Bool/list cells with loops,
branches, calls and recursion; overflow, division by zero and bad indices on purpose).
`LUMEN_PROPERTY_EXAMPLES=N` runs N random examples (per property) instead of the fixed CI set.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, find, given, settings

from lumen.driver import Compilation, compile_file
from tests.jit.lumen_gen import Program, programs
from tests.jit.tier_runs import (
    NATIVE_TIER,
    NATIVE_TIER_EXISTS,
    NATIVE_TIER_NAME,
    TIERS,
    TierRun,
    compiled_natively,
    mismatch_report,
    run_once,
    run_tiers,
)

_EXPLORE = os.environ.get("LUMEN_PROPERTY_EXAMPLES", "")


def property_settings(ci_examples: int) -> settings:
    return settings(
        max_examples=int(_EXPLORE) if _EXPLORE.isdigit() else ci_examples,
        deadline=None,
        derandomize=not _EXPLORE,  # CI runs the same examples every time; exploring does not
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def compile_text(source: str, directory: str) -> Compilation:
    path = Path(directory) / "generated.lm"
    path.write_text(source, encoding="utf-8")
    compilation = compile_file(path)
    # The generator promises well-typed programs: a compile error is a generator bug (or a
    # checker bug), never a reason to skip the example.
    assert compilation.ok, (
        "generated program does not compile:\n" + source + "\n"
        + "\n".join(f"{d.line}:{d.column} {d.code} {d.message}" for d in compilation.errors)
    )
    return compilation


def assert_same_in_every_tier(source: str) -> dict[str, TierRun]:
    with tempfile.TemporaryDirectory() as directory:
        runs = run_tiers(compile_text(source, directory))
    problem = mismatch_report(runs)
    assert problem is None, f"tiers disagree on this program:\n{source}\n{problem}"
    return runs


def check_generated(program: Program) -> None:
    runs = assert_same_in_every_tier(program.source())
    compiled = compiled_natively(runs[NATIVE_TIER_NAME].jit_report)
    event("native tier compiled a cell" if compiled else "native tier compiled nothing")


@property_settings(60)
@given(programs())
def test_generated_programs_agree_in_every_tier(program: Program) -> None:
    check_generated(program)


@property_settings(40)
@given(programs(native_friendly=True))
def test_native_friendly_programs_agree_in_every_tier(program: Program) -> None:
    """Programs without the features the native tier declines: most of them run natively."""
    check_generated(program)


# Hand-written programs for the edges a native tier is most likely to get wrong; each runs
# through the same three tiers.
EDGE_PROGRAMS = {
    "float variable holding an int divides by zero": """
cell half(x: Float) -> Float
  return x / 0
end
cell main() -> Float
  let mut total = 0.0
  for i in 0..3
    total = total + half(2.5)
  end
  return total + half(1)
end
""",
    "float equality is by bit pattern": """
cell same(a: Float, b: Float) -> Bool
  return a == b
end
cell main() -> list[Bool]
  let nan = 0.0 / 0.0
  return [same(nan, nan), same(0.0, -0.0), nan != nan, 0.0 == -0.0, nan < nan]
end
""",
    "int and float compare exactly": """
cell eq(a: Int, b: Float) -> Bool
  return a == b
end
cell lt(a: Int, b: Float) -> Bool
  return a < b
end
cell main() -> list[Bool]
  let big = 9007199254740993
  return [eq(big, 9007199254740992.0), lt(big, 9007199254740992.0),
          eq(9223372036854775807, 9223372036854775807.0), lt(9223372036854775807, 9.223372036854776e18)]
end
""",
    "overflow inside a hot loop": """
cell grow(n: Int) -> Int
  let mut x = 1
  let mut i = 0
  while i < n
    x = x * 3
    i += 1
  end
  return x
end
cell main() -> Int
  print(grow(39))
  return grow(41)
end
""",
    "euclidean division and remainder": """
cell ops(a: Int, b: Int) -> list[Int]
  return [a / b, a // b, a % b]
end
cell fops(a: Float, b: Float) -> list[Float]
  return [a / b, a // b, a % b]
end
cell main() -> list[Int]
  print(ops(-7, 2), ops(7, -2), ops(-7, -2), ops(-9223372036854775807 - 1, 3))
  print(fops(-7.5, 2.0), fops(7.5, -2.0), fops(1.0, 0.0), fops(-1.0, 0.0), fops(0.0, 0.0))
  print(ops(-9223372036854775807 - 1, -1))
  return ops(5, 0)
end
""",
    "list parameters are values": """
cell bump(xs: list[Int], n: Int) -> Int
  let mut total = 0
  for i in 0..n
    xs[i % length(xs)] = xs[i % length(xs)] + i
    xs = append(xs, i)
  end
  for x in xs
    total += x
  end
  return total
end
cell main() -> list[Int]
  let mut xs = [1, 2, 3]
  let ys = xs
  print(bump(xs, 5), xs, ys)
  xs[0] = 10
  print(xs, ys)
  return [bump(xs, 2), xs[-1], ys[-3]]
end
""",
    "index out of range in a compiled loop": """
cell pick(xs: list[Float], n: Int) -> Float
  let mut s = 0.0
  for i in 0..n
    s = s + xs[i]
  end
  return s
end
cell main() -> Float
  print(pick([1.5, 2.5], 2), pick([1.5, 2.5], -1))
  return pick([1.5, 2.5], 3)
end
""",
    "mutual recursion and negation overflow": """
cell even(n: Int) -> Bool
  if n == 0
    return true
  end
  return odd(n - 1)
end
cell odd(n: Int) -> Bool
  if n == 0
    return false
  end
  return even(n - 1)
end
cell neg(x: Int) -> Int
  return -x
end
cell main() -> Int
  print(even(50), odd(31))
  return neg(-9223372036854775807 - 1)
end
""",
    "loop counters at the edges of i64": """
cell upto(start: Int, n: Int) -> Int
  let mut i = start
  let mut c = 0
  while i <= n
    i += 1
    c += 1
  end
  return c
end
cell step(start: Int, n: Int, k: Int) -> Int
  let mut i = start
  while i < n
    i += k
  end
  return i
end
cell down(start: Int, n: Int) -> Int
  let mut i = start
  while i > n
    i -= 1
  end
  return i
end
cell main() -> Int
  print(step(9223372036854775800, 9223372036854775806, 2))
  print(down(-9223372036854775800, -9223372036854775807 - 1))
  print(upto(0, 3))
  return upto(9223372036854775800, 9223372036854775807)
end
""",
    "float rendering and conversions": """
cell f(x: Float) -> Float
  return x * 1e300 * 1e10
end
cell main() -> list[Float]
  print(to_int(0.0 / 0.0), to_int(1e300), to_int(-1e300), to_int(-2.9), to_float(7))
  return [f(1.0), f(-1.0), 0.1 + 0.2, -0.0, 1e21, sqrt(-1.0), 5e-324]
end
""",
}


@pytest.mark.parametrize("name", sorted(EDGE_PROGRAMS))
def test_edge_programs_agree_in_every_tier(name: str) -> None:
    assert_same_in_every_tier(EDGE_PROGRAMS[name])


DEEP_RECURSION = """
cell down(n: Int) -> Int
  if n == 0
    return 0
  end
  return 1 + down(n - 1)
end
cell main() -> Int
  print(down(100))
  return down(20000)
end
"""


DEEP_RECURSION_UNDER_AN_INTERPRETED_CELL = """
cell down(n: Int) -> Int
  if n == 0
    return 0
  end
  return 1 + down(n - 1)
end
cell middle(n: Int) -> Int
  defer
    print("unwound")
  end
  return down(n)
end
cell main() -> Int
  return middle(20000)
end
"""


@pytest.mark.parametrize("source", [DEEP_RECURSION, DEEP_RECURSION_UNDER_AN_INTERPRETED_CELL])
def test_stack_overflow_agrees_in_every_tier(source: str) -> None:
    # The Python tier leaves cells to the interpreter under a limit below 10,000.
    tiers = {name: options._replace(max_depth=10_000) for name, options in TIERS.items()}
    with tempfile.TemporaryDirectory() as directory:
        runs = run_tiers(compile_text(source, directory), tiers)
    problem = mismatch_report(runs)
    assert problem is None, problem


# ------------------------------------------------------------------------ the tier is used

needs_native = pytest.mark.skipif(
    not NATIVE_TIER_EXISTS,
    reason="lumen.jit.native.NativeTier does not exist yet: threshold 0 runs in the interpreter",
)


def native_report(source: str) -> tuple[str, ...]:
    with tempfile.TemporaryDirectory() as directory:
        run = run_once(compile_text(source, directory), NATIVE_TIER)
    return run.jit_report


@needs_native
def test_threshold_zero_compiles_a_typed_cell() -> None:
    """Without this the property could pass with a native tier that never runs."""
    report = native_report(EDGE_PROGRAMS["overflow inside a hot loop"])
    assert compiled_natively(report), report


@needs_native
def test_generated_programs_reach_the_native_tier() -> None:
    """Some generated program has a cell the native tier compiles at threshold 0."""

    def compiles_natively(program: Program) -> bool:
        return compiled_natively(native_report(program.source()))

    found = find(programs(), compiles_natively,
                 settings=settings(max_examples=200, deadline=None, derandomize=True,
                                   database=None))
    assert compiles_natively(found)
