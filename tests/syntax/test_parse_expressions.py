"""Expressions: precedence (§2.7), literals (§2.5), collections, postfix forms."""

from __future__ import annotations

import pytest

from lumen.syntax import ast, parse_expression


def expr(code: str) -> ast.Expr:
    node, diagnostics = parse_expression(code)
    assert not diagnostics, [d.message for d in diagnostics]
    assert node is not None
    return node


def N(name: str) -> ast.Name:
    return ast.Name(name)


def Int(value: int) -> ast.IntLit:
    return ast.IntLit(value)


def B(op: str, left: ast.Expr, right: ast.Expr) -> ast.Binary:
    return ast.Binary(op, left, right)


@pytest.mark.parametrize(
    "code,tree",
    [
        ("-2 ** 2 == 4", B("==", B("**", Int(-2), Int(2)), Int(4))),
        ("-x ** 2", B("**", ast.Unary("-", N("x")), Int(2))),
        ("not a == b", B("==", ast.Unary("not", N("a")), N("b"))),
        ("a | b == c", B("==", B("|", N("a"), N("b")), N("c"))),
        ("x |> f & y", B("&", B("|>", N("x"), N("f")), N("y"))),
        ("a ?? b or c", B("??", N("a"), B("or", N("b"), N("c")))),
        ("a or b and c", B("or", N("a"), B("and", N("b"), N("c")))),
        ("1 + 2 * 3", B("+", Int(1), B("*", Int(2), Int(3)))),
        ("2 ** 3 ** 2", B("**", Int(2), B("**", Int(3), Int(2)))),
        ("a - b - c", B("-", B("-", N("a"), N("b")), N("c"))),
        ("a ++ b .. c", B("++", N("a"), B("..", N("b"), N("c")))),
        ("1 << 2 + 3", B("<<", Int(1), B("+", Int(2), Int(3)))),
        ("a ^ b & c", B("^", N("a"), B("&", N("b"), N("c")))),
        ("x in xs and y", B("and", B("in", N("x"), N("xs")), N("y"))),
        ("a <=> b", B("<=>", N("a"), N("b"))),
        ("f ~> g ~> h", B("~>", B("~>", N("f"), N("g")), N("h"))),
        ("x // 2 % 3", B("%", B("//", N("x"), Int(2)), Int(3))),
        ("~x", ast.Unary("~", N("x"))),
    ],
)
def test_precedence(code: str, tree: ast.Expr) -> None:
    assert expr(code) == tree


def test_comparison_chain() -> None:
    assert expr("a < b <= c") == ast.ChainCompare(N("a"), "<", N("b"), "<=", N("c"))
    assert expr("(a < b) < c") == B("<", B("<", N("a"), N("b")), N("c"))
    assert expr("a == b == c") == B("==", B("==", N("a"), N("b")), N("c"))


def test_negative_literals_fold() -> None:
    assert expr("-9223372036854775808") == Int(-9223372036854775808)
    assert expr("- (5)") == ast.Unary("-", Int(5))
    assert expr("x - 1") == B("-", N("x"), Int(1))


@pytest.mark.parametrize(
    "code,value",
    [("0xFF", 255), ("0XFF_FF", 0xFFFF), ("0b1010", 10), ("0o17", 15), ("1_000_000", 10**6),
     ("123456789012345678901234567890", 123456789012345678901234567890)],
)
def test_integer_forms(code: str, value: int) -> None:
    assert expr(code) == Int(value)


@pytest.mark.parametrize("code,value", [("3.14", 3.14), ("1e10", 1e10), ("2.5E-3", 2.5e-3), ("6.02e+23", 6.02e23)])
def test_float_forms(code: str, value: float) -> None:
    assert expr(code) == ast.FloatLit(value)


def test_number_edge_lexing() -> None:
    assert expr("1..5") == B("..", Int(1), Int(5))
    assert expr("x.0.1") == ast.PosAccess(ast.PosAccess(N("x"), 0), 1)
    assert expr("t.1") == ast.PosAccess(N("t"), 1)


def test_strings_and_interpolation() -> None:
    assert expr('"a\\tb\\x41\\u{1F600}\\q"') == ast.StringLit("a\tbA\U0001F600\\q")
    assert expr('"{}" ') == ast.StringLit("{}")
    assert expr('"{ }"') == ast.StringLit("{ }")
    assert expr('"{\\"a\\": 1}"') == ast.StringLit('{"a": 1}')
    node = expr('"hi {who}, {price:.2f} [{7:>4}] {m["k"]} {f(a: 1)}"')
    assert isinstance(node, ast.InterpString)
    interps = [p for p in node.parts if isinstance(p, ast.Interpolation)]
    assert [i.spec for i in interps] == [None, ".2f", ">4", None, None]
    assert interps[3].expr == ast.Index(N("m"), ast.StringLit("k"))
    assert interps[4].expr == ast.Call(N("f"), (ast.Arg(Int(1), "a"),))
    assert node.parts[0] == "hi "


def test_interpolation_spans_are_file_positions() -> None:
    node = expr('  "ab {x + 1}"')
    assert isinstance(node, ast.InterpString)
    interp = node.parts[1]
    assert isinstance(interp, ast.Interpolation)
    assert (interp.expr.span.line, interp.expr.span.column) == (1, 8)
    assert interp.expr.right.span.column == 12  # type: ignore[union-attr]


