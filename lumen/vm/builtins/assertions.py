"""Assertion builtins (§10.13)."""

from __future__ import annotations

from lumen.vm import errors, ops
from lumen.vm.builtins.common import MISSING
from lumen.vm.builtins.registry import builtin
from lumen.vm.render import display, plain
from lumen.vm.values import truthy, values_equal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@builtin("assert")
def assert_(cond: Any = None, message: Any = MISSING) -> None:
    if truthy(cond):
        return None
    if message is MISSING or message is None:
        raise errors.assertion_failed()
    raise errors.assertion_failed(plain(message))


@builtin("assert_eq")
def assert_eq(a: Any = None, b: Any = None) -> None:
    if not values_equal(a, b):
        raise errors.assertion(f"assert_eq failed: {display(a)} != {display(b)}")


@builtin("assert_ne")
def assert_ne(a: Any = None, b: Any = None) -> None:
    if values_equal(a, b):
        raise errors.assertion(f"assert_ne failed: {display(a)} == {display(b)}")


@builtin("assert_contains")
def assert_contains(container: Any = None, x: Any = None) -> None:
    if type(container) in (list, str) and ops.contains(container, x):
        return None
    raise errors.assertion(f"assert_contains failed: {display(x)} not in {display(container)}")
