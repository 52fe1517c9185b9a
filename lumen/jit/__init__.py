"""Faster execution tiers for the VM (issue 5); see ARCHITECTURE.md "Execution tiers".

- `lumen.jit.pytier`: LIR cells compiled to Python functions whose locals are the registers
  (the default way a cell runs once called; cells it cannot compile stay interpreted).
- `lumen.jit.native`: hot Int/Float/Bool cells compiled to machine code with llvmlite
  (imported only when a cell first gets hot).

Both hand back to the interpreter, which owns all explicit state: they run only cells whose
execution never needs a checkpoint, a debugger step or an effect continuation of their own.
"""

from __future__ import annotations


class _No:
    """The answer of a tier that declined to run a call (`NO`); never a Lumen value."""

    __slots__ = ()
    _instance: _No | None = None

    def __new__(cls) -> _No:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO"


NO = _No()
