"""Options of one VM run."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from lumen.plain_tuples import NamedTuple



# A NamedTuple, not a dataclass: this module is imported by every run, and a NamedTuple
# class costs a seventh of a dataclass to create.
class VMOptions(NamedTuple):
    """`max_steps`: instruction budget (`instruction limit exceeded: N`), None = unlimited.
    `max_depth`: Lumen call depth (`stack overflow: call depth exceeded N`).
    `fast_tier`: run cells through the Python tier (lumen/jit/pytier) when it can compile
    them; off under an instruction budget, which only the interpreter counts.
    `jit` / `jit_threshold`: the llvmlite tier and its calls-or-back-edges threshold (None:
    the measured default, `DEFAULT_JIT_THRESHOLD`).
    `jit_verbose`: report which cells compiled natively and why others did not.
    `program_args`: what the `args()` builtin returns."""

    max_steps: int | None = None
    max_depth: int = 100_000
    jit: bool = True
    jit_threshold: int | None = None
    program_args: tuple[str, ...] | list[str] = ()
    seed: int | None = None
    fast_tier: bool = True
    jit_verbose: bool = False


# Calls plus loop back-edges before a cell is compiled natively (measured: see SPEC.md).
DEFAULT_JIT_THRESHOLD = 1000
