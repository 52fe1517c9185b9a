"""Crashes the no-traceback fuzzer (test_no_traceback_fuzz.py) found in the driver and CLI,
each pinned by its minimal program."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.cli.main import run_cli
from lumen.driver import RunOptions, run_file

EXIT_PROGRAM = "cell main() -> Int\n  exit({status})\n  return 0\nend\n"


def test_exit_is_an_outcome_not_an_internal_error(tmp_path: Path) -> None:
    program = tmp_path / "exit.lm"
    program.write_text(EXIT_PROGRAM.format(status=3), encoding="utf-8")
    outcome = run_file(program, RunOptions(max_steps=10_000))
    assert outcome.error is None
    assert outcome.ran and outcome.exit_status == 3


@pytest.mark.parametrize("status", [0, 3])
def test_lumen_run_exits_with_the_programs_status(
    status: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "exit.lm"
    program.write_text(EXIT_PROGRAM.format(status=status), encoding="utf-8")
    assert run_cli(["run", str(program)]) == status
    assert "internal" not in capsys.readouterr().err


@pytest.mark.parametrize("joiner", [" + ", " * 1 + ", " - "])
def test_long_operator_chains_compile_without_recursion_errors(joiner: str, tmp_path: Path) -> None:
    # A left-nested chain is one tree level per operator; the checker and the lowering walk
    # it recursively, so a few hundred terms once hit Python's recursion limit.
    program = tmp_path / "chain.lm"
    terms = 2_000
    program.write_text(f"cell main() -> Int\n  return 0 + {joiner.join(['1'] * terms)}\nend\n",
                       encoding="utf-8")
    outcome = run_file(program, RunOptions(max_steps=1_000_000))
    assert outcome.compilation.diagnostics == ()
    assert outcome.error is None and isinstance(outcome.value, int)
