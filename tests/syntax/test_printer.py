"""Golden tests: the canonical printer's exact output for hand-built trees."""

from __future__ import annotations

import pytest

from lumen.syntax import ast as A
from lumen.syntax import parse
from lumen.syntax.printer import print_expr, print_pattern, print_program, print_stmt, print_type

x, y, z = A.Name("x"), A.Name("y"), A.Name("z")
STMT_TYPES = (A.Let, A.Assign, A.CompoundAssign, A.Return, A.Halt, A.Break, A.Continue,
              A.Emit, A.Yield, A.Defer, A.ExprStmt)


def i(v: int) -> A.IntLit:
    return A.IntLit(v)


def block(*exprs: A.Expr | A.Stmt) -> A.Block:
    return A.Block(tuple(e if isinstance(e, STMT_TYPES) else A.ExprStmt(e) for e in exprs))


def call(name: str, *args: A.Expr, **named: A.Expr) -> A.Call:
    all_args = [A.Arg(a) for a in args] + [A.Arg(v, name=k) for k, v in named.items()]
    return A.Call(A.Name(name), tuple(all_args))


# ============================================================================ operators

PRECEDENCE_CASES = [
    (A.Binary("+", x, A.Binary("*", y, z)), "x + y * z"),
    (A.Binary("*", A.Binary("+", x, y), z), "(x + y) * z"),
    (A.Binary("-", x, A.Binary("-", y, z)), "x - (y - z)"),
    (A.Binary("-", A.Binary("-", x, y), z), "x - y - z"),
    (A.Binary("**", x, A.Binary("**", y, z)), "x ** y ** z"),
    (A.Binary("**", A.Binary("**", x, y), z), "(x ** y) ** z"),
    (A.Binary("**", i(-2), i(2)), "(-2) ** 2"),
    (A.Binary("**", A.Unary("-", x), i(2)), "(-x) ** 2"),
    (A.Unary("-", A.Binary("**", x, i(2))), "-(x ** 2)"),
    (A.Binary("==", A.Unary("not", x), y), "not x == y"),
    (A.Unary("not", A.Binary("==", x, y)), "not (x == y)"),
    (A.Binary("==", A.Binary("|", x, y), z), "x | y == z"),
    (A.Binary("&", A.Binary("|>", x, y), z), "x |> y & z"),
    (A.Binary("??", x, A.Binary("or", y, z)), "x ?? y or z"),
    (A.Binary("or", A.Binary("??", x, y), z), "(x ?? y) or z"),
    (A.Binary("<", A.Binary("<", x, y), z), "(x < y) < z"),
    (A.Binary("==", A.Binary("<", x, y), z), "x < y == z"),
    (A.ChainCompare(x, "<", y, "<=", z), "x < y <= z"),
    (A.Binary("==", A.ChainCompare(x, "<", y, "<", z), A.BoolLit(True)), "(x < y < z) == true"),
    (A.Binary("..", i(1), i(10)), "1..10"),
    (A.Binary("..=", x, A.Binary("+", y, i(1))), "x ..= y + 1"),
    (A.Unary("-", i(5)), "-(5)"),
    (A.Unary("-", A.FloatLit(1.5)), "-1.5"),
    (A.Unary("-", A.Unary("-", x)), "-(-x)"),
    (A.Unary("~", x), "~x"),
    (A.Binary("-", x, i(-5)), "x - -5"),
    (A.Binary("|", A.IsExpr(x, A.NamedType("Int")), y), "(x is Int) | y"),
    (A.Binary("and", y, A.IsExpr(x, A.OptionalType(A.NamedType("Int")))), "y and x is Int?"),
    (A.AsExpr(A.Binary("+", x, y), A.NamedType("Float")), "x + y as Float"),
    (A.ExpectSchema(call("fetch"), "User"), "fetch() expect schema User"),
    (A.Binary("+", A.ExpectSchema(x, "T"), y), "(x expect schema T) + y"),
]


@pytest.mark.parametrize(("tree", "text"), PRECEDENCE_CASES, ids=[t for _, t in PRECEDENCE_CASES])
def test_operators_get_exactly_the_needed_parentheses(tree: A.Expr, text: str) -> None:
    assert print_expr(tree) == text


# ============================================================================ literals

