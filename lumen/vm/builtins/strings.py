"""String builtins (§10.3) and `slice` (§10.4)."""

from __future__ import annotations

import re

from lumen.vm import ops
from lumen.vm.builtins.common import MISSING, sequence, text
from lumen.vm.builtins.registry import builtin
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.render import display, plain
from lumen.vm.values import LSet, values_equal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@builtin("upper")
def upper(s: Any = None) -> str:
    return text(s).upper()


@builtin("lower")
def lower(s: Any = None) -> str:
    return text(s).lower()


@builtin("trim")
def trim(s: Any = None) -> str:
    return text(s).strip()


@builtin("trim_start")
def trim_start(s: Any = None) -> str:
    return text(s).lstrip()


@builtin("trim_end")
def trim_end(s: Any = None) -> str:
    return text(s).rstrip()


@builtin("split")
def split(s: Any = None, sep: Any = None) -> list[str]:
    source = text(s)
    separator = " " if sep is None else text(sep)
    if separator == "":
        return list(source)
    return source.split(separator)


@builtin("join")
def join(xs: Any = None, sep: Any = None) -> str:
    separator = ", " if sep is None else text(sep)
    items = sequence(xs)
    if items is None:
        return plain(xs)
    return separator.join(plain(x) for x in items)


@builtin("replace")
def replace(s: Any = None, old: Any = None, new: Any = None) -> str:
    return text(s).replace(text(old), text(new))


@builtin("contains", "has")
def contains(container: Any = None, x: Any = None) -> bool:
    return ops.contains(container, x)


@builtin("starts_with")
def starts_with(s: Any = None, prefix: Any = None) -> bool:
    return text(s).startswith(text(prefix))


@builtin("ends_with")
def ends_with(s: Any = None, suffix: Any = None) -> bool:
    return text(s).endswith(text(suffix))


@builtin("index_of")
def index_of(s: Any = None, sub: Any = None) -> int:
    """Character index of the first occurrence (lists: of the first equal element)."""
    items = sequence(s)
    if items is not None:
        return next((i for i, e in enumerate(items) if values_equal(e, sub)), -1)
    return text(s).find(text(sub))


@builtin("chars")
def chars(s: Any = None) -> list[str]:
    return list(text(s))


def slice_bounds(length: int, start: Any, end: Any) -> tuple[int, int] | None:
    """§10.4 clamping: `end <= 0` (or absent) means to the end; negatives do not wrap."""
    if start is None or start is MISSING:
        start = 0
    if end is None or end is MISSING:
        end = 0
    if type(start) is not int or type(end) is not int:
        return None
    start = min(max(start, 0), length)
    end = length if end <= 0 else min(end, length)
    return (start, max(start, end))


@builtin("slice", "substring")
def slice_(x: Any = None, start: Any = MISSING, end: Any = MISSING) -> Any:
    t = type(x)
    if t not in (list, tuple, str):
        return None
    bounds = slice_bounds(len(x), start, end)
    if bounds is None:
        return None
    return x[bounds[0] : bounds[1]]


def _pad(s: Any, width: Any, fill: Any) -> tuple[str, str]:
    source = text(s)
    filler = " " if fill is None else text(fill)
    if type(width) is not int or not filler or len(source) >= width:
        return source, ""
    needed = width - len(source)
    return source, (filler * needed)[:needed]


@builtin("pad_left")
def pad_left(s: Any = None, width: Any = None, fill: Any = None) -> str:
    source, padding = _pad(s, width, fill)
    return padding + source


@builtin("pad_right")
def pad_right(s: Any = None, width: Any = None, fill: Any = None) -> str:
    source, padding = _pad(s, width, fill)
    return source + padding


def capitalize_word(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


@builtin("capitalize")
def capitalize(s: Any = None) -> str:
    return capitalize_word(text(s))


@builtin("title_case")
def title_case(s: Any = None) -> str:
    return " ".join(capitalize_word(word) for word in text(s).split())


@builtin("snake_case")
def snake_case(s: Any = None) -> str:
    source = text(s)
    pieces = [
        ("_" + ch if i > 0 and ch.isupper() else ch) for i, ch in enumerate(source)
    ]
    return "".join(pieces).lower().replace(" ", "_").replace("__", "_")


@builtin("camel_case")
def camel_case(s: Any = None) -> str:
    pieces = re.split(r"[_ \-]", text(s))
    return pieces[0].lower() + "".join(capitalize_word(p) for p in pieces[1:])


@builtin("reverse")
def reverse(x: Any = None) -> Any:
    """Strings: characters reversed; lists, tuples and sets: a reversed list."""
    if type(x) is str:
        return x[::-1]
    items = sequence(x)
    return None if items is None else items[::-1]


@builtin("string_concat")
def string_concat(xs: Any = None) -> str:
    if type(xs) in (list, tuple, LSet):
        return "".join(display(x) for x in xs)
    return display(xs)


@builtin("matches", "confirm")
def matches(x: Any = None) -> bool:
    if type(x) is bool:
        return x
    if type(x) is str:
        return x != ""
    return False


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@builtin("is_valid_email")
def is_valid_email(s: Any = None) -> bool:
    return type(s) is str and _EMAIL.fullmatch(s) is not None


def _compile(pattern: Any, builtin_name: str) -> re.Pattern[str]:
    try:
        return re.compile(text(pattern))
    except re.error as error:
        raise LumenRuntimeError(
            "type", f"{builtin_name}: invalid pattern: {error}"
        ) from None


@builtin("regex_match")
def regex_match(pattern: Any = None, s: Any = None) -> list[Any]:
    match = _compile(pattern, "regex_match").search(text(s))
    if match is None:
        return []
    return [match.group(0), *match.groups()]


@builtin("regex_find_all")
def regex_find_all(pattern: Any = None, s: Any = None) -> list[str]:
    return [m.group(0) for m in _compile(pattern, "regex_find_all").finditer(text(s))]


_GROUP_REFERENCE = re.compile(r"\$(?:(\d+)|\{(\w+)\}|(\$))")


def _expand_replacement(template: str, match: re.Match[str]) -> str:
    def substitute(ref: re.Match[str]) -> str:
        number, name, dollar = ref.groups()
        if dollar:
            return "$"
        try:
            group = match.group(int(number) if number is not None else name)
        except IndexError:
            return ""
        return group or ""

    return _GROUP_REFERENCE.sub(substitute, template)


@builtin("regex_replace")
def regex_replace(pattern: Any = None, s: Any = None, replacement: Any = None) -> str:
    template = text(replacement)
    compiled = _compile(pattern, "regex_replace")
    return compiled.sub(lambda m: _expand_replacement(template, m), text(s))
