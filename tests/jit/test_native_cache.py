"""The native code cache: a second VM loads the shared object without llvmlite, and a
corrupt entry is never trusted (it is compiled again)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from lumen.driver import compile_source
from lumen.jit.native.tier import NativeTier
from lumen.source.loader import source_from_text
from lumen.vm.interpreter import VM
from lumen.vm.options import VMOptions

pytest.importorskip("llvmlite")
pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C linker")

SOURCE = """
cell poly(x: Float, n: Int) -> Float
  let mut s = 0.0
  for i in 0..n
    s = s * x + to_float(i)
  end
  return s
end
"""


def run_poly(module: Any) -> tuple[object, NativeTier]:
    vm = VM(module, VMOptions(fast_tier=False))
    tier = NativeTier(vm, 0)
    return tier.hot(module.entry_points["poly"], (0.5, 10)), tier


def test_cache_hit_skips_llvm_and_corrupt_entries_recompile(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("LUMEN_NATIVE_CACHE", "1")
    module = compile_source(source_from_text(SOURCE, "poly.lm")).module
    first, tier = run_poly(module)
    assert tier.backend._compiler is not None  # compiled with llvmlite, then stored
    libraries = list(tmp_path.rglob("*.so"))
    assert len(libraries) == 1
    again, tier = run_poly(module)
    assert again == first and tier.backend._compiler is None  # loaded from the cache
    # Truncated, as a new file: the loaded library's mapping must stay intact (rewriting
    # it in place would fault this process later).
    data = libraries[0].read_bytes()
    libraries[0].unlink()
    libraries[0].write_bytes(data[:100])
    third, tier = run_poly(module)
    assert third == first and tier.backend._compiler is not None
    assert list(tmp_path.rglob("*.so"))  # stored again


def test_pruning_keeps_the_most_recently_used_libraries(tmp_path: Path) -> None:
    import os

    from lumen.jit.native import cache

    for k in range(10):
        (tmp_path / f"k{k}.so").write_bytes(b"x")
        (tmp_path / f"k{k}.sha256").write_text("d")
        os.utime(tmp_path / f"k{k}.so", (1000 + k, 1000 + k))
    cache.prune(tmp_path, limit=5)
    left = sorted(p.name for p in tmp_path.glob("*.so"))
    assert left == ["k6.so", "k7.so", "k8.so", "k9.so"]  # down to 80% of the limit
    assert sorted(p.name for p in tmp_path.glob("*.sha256")) == [
        "k6.sha256", "k7.sha256", "k8.sha256", "k9.sha256"]


def test_no_cache_switch_turns_the_native_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from lumen.jit.native import cache

    monkeypatch.setenv("LUMEN_NO_CACHE", "1")
    assert cache.folder() is None


ENTRY_PROGRAM = """
cell main() -> Int
  let mut xs: list[Float] = []
  for i in 0..3000
    xs = append(xs, to_float(i) * 0.5)
  end
  let mut total = 0
  for i in 0..length(xs)
    total = total + to_int(xs[i])
  end
  print(total)
  return total
end
"""


def test_a_hot_entry_cell_starts_natively_in_the_next_run(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import contextlib
    import io

    monkeypatch.setenv("LUMEN_CACHE_DIR", str(tmp_path))
    module = compile_source(source_from_text(ENTRY_PROGRAM, "entry.lm")).module

    def run() -> tuple[str, object, list[str]]:
        vm = VM(module, VMOptions(jit_threshold=1000))
        vm.jit_report = []
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            value = vm.run("main")
        return out.getvalue(), value, vm.jit_report

    first = run()
    assert any("at its loop" in line for line in first[2]), first[2]
    second = run()
    assert second[:2] == first[:2]
    assert any("from its start" in line for line in second[2]), second[2]
