"""Calls of imported cells are checked against the precondition declared in their module."""

from __future__ import annotations

from pathlib import Path

from lumen.driver import CompileOptions, compile_source
from lumen.source import load_source
from lumen.verify import imported_contracts, verify

MODULE = """\
pub cell take(n: Int) -> Int where n >= 0 and n <= LIMIT
  n
end

pub cell free(n: Int) -> Int = n

const LIMIT: Int = 10
"""

MAIN = """\
import mathx: take, free
import mathx: take as grab

cell main()
  print(take(3), free(-1))
  print(take(-1))
  print(grab(-2))
  print(take(500))
end
"""


def test_imported_preconditions_are_checked_under_their_local_names(tmp_path: Path) -> None:
    (tmp_path / "mathx.lm").write_text(MODULE, encoding="utf-8")
    main = tmp_path / "main.lm"
    main.write_text(MAIN, encoding="utf-8")
    unit = load_source(main)
    compilation = compile_source(unit, CompileOptions(lower=False))
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    contracts = imported_contracts(unit, compilation.program)
    assert sorted(contracts) == ["grab", "take"]
    result = verify(compilation.program, compilation.analysis, file=unit.path, code=unit.code,
                    imported_cells=contracts)
    found = [(d.line, d.column, d.code) for d in result.diagnostics]
    # The module's `LIMIT` is not looked up from here: `take(500)` is not claimed to fail.
    assert found == [(6, 9, "E0800"), (7, 9, "E0800")]
    assert "`n >= 0 and n <= LIMIT`" in result.diagnostics[0].message
