"""Signatures of builtin functions for hover, completion and signature help: parameter
names from the VM's builtin registry, result types from the checker's table (§10.19)."""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BuiltinSignature:
    name: str
    params: tuple[str, ...]
    result: str

    @property
    def label(self) -> str:
        return f"{self.name}({', '.join(self.params)}) -> {self.result}"


@functools.cache
def builtin_signature(name: str) -> BuiltinSignature | None:
    from lumen.sema.builtin_types import BUILTIN_CONSTANTS, BUILTIN_FUNCTIONS, FIXED_RESULT_TYPES
    from lumen.sema.types import render

    if name in BUILTIN_CONSTANTS:
        return None
    if name not in BUILTIN_FUNCTIONS:
        return None
    fixed = FIXED_RESULT_TYPES.get(name)
    return BuiltinSignature(name, _parameter_names(name), render(fixed) if fixed is not None else "Any")


def builtin_constant_type(name: str) -> str | None:
    from lumen.sema.builtin_types import BUILTIN_CONSTANTS
    from lumen.sema.types import render

    found = BUILTIN_CONSTANTS.get(name)
    return render(found) if found is not None else None


def _parameter_names(name: str) -> tuple[str, ...]:
    """The parameters of the builtin's implementation, without the VM context."""
    from lumen.vm.builtins import lookup

    spec = lookup(name)
    if spec is None:
        return ("...",)
    try:
        parameters = list(inspect.signature(spec.fn).parameters.values())
    except (TypeError, ValueError):
        return ("...",)
    if spec.needs_context and parameters:
        parameters = parameters[1:]
    names = []
    for parameter in parameters:
        prefix = "..." if parameter.kind is inspect.Parameter.VAR_POSITIONAL else ""
        names.append(prefix + parameter.name)
    return tuple(names)
