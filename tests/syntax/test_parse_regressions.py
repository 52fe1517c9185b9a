"""Regression tests for parser bugs found by the printer round trips (/tmp/parser-bugs.md)."""

from __future__ import annotations

import pytest

from lumen.diagnostics import ErrorCode
from lumen.syntax import ast as A
from lumen.syntax import parse


def parse_ok(code: str) -> A.Program:
    result = parse(code, "test.lm")
    assert result.diagnostics == (), [d.message for d in result.diagnostics]
    return result.program


def let_value(code: str) -> A.Expr:
    (item,) = parse_ok(code).items
    assert isinstance(item, A.Let)
    return item.value


# ---------------------------------------------------------------- 1: orchestration headers


@pytest.mark.parametrize("text", [")", "(", "a)b(", "x{{"])
def test_orchestration_header_with_a_parenthesis_inside_a_string(text: str) -> None:
    value = let_value(f'let g = await parallel("{text}") for g in y\n  u\nend\n')
    assert value == A.Orchestrate(
        "parallel", (A.Name("u"),), (A.Arg(A.StringLit(text)),), "g", A.Name("y")
    )


def test_orchestration_header_with_a_parenthesis_in_an_interpolated_string() -> None:
    value = let_value('let g = await select("{f(")")}") for g in y\n  u\nend\n')
    assert isinstance(value, A.Orchestrate)
    assert value.for_target == "g"
    (arg,) = value.args
    assert isinstance(arg.value, A.InterpString)


def test_orchestration_header_with_a_raw_string_ending_in_a_backslash() -> None:
    value = let_value('let g = await race(r"\\", f(")")) for g in y\n  u\nend\n')
    assert isinstance(value, A.Orchestrate)
    assert value.for_target == "g"
    assert value.args[0] == A.Arg(A.StringLit("\\", form="raw"))


# ---------------------------------------------------------------- 2: raw strings in interpolations


def test_raw_string_inside_an_interpolation_does_not_interpolate() -> None:
    value = let_value('let s = "{f(r"{x")}"\n')
    assert value == A.InterpString(
        (A.Interpolation(A.Call(A.Name("f"), (A.Arg(A.StringLit("{x", form="raw")),))),)
    )


def test_raw_string_ending_in_a_backslash_inside_an_interpolation_keeps_the_spec() -> None:
    value = let_value('let s = "{f(r"a\\"):>5}!"\n')
    assert value == A.InterpString((
        A.Interpolation(A.Call(A.Name("f"), (A.Arg(A.StringLit("a\\", form="raw")),)), ">5"),
        "!",
    ))


def test_hash_inside_a_nested_string_is_not_a_comment() -> None:
    # the orchestration header scan strips comments; a `#` in a nested string is text
    value = let_value('let g = await vote(f("{g("#")}")) for g in y\n  u\nend\n')
    assert isinstance(value, A.Orchestrate)
    assert value.for_target == "g"


# ---------------------------------------------------------------- 3: attributes before members


MUST_USE = (A.Attribute("must_use"),)


def test_attribute_before_an_enum_method() -> None:
    (enum,) = parse_ok("enum A\n  B\n  @must_use\n  cell a() = 0\nend\n").items
    assert isinstance(enum, A.EnumDecl)
    assert [v.name for v in enum.variants] == ["B"]
    (method,) = enum.methods
    assert method.name == "a"
    assert method.attributes == MUST_USE


def test_attributes_before_trait_impl_and_effect_members() -> None:
    code = (
        "trait T\n  @inline\n  @must_use\n  cell a() -> Int\nend\n"
        "impl T for X\n  @must_use\n  cell a()\n    1\n  end\nend\n"
        'effect E\n  @deprecated("old")\n  cell op(x: Int) -> Int\nend\n'
    )
    trait, impl, effect = parse_ok(code).items
    assert isinstance(trait, A.TraitDecl) and isinstance(impl, A.ImplDecl)
    assert isinstance(effect, A.EffectDecl)
    assert trait.methods[0].attributes == (A.Attribute("inline"), A.Attribute("must_use"))
    assert impl.methods[0].attributes == MUST_USE
    assert effect.operations[0].attributes == (A.Attribute("deprecated", '"old"'),)


@pytest.mark.parametrize("header", ["agent A", "memory M"])
def test_attributes_before_agent_and_process_cells(header: str) -> None:
    (decl,) = parse_ok(f"{header}\n  @must_use\n  cell a() = 0\nend\n").items
    assert isinstance(decl, (A.AgentDecl, A.ProcessDecl))
    assert decl.cells[0].attributes == MUST_USE


def test_members_without_attributes_are_unchanged() -> None:
    (enum,) = parse_ok("enum A\n  B\n  cell a() = 0\nend\n").items
    assert isinstance(enum, A.EnumDecl)
    assert enum.methods[0].attributes == ()


# ---------------------------------------------------------------- 4: comptime { block }


def test_comptime_braced_single_expression() -> None:
    value = let_value("let a = comptime { 1 + 2 }\n")
    assert value == A.Comptime(
        A.Block((A.ExprStmt(A.Binary("+", A.IntLit(1), A.IntLit(2))),)), braced=True
    )


def test_comptime_braced_block_of_statements() -> None:
    value = let_value("let a = comptime {\n  let b = 2\n  b * 3\n}\n")
    assert isinstance(value, A.Comptime) and value.braced
    let, last = value.body.stmts
    assert let == A.Let(A.BindPat("b"), A.IntLit(2))
    assert last == A.ExprStmt(A.Binary("*", A.Name("b"), A.IntLit(3)))


def test_comptime_braced_block_with_a_nested_block_and_a_closing_brace_after_code() -> None:
    code = (
        "cell f()\n  let a = comptime { let b = 2\n    for i in [1]\n      b\n    end\n"
        "    b }\n  a\nend\n"
    )
    (cell,) = parse_ok(code).items
    assert isinstance(cell, A.CellDecl) and isinstance(cell.body, A.Block)
    let = cell.body.stmts[0]
    assert isinstance(let, A.Let) and isinstance(let.value, A.Comptime)
    assert [type(s).__name__ for s in let.value.body.stmts] == ["Let", "ExprStmt", "ExprStmt"]


def test_comptime_braced_inside_call_arguments() -> None:
    value = let_value("let a = f(comptime {\n  let b = 2\n  b\n}, 3)\n")
    assert isinstance(value, A.Call) and len(value.args) == 2
    assert isinstance(value.args[0].value, A.Comptime)


def test_comptime_braced_set_literal_and_empty_block() -> None:
    value = let_value("let a = comptime { {x} }\n")
    assert value == A.Comptime(A.Block((A.ExprStmt(A.SetLit((A.Name("x"),))),)), braced=True)
    assert let_value("let a = comptime {}\n") == A.Comptime(A.Block(()), braced=True)


def test_comptime_inline_form_with_a_brace_literal_is_still_inline() -> None:
    value = let_value("let a = comptime {1} end\n")
    assert value == A.Comptime(A.Block((A.ExprStmt(A.SetLit((A.IntLit(1),))),)))
    assert isinstance(value, A.Comptime) and not value.braced


def test_unclosed_comptime_block_is_a_diagnostic() -> None:
    result = parse("let a = comptime {\n  1\n", "test.lm")
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == ErrorCode.UNCLOSED_BRACKET.value
    assert "'{' opened at line 1, col 18" in diagnostic.message
