"""Every conformance program, paused at several calls and restored from its checkpoint,
prints and returns exactly what one uninterrupted run does.

Programs that declare tools, do not compile, make at most one call, or are not
deterministic (two plain runs differ) are left out; the rest must all pass."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest

from lumen.driver import compile_file
from lumen.vm.checkpoint import pause_at_call, restore, resume
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.options import VMOptions

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "cases"
PATHS = sorted(CASES.rglob("*.lm")) if CASES.is_dir() else []
OPTIONS = VMOptions(fast_tier=False, jit=False, seed=7)
ALL_CALLS = 10**9


def _outcome(work: Any) -> tuple[str, object]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            result: object = work()
        except LumenRuntimeError as exc:
            result = ("error", exc.kind, exc.message, exc.line)
    return out.getvalue(), result


def _whole(module: Any) -> tuple[tuple[str, object], int]:
    calls = []

    def work() -> object:
        _, made, value = pause_at_call(module, ALL_CALLS, "main", (), OPTIONS)
        calls.append(made)
        return repr(value)

    return _outcome(work), (calls or [0])[0]


def _paused_then_resumed(module: Any, at: int) -> tuple[str, object] | None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        data, _, _ = pause_at_call(module, at, "main", (), OPTIONS)
    if data is None:
        return None
    printed, result = _outcome(lambda: repr(resume(restore(module, data, OPTIONS))))
    return out.getvalue() + printed, result


@pytest.mark.skipif(not PATHS, reason="the shared conformance corpus is not beside the repo")
def test_paused_and_restored_runs_of_the_corpus_match_whole_runs() -> None:
    checked, differences = 0, []
    for path in PATHS:
        compilation = compile_file(path)
        module = compilation.module
        if not compilation.ok or module is None or module.tools:
            continue
        whole, calls = _whole(module)
        if calls <= 1 or _whole(module)[0] != whole:
            continue
        for at in sorted({2, calls // 2, calls}):
            resumed = _paused_then_resumed(module, at)
            if resumed is not None and resumed != whole:
                differences.append(f"{path.relative_to(CASES)} paused at call {at}")
        checked += 1
    assert not differences, differences
    assert checked >= 100  # the corpus keeps most programs in play
