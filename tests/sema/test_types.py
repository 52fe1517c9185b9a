"""Type checking at the checked points of §4.6 (E0200, E0203, E0204) and what is not
checked (no false positives)."""

from __future__ import annotations

from tests.sema.conftest import analyse_source, errors_of

MISMATCH = "E0200"


def test_let_annotation_mismatch_span() -> None:
    diags = analyse_source("""
        cell main() -> Int
          let x: Int = "hello"
          return 1
        end
    """)
    assert [(d.code, d.message) for d in diags] == [
        (MISMATCH, "type mismatch: expected Int, got String")
    ]
    assert (diags[0].span.line, diags[0].span.column) == (2, 16)


def test_return_checked_but_tail_expression_not() -> None:
    assert errors_of("""
        cell label() -> Int
          return "no"
        end
        cell tail() -> Int
          "not checked"
        end
    """) == [(MISMATCH, "type mismatch: expected Int, got String")]


def test_call_arguments_positional_named_and_count() -> None:
    assert errors_of("""
        cell pair(a: Int, b: Int) -> Int = a + b
        cell main() -> Int
          let x = pair("one", b: 2)
          let y = pair(1, bogus_arg: 2)
          let z = pair(1, 2, 3)
          let w = pair(1)
          return 0
        end
    """) == [
        (MISMATCH, "type mismatch: expected Int, got String"),
        (MISMATCH, "type mismatch: expected a parameter of 'pair', got unknown argument 'bogus_arg'"),
        ("E0203", "wrong number of arguments: expected 2, got 3"),
    ]


def test_variadic_extras_checked_against_element_type() -> None:
    assert errors_of("""
        cell total(first: Int, ...rest: Int) -> Int = first
        cell main() -> Int = total(1, 2, 3, "x")
    """) == [(MISMATCH, "type mismatch: expected Int, got String")]


def test_record_construction() -> None:
    diags = analyse_source("""
        record Car
          color: String
          seats: Int = 4
          wheels: Int
        end
        cell main() -> Any
          let a = Car(color: 1, wheels: 4)
          let b = Car(colour: "red", wheels: 4)
          let c = Car(color: "red")
          let d = Car("red", wheels: 4)
          return 0
        end
    """)
    assert [(d.code, d.message, d.span.line) for d in diags] == [
        (MISMATCH, "type mismatch: expected String, got Int", 7),
        (MISMATCH, "type mismatch: expected field 'color', got missing", 8),
        ("E0204", "unknown field 'colour' on type 'Car'", 8),
        (MISMATCH, "type mismatch: expected field 'wheels', got missing", 9),
        (MISMATCH, "type mismatch: expected field 'color', got missing", 10),
        (MISMATCH, "type mismatch: expected named fields for record 'Car', got a positional argument", 10),
    ]
    assert diags[2].suggestions == ("color",)
    assert (diags[2].span.line, diags[2].span.column) == (8, 15)


def test_property_shorthand() -> None:
    assert errors_of("""
        record Point
          x: Int
          y: Int
        end
        cell main() -> Point
          let x = 1
          let y = 2
          return Point(x, y)
        end
    """) == []


def test_conditions_must_be_bool() -> None:
    assert errors_of("""
        cell main(xs: list[Int]) -> Int
          let n = 1
          if n
            return 1
          end
          while "yes"
            break
          end
          let ys = [x for x in xs if x]
          match n
            k if k -> return 2
            _ -> return 3
          end
        end
    """) == [
        (MISMATCH, "type mismatch: expected Bool, got Int"),
        (MISMATCH, "type mismatch: expected Bool, got String"),
        (MISMATCH, "type mismatch: expected Bool, got Int"),
        (MISMATCH, "type mismatch: expected Bool, got Int"),
    ]


def test_iterables() -> None:
    assert errors_of("""
        cell main(m: map[String, Int], s: set[Int], t: Any) -> Int
          for c in "abc"
            print(c)
          end
          for (k, v) in m
            print(k, v)
          end
          for x in s
            print(x)
          end
          for y in t
            print(y)
          end
          return 0
        end
    """) == [(MISMATCH, "type mismatch: expected iterable, got String")]


def test_shift_and_bitwise_assign_need_int() -> None:
    assert errors_of("""
        cell main() -> Int
          let mut n = 1
          let a = n << 2.0
          n &= "x"
          let c = 1 <=> "a"
          return n
        end
    """) == [
        (MISMATCH, "type mismatch: expected Int, got Float"),
        (MISMATCH, "type mismatch: expected Int, got String"),
        (MISMATCH, "type mismatch: expected operands of the same type for '<=>' (Int), got String"),
    ]


def test_format_specs() -> None:
    assert errors_of("""
        cell main() -> String
          let s = "x"
          let f = 2.5
          return "{s:x} {f:.2f} {3:e} {s:>5} {f:d}"
        end
    """) == [
        (MISMATCH, "type mismatch: expected Int for format spec ':x', got String"),
        (MISMATCH, "type mismatch: expected Int for format spec ':d', got Float"),
    ]


def test_compatibility_rules_accept() -> None:
    assert errors_of("""
        cell parse(s: String) -> result[Int, String]
          if s == ""
            return err("empty")
          end
          return 42
        end
        cell pick(x: Int?) -> Int
          let f: Float = 1
          let o: Int? = null
          let u: Int | String = "a"
          let anys: list[Any] = [1, "a"]
          let xs: list[Float] = [1, 2]
          let j: Json = json_parse("1")
          return x ?? 0
        end
    """) == []


def test_narrowing_with_is() -> None:
    assert errors_of("""
        cell f(v: Int | String) -> Int
          if v is Int
            let n: Int = v
            return n
          end
          return 0
        end
    """) == []


def test_inferred_let_types_flow() -> None:
    assert errors_of("""
        cell main() -> Int
          let s = "a" + "b"
          let n: Int = s
          let m: Int = length(s)
          let fl: Int = 2.0 * 3
          let k: String = [1, 2]
          return 0
        end
    """) == [
        (MISMATCH, "type mismatch: expected Int, got String"),
        (MISMATCH, "type mismatch: expected Int, got Float"),
        (MISMATCH, "type mismatch: expected String, got list[Int]"),
    ]


def test_generic_cells_infer_and_do_not_overconstrain() -> None:
    assert errors_of("""
        cell first[T](xs: list[T]) -> T? = if length(xs) > 0 then xs[0] else null
        cell same[T](a: T, b: T) -> T = a
        cell main() -> Int
          let a: Int = first([1, 2]) ?? 0
          let b = same(1, "x")
          let c: String = first(["a"]) ?? ""
          return a
        end
    """) == []


def test_not_checked_things_stay_quiet() -> None:
    assert errors_of("""
        enum Shape
          Disc(Float)
        end
        record R
          a: Int
        end
        cell two(a: Int, b: Int) -> Int = a
        cell main() -> Any
          let d = Disc("not a float")
          let u = upper(42)
          let n = two(1)
          let r = R(a: 1)
          let q = r.nope
          let s = [1, "a", 2.0]
          let t = "a" - 1
          return [d, u, n, q, s, t]
        end
    """) == []


def test_every_error_reported_in_one_run() -> None:
    codes = [c for c, _ in errors_of("""
        cell main() -> Int
          let a: Int = "x"
          let b = nothere
          return "s"
        end
    """)]
    assert codes == [MISMATCH, "E0201", MISMATCH]
