"""`ci/ratchet.py --jit-threshold N` / `--env NAME=VALUE` run the conformance suite in that
configuration and hold it to the default configuration's passing list."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import pytest

RATCHET = Path(__file__).resolve().parents[2] / "ci" / "ratchet.py"


def load_ratchet() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("ci_ratchet_jit", RATCHET)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["ci_ratchet_jit"] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def test_jit_threshold_reaches_the_runs_and_regressions_fail(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ratchet = load_ratchet()
    seen: list[dict[str, str] | None] = []

    def fake_run(shared: Path, jobs: int, timeout: float,
                 extra_env: dict[str, str] | None = None) -> object:
        seen.append(extra_env)
        return ratchet.ConformanceRun(passed={"a/one"}, failed={"a/two": "wrong value"},
                                      summary="1 passed, 1 failed")

    monkeypatch.setattr(ratchet, "run_conformance", fake_run)
    listing = tmp_path / "passing.txt"
    listing.write_text("a/one\na/two\n", encoding="utf-8")
    status = ratchet.main(["--jit-threshold", "0", "--env", "X=1", "--list-file", str(listing)])
    assert status == 1
    assert seen == [{"X": "1", "LUMEN_JIT_THRESHOLD": "0"}]
    out = capsys.readouterr()
    assert "conformance (X=1 LUMEN_JIT_THRESHOLD=0): 1 passed, 1 failed" in out.out
    assert "a/two: wrong value" in out.err


def test_update_is_refused_in_another_configuration(tmp_path: Path) -> None:
    ratchet = load_ratchet()
    with pytest.raises(SystemExit):
        ratchet.main(["--update", "--jit-threshold", "0", "--list-file", str(tmp_path / "x")])
    assert not (tmp_path / "x").exists()
