"""End-to-end semantics through parse -> lower -> VM: value semantics, defers, constructs."""

from __future__ import annotations

import pytest

from lumen.vm.errors import LumenRuntimeError
from lumen.vm.values import Record, Variant
from tests.vm.run_helpers import run_source


def value_of(body: str) -> object:
    return run_source(body)[0]


# ------------------------------------------------------------------ aliasing (§9.9)


def test_let_copy_then_index_assign_leaves_original() -> None:
    assert value_of("""
        cell main() -> Any
          let a = [1, 2, 3]
          let b = a
          b[0] = 9
          return [a, b]
        end
    """) == [[1, 2, 3], [9, 2, 3]]


def test_callee_mutating_its_parameter_does_not_change_caller() -> None:
    assert value_of("""
        cell poke(xs: list[Int]) -> list[Int]
          xs[0] = 100
          xs = append(xs, 7)
          return xs
        end
        cell main() -> Any
          let a = [1, 2]
          let b = poke(a)
          return [a, b]
        end
    """) == [[1, 2], [100, 2, 7]]


def test_lambda_capture_is_by_value() -> None:
    assert value_of("""
        cell main() -> Any
          let xs = [1, 2]
          let f = fn() => xs
          xs[0] = 50
          xs = append(xs, 3)
          let base = 10
          let add = fn(v) => v + base
          let base = 99
          return [f(), xs, add(1)]
        end
    """) == [[1, 2], [50, 2, 3], 11]


def test_list_stored_in_record_then_original_mutated() -> None:
    value = value_of("""
        record Box
          items: list[Int]
        end
        cell main() -> Any
          let xs = [1]
          let box = Box(items: xs)
          xs[0] = 2
          xs = append(xs, 3)
          let other = box
          other.items = append(other.items, 9)
          return [xs, box.items, other.items]
        end
    """)
    assert value == [[2, 3], [1], [1, 9]]


def test_nested_path_assignment_updates_root_copy_only() -> None:
    assert value_of("""
        cell main() -> Any
          let grid = [[0, 0], [0, 0]]
          let saved = grid
          grid[1][0] = 5
          let m = {"a": {"b": 1}}
          let n = m
          m["a"]["b"] = 2
          return [grid, saved, m, n]
        end
    """) == [[[0, 0], [5, 0]], [[0, 0], [0, 0]], {"a": {"b": 2}}, {"a": {"b": 1}}]


def test_append_loop_is_linear() -> None:
    value = value_of("""
        cell main() -> Int
          let xs = []
          for i in 0..200000
            xs = append(xs, i)
            xs[i] = xs[i] + 1
          end
          return length(xs)
        end
    """)
    assert value == 200000


def test_iterable_evaluated_once() -> None:
    assert value_of("""
        cell main() -> Any
          let xs = [1, 2, 3]
          let seen = []
          for x in xs
            xs = append(xs, x)
            seen = append(seen, x)
          end
          return [seen, x, xs]
        end
    """) == [[1, 2, 3], 3, [1, 2, 3, 1, 2, 3]]


# ------------------------------------------------------------------ defer (§6.9)


def test_defers_run_in_reverse_and_on_error() -> None:
    with pytest.raises(LumenRuntimeError) as info:
        run_source("""
            cell work() -> Int
              defer
                print("first")
              end
              defer
                print("second")
                let z = 1 / 0
              end
              halt("boom")
            end
            cell main() -> Int
              defer
                print("main")
              end
              return work()
            end
        """)
    assert info.value.message == "halt: boom"


def test_defer_output_order_with_error(capsys: pytest.CaptureFixture[str]) -> None:
    source = """
        cell work() -> Int
          defer
            print("first")
          end
          defer
            print("second")
          end
          print("body")
          return 1
        end
        cell main() -> Int
          let r = work()
          print("after")
          return r
        end
    """
    value, out = run_source(source)
    assert value == 1
    assert out.splitlines() == ["body", "second", "first", "after"]


# ------------------------------------------------------------------ constructs


def test_records_defaults_and_constraints() -> None:
    value = value_of("""
        record Order
          id: String
          qty: Int = 1 where qty > 0
        end
        cell main() -> Any
          let o = Order(id: "a")
          let p = Order(id: "b", qty: 3)
          return [o.qty, p.qty, o.missing]
        end
    """)
    assert value == [1, 3, None]
    with pytest.raises(LumenRuntimeError) as info:
        value_of("""
            record Order
              qty: Int = 1 where qty > 0
            end
            cell main() -> Any
              return Order(qty: 0)
            end
        """)
    assert info.value.message == "halt: Constraint failed for field 'qty'"


def test_enums_match_and_methods() -> None:
    value = value_of("""
        enum Shape
          Dot
          Disc(radius: Float)
          Rect(w: Float, h: Float)

          cell area(self: Shape) -> Float
            match self
              Dot -> 0.0
              Disc(r) -> 3.0 * r * r
              Rect(w, h) -> w * h
            end
          end
        end
        cell main() -> Any
          let shapes = [Dot, Disc(radius: 1.0), Shape.Rect(w: 2.0, h: 3.0)]
          return [s.area() for s in shapes]
        end
    """)
    assert value == [0.0, 3.0, 6.0]


def test_try_propagation_runs_defers_and_returns_err() -> None:
    value, out = run_source("""
        cell parse(s: String) -> result[Int, String]
          if s == "x"
            return err("bad")
          end
          return ok(1)
        end
        cell both(a: String, b: String) -> result[Int, String]
          defer
            print("cleanup")
          end
          let x = parse(a)?
          let y = parse(b)?
          return ok(x + y)
        end
        cell main() -> Any
          return [both("1", "2"), both("x", "2")]
        end
    """)
    assert value == [Variant("result", "ok", 2), Variant("result", "err", "bad")]
    assert out.splitlines() == ["cleanup", "cleanup"]


def test_block_values_and_loops() -> None:
    value = value_of("""
        cell main() -> Any
          let squares = for k in 1..4
            k * k
          end
          let n = 0
          let found = loop
            n += 1
            if n > 3
              break n * 10
            end
          end
          let kind = match 200
            200 -> "ok"
            _ -> "other"
          end
          let band = when
            n < 0 -> "neg"
            _ -> "pos"
          end
          return [squares, found, kind, band]
        end
    """)
    assert value == [[1, 4, 9], 40, "ok", "pos"]


def test_generator_collects_yields() -> None:
    assert value_of("""
        cell evens(n: Int) -> yield Int
          for i in 0..n
            if i % 2 == 0
              yield i
            end
          end
        end
        cell main() -> Any
          return evens(7)
        end
    """) == [0, 2, 4, 6]


def test_top_level_statements_form_main() -> None:
    value, out = run_source("""
        let x = 2
        print(x * 21)
    """)
    assert value is None
    assert out == "42\n"


def test_unknown_cell_fails_at_run_time() -> None:
    with pytest.raises(LumenRuntimeError) as info:
        value_of("""
            cell main() -> Any
              return nothing_here(1)
            end
        """)
    assert info.value.message == "undefined cell: nothing_here"


def test_record_values_are_records() -> None:
    value = value_of("""
        record Point
          x: Int
          y: Int
        end
        cell main() -> Any
          let x = 1
          let y = 2
          return Point(x, y)
        end
    """)
    assert isinstance(value, Record) and value.fields == {"x": 1, "y": 2}
