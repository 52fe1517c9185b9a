"""`eval(src)` (§10.15): compile and run text as a separate program.

The text is compiled as the body of a cell declared `-> Any`, so the value of its last
expression is the result (`eval("1 + 2")` is `3`) and `return` works; declarations in it
are hoisted as in any cell body. It runs in a fresh VM with the caller's limits and shares
nothing with the calling program but standard output.
"""

from __future__ import annotations

from lumen.vm.builtins.registry import builtin
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.render import plain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@builtin("eval", context=True)
def eval_source(ctx: Any, source: Any = None) -> Any:
    from lumen.vm.processes import EVAL_CELL, compile_eval_source

    text = source if isinstance(source, str) else plain(source)
    compiled = compile_eval_source(text)
    if isinstance(compiled, str):
        raise LumenRuntimeError("type", f"eval compilation failed: {compiled}")
    child = type(ctx)(compiled, ctx.options)
    return child.run(EVAL_CELL, [None])
