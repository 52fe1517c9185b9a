"""`_ast_generated.py` is current and behaves exactly like `@dataclass` on ast.py."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from lumen.diagnostics.diagnostic import Span
from lumen.syntax import _ast_generated, ast, astgen

REFERENCE = astgen.load_reference()
REFERENCE_CLASSES = astgen.node_classes(REFERENCE)
FIELD_ATTRIBUTES = (
    "name", "type", "default", "default_factory", "init", "repr", "hash", "compare",
    "metadata", "kw_only", "_field_type",
)


def test_generated_file_is_up_to_date() -> None:
    assert astgen.GENERATED_PATH.read_text(encoding="utf-8") == astgen.render(), (
        "ast.py changed: run python3 -m lumen.syntax.astgen"
    )


def test_ast_uses_the_generated_classes() -> None:
    assert ast._PREGENERATED is _ast_generated.CLASSES
    assert ast.Program is _ast_generated.CLASSES["Program"]
    assert set(_ast_generated.CLASSES) == {cls.__name__ for cls in REFERENCE_CLASSES}


def _pair(name: str) -> tuple[type, type]:
    return getattr(REFERENCE, name), getattr(ast, name)


@pytest.mark.parametrize("name", [cls.__name__ for cls in REFERENCE_CLASSES])
def test_class_surface_matches_dataclass(name: str) -> None:
    reference, generated = _pair(name)
    assert dataclasses.is_dataclass(generated)
    assert generated.__module__ == "lumen.syntax.ast"
    assert generated.__qualname__ == reference.__qualname__
    assert [c.__name__ for c in generated.__mro__] == [c.__name__ for c in reference.__mro__]
    for attribute in ("__doc__", "__slots__", "__match_args__", "__annotations__"):
        assert generated.__dict__.get(attribute) == reference.__dict__.get(attribute), attribute
    assert repr(generated.__dataclass_params__) == repr(reference.__dataclass_params__)
    assert str(inspect.signature(generated)) == str(inspect.signature(reference))
    reference_fields = dataclasses.fields(reference)
    generated_fields = dataclasses.fields(generated)
    assert len(generated_fields) == len(reference_fields)
    for ours, theirs in zip(generated_fields, reference_fields, strict=True):
        for attribute in FIELD_ATTRIBUTES:
            assert getattr(ours, attribute) == getattr(theirs, attribute), (ours.name, attribute)
    for dunder in ("__getstate__", "__setstate__"):
        assert getattr(generated, dunder) is getattr(reference, dunder)
    assert not hasattr(generated(*_arguments(reference)), "__dict__")


def _arguments(cls: type) -> list[object]:
    """Distinct, hashable values for the positional fields."""
    return [f"{f.name}-value" for f in dataclasses.fields(cls) if not f.kw_only]


@pytest.mark.parametrize("name", [cls.__name__ for cls in REFERENCE_CLASSES])
def test_instances_behave_like_dataclass_instances(name: str) -> None:
    reference, generated = _pair(name)
    arguments = _arguments(reference)
    span = Span(1, 2, 1, 4)
    theirs, ours = reference(*arguments), generated(*arguments)
    assert repr(ours) == repr(theirs)
    assert hash(ours) == hash(theirs)
    assert ours == generated(*arguments) and not (ours != generated(*arguments))
    assert ours != theirs  # different classes never compare equal
    assert (ours == 1) is False
    with_span = generated(*arguments, span=span)  # keyword-only, ignored by ==, hash, repr
    assert with_span == ours and hash(with_span) == hash(ours) and with_span.span == span
    assert repr(with_span) == repr(ours)
    for field in dataclasses.fields(generated):
        if field.kw_only:
            continue
        changed = dataclasses.replace(ours, **{field.name: "other"})
        reference_changed = dataclasses.replace(theirs, **{field.name: "other"})
        assert getattr(changed, field.name) == "other"
        assert (changed == ours) == (reference_changed == theirs)
        assert (hash(changed) == hash(ours)) == (hash(reference_changed) == hash(theirs))
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(ours, field.name, "other")
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(ours, field.name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ours.not_a_field = 1  # type: ignore[attr-defined]
    assert dataclasses.asdict(ours) == dataclasses.asdict(theirs)
    assert pickle.loads(pickle.dumps(ours)) == ours
    assert copy.deepcopy(ours) == ours
    match ours:
        case generated():
            pass
        case _:
            pytest.fail("class pattern did not match")


def test_positional_match_args() -> None:
    node = ast.NamedType("Int", ())
    match node:
        case ast.NamedType(name, args):
            assert (name, args) == ("Int", ())
        case _:
            pytest.fail("no match")


def test_parsed_trees_are_generated_nodes() -> None:
    from lumen.syntax import parse

    result = parse('print("hello")\n', "t.lm")
    assert type(result.program) is ast.Program
    assert dataclasses.replace(result.program, span=result.program.span) == result.program
