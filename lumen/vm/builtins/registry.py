"""The builtin registry: every builtin function of §10, by name and alias.

Calling convention (the VM's side): `spec.fn(*args)` with positional Lumen values, or
`spec.fn(ctx, *args)` when `spec.needs_context`. Missing trailing arguments are simply left
out; surplus ones are dropped. The registered wrapper turns a stray Python exception
inside a builtin into `null` (§10.0: unsupported argument kinds give `null`), so only
`LumenRuntimeError` (and the VM's own exceptions raised through `ctx.call`) escape.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from lumen.vm.errors import LumenRuntimeError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import random
    from typing import Any, NamedTuple, Protocol
else:
    from lumen.plain_tuples import NamedTuple

    Protocol = object  # BuiltinContext is a protocol for type checkers only


class BuiltinContext(Protocol):
    """What builtins need from the running VM."""

    program_args: list[str]
    rng: random.Random

    def call(self, fn_value: Any, args: list[Any]) -> Any:
        """Invoke any Lumen callable (Closure, BuiltinRef, Composed) with positional args."""
        ...

    def write_stdout(self, text: str) -> None: ...

    def write_stderr(self, text: str) -> None: ...

    def read_stdin_line(self) -> str:
        """The next line of stdin *including* its line ending; `""` at end of input
        (like `io.TextIOBase.readline`)."""
        ...


# A NamedTuple, not a dataclass: this module is imported by every run, and a NamedTuple
# class costs a seventh of a dataclass to create.
class BuiltinSpec(NamedTuple):
    name: str
    fn: Callable[..., Any]
    needs_context: bool
    nondeterministic: bool
    effect: str | None


class BuiltinTable(dict[str, BuiltinSpec]):
    """Every builtin by name, filled one family module at a time: a name's family
    (`families.FAMILY_OF`) is imported on its first lookup, so a run imports only the
    families its program uses. Iterate it only after `all_builtins()`."""

    def __missing__(self, name: str) -> BuiltinSpec:
        spec = self._load(name)
        if spec is None:
            raise KeyError(name)
        return spec

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        spec = dict.get(self, name)
        if spec is None:
            spec = self._load(name)
        return default if spec is None else spec

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or (
            type(name) is str and self._load(name) is not None)

    def _load(self, name: str) -> BuiltinSpec | None:
        from lumen.vm.builtins.families import FAMILY_OF

        family = FAMILY_OF.get(name)
        if family is None:
            return None
        import_module(f"lumen.vm.builtins.{family}")
        return dict.get(self, name)


BUILTINS: BuiltinTable = BuiltinTable()

# Python errors that mean "an argument of an unsupported kind" inside a builtin body.
_UNSUPPORTED_ARGUMENT_ERRORS = (
    TypeError,
    ValueError,
    AttributeError,
    KeyError,
    IndexError,
    OverflowError,
    ZeroDivisionError,
    UnicodeError,
)


_CO_VARARGS = 0x04  # inspect.CO_VARARGS, without importing inspect at start-up


def _max_positional(fn: Callable[..., Any]) -> int | None:
    """How many positional arguments `fn` accepts (None for `*args`). Read from the code
    object of plain functions (start-up registers every builtin); others ask inspect."""
    code = getattr(fn, "__code__", None)
    if code is not None and not hasattr(fn, "__wrapped__"):
        return None if code.co_flags & _CO_VARARGS else code.co_argcount
    import inspect

    count = 0
    for parameter in inspect.signature(fn).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            return None
        if parameter.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            count += 1
    return count


def _robust(fn: Callable[..., Any]) -> Callable[..., Any]:
    limit = _max_positional(fn)

    def call_builtin(*args: Any) -> Any:
        if limit is not None and len(args) > limit:
            args = args[:limit]
        try:
            return fn(*args)
        except LumenRuntimeError:
            raise
        except RecursionError:
            raise LumenRuntimeError("limits", "value nesting too deep") from None
        except _UNSUPPORTED_ARGUMENT_ERRORS:
            return None

    call_builtin.__name__ = fn.__name__
    call_builtin.__doc__ = fn.__doc__
    call_builtin.__wrapped__ = fn  # type: ignore[attr-defined]
    return call_builtin


def builtin(
    *names: str, context: bool = False, nd: bool = False, effect: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function under every name in `names` (the first is the canonical one)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        wrapped = _robust(fn)
        for name in names:
            if name in BUILTINS:
                raise RuntimeError(f"builtin {name} registered twice")
            BUILTINS[name] = BuiltinSpec(name, wrapped, context, nd, effect)
        return fn

    return register


def lookup(name: str) -> BuiltinSpec | None:
    return BUILTINS.get(name)  # type: ignore[no-any-return]


def builtin_table() -> BuiltinTable:
    """The table the VM resolves names in (families load on first use)."""
    return BUILTINS


def all_builtins() -> dict[str, BuiltinSpec]:
    """Every builtin, all families loaded (for listings and tables)."""
    _ensure_loaded()
    return BUILTINS


_loaded = False


def _ensure_loaded() -> None:
    """Import every family module once; each registers its builtins on import."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from lumen.vm.builtins import (  # noqa: F401
        assertions,
        async_ops,
        core,
        data_formats,
        encoding,
        evaluate,
        higher_order,
        integrity,
        lists,
        maps_sets,
        math,
        results,
        strings,
        system,
        time_random,
    )
