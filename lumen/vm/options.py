"""Options of one VM run."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class VMOptions:
    """`max_steps`: instruction budget (`instruction limit exceeded: N`), None = unlimited.
    `max_depth`: Lumen call depth (`stack overflow: call depth exceeded N`).
    `jit` / `jit_threshold`: reserved for the llvmlite tier.
    `program_args`: what the `args()` builtin returns."""

    max_steps: int | None = None
    max_depth: int = 100_000
    jit: bool = True
    jit_threshold: int | None = None
    program_args: list[str] = field(default_factory=list)
    seed: int | None = None
