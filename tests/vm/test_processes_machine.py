"""Machines at run time (§13.3): start, step, run, is_terminal, current_state, resume_from,
payload binding and the run bound. Programs here skip the checker on purpose where they
exercise run-time behaviour the checker would reject (cycles without a terminal state)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumen.vm.errors import LumenRuntimeError
from lumen.vm.processes import bind_payload, convert, match_template
from lumen.vm.values import Record
from tests.vm.run_helpers import run_source

DOOR = """
    machine Door
      initial: Closed
      state Closed(tries: Int)
        guard: tries < 3
        transition Open(tries + 1)
      end
      state Open(tries: Int)
        terminal: true
      end
    end
"""


def value_of(source: str) -> object:
    return run_source(source)[0]


def state(name: str, steps: int, terminal: bool, payload: dict[str, object]) -> dict:
    return {"name": name, "steps": steps, "terminal": terminal, "payload": payload}


def fields(value: object) -> dict:
    assert isinstance(value, Record) and value.type_name.endswith(".State")
    return value.fields


def test_start_then_step_moves_along_the_transition() -> None:
    result = value_of(DOOR + """
        cell main() -> Any
          let d = Door()
          let started = d.start(1)
          let before = d.current_state()
          let was_terminal = d.is_terminal()
          let after = d.step()
          return [started, before, was_terminal, after, d.is_terminal()]
        end
    """)
    assert result[0] is None
    assert fields(result[1]) == state("Closed", 0, False, {"tries": 1})
    assert result[2] is False
    assert fields(result[3]) == state("Open", 1, True, {"tries": 2})
    assert result[3].type_name == "Door.State"
    assert result[4] is True


def test_false_guard_keeps_the_state_but_counts_the_step() -> None:
    result = value_of(DOOR + """
        cell main() -> Any
          let d = Door()
          d.start(5)
          d.step()
          return d.step()
        end
    """)
    assert fields(result) == state("Closed", 2, False, {"tries": 5})


def test_step_without_start_starts_with_missing_payload() -> None:
    result = value_of("""
        machine M
          state A(x: Int)
            transition B(x)
          end
          state B(x: Int)
            terminal: true
          end
        end
        cell main() -> Any = M().step()
    """)
    assert fields(result) == state("B", 1, True, {"x": None})


def test_run_until_terminal_and_run_binds_initial_payload() -> None:
    result = value_of(DOOR + """
        cell main() -> Any
          let d = Door()
          let first = d.run(0)
          let again = d.run()
          let blocked = Door()
          return [first, again, blocked.run(9), Door.run(2)]
        end
    """)
    assert fields(result[0]) == state("Open", 2, True, {"tries": 1})
    assert fields(result[1]) == state("Open", 3, True, {"tries": 1})
    assert fields(result[2]) == state("Closed", 1, False, {"tries": 9})
    assert fields(result[3]) == state("Open", 2, True, {"tries": 3})


def test_run_is_bounded_by_four_times_the_number_of_states() -> None:
    result = value_of("""
        machine Loop
          state A(n: Int)
            transition B(n + 1)
          end
          state B(n: Int)
            transition A(n + 1)
          end
        end
        cell main() -> Any
          let m = Loop()
          m.start(0)
          return m.run()
        end
    """)
    assert fields(result) == state("A", 8, False, {"n": 8})


def test_machine_without_states() -> None:
    result = value_of("""
        machine Empty
        end
        cell main() -> Any
          let e = Empty()
          e.start()
          let before = [e.current_state(), e.is_terminal()]
          let other = Empty()
          return [before, e.step(), e.is_terminal(), other.run()]
        end
    """)
    assert fields(result[0][0]) == state("started", 0, False, {})
    assert result[0][1] is False
    assert fields(result[1]) == state("terminal", 1, True, {})
    assert result[2] is True
    assert fields(result[3]) == state("terminal", 1, True, {})


def test_resume_from_named_default_and_unknown_state() -> None:
    result = value_of(DOOR + """
        cell main() -> Any
          let d = Door()
          d.run(0)
          let named = d.resume_from("Closed", 2.9)
          let default = d.resume_from()
          let unknown = d.resume_from("Ajar")
          return [named, default, unknown]
        end
    """)
    assert fields(result[0]) == state("Closed", 0, False, {"tries": 2})
    assert fields(result[1]) == state("Closed", 0, False, {"tries": None})
    assert fields(result[2]) == state("Ajar", 0, False, {})


def test_instances_are_independent_and_copies_share_position() -> None:
    assert value_of(DOOR + """
        cell main() -> Any
          let a = Door()
          let b = Door()
          let alias = a
          a.start(0)
          b.start(3)
          alias.step()
          return [a.current_state().name, b.current_state().name, a.is_terminal()]
        end
    """) == ["Open", "Closed", True]


def test_payload_binding_converts_to_declared_types() -> None:
    result = value_of("""
        record Tag
          label: String
        end
        machine Typed
          state A(i: Int, f: Float, s: String, b: Bool, r: Tag, any)
            terminal: true
          end
        end
        cell main() -> Any
          let t = Typed()
          t.start(2.7, 3, [1, "x"], "yes", Tag(label: "k"))
          return t.current_state().payload
        end
    """)
    assert result["i"] == 2 and type(result["i"]) is int
    assert result["f"] == 3.0 and type(result["f"]) is float
    assert result["s"] == '[1, "x"]'
    assert result["b"] is None
    assert isinstance(result["r"], Record)
    assert result["any"] is None


def test_guard_runtime_error_propagates() -> None:
    with pytest.raises(LumenRuntimeError) as info:
        run_source("""
            machine Zero
              state A(x: Int)
                guard: 10 / x > 1
                transition B(x)
              end
              state B(x: Int)
                terminal: true
              end
            end
            cell main() -> Any
              let z = Zero()
              z.start(0)
              return z.step()
            end
        """)
    assert info.value.message == "division by zero"


def test_user_run_cell_replaces_builtin_run() -> None:
    assert value_of("""
        machine Door
          cell run(x: Int) -> Int = x * 3
          state Open(tries: Int)
            terminal: true
          end
        end
        cell main() -> Any = [Door().run(4), Door().step().name]
    """) == [12, "Open"]


# ------------------------------------------------------------------ pure helpers


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_int_binds_as_int_and_float(n: int) -> None:
    assert convert(n, "Int") == n
    assert convert(n, "Float") == float(n)
    assert convert(n, "String") == str(n)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_float_to_int_truncates_finite_values(x: float) -> None:
    expected = int(x) if math.isfinite(x) else None
    assert convert(x, "Int") == expected


def test_missing_payload_values_bind_null() -> None:
    assert bind_payload(("a", "b"), ("Int", ""), [1]) == {"a": 1, "b": None}


_LITERAL = st.text(alphabet="ab/-. ", max_size=4)
_CAPTURE = st.text(alphabet="xyz0123", max_size=5)


@given(st.lists(st.tuples(_CAPTURE, _LITERAL.filter(bool)), min_size=1, max_size=4),
       _LITERAL)
def test_template_round_trip(pieces: list[tuple[str, str]], prefix: str) -> None:
    """Captures drawn from characters the literals never use always come back."""
    template = prefix + "".join(f"{{k{i}}}{lit}" for i, (_, lit) in enumerate(pieces))
    text = prefix + "".join(cap + lit for cap, lit in pieces)
    assert match_template(template, text) == {f"k{i}": cap for i, (cap, _) in
                                              enumerate(pieces)}