LITERAL_CASES = [
    (A.IntLit(42), "42"),
    (A.IntLit(255, text="0xFF"), "0xFF"),
    (A.IntLit(255, text="0x10"), "255"),  # a stale spelling is not trusted
    (A.IntLit(1_000_000, text="1_000_000"), "1_000_000"),
    (A.IntLit(2**70), str(2**70)),
    (A.IntLit(-(2**63)), "-9223372036854775808"),
    (A.FloatLit(0.1), "0.1"),
    (A.FloatLit(1e16), "1e+16"),
    (A.FloatLit(2.5e-3, text="2.5E-3"), "2.5E-3"),
    (A.FloatLit(-0.0), "-0.0"),
    (A.FloatLit(float("inf")), "1e999"),
    (A.StringLit('say "hi"\n'), r'"say \"hi\"\n"'),
    (A.StringLit("tab\tnul\0cr\r\\"), r'"tab\tnul\0cr\r\\"'),
    (A.StringLit("bell\x07 nbsp\xa0 é 😀"), '"bell\\u{7} nbsp\\u{a0} é 😀"'),
    (A.StringLit("{x} {} { } {\"a\": 1}"), r'"\{x} {} \{ } {\"a\": 1}"'),
    (A.StringLit("{(1)} {-1} {_}"), r'"\{(1)} \{-1} \{_}"'),
    (A.StringLit(r"C:\dir", form="raw"), r'r"C:\dir"'),
    (A.StringLit('has "quote"', form="raw"), r'"has \"quote\""'),
    (A.StringLit("line one\n  line two", form="triple"), '"""\n  line one\n    line two\n"""'),
    (A.StringLit("  all\n  indented", form="triple"), r'"  all\n  indented"'),
    (A.StringLit("trailing \nspace", form="triple"), r'"trailing \nspace"'),
    (A.BytesLit(b"Hello"), 'b"48656c6c6f"'),
    (A.BoolLit(False), "false"),
    (A.NullLit(), "null"),
]


@pytest.mark.parametrize(("tree", "text"), LITERAL_CASES, ids=[t for _, t in LITERAL_CASES])
def test_literals_are_spelled_to_decode_to_the_same_value(tree: A.Expr, text: str) -> None:
    assert print_expr(tree) == text


def test_interpolations_and_format_specs() -> None:
    s = A.InterpString(("hi ", A.Interpolation(A.Name("who")), ", total ",
                        A.Interpolation(A.Name("price"), ".2f"), " {",
                        A.Interpolation(A.Binary("+", x, i(1)))))
    assert print_expr(s) == r'"hi {who}, total {price:.2f} \{{x + 1}"'
    quoted = A.InterpString((A.Interpolation(call("f", A.StringLit("a\"b"))), "!"))
    assert print_expr(quoted) == r'"{f("a\"b")}!"'
    # An interpolation must start with a letter, digit, `_`, `(`, `[` or `-`.
    assert print_expr(A.InterpString((A.Interpolation(A.StringLit("s")),))) == '"{("s")}"'
    assert print_expr(A.InterpString((A.Interpolation(A.Unary("not", x)),))) == '"{not x}"'


# ============================================================================ postfix and collections

