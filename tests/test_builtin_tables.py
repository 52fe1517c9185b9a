"""The checker's table of builtin names and the VM's builtin library must agree, so a
program never compiles a call that can only fail at run time with `undefined cell`."""

from lumen.sema.builtin_types import BUILTIN_EFFECTS, BUILTIN_FUNCTIONS
from lumen.vm.builtins.registry import all_builtins

# Names the checker knows that the VM implements as instructions, not library functions.
VM_INSTRUCTIONS = {"resume"}


def test_every_checked_builtin_is_implemented() -> None:
    missing = BUILTIN_FUNCTIONS - set(all_builtins()) - VM_INSTRUCTIONS
    assert not missing, f"known to the checker but not implemented: {sorted(missing)}"


def test_every_implemented_builtin_is_known_to_the_checker() -> None:
    unknown = set(all_builtins()) - BUILTIN_FUNCTIONS
    assert not unknown, f"implemented but rejected by the checker: {sorted(unknown)}"


def test_effectful_builtins_exist() -> None:
    assert set(BUILTIN_EFFECTS) <= BUILTIN_FUNCTIONS


def test_positional_limits_read_from_code_objects_agree_with_inspect() -> None:
    import inspect

    from lumen.vm.builtins import registry

    registry.all_builtins()
    for name, spec in registry.BUILTINS.items():
        fn = spec.fn.__wrapped__
        parameters = inspect.signature(fn).parameters.values()
        if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
            expected = None
        else:
            expected = sum(p.kind in (inspect.Parameter.POSITIONAL_ONLY,
                                      inspect.Parameter.POSITIONAL_OR_KEYWORD)
                           for p in parameters)
        assert registry._max_positional(fn) == expected, name


def test_family_index_matches_the_registrations() -> None:
    """`families.FAMILY_OF` decides which module a lookup imports: every registered name
    must be listed under the module that registers it, and nothing else listed."""
    from lumen.vm.builtins import registry
    from lumen.vm.builtins.families import FAMILY_OF

    registry.all_builtins()
    actual = {name: spec.fn.__wrapped__.__module__.rsplit(".", 1)[1]
              for name, spec in registry.BUILTINS.items()}
    assert FAMILY_OF == actual


def test_a_fresh_table_loads_only_the_families_it_is_asked_for() -> None:
    import subprocess
    import sys

    probe = ("import sys\n"
             "from lumen.vm.builtins.registry import builtin_table\n"
             "table = builtin_table()\n"
             "assert table.get('upper') is not None and 'nope' not in table\n"
             "assert table['print'].name == 'print'\n"
             "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules\n"
             "             if m.startswith('lumen.vm.builtins.') and m.count('.') == 3))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['common', 'core', 'families', 'registry', 'strings']"
