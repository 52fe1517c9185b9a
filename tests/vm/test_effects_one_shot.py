"""Continuations are one-shot (§11.5): once an arm has resumed, nothing can resume the
same continuation again. Inside the language the only way to try is a deferred block of
the arm, which runs after the handled computation has finished; that second `resume` is a
runtime error and the first resume's result is never undone."""

from __future__ import annotations

import contextlib
import io

import pytest

from lumen.vm.errors import LumenRuntimeError
from lumen.vm.interpreter import VM
from lumen.vm.options import VMOptions
from tests.vm.run_helpers import compile_source, run_source

PROGRAM = """
effect Ask
  cell question(prompt: String) -> Int
end

cell main() -> Int
  let r = handle
    let v = perform Ask.question("q")
    print("body got {v}")
    v + 1
  with
    Ask.question(p) =>
      defer
        resume(100)
      end
      resume(1)
      print("never printed: the rest of the arm does not run")
  end
  return r
end
"""


def test_second_resume_of_a_continuation_is_a_runtime_error() -> None:
    out = io.StringIO()
    with pytest.raises(LumenRuntimeError) as info, contextlib.redirect_stdout(out):
        VM(compile_source(PROGRAM), VMOptions()).run("main")
    assert info.value.kind == "effects"
    assert "resume" in info.value.message
    assert info.value.line == 14  # the deferred `resume(100)`
    # the body ran exactly once, with the first resumed value
    assert out.getvalue().splitlines() == ["body got 1"]


def test_rest_of_arm_after_resume_never_runs() -> None:
    result, out = run_source(PROGRAM.replace("      defer\n        resume(100)\n      end\n", ""))
    assert result == 2
    assert out.splitlines() == ["body got 1"]
