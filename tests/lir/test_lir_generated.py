"""`_module_generated.py` is current and behaves exactly like `@dataclass` on module.py."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from lumen.lir import _module_generated, lirgen, module
from lumen.lir.opcodes import Op
from lumen.syntax import astgen

REFERENCE = astgen.load_reference(lirgen.LIR)
REFERENCE_CLASSES = astgen.node_classes(REFERENCE)
NAMES = [cls.__name__ for cls in REFERENCE_CLASSES]
FIELD_ATTRIBUTES = ("name", "type", "default", "default_factory", "init", "repr", "hash",
                    "compare", "metadata", "kw_only", "_field_type")


def test_generated_file_is_up_to_date() -> None:
    assert lirgen.LIR.generated.read_text(encoding="utf-8") == astgen.render(lirgen.LIR), (
        "module.py changed: run python3 -m lumen.lir.lirgen"
    )


def test_the_lir_uses_the_generated_classes() -> None:
    assert module._PREGENERATED is _module_generated.CLASSES
    assert module.Module is _module_generated.CLASSES["Module"]
    assert set(_module_generated.CLASSES) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_class_surface_matches_dataclass(name: str) -> None:
    reference, generated = getattr(REFERENCE, name), getattr(module, name)
    assert dataclasses.is_dataclass(generated)
    assert generated.__module__ == "lumen.lir.module"
    for attribute in ("__doc__", "__slots__", "__match_args__", "__annotations__"):
        assert generated.__dict__.get(attribute) == reference.__dict__.get(attribute), attribute
    assert str(inspect.signature(generated)) == str(inspect.signature(reference))
    for ours, theirs in zip(dataclasses.fields(generated), dataclasses.fields(reference),
                            strict=True):
        for attribute in FIELD_ATTRIBUTES:
            assert getattr(ours, attribute) == getattr(theirs, attribute), (ours.name, attribute)
    declared = {n for n, v in vars(reference).items()
                if isinstance(v, property) or inspect.isfunction(v)} - {
                    "__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__",
                    "__getstate__", "__setstate__"}
    assert declared <= set(vars(generated)), declared  # properties and methods kept


def _instance(cls: type) -> object:
    values = {"op": Op.MOVE, "functions": (), "params": (), "code": (), "constants": (),
              "lines": (), "fields": ("x",), "defaults": (False,), "constraints": (False,),
              "variants": ()}
    arguments = [values.get(f.name, f"{f.name}-value" if f.type == "str" else 1)
                 for f in dataclasses.fields(cls)
                 if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    return cls(*arguments)


@pytest.mark.parametrize("name", NAMES)
def test_instances_behave_like_dataclass_instances(name: str) -> None:
    reference, generated = getattr(REFERENCE, name), getattr(module, name)
    ours, theirs = _instance(generated), _instance(reference)
    assert repr(ours) == repr(theirs)
    assert ours == _instance(generated) and ours != theirs
    with pytest.raises(dataclasses.FrozenInstanceError):
        ours.__setattr__(dataclasses.fields(generated)[0].name, 2)
    assert dataclasses.replace(ours) == ours
    assert pickle.loads(pickle.dumps(ours)) == ours and copy.deepcopy(ours) == ours
    if any(f.default_factory is not dataclasses.MISSING for f in dataclasses.fields(generated)):
        first, second = _instance(generated), _instance(generated)
        for f in dataclasses.fields(generated):
            if f.default_factory is not dataclasses.MISSING:  # a fresh value per instance
                assert getattr(first, f.name) == f.default_factory()
                assert getattr(first, f.name) is not getattr(second, f.name)
    else:
        assert hash(ours) == hash(theirs)
