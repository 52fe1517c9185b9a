"""`eval(src)`: a separate program whose tail value is the result."""

from __future__ import annotations

import pytest

from lumen.vm.errors import LumenRuntimeError
from tests.vm.run_helpers import run_source


def test_eval_returns_the_tail_value_of_the_text() -> None:
    result, out = run_source('cell main() -> list[Any]\n'
                             '  print(eval("print(\\"inner\\")\\n40 + 2"))\n'
                             '  return [eval("1 + 2"), eval("cell sq(n: Int) -> Int = n * n\\nsq(7)")]\n'
                             'end\n')
    assert result == [3, 49]
    assert out.splitlines() == ["inner", "42"]


def test_eval_does_not_see_the_calling_program() -> None:
    with pytest.raises(LumenRuntimeError) as info:
        run_source('cell helper() -> Int = 1\ncell main() -> Any\n  return eval("helper()")\nend\n')
    assert "undefined cell: helper" in info.value.message


def test_eval_compile_failure_is_a_runtime_error() -> None:
    with pytest.raises(LumenRuntimeError) as info:
        run_source('cell main() -> Any\n  return eval("1 +")\nend\n')
    assert info.value.kind == "type"
    assert info.value.message.startswith("eval compilation failed: ")
