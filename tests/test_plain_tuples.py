"""lumen.plain_tuples.NamedTuple behaves as typing.NamedTuple for what Lumen uses."""

from __future__ import annotations

import pickle
import typing

import pytest

from lumen.plain_tuples import NamedTuple


class Plain(NamedTuple):
    """A record."""

    name: str
    size: int = 0
    tags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name}:{self.size}"

    def grown(self, by: int) -> Plain:
        return self._replace(size=self.size + by)


class Typed(typing.NamedTuple):
    """A record."""

    name: str
    size: int = 0
    tags: tuple[str, ...] = ()


def test_same_shape_as_typing_namedtuple() -> None:
    plain, typed = Plain("a", 2), Typed("a", 2)
    assert plain == typed == ("a", 2, ())
    assert Plain._fields == Typed._fields
    assert Plain._field_defaults == Typed._field_defaults
    assert repr(plain) == repr(typed).replace("Typed", "Plain")
    assert Plain.__doc__ == "A record."
    assert Plain.__qualname__ == "Plain" and Plain.__module__ == __name__
    assert plain.label == "a:2" and plain.grown(3) == ("a", 5, ())
    assert pickle.loads(pickle.dumps(plain)) == plain
    assert hash(plain) == hash(("a", 2, ()))
    assert list(Plain.__annotations__) == ["name", "size", "tags"]


def test_defaults_must_come_last_and_specials_are_protected() -> None:
    with pytest.raises(TypeError):
        class Bad(NamedTuple):
            a: int = 1
            b: int
    with pytest.raises(AttributeError):
        class Worse(NamedTuple):
            a: int

            def _replace(self) -> None: ...
