"""Self-recursive cells are unrolled by the native tier (inlined copies of the body call one
another): results, runtime errors, Lumen stacks and depth limits must stay the interpreter's."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from lumen.driver import compile_file
from tests.jit.tier_runs import (
    NATIVE_TIER_NAME,
    TIERS,
    compiled_natively,
    mismatch_report,
    run_tiers,
    tier_available,
)

pytestmark = pytest.mark.skipif(not tier_available("lumen.jit.native", "NativeTier"),
                                reason="no native tier in this build")

PROGRAMS = {
    "fib": """
cell fib(n: Int) -> Int
  if n < 2
    return n
  end
  return fib(n - 1) + fib(n - 2)
end

cell main() -> Int
  return fib(20)
end
""",
    # Overflows at some depth of one of the inlined copies.
    "overflow inside the unrolled body": """
cell grow(n: Int) -> Int
  if n < 2
    return 4611686018427387904
  end
  return grow(n - 1) + grow(n - 2)
end

cell main() -> Int
  return grow(4)
end
""",
    # Division by zero at the bottom: the Lumen stack lists every level.
    "error at the bottom of a linear recursion": """
cell down(n: Int, acc: Int) -> Int
  if n == 0
    return acc // n
  end
  return down(n - 1, acc + n)
end

cell main() -> Int
  return down(7, 0)
end
""",
    # The call-depth limit counts each inlined copy.
    "unbounded recursion": """
cell up(n: Int) -> Int
  return up(n + 1) + 1
end

cell main() -> Int
  return up(0)
end
""",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_unrolled_recursion_behaves_as_the_interpreter(name: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "program.lm"
        path.write_text(PROGRAMS[name], encoding="utf-8")
        compilation = compile_file(path)
        assert compilation.ok
        tiers = {key: options._replace(max_depth=10_000) for key, options in TIERS.items()}
        runs = run_tiers(compilation, tiers)
    assert compiled_natively(runs[NATIVE_TIER_NAME].jit_report), runs[NATIVE_TIER_NAME]
    assert mismatch_report(runs) is None, mismatch_report(runs)


def test_copies_shrink_with_the_body_and_the_number_of_self_calls() -> None:
    from lumen.jit.native.codegen import MAX_RECURSION_COPIES, recursion_copies
    from lumen.jit.native.types import Spec
    from lumen.lir.module import Function, Instr
    from lumen.lir.opcodes import Op

    def function(self_calls: int, size: int) -> Function:
        code = [Instr(Op.CALLCELL, 1, 0, 1) for _ in range(self_calls)]
        code += [Instr(Op.MOVE, 0, 1, 0)] * (size - len(code) - 1)
        code.append(Instr(Op.RETURN, 0, 0, 0))
        return Function("f", (), 4, tuple(code), (), ((1, 1),) * size)

    def copies(self_calls: int, size: int) -> int:
        spec = Spec(0, ("Int",), [], "Int")
        spec.callees.add((0, ("Int",)))
        return recursion_copies(function(self_calls, size), spec)

    assert copies(2, 12) == MAX_RECURSION_COPIES  # fib-sized: fully unrolled
    assert copies(1, 60) == MAX_RECURSION_COPIES  # linear recursion grows linearly
    assert 0 < copies(2, 60) < MAX_RECURSION_COPIES
    assert copies(2, 200) == 0  # too big to copy at all
    not_recursive = Spec(0, ("Int",), [], "Int")
    assert recursion_copies(function(0, 12), not_recursive) == 0
