"""Builtins the Python tier writes inline when the kinds of their arguments are known.

Each entry gives the argument kinds it needs, a Python expression with the same result as
the builtin for such arguments (`{0}`, `{1}` are the argument expressions), and the kind of
that result (inference.py uses it). Anything else calls the builtin itself.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from lumen.plain_tuples import NamedTuple



class FastBuiltin(NamedTuple):
    arg_kinds: tuple[str, ...]
    template: str
    result: str | None


FAST_BUILTINS: dict[str, FastBuiltin] = {
    # split(s, sep): "" splits into characters (§10.3)
    "split": FastBuiltin(("str", "str"), "({0}.split({1}) if {1} else list({0}))",
                         "list:str"),
    # join(xs, sep): strings join as they are; other items need the plain rendering
    "join": FastBuiltin(("list", "str"), "_join_strings({0}, {1})", "str"),
    "to_string": FastBuiltin(("int",), "str({0})", "str"),
    "string": FastBuiltin(("int",), "str({0})", "str"),
    "str": FastBuiltin(("int",), "str({0})", "str"),
    "trim": FastBuiltin(("str",), "{0}.strip()", "str"),
    "upper": FastBuiltin(("str",), "{0}.upper()", "str"),
    "lower": FastBuiltin(("str",), "{0}.lower()", "str"),
    "starts_with": FastBuiltin(("str", "str"), "{0}.startswith({1})", "bool"),
    "ends_with": FastBuiltin(("str", "str"), "{0}.endswith({1})", "bool"),
}


def fast_builtin(name: str, kinds: list[str | None]) -> FastBuiltin | None:
    fast = FAST_BUILTINS.get(name)
    if fast is None or len(kinds) != len(fast.arg_kinds):
        return None
    for kind, needed in zip(kinds, fast.arg_kinds):
        if kind != needed and not (needed == "list" and kind is not None
                                   and kind.startswith("list")):
            return None
    return fast


def make_join_strings(builtins: Any) -> Any:
    """`_join_strings(xs, sep)`: str.join when every item is a string, else the builtin
    `join` (looked up then: its family need not load in runs that never fall back)."""

    def join_strings(items: list[Any], separator: str) -> Any:
        try:
            return separator.join(items)
        except TypeError:
            return builtins["join"].fn(items, separator)

    return join_strings
