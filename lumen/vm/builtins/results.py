"""Result builtins (§10.10): `ok`/`err` are the variants of the builtin `result` enum."""

from __future__ import annotations

from lumen.vm import errors
from lumen.vm.builtins.core import to_float, to_int
from lumen.vm.builtins.registry import builtin
from lumen.vm.render import display, plain
from lumen.vm.values import Variant, err, is_result, ok

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@builtin("ok")
def ok_(x: Any = None) -> Variant:
    return ok(x)


@builtin("err")
def err_(e: Any = None) -> Variant:
    return err(e)


@builtin("is_ok")
def is_ok(r: Any = None) -> bool:
    return is_result(r) and r.tag == "ok"


@builtin("is_err")
def is_err(r: Any = None) -> bool:
    return is_result(r) and r.tag == "err"


@builtin("unwrap")
def unwrap(r: Any = None) -> Any:
    if not is_result(r):
        return r
    if r.tag == "err":
        raise errors.assertion(f"unwrap on err: {display(r.payload)}")
    return r.payload


@builtin("unwrap_or")
def unwrap_or(r: Any = None, default: Any = None) -> Any:
    if r is None:
        return default
    if is_result(r):
        return r.payload if r.tag == "ok" else default
    return r


@builtin("parse_int")
def parse_int(s: Any = None) -> Variant:
    source = plain(s)
    value = to_int(source.strip())
    return ok(value) if value is not None else err(f"invalid integer: {source}")


@builtin("parse_float")
def parse_float(s: Any = None) -> Variant:
    source = plain(s)
    value = to_float(source.strip())
    return ok(value) if value is not None else err(f"invalid float: {source}")
