"""Builtin functions (§10), one module per family, registered in `registry.BUILTINS`."""

from lumen.vm.builtins.registry import (
    BUILTINS,
    BuiltinContext,
    BuiltinSpec,
    all_builtins,
    builtin,
    lookup,
)


def __getattr__(name: str) -> object:
    # BUILTIN_CONSTANTS lives in core; import it lazily to keep the registry import light.
    if name == "BUILTIN_CONSTANTS":
        from lumen.vm.builtins.core import BUILTIN_CONSTANTS

        return BUILTIN_CONSTANTS
    raise AttributeError(name)


__all__ = [
    "BUILTINS",
    "BUILTIN_CONSTANTS",
    "BuiltinContext",
    "BuiltinSpec",
    "all_builtins",
    "builtin",
    "lookup",
]