def test_raw_triple_and_bytes() -> None:
    assert expr('r"a\\n{x}"') == ast.StringLit("a\\n{x}")
    assert expr('"""\n    first\n      second\n    """') == ast.StringLit("first\n  second")
    assert expr('r"""\n  a\\n\n  b\n  """') == ast.StringLit("a\\n\nb")
    assert expr('b"48656c6c6f"') == ast.BytesLit(b"Hello")


def test_collections() -> None:
    assert expr("[1, ...rest, 9]") == ast.ListLit((Int(1), ast.Spread(N("rest")), Int(9)))
    assert expr("{}") == ast.MapLit(())
    assert expr("set[]") == ast.SetLit(())
    assert expr("{1, 2}") == ast.SetLit((Int(1), Int(2)))
    assert expr("(1,)") == ast.TupleLit((Int(1),))
    assert expr("()") == ast.TupleLit(())
    assert expr("(1)") == Int(1)
    assert expr('{...d, "b": 3}') == ast.MapLit((ast.Spread(N("d")), ast.MapEntry(ast.StringLit("b"), Int(3))))


def test_map_key_rule() -> None:
    node = expr("{a: 1, b: 2}")
    assert node == ast.MapLit((
        ast.MapEntry(N("a"), Int(1)), ast.MapEntry(ast.StringLit("b"), Int(2), bare=True)
    ))
    assert isinstance(node, ast.MapLit) and node.entries[1].bare  # type: ignore[union-attr]


def test_comprehensions() -> None:
    node = expr("[a + b for a in xs for (b, c) in ys if a != b]")
    assert isinstance(node, ast.Comprehension)
    assert node.kind == "list" and len(node.clauses) == 2
    assert node.clauses[1].target == ast.TuplePat((ast.BindPat("b"), ast.BindPat("c")))
    assert node.condition == B("!=", N("a"), N("b"))
    assert expr("{w for w in ws}").kind == "set"  # type: ignore[union-attr]
    assert expr("{(k, 1) for k in ws}").kind == "map"  # type: ignore[union-attr]


def test_postfix_and_null_safety() -> None:
    assert expr("x?.y?[0]!") == ast.Unwrap(ast.Index(ast.Attr(N("x"), "y", True), Int(0), True))
    assert expr("f(x)?") == ast.TryOp(ast.Call(N("f"), (ast.Arg(N("x")),)))
    assert expr("try f()") == ast.TryOp(ast.Call(N("f"), ()), prefix=True)
    assert expr("try f() else |e| g(e)") == ast.TryElse(
        ast.Call(N("f"), ()), ast.Call(N("g"), (ast.Arg(N("e")),)), "e"
    )
    assert expr("x.type").name == "type"  # type: ignore[union-attr]
    assert expr("t.step()") == ast.Call(ast.Attr(N("t"), "step"), ())


def test_calls_and_arguments() -> None:
    node = expr("f(a, name: 1, ...rest, type: 2)")
    assert node == ast.Call(N("f"), (
        ast.Arg(N("a")), ast.Arg(Int(1), "name"), ast.Arg(N("rest"), spread=True), ast.Arg(Int(2), "type"),
    ))
    role = expr("Chat(role user: hello {q}, max_tokens: 5)")
    assert isinstance(role, ast.Call)
    assert role.args[0].name == "user" and isinstance(role.args[0].value, ast.RoleBlock)


def test_lambdas_types_and_misc() -> None:
    node = expr("fn(x: Int, y: Int = 2) -> Int / {emit} => x + y")
    assert isinstance(node, ast.Lambda)
    assert node.params[1].default == Int(2) and node.effects == ast.EffectRow(("emit",))
    assert expr("x is Int | String?") == ast.IsExpr(N("x"), ast.UnionType((
        ast.NamedType("Int"), ast.OptionalType(ast.NamedType("String")),
    )))
    assert expr("x as list[map[String, Int]]") == ast.AsExpr(N("x"), ast.NamedType(
        "list", (ast.NamedType("map", (ast.NamedType("String"), ast.NamedType("Int"))),)
    ))
    assert expr("r expect schema Invoice") == ast.ExpectSchema(N("r"), "Invoice")
    assert expr("perform Store.get(k)") == ast.Perform("Store", "get", (N("k"),))
    assert expr("resume(1)") == ast.Resume(Int(1))
    assert expr("await f(x)") == ast.Await(ast.Call(N("f"), (ast.Arg(N("x")),)))
    assert expr("comptime { 1 << 20 }") == ast.Comptime(
        ast.Block((ast.ExprStmt(B("<<", Int(1), Int(20))),)), braced=True
    )
    assert expr("if a then 1 else 2") == ast.If(
        N("a"), ast.Block((ast.ExprStmt(Int(1)),)), ast.Block((ast.ExprStmt(Int(2)),)), inline=True
    )


def test_spans() -> None:
    node = expr("foo(1) + bar")
    assert node.span.line == 1 and node.span.column == 1 and node.span.end_column == 13
