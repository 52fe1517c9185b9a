"""Declared parameter types let the Python tier drop type tests behind one entry guard;
arguments the guard rejects (a big integer through `Any`) run a generic copy with the
interpreter's results, and errors keep their positions in both copies."""

from __future__ import annotations

from pathlib import Path

from lumen.driver import RunOptions, compile_file, run_compilation

PROGRAM = """\
cell twice(x: Int) -> Int
  return x + x
end

cell half(x: Float) -> Float
  return x / 2.0
end

cell main() -> Null
  let big: Any = 99999999999999999999
  print(twice(21))
  print(twice(big))
  print(half(3.0))
  print(twice(4611686018427387904))
  return null
end
"""


def _run(path: Path, fast_tier: bool, capsys) -> tuple[str, tuple]:  # type: ignore[no-untyped-def]
    outcome = run_compilation(compile_file(path), RunOptions(fast_tier=fast_tier, jit=False))
    error = outcome.error
    assert error is not None
    where = (error.kind, error.message, error.line, error.column)
    return capsys.readouterr().out, where


def test_guarded_and_generic_paths_match_the_interpreter(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hints.lm"
    path.write_text(PROGRAM, encoding="utf-8")
    tiered = _run(path, True, capsys)
    interpreted = _run(path, False, capsys)
    assert tiered == interpreted
    assert tiered[0] == "42\n199999999999999999998\n1.5\n"
    assert tiered[1][1:] == ("integer overflow in addition", 2, 10)
