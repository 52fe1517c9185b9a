"""The native tier: hot Int/Float/Bool (and list) cells compiled to machine code.

`NativeTier` (`tier.py`) is created with the VM without importing llvmlite. The Python tier
asks it (`hot` after a threshold of calls, `osr` at a loop header after a threshold of
back-edges); it infers register types for the runtime argument types (`types.py`), emits
LLVM IR (`codegen.py`), compiles it (`compiler.py`, or loads it from the native code cache,
`cache.py`) and runs the call natively (`runtime.py`). Whatever it refuses returns
`lumen.jit.NO` with a reason in `vm.jit_report`.

This package's own import is free: `lumen.cli.fast_run` loads cached entry code through
`layout.py` and `abi.py` alone, without the VM or the tier.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lumen.jit.native.tier import NativeTier, make_wrapper


def __getattr__(name: str) -> object:
    if name in ("NativeTier", "make_wrapper"):
        from lumen.jit.native import tier

        return getattr(tier, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["NativeTier", "make_wrapper"]