POSTFIX_CASES = [
    (A.Attr(A.Attr(x, "a"), "b", safe=True), "x.a?.b"),
    (A.PosAccess(A.PosAccess(x, 0), 1), "(x.0).1"),
    (A.Attr(A.IntLit(5), "abs"), "(5).abs"),
    (A.Call(A.Attr(A.IntLit(-5), "abs"), ()), "(-5).abs()"),
    (A.Index(x, i(0), safe=True), "x?[0]"),
    (A.Unwrap(A.TryOp(call("f"))), "f()?!"),
    (A.TryOp(call("f"), prefix=True), "try f()"),
    (A.TryOp(A.Binary("+", x, y), prefix=True), "try (x + y)"),
    (A.TryElse(call("f"), A.Name("e"), "e"), "try f() else |e| e"),
    (A.Await(call("f")), "await f()"),
    (A.Binary("+", A.Await(x), i(1)), "(await x) + 1"),
    (A.Attr(A.Binary("+", x, y), "z"), "(x + y).z"),
    (A.Call(A.Name("f"), (A.Arg(x), A.Arg(y, name="key"), A.Arg(z, spread=True))),
     "f(x, key: y, ...z)"),
    (A.ListLit((x, A.Spread(y))), "[x, ...y]"),
    (A.TupleLit(()), "()"),
    (A.TupleLit((x,)), "(x,)"),
    (A.SetLit(()), "set[]"),
    (A.SetLit((x, y)), "{x, y}"),
    (A.MapLit(()), "{}"),
    (A.MapLit((A.MapEntry(x, i(1)), A.MapEntry(A.StringLit("k"), i(2)),
               A.MapEntry(y, i(3)), A.Spread(z))),
     '{x: 1, "k": 2, (y): 3, ...z}'),
    (A.Comprehension("list", A.Binary("*", x, x), (A.CompFor(A.BindPat("x"), A.Name("xs")),),
                     A.Binary("!=", x, i(3))),
     "[x * x for x in xs if x != 3]"),
    (A.Comprehension("map", A.TupleLit((x, y)),
                     (A.CompFor(A.TuplePat((A.BindPat("x"), A.BindPat("y"))), A.Name("ps")),)),
     "{(x, y) for (x, y) in ps}"),
    (A.Perform("Store", "get", (A.StringLit("k"),)), 'perform Store.get("k")'),
    (A.Resume(A.NullLit()), "resume(null)"),
]


@pytest.mark.parametrize(("tree", "text"), POSTFIX_CASES, ids=[t for _, t in POSTFIX_CASES])
def test_postfix_collections_and_calls(tree: A.Expr, text: str) -> None:
    assert print_expr(tree) == text


# ============================================================================ lambdas and inline forms


def test_lambdas_and_open_ended_forms() -> None:
    lam = A.Lambda((A.Param("v", A.NamedType("Int")),), A.Binary("+", A.Name("v"), i(1)),
                   ret=A.NamedType("Int"))
    assert print_expr(lam) == "fn(v: Int) -> Int => v + 1"
    assert print_expr(A.Binary("|>", x, lam)) == "x |> (fn(v: Int) -> Int => v + 1)"
    assert print_expr(call("map", x, lam)) == "map(x, fn(v: Int) -> Int => v + 1)"
    inline = A.If(A.Binary("<", x, i(0)), block(A.StringLit("-")), block(A.StringLit("+")),
                  inline=True)
    assert print_expr(inline) == 'if x < 0 then "-" else "+"'
    assert print_expr(A.Binary("++", inline, y)) == '(if x < 0 then "-" else "+") ++ y'
    chain = A.If(x, block(i(1)), A.If(y, block(i(2)), block(i(3)), inline=True), inline=True)
    assert print_expr(chain) == "if x then 1 else if y then 2 else 3"
    dangling = A.If(x, block(A.If(y, block(i(1)), inline=True)), block(i(2)), inline=True)
    assert print_expr(dangling) == "if x then (if y then 1) else 2"
    params = (A.Param("a"), A.Param("b", default=i(2)), A.Param("rest", A.NamedType("Int"), variadic=True))
    assert print_expr(A.Lambda(params, x, effects=A.EffectRow(("emit",), braced=False))) == (
        "fn(a, b = 2, ...rest: Int) / emit => x"
    )


def test_block_lambda_and_trailing_do_block() -> None:
    body = block(A.Binary("*", x, i(2)))
    lam = A.Lambda((A.Param("x"),), body)
    assert print_expr(call("map", A.Name("xs"), lam)) == "map(xs, fn(x)\n  x * 2\nend)"
    trailing = A.Call(A.Name("each"), (A.Arg(A.Name("xs")), A.Arg(A.Lambda((A.Param("x"),), body, trailing=True))))
    assert print_expr(trailing) == "each(xs) do |x|\n  x * 2\nend"
    no_params = A.Call(A.Name("later"), (A.Arg(A.Lambda((), body, trailing=True)),))
    assert print_stmt(A.ExprStmt(no_params), 1) == "  later() do\n    x * 2\n  end"


# ============================================================================ statements


