"""ci/ratchet.py reads the conformance runner's verbose output correctly."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

RATCHET = Path(__file__).resolve().parents[2] / "ci" / "ratchet.py"


def _load_ratchet() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("ci_ratchet", RATCHET)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["ci_ratchet"] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


RUNNER_OUTPUT = """\
FAIL arithmetic/overflow: expected a runtime error, but the run succeeded with 1 (exit status 0)
    command: python3 -m lumen run overflow.lm --json (cwd /x)
    stdout:
PASS arithmetic/add (0.21s)
SKIP async/race (scheduling is left open)
PASS modules/import_named (0.40s)

area        pass   fail   skip  total
all            2      1      1      4
2 passed, 1 failed, 1 skipped
"""


def test_runner_output_is_parsed_into_passes_failures_and_skips() -> None:
    ratchet = _load_ratchet()
    run = ratchet.parse_runner_output(RUNNER_OUTPUT)
    assert run.passed == {"arithmetic/add", "modules/import_named"}
    assert set(run.failed) == {"arithmetic/overflow"}
    assert run.failed["arithmetic/overflow"].startswith("expected a runtime error")
    assert run.skipped == {"async/race"}
    assert run.summary == "2 passed, 1 failed, 1 skipped"


def test_passing_list_ignores_blank_lines(tmp_path: Path) -> None:
    ratchet = _load_ratchet()
    listing = tmp_path / "passing.txt"
    listing.write_text("a/b\n\n  c/d  \n", encoding="utf-8")
    assert ratchet.read_passing_list(listing) == {"a/b", "c/d"}
    assert ratchet.read_passing_list(tmp_path / "missing.txt") == set()
