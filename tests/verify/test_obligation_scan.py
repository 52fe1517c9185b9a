"""`has_obligations`: the cheap scan that decides whether the solver is needed at all."""

from __future__ import annotations

import pytest

from lumen.syntax import parse
from lumen.verify import has_obligations

NESTED = "cell main()\n  cell inner(n: Int) -> Int where n > 0\n    n\n  end\n  print(inner(2))\nend\n"
METHOD = ("record P\n  x: Int\nend\n\nenum Shape\n  Dot\n\n  cell scaled(self: Shape, k: Int) -> Int where k > 0\n"
          "    k\n  end\nend\n")


@pytest.mark.parametrize(("code", "expected"), [
    ("cell main()\n  print(1)\nend\n", False),
    ("# where clauses are described here\ncell main()\n  print(\"where\")\nend\n", False),
    ("cell f(n: Int) -> Int where n > 0\n  n\nend\n", True),
    ("record R\n  q: Int where q > 0\nend\n", True),
    ("type Pos = Int where Pos > 0\n", True),
    ("cell main()\n  let x = 1\n  @assume x > 0\n  print(x)\nend\n", True),
    ("cell main()\n  let mut k = 0\n  @invariant k >= 0\n  while k < 3\n    k += 1\n  end\nend\n", True),
    (NESTED, True),
    (METHOD, True),
])
def test_scan(code: str, expected: bool) -> None:
    result = parse(code, "scan.lm")
    assert not result.diagnostics, result.diagnostics
    assert has_obligations(result.program, code) is expected
