"""`NamedTuple` without `typing`: the same class syntax, made with `collections.namedtuple`.

Modules on the start-up path of `lumen run` declare their records as

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import NamedTuple
    else:
        from lumen.plain_tuples import NamedTuple

so type checkers see `typing.NamedTuple`, while a run neither imports `typing` (~4 ms with
what it pulls in) nor pays for its per-field annotation checks (it compiles every string
annotation into a `ForwardRef`). Fields, defaults, methods, properties, docstrings,
`_replace`, `_fields` and pickling behave as with `typing.NamedTuple`; annotations stay
the strings they are under `from __future__ import annotations`.
"""

from __future__ import annotations

import collections

_SPECIAL = frozenset({"__module__", "__name__", "__annotations__", "__qualname__"})
_PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
                         "_field_defaults", "_make", "_replace", "_asdict", "_source"})


class _NamedTupleMeta(type):
    def __new__(mcls, typename: str, bases: tuple[type, ...], namespace: dict[str, object]
                ) -> type:
        if not bases:  # NamedTuple itself
            return super().__new__(mcls, typename, bases, namespace)
        if bases != (NamedTuple,):
            raise TypeError("can only inherit from NamedTuple")
        annotations = dict(namespace.get("__annotations__", {}))  # type: ignore[call-overload]
        fields = list(annotations)
        defaults = []
        for name in fields:
            if name in namespace:
                defaults.append(namespace[name])
            elif defaults:
                raise TypeError(f"non-default field {name!r} cannot follow default fields")
        cls = collections.namedtuple(typename, fields, defaults=defaults,  # type: ignore[misc]
                                     module=namespace.get("__module__"))  # type: ignore[arg-type]
        cls.__annotations__ = annotations
        for key, value in namespace.items():
            if key in _PROHIBITED:
                raise AttributeError(f"cannot overwrite NamedTuple attribute {key}")
            if key not in _SPECIAL and key not in fields:
                setattr(cls, key, value)
        cls.__qualname__ = namespace.get("__qualname__", typename)  # type: ignore[assignment]
        return cls


class NamedTuple(metaclass=_NamedTupleMeta):
    """Base of a record declared with annotated fields (see the module docstring)."""
