"""The native tier behind the Python tier (its hooks, OSR at loop headers, the installed
guard wrapper): whole programs give the interpreter's output and errors, Lumen stack
included, with the native tier forced on (threshold 0) and at a small threshold."""

from __future__ import annotations

import pytest

from lumen.driver import RunOptions, compile_source
from lumen.source.loader import source_from_text
from tests.jit.tier_runs import INTERPRETER, mismatch_report, run_tiers

pytest.importorskip("llvmlite")


@pytest.fixture(autouse=True)
def _no_disk_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUMEN_NATIVE_CACHE", "0")

PROGRAMS = {
    "error inside an OSR loop": """
cell work(n: Int) -> Int
  let mut xs = [1, 2, 3]
  let mut i = 0
  let mut s = 0
  while i < n
    s = s + i
    if i == 1500
      s = s + xs[i]
    end
    i += 1
  end
  return s
end

cell main() -> Null
  print(work(1000))
  print(work(3000))
  return null
end
""",
    "guarded wrapper falls back for other types": """
cell twice(x: Int) -> Int
  let mut r = 0
  for k in 0..2
    r = r + x
  end
  return r
end

cell scale(xs: list[Float], k: Float) -> list[Float]
  let mut out: list[Float] = []
  for i in 0..length(xs)
    out = append(out, xs[i] * k)
  end
  return out
end

cell main() -> Null
  let mut total = 0
  for i in 0..50
    total = total + twice(i)
  end
  print(total)
  print(twice(4611686018427387904))
  let mut ys = [1.5, 2.5]
  for i in 0..40
    ys = scale(ys, 1.0)
  end
  print(ys)
  return null
end
""",
    "overflow deep in native recursion": """
cell grow(n: Int, acc: Int) -> Int
  if n == 0
    return acc
  end
  return grow(n - 1, acc * 3)
end

cell main() -> Null
  print(grow(10, 1))
  print(grow(60, 1))
  return null
end
""",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize("threshold", [0, 7])
def test_same_outcome_as_interpreter(name: str, threshold: int) -> None:
    compilation = compile_source(source_from_text(PROGRAMS[name], "case.lm"))
    assert not compilation.errors
    tiers = {"interpreter": INTERPRETER,
             "native": RunOptions(jit_threshold=threshold, jit_verbose=True)}
    runs = run_tiers(compilation, tiers)
    assert mismatch_report(runs) is None, mismatch_report(runs)
    assert any(line.startswith("jit: compiled") for line in runs["native"].jit_report), \
        runs["native"].jit_report