def test_block_if_with_else_if_chain() -> None:
    tree = A.If(A.Binary(">", A.Name("n"), i(10)), block(call("print", A.StringLit("big"))),
                A.If(A.Binary(">", A.Name("n"), i(0)), block(call("print", A.StringLit("small"))),
                     block(call("print", A.StringLit("non-positive")))))
    assert print_stmt(A.ExprStmt(tree)) == (
        'if n > 10\n  print("big")\nelse if n > 0\n  print("small")\nelse\n'
        '  print("non-positive")\nend'
    )


def test_match_arms_one_line_and_block_forms() -> None:
    arms = (
        A.MatchArm((A.LiteralPat(A.StringLit("quit")), A.LiteralPat(A.StringLit("exit"))),
                   block(A.Return(i(0)))),
        A.MatchArm((A.TypedPat("n", A.NamedType("Int")),),
                   block(call("print", A.Name("n"))), guard=A.Binary(">", A.Name("n"), i(0))),
        A.MatchArm((A.VariantPat("Rect", (A.BindPat("w"), A.BindPat("h"))),),
                   block(A.Let(A.BindPat("a"), A.Binary("*", A.Name("w"), A.Name("h"))),
                         call("print", A.Name("a")))),
        A.MatchArm((A.WildcardPat(),), block(call("print", A.StringLit("?")))),
    )
    assert print_stmt(A.ExprStmt(A.Match(A.Name("cmd"), arms)), 1) == (
        "  match cmd\n"
        '    "quit" | "exit" -> return 0\n'
        "    n: Int if n > 0 -> print(n)\n"
        "    Rect(w, h) ->\n"
        "      let a = w * h\n"
        "      print(a)\n"
        '    _ -> print("?")\n'
        "  end"
    )


def test_let_value_block_constructs_and_loops() -> None:
    when = A.When((A.WhenArm(A.Binary("<", A.Name("t"), i(0)), A.StringLit("frozen")),
                   A.WhenArm(None, A.StringLit("warm"))))
    assert print_stmt(A.Let(A.BindPat("band"), when)) == (
        'let band = when\n  t < 0 -> "frozen"\n  _ -> "warm"\nend'
    )
    loop = A.For(A.TuplePat((A.BindPat("i"), A.BindPat("n"))), call("enumerate", A.Name("names")),
                 block(A.Continue("rows")), filter=A.Name("ok_"), label="rows")
    assert print_stmt(A.ExprStmt(loop)) == (
        "for @rows (i, n) in enumerate(names) if ok_\n  continue @rows\nend"
    )
    assert print_stmt(A.ExprStmt(A.While(x, block(A.Break(value=i(1)))))) == "while x\n  break 1\nend"
    assert print_stmt(A.ExprStmt(A.Loop(block(A.Break()), label="l"))) == "loop @l\n  break\nend"
    assert print_stmt(A.Defer(block(call("close")))) == "defer\n  close()\nend"
    assert print_stmt(A.ExprStmt(A.Unary("-", x))) == "(-x)"


def test_handle_arms() -> None:
    tree = A.Handle(block(A.Perform("Ask", "q", ())),
                    (A.HandlerArm("Ask", "q", (A.Param("p"),), block(A.Resume(A.StringLit("G")))),))
    assert print_stmt(A.Let(A.BindPat("r"), tree)) == (
        'let r = handle\n  perform Ask.q()\nwith\n  Ask.q(p) =>\n    resume("G")\nend'
    )


def test_statements() -> None:
    assert print_stmt(A.Let(A.BindPat("n"), A.ListLit(()), A.NamedType("list", (A.NamedType("String"),)), True)) == (
        "let mut n: list[String] = []"
    )
    assert print_stmt(A.CompoundAssign("//", A.Index(A.Attr(x, "f"), i(0)), i(2))) == "x.f[0] //= 2"
    assert print_stmt(A.Halt(A.StringLit("stop"))) == 'halt("stop")'
    assert print_stmt(A.Return()) == "return"
    assert print_stmt(A.Emit(x), 2) == "    emit x"


# ============================================================================ patterns and types

