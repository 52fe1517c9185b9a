"""Names: E0201, E0102, E0100/E0205, E0101, E0105, E0207, strict/doc modes."""

from __future__ import annotations

from tests.sema.conftest import analyse_source, errors_of


def test_undefined_variable_message_span_and_suggestion() -> None:
    diags = analyse_source("""
        cell main() -> Int
          let total = 1
          return totl + 1
        end
    """)
    assert len(diags) == 1
    d = diags[0]
    assert (d.code, d.message) == ("E0201", "undefined variable 'totl'")
    assert (d.span.line, d.span.column) == (3, 10)
    assert d.suggestions == ("total",)


def test_undefined_cell_with_suggestion() -> None:
    diags = analyse_source("""
        cell compute(n: Int) -> Int = n
        cell main() -> Int
          return compte(1)
        end
    """)
    assert [(d.code, d.message) for d in diags] == [("E0102", "undefined cell 'compte'")]
    assert (diags[0].span.line, diags[0].span.column) == (3, 10)
    assert "compute" in diags[0].suggestions


def test_non_strict_mode_accepts_unknown_names() -> None:
    source = """
        cell main() -> Int
          return mystery(1) + nowhere
        end
    """
    assert errors_of(source, strict="false") == []
    assert errors_of(source, doc_mode="true") == []
    assert {c for c, _ in errors_of(source)} == {"E0102", "E0201"}


def test_strict_false_directive_in_code() -> None:
    assert errors_of("""
        @strict false
        cell main() -> Int
          return nowhere
        end
    """) == []


def test_bindings_are_cell_scoped_and_loop_variables_survive() -> None:
    assert errors_of("""
        cell main() -> Int
          if true
            let inner = 1
          end
          for i in [1, 2]
            let x = i
          end
          return inner + i + x
        end
    """) == []


def test_lambda_captures_and_comprehension_locals() -> None:
    assert errors_of("""
        cell main() -> Int
          let base = 10
          let add = fn(v) => v + base
          let squares = [k * k for k in 1..4 if k != 2]
          return add(1) + length(squares)
        end
    """) == []


def test_builtins_constants_variants_and_tools_are_names() -> None:
    assert errors_of("""
        enum Color
          Red
          Green
        end
        use tool http.get as Fetch
        grant Fetch
        cell main() -> Any
          let c = Red
          let f = Fetch
          return [PI, MAX_INT, c, f, length, Color.Green]
        end
    """) == []


def test_undefined_type_in_annotation() -> None:
    diags = analyse_source("""
        record Frame
          n: Int
        end
        cell main() -> Int
          let x: Frme = 1
          return 0
        end
    """)
    assert [(d.code, d.message) for d in diags] == [("E0100", "undefined type 'Frme'")]
    assert diags[0].suggestions == ("Frame",)
    assert diags[0].span.line == 5


def test_unknown_type_after_is_is_e0205() -> None:
    assert errors_of("""
        cell main() -> Bool
          let v = 3
          return v is Quux
        end
    """) == [("E0205", "undefined type 'Quux'")]


def test_generic_arity() -> None:
    assert errors_of("""
        record Pair[A, B]
          a: A
          b: B
        end
        cell f(p: Pair[Int], m: map[String]) -> Int = 1
    """) == [
        ("E0101", "generic type 'Pair' has wrong number of type arguments: expected 2, got 1"),
        ("E0101", "generic type 'map' has wrong number of type arguments: expected 2, got 1"),
    ]


def test_lowercase_type_spellings() -> None:
    assert errors_of("""
        cell f(a: int, b: float, c: string, d: bool, e: bytes, g: json) -> list[int]
          return [a]
        end
    """) == []


def test_duplicates() -> None:
    diags = analyse_source("""
        cell helper() -> Int = 1
        record helper
          x: Int
        end
        trait Area
          cell area(self: Self) -> Int
        end
        impl Area for Sq
          cell area(self: Sq) -> Int = 1
        end
        impl Area for Sq
          cell area(self: Sq) -> Int = 2
        end
    """)
    dups = [(d.code, d.message, d.span.line) for d in diags if d.code == "E0105"]
    assert dups == [
        ("E0105", "duplicate definition 'helper'", 2),
        ("E0105", "duplicate definition 'Sq.area'", 12),
    ]


def test_assignment_to_constant() -> None:
    diags = analyse_source("""
        const LIMIT: Int = 3
        cell main() -> Int
          LIMIT = 4
          LIMIT += 1
          return LIMIT
        end
    """)
    assert [(d.code, d.message, d.span.line) for d in diags] == [
        ("E0207", "cannot assign to immutable variable 'LIMIT'", 3),
        ("E0207", "cannot assign to immutable variable 'LIMIT'", 4),
    ]


def test_hoisted_local_declarations() -> None:
    assert errors_of("""
        cell main() -> Int
          record Local
            v: Int
          end
          cell helper(n: Int) -> Int = n + 1
          return helper(Local(v: 1).v)
        end
        cell other() -> Int = helper(2)
    """) == []
