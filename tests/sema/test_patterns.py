"""Pattern rules and exhaustiveness (§8.3): E0200, E0208."""

from __future__ import annotations

from tests.sema.conftest import analyse_source, errors_of

ENUM = """
enum Dir
  Up
  Down
  Sideways
end
"""


def test_missing_variant_message_and_span() -> None:
    diags = analyse_source(ENUM + """
cell name(d: Dir) -> String
  match d
    Up -> return "up"
    Down -> return "down"
  end
end
""")
    assert [(d.code, d.message) for d in diags] == [
        ("E0208", 'incomplete match: missing variants ["Sideways"]')
    ]
    assert (diags[0].span.line, diags[0].span.column) == (8, 3)


def test_guarded_arms_do_not_count() -> None:
    assert errors_of(ENUM + """
cell name(d: Dir, flag: Bool) -> String
  match d
    Up -> return "up"
    Down | Sideways if flag -> return "down"
  end
end
""") == [("E0208", 'incomplete match: missing variants ["Down", "Sideways"]')]


def test_catch_alls_and_plain_binding_rule() -> None:
    assert errors_of("""
enum Shape
  Dot
  Disc(radius: Float)
  Rect(w: Float, h: Float)
end
cell a(s: Shape) -> Float
  match s
    Dot -> 0.0
    other -> 1.0
  end
end
cell b(s: Shape) -> Float
  match s
    Disc(r) -> r
  end
end
cell c(s: Shape) -> Float
  match s
    Dot -> 0.0
    Shape.Disc(_) -> 1.0
    Rect(_, _) -> 2.0
  end
end
""") == []


def test_int_coverage() -> None:
    assert errors_of("""
cell a(n: Int) -> String
  match n
    0 -> "zero"
    1..3 -> "few"
    5 -> "five"
  end
end
cell b(n: Int) -> String
  match n
    0 -> "zero"
    1000 -> "big"
  end
end
cell c(n: Int) -> String
  match n
    0 -> "zero"
    1..=3 -> "few"
  end
end
""") == [
        ("E0208", 'incomplete match: missing variants ["3", "4"]'),
        ("E0208", 'incomplete match: missing variants ["_ (wildcard required for large integer ranges)"]'),
    ]


def test_strings_are_never_checked() -> None:
    assert errors_of("""
cell a(s: String) -> Int
  match s
    "x" -> 1
  end
end
""") == []


def test_variant_of_wrong_enum_and_payload_rules() -> None:
    assert errors_of(ENUM + """
enum Other
  Left
  Right(Int)
end
cell a(d: Dir) -> Int
  match d
    Left -> 1
    Up(x) -> 2
    _ -> 3
  end
end
cell b(r: result[Int, String]) -> Int
  match r
    ok(v) -> v
    Up -> 0
    err(e) -> 1
  end
end
""") == [
        ("E0200", "type mismatch: expected variant of Dir, got 'Left'"),
        ("E0200", "type mismatch: expected no arguments for payload-less variant 'Up', got arguments"),
        ("E0200", "type mismatch: expected ok or err, got 'Up'"),
    ]


def test_structural_pattern_subjects() -> None:
    assert errors_of("""
record P
  x: Int
end
record Q
  y: Int
end
cell a(n: Int, p: P) -> Int
  match n
    [a, b] -> 1
    (c, d) -> 2
    _ -> 3
  end
  match p
    Q(y:) -> y
    P(x:) -> x
    s: String -> 0
    1.0..2 -> 4
  end
end
""") == [
        ("E0200", "type mismatch: expected a list, got Int"),
        ("E0200", "type mismatch: expected a tuple, got Int"),
        ("E0200", "type mismatch: expected P, got Q"),
        ("E0200", "type mismatch: expected P, got String"),
        ("E0200", "type mismatch: expected both range bounds Int or both Float, got Float and Int"),
    ]


def test_pattern_bindings_get_types() -> None:
    assert errors_of("""
enum Shape
  Disc(radius: Float)
  Rect(w: Float, h: Float)
end
cell area(s: Shape) -> Float
  match s
    Disc(r) ->
      let x: Float = r
      return x
    Rect(w, h) ->
      let y: String = w
      return h
  end
end
""") == [("E0200", "type mismatch: expected String, got Float")]