PATTERN_CASES = [
    (A.RangePat(i(1), i(10), False), "1..10"),
    (A.RangePat(A.FloatLit(0.0), A.FloatLit(1.0), True), "0.0..=1.0"),
    (A.LiteralPat(i(-5)), "-5"),
    (A.RecordPat("Order", (A.FieldPat("id", A.BindPat("oid")), A.FieldPat("qty")), True),
     "Order(id: oid, qty:, ..)"),
    (A.RecordPat("P", (A.FieldPat("x", colon=False),)), "P(x:)"),
    (A.RecordPat(None, (A.FieldPat("id", colon=False), A.FieldPat("qty", colon=False))), "{ id, qty }"),
    (A.VariantPat("Shape.Dot", None), "Shape.Dot"),
    (A.VariantPat("Dot", ()), "Dot()"),
    (A.VariantPat("ok", (A.BindPat("v"),)), "ok(v)"),
    (A.TuplePat((A.BindPat("a"),)), "(a,)"),
    (A.ListPat((A.BindPat("h"),), "tail"), "[h, ...tail]"),
    (A.ListPat((A.BindPat("h"),), ""), "[h, ...]"),
]


@pytest.mark.parametrize(("tree", "text"), PATTERN_CASES, ids=[t for _, t in PATTERN_CASES])
def test_patterns(tree: A.Pattern, text: str) -> None:
    assert print_pattern(tree) == text


TYPE_CASES = [
    (A.NamedType("map", (A.NamedType("String"), A.NamedType("Int"))), "map[String, Int]"),
    (A.TupleType((A.NamedType("A"),)), "(A)"),
    (A.TupleType((A.NamedType("A"), A.NamedType("B")), spelled_tuple=True), "tuple[A, B]"),
    (A.OptionalType(A.TupleType((A.UnionType((A.NamedType("A"), A.NamedType("B"))),))), "(A | B)?"),
    (A.FnType((A.NamedType("Int"),), A.NamedType("Int"), A.EffectRow(("emit", "io"))),
     "fn(Int) -> Int / {emit, io}"),
    (A.UnionType((A.NamedType("A"), A.NamedType("B")), ampersand=True), "A & B"),
    (A.YieldType(A.NamedType("Int")), "yield Int"),
]


@pytest.mark.parametrize(("tree", "text"), TYPE_CASES, ids=[t for _, t in TYPE_CASES])
def test_types(tree: A.TypeExpr, text: str) -> None:
    assert print_type(tree) == text


# ============================================================================ declarations and programs


def _declarations_program() -> A.Program:
    cell = A.CellDecl(
        "scale", (A.Param("items", A.NamedType("list", (A.NamedType("T"),))),
                  A.Param("factor", A.NamedType("Int"), i(2))),
        block(A.Return(A.Name("items"))), ret=A.NamedType("list", (A.NamedType("T"),)),
        effects=A.EffectRow(("emit",)), generics=(A.Generic("T"),), is_pub=True, is_async=True,
        attributes=(A.Attribute("must_use"),), doc="Scales items.",
    )
    twice = A.CellDecl("twice", (A.Param("n", A.NamedType("Int")),), A.Binary("*", A.Name("n"), i(2)),
                       ret=A.NamedType("Int"), expr_body=True)
    record = A.RecordDecl("Order", (
        A.FieldDecl("id", A.NamedType("String")),
        A.FieldDecl("qty", A.NamedType("Int"), i(1), A.Binary(">", A.Name("qty"), i(0))),
    ))
    enum = A.EnumDecl("Shape", (
        A.VariantDecl("Dot"),
        A.VariantDecl("Rect", (A.VariantField(A.NamedType("Float"), "w"), A.VariantField(A.NamedType("Float")))),
    ), methods=(A.CellDecl("area", (A.Param("self", A.NamedType("Shape")),), A.FloatLit(0.0),
                           ret=A.NamedType("Float"), expr_body=True),))
    return A.Program((
        A.Directive("strict", "false"), A.Directive("lumen", "1"),
        cell, twice, record, enum,
        A.ConstDecl("LIMIT", i(100), A.NamedType("Int")),
        A.TypeAlias("Id", A.UnionType((A.NamedType("Int"), A.NamedType("String")))),
        A.Let(A.BindPat("a"), i(1)), A.ExprStmt(call("print", A.Name("a"))),
    ))


DECLARATIONS_PROGRAM = _declarations_program()


