"""The globals every generated function of one VM shares: checked helpers from
`lumen.vm.ops`, value classes, the slow paths of calls, and error annotation.

Names start with `_` (registers are `r0..rN`, cells `C0..Cn`) so they never clash.
"""

from __future__ import annotations

import sys

from lumen.jit import NO
from lumen.jit.pytier.fast_builtins import make_join_strings
from lumen.vm import errors, ops
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.format_spec import format_spec
from lumen.vm.frames import MISSING
from lumen.vm.render import display, plain
from lumen.vm.values import (
    Closure,
    Composed,
    LSet,
    Record,
    Variant,
    truthy,
    values_equal,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lumen.jit.pytier import PyTier

# Python exceptions that can only come from a tier bug; shown as internal errors.
PYTHON_ERRORS = (ArithmeticError, TypeError, AttributeError, KeyError, IndexError, ValueError,
                 NameError)


def _key(k: Any) -> str:
    return k if type(k) is str else plain(k)


def _posget(value: Any, c: int) -> Any:
    t = type(value)
    if t is tuple or t is list:
        return value[c] if -len(value) <= c < len(value) else None
    return ops.pos_access(value, c)


def _is_result(value: Any) -> str | None:
    if type(value) is Variant and value.enum_name == "result" and value.tag in ("ok", "err"):
        return value.tag
    return None


def _coalesce(value: Any) -> Any:
    """COALESCE: the value to keep (jump), or NO to evaluate the right side."""
    if value is None:
        return NO
    tag = _is_result(value)
    if tag == "err":
        return NO
    return value.payload if tag == "ok" else value


def _unwrap(value: Any) -> Any:
    if value is None:
        raise errors.halt("null assertion failed")
    tag = _is_result(value)
    if tag == "err":
        raise errors.halt("result unwrap failed: value is err")
    return value.payload if tag == "ok" else value


def _okvalue(value: Any) -> Any:
    return value.payload if _is_result(value) == "ok" else value


def _payload(value: Any, c: int) -> Any:
    if type(value) is not Variant:
        return None
    if c < 0:
        return value.payload
    items = value.payload_items()
    return items[c] if c < len(items) else None


def _list_extend(target: list[Any], value: Any) -> None:
    if value is not None:
        target.extend(ops.iterate(value) if type(value) is not dict else value.keys())


def _map_merge(target: dict[str, Any], value: Any) -> None:
    if type(value) is dict:
        target.update(value)
    elif type(value) is Record:
        target.update(value.fields)
    elif value is not None:
        raise errors.type_error(f"cannot spread {display(value)} into a map")


def _raise_undefined(name: str) -> Any:
    raise errors.undefined_cell(name)


def build_namespace(tier: PyTier) -> dict[str, Any]:
    vm = tier.vm
    codes = vm.codes

    def annotate(exc: LumenRuntimeError, index: int, variant: str) -> None:
        code = codes[index]
        tb = exc.__traceback__
        pcs = tier.line_tables[variant]
        pc = pcs[tb.tb_lineno] if tb is not None and tb.tb_lineno < len(pcs) else 0
        line, column = code.line_at(pc)
        if exc.line is None:
            exc.file, exc.line, exc.column = code.file, line, column
        exc.lumen_stack.append((code.name, code.file, line))

    def internal(exc: BaseException, index: int, variant: str) -> LumenRuntimeError:
        error = errors.internal(f"{type(exc).__name__}: {exc}")
        error.__traceback__ = exc.__traceback__
        annotate(error, index, variant)
        error.__traceback__ = None
        return error

    def split(values: list[Any], shape: tuple[str, ...]) -> tuple[list[Any], Any]:
        return vm._split_args(values, shape)

    def call_shaped(fn: Any, values: list[Any], shape: tuple[str, ...]) -> Any:
        positional, named = split(values, shape)
        return tier.call_value(fn, positional, named)

    def call_cell_shaped(index: int, values: list[Any], shape: tuple[str, ...]) -> Any:
        from lumen.vm.frames import bind_arguments

        positional, named = split(values, shape)
        code = codes[index]
        return tier.run_registers(code, bind_arguments(code, positional, named))

    def invoke(name: str, shape: tuple[str, ...], receiver: Any, values: list[Any]) -> Any:
        positional, named = split(values, shape)
        fn, prepend = vm._resolve_method(receiver, name)
        if prepend:
            positional.insert(0, receiver)
        return tier.call_value(fn, positional, named)

    def call_value(fn: Any, args: list[Any]) -> Any:
        return tier.call_value(fn, args, None)

    native = getattr(vm, "native", None)
    return {
        "__builtins__": __builtins__,
        "_vm": vm, "_LRE": LumenRuntimeError, "_PYERRORS": PYTHON_ERRORS,
        "_annotate": annotate, "_internal": internal,
        "_add": ops.add, "_sub": ops.sub, "_mul": ops.mul, "_mod": ops.mod, "_div": ops.div,
        "_floordiv": ops.floordiv, "_pow": ops.pow_, "_concat": ops.concat,
        "_band": ops.band, "_bor": ops.bor, "_bxor": ops.bxor, "_shl": ops.shl,
        "_shr": ops.shr, "_spaceship": ops.spaceship, "_neg": ops.neg, "_bnot": ops.bnot,
        "_lt": ops.lt, "_le": ops.le, "_gt": ops.gt, "_ge": ops.ge, "_veq": values_equal,
        "_truthy": truthy, "_contains": ops.contains, "_is_type": ops.is_type,
        "_as_convert": ops.as_convert, "_expect_schema": ops.expect_schema,
        "_make_range": ops.make_range, "_plain": plain, "_display": display,
        "_format_spec": format_spec, "_index_get": ops.index_get,
        "_index_set": ops.index_set, "_get_attr": ops.get_attr, "_set_attr": ops.set_attr,
        "_posget": _posget, "_key": _key, "_list_extend": _list_extend,
        "_map_merge": _map_merge, "_iterate": ops.iterate, "_unwrap": _unwrap,
        "_okvalue": _okvalue, "_payload": _payload, "_coalesce": _coalesce,
        "_Variant": Variant, "_Record": Record, "_Closure": Closure, "_Composed": Composed,
        "_LSet": LSet, "_halt": errors.halt, "_undefined_cell": errors.undefined_cell,
        "_raise_undefined": _raise_undefined, "_MISSING": MISSING,
        "_grc": sys.getrefcount, "_NO": NO,
        "_join_strings": make_join_strings(vm.builtins),
        "_call_value": call_value, "_call_shaped": call_shaped,
        "_call_cell_shaped": call_cell_shaped, "_invoke": invoke,
        "_call_site": tier.call_site_miss,
        "_K": tier.counters,
        "_HOT": native.hot if native is not None else None,
        "_OSR": native.osr if native is not None else None,
    }
