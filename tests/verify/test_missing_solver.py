"""Without the z3-solver package, verification is skipped with one warning, never a crash."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lumen.driver import CompileOptions, compile_source
from lumen.source import load_source

SOLVER_MODULES = ("lumen.verify.walker", "lumen.verify.checks", "lumen.verify.obligations",
                  "lumen.verify.z3_backend")


def test_missing_z3_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lumen.verify import verify

    path = tmp_path / "prog.lm"
    path.write_text("cell f(n: Int) -> Int where n > 0\n  n\nend\n\ncell main()\n  f(-1)\nend\n",
                    encoding="utf-8")
    unit = load_source(path)
    compilation = compile_source(unit, CompileOptions(lower=False))
    for name in SOLVER_MODULES:  # forget them, so that they are imported again
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "z3", None)  # `import z3` now raises ImportError
    result = verify(compilation.program, compilation.analysis, file=unit.path, code=unit.code)
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [("E0805", "warning")]
    assert "z3-solver" in result.diagnostics[0].message