def test_program_layout_and_declarations() -> None:
    program = DECLARATIONS_PROGRAM
    assert print_program(program) == """\
@strict false
@lumen 1

@must_use
```
Scales items.
```
pub async cell scale[T](items: list[T], factor: Int = 2) -> list[T] / {emit}
  return items
end

cell twice(n: Int) -> Int = n * 2

record Order
  id: String
  qty: Int = 1 where qty > 0
end

enum Shape
  Dot
  Rect(w: Float, Float)

  cell area(self: Shape) -> Float = 0.0
end

const LIMIT: Int = 100

type Id = Int | String

let a = 1
print(a)
"""


def _effects_program() -> A.Program:
    return A.Program((
        A.UseTool("Fetch", tool_id="http.get", version="2.1"),
        A.UseTool("Remote", mcp_uri="https://mcp.example.org/sse"),
        A.GrantDecl("Fetch", (A.GrantConstraint("domain", A.StringLit("*.example.com")),
                              A.GrantConstraint("timeout_ms", i(5000)),
                              A.GrantConstraint("mode", A.StringLit("fast", form="bare")))),
        A.BindEffect("Clock.now", "NowTool"),
        A.EffectDecl("Clock", (A.CellDecl("now", (), None, ret=A.NamedType("Int")),)),
        A.HandlerDecl("Fixed", (A.HandlerOp("Clock", "now", (), block(A.Return(i(1))), A.NamedType("Int")),)),
        A.AgentDecl("Helper", cells=(A.CellDecl("reply", (A.Param("t"),), block(A.Return(A.Name("t")))),),
                    grants=(A.GrantDecl("Llm", (A.GrantConstraint("max_tokens", i(256)),)),)),
        A.ProcessDecl("machine", "Door", initial="Closed", states=(
            A.StateDecl("Closed", (A.Param("tries", A.NamedType("Int")),),
                        guard=A.Binary("<", A.Name("tries"), i(3)), transition="Open",
                        transition_args=(A.Binary("+", A.Name("tries"), i(1)),)),
            A.StateDecl("Open", terminal=True),
        )),
        A.ProcessDecl("pipeline", "Ingest", stages=("clean", "Ingest.count")),
        A.MacroDecl("twice", ("e",), "  e\n  e"),
        A.ImportDecl(("geometry", "shapes"), (A.ImportName("Circle"), A.ImportName("area", "a"))),
        A.ImportDecl(("util",), None, is_pub=True, granting="fs"),
    ))


EFFECTS_PROGRAM = _effects_program()


def test_effects_tools_agents_and_processes() -> None:
    program = EFFECTS_PROGRAM
    assert print_program(program) == """\
use tool http.get@2.1 as Fetch

use tool mcp "https://mcp.example.org/sse" as Remote

grant Fetch domain "*.example.com" timeout_ms 5000 mode fast

bind effect Clock.now to NowTool

effect Clock
  cell now() -> Int
end

handler Fixed
  handle Clock.now() -> Int
    return 1
  end
end

agent Helper
  grant Llm max_tokens 256

  cell reply(t)
    return t
  end
end

machine Door
  initial: Closed

  state Closed(tries: Int)
    guard: tries < 3
    transition Open(tries + 1)
  end

  state Open
    terminal: true
  end
end

pipeline Ingest
  stages:
    -> clean
    -> Ingest.count
  end
end

macro twice!(e)
  e
  e
end

import geometry.shapes: Circle, area as a

pub import util: * granting {fs}
"""


def test_empty_program_prints_nothing() -> None:
    assert print_program(A.Program(())) == ""


@pytest.mark.parametrize("source", [
    # A default value that spans lines, in a method: its block keeps the method's indent.
    "impl A for A\n  cell a(x = 0 ?? (if 0\n    \"\"\"\n      0\n      0\n    \"\"\"\n  end)) = 0\nend\n",
    "effect E\n  cell op(x = (if true\n    1\n  end)) -> Int\nend\n",
    "cell f() -> Int\n  let g = fn(x = (if true\n    1\n  end)) => x\n  return 1\nend\n",
    # A protocol line is one only at the start of a line: a match arm holding one is a block.
    "cell main() -> Int\n  match 1\n    _ ->\n      approve \"deploy\" by admin\n  end\n  return 1\nend\n",
])
def test_multi_line_parameter_defaults_keep_their_indentation(source: str) -> None:
    program = parse(source, "t.lm").program
    assert program is not None
    printed = print_program(program)
    assert parse(printed, "t.lm").program == program, printed
