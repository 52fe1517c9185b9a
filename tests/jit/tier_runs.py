"""Run one compiled program under each execution tier and compare what a user would see.

Three ways to run (lumen/driver.py `RunOptions`, the same switches the CLI sets):

- `INTERPRETER`: fast tiers off (`fast_tier=False`, like `LUMEN_TIER=interp`), the reference;
- `PYTHON_TIER`: the Python tier without the native one (`lumen run --no-jit`);
- `NATIVE_TIER`: the native tier forced on for every cell (`--jit-threshold 0`).

While a tier does not exist yet (no `lumen.jit.pytier.PyTier` / `lumen.jit.native.NativeTier`)
the VM runs those variants in the interpreter, and they trivially agree.
"""

from __future__ import annotations

import contextlib
import importlib
import io
from dataclasses import dataclass

from lumen.driver import Compilation, RunOptions, run_compilation

INTERPRETER = RunOptions(fast_tier=False)
PYTHON_TIER = RunOptions(jit=False)
NATIVE_TIER = RunOptions(jit_threshold=0, jit_verbose=True)
NATIVE_TIER_NAME = "native tier (threshold 0)"
TIERS: dict[str, RunOptions] = {
    "interpreter": INTERPRETER,
    "python tier": PYTHON_TIER,
    NATIVE_TIER_NAME: NATIVE_TIER,
}


@dataclass(frozen=True)
class Outcome:
    """What a run shows: printed output, then the result value (its `repr`, so `1` and
    `1.0` or `0.0` and `-0.0` differ), a runtime error, or an `exit(code)` status."""

    output: str
    value: str | None = None
    error: tuple[object, ...] | None = None  # kind, message, file, line, column, stack
    exit_status: int | None = None

    def describe(self) -> str:
        shown = [f"output: {self.output!r}"]
        if self.error is not None:
            shown.append(f"error: {self.error}")
        elif self.exit_status is not None:
            shown.append(f"exit status: {self.exit_status}")
        else:
            shown.append(f"value: {self.value}")
        return "; ".join(shown)


@dataclass(frozen=True)
class TierRun:
    outcome: Outcome
    jit_report: tuple[str, ...]


def run_once(compilation: Compilation, options: RunOptions) -> TierRun:
    captured = io.StringIO()
    # print() writes to sys.stdout from the VM's run thread; the redirect is process-wide.
    with contextlib.redirect_stdout(captured):
        result = run_compilation(compilation, options)
    error = None
    if result.error is not None:
        failure = result.error
        stack = tuple((frame.cell, frame.file, frame.line) for frame in failure.stack)
        error = (failure.kind, failure.message, failure.file, failure.line, failure.column, stack)
    value = None if error is not None or result.exit_status is not None else repr(result.value)
    outcome = Outcome(captured.getvalue(), value, error, result.exit_status)
    return TierRun(outcome, tuple(result.jit_report))


def run_tiers(compilation: Compilation, tiers: dict[str, RunOptions] = TIERS) -> dict[str, TierRun]:
    """The same compilation run once per tier (each run builds its own VM)."""
    return {name: run_once(compilation, options) for name, options in tiers.items()}


def mismatch_report(runs: dict[str, TierRun]) -> str | None:
    """None when every tier shows the same outcome as the first, else a readable diff."""
    (reference_name, reference), *others = runs.items()
    differing = [(name, run) for name, run in others if run.outcome != reference.outcome]
    if not differing:
        return None
    lines = [f"{reference_name}: {reference.outcome.describe()}"]
    for name, run in differing:
        lines.append(f"{name}: {run.outcome.describe()}")
        lines += [f"  {line}" for line in run.jit_report]
    return "\n".join(lines)


def compiled_natively(report: tuple[str, ...]) -> bool:
    """Whether the native tier's report (`jit: compiled NAME ...`) names a compiled cell."""
    return any(line.startswith("jit: compiled ") for line in report)


def tier_available(module: str, attribute: str) -> bool:
    try:
        return hasattr(importlib.import_module(module), attribute)
    except ImportError:
        return False


NATIVE_TIER_EXISTS = tier_available("lumen.jit.native", "NativeTier")

