"""Argument coercions shared by the builtin families (§10.0)."""

from __future__ import annotations

from lumen.vm.render import plain
from lumen.vm.values import LSet

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Marks an argument the caller left out (distinct from an explicit `null`).
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


def text(v: Any) -> str:
    """Where a string is expected, other values are converted with the plain rendering."""
    return v if type(v) is str else plain(v)


def sequence(v: Any) -> list[Any] | None:
    """Elements of a list, tuple or set (ascending), else None."""
    t = type(v)
    if t is list:
        return v
    if t is tuple or t is LSet:
        return list(v)
    return None


def elements(v: Any) -> list[Any] | None:
    """What higher-order builtins iterate: sequences, and maps as (key, value) tuples."""
    if type(v) is dict:
        return [(k, v[k]) for k in sorted(v)]
    return sequence(v)


def int_or_none(v: Any) -> int | None:
    return v if type(v) is int else None
