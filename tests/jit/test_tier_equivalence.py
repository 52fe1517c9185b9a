"""Conformance cases give the same outcome in every tier (issue 5, acceptance 6, fast part).

A sample of the run cases of the shared conformance corpus (the numeric areas whole, a
stride through the control-flow and function areas) runs in-process with the fast tiers
off, in the Python tier and with the native tier forced on (threshold 0); printed output,
result value and runtime error must be identical. CI also runs the whole corpus through
`lumen run` with `LUMEN_JIT_THRESHOLD=0` against the ratchet (`ci/ratchet.py --jit-threshold 0`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.driver import compile_file
from tests.jit.tier_runs import mismatch_report, run_tiers

CASES_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "cases"
WHOLE_AREAS = ("arithmetic",)
STRIDED_AREAS = ("control_flow", "functions")
STRIDE = 3  # every third case of a strided area
# Cases that do not run (compile errors, skipped) or that need stdin, which pytest closes.
NOT_RUN = ("# expect-error: compile", "# skip-reason:", "read_line(", "read_stdin(")


def runs_in_process(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return not any(marker in text for marker in NOT_RUN)


def sample_cases() -> list[Path]:
    if not CASES_DIR.is_dir():
        return []
    chosen: list[Path] = []
    for area in WHOLE_AREAS + STRIDED_AREAS:
        paths = sorted(p for p in (CASES_DIR / area).glob("*.lm") if runs_in_process(p))
        chosen += paths if area in WHOLE_AREAS else paths[::STRIDE]
    return chosen


CASES = sample_cases()


@pytest.mark.skipif(not CASES, reason=f"conformance corpus not found at {CASES_DIR}")
@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case_agrees_in_every_tier(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(path.parent)  # as the conformance runner does
    compilation = compile_file(path)
    assert compilation.ok, [d.message for d in compilation.errors]
    problem = mismatch_report(run_tiers(compilation))
    assert problem is None, f"{path.name}: tiers disagree\n{problem}"


def test_sample_is_large_enough() -> None:
    """The sample must not silently shrink to nothing if the corpus moves."""
    if not CASES_DIR.is_dir():
        pytest.skip(f"conformance corpus not found at {CASES_DIR}")
    assert len(CASES) >= 35, len(CASES)
