"""Call depth, step limits and defers, on hand-built ASTs (no parser needed)."""

from __future__ import annotations

import pytest

from lumen.lir.lower import lower_program
from lumen.syntax import ast
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.interpreter import VM
from lumen.vm.options import VMOptions


def _name(n: str) -> ast.Name:
    return ast.Name(n)


def _call(f: str, *args: ast.Node) -> ast.Call:
    return ast.Call(_name(f), tuple(ast.Arg(a) for a in args))


def _depth_program(n: int) -> ast.Program:
    # cell down(n: Int) -> Int: if n == 0 then 0 else down(n - 1) + 1
    down = ast.CellDecl("down", (ast.Param("n"),), ast.Block((
        ast.ExprStmt(ast.If(ast.Binary("==", _name("n"), ast.IntLit(0)),
                            ast.Block((ast.Return(ast.IntLit(0)),)))),
        ast.Return(ast.Binary("+", _call("down", ast.Binary("-", _name("n"), ast.IntLit(1))),
                              ast.IntLit(1))),
    )), ret=ast.NamedType("Int"))
    main = ast.CellDecl("main", (), ast.Block((ast.Return(_call("down", ast.IntLit(n))),)),
                        ret=ast.NamedType("Int"))
    return ast.Program((down, main))


def test_recursion_to_depth_100000_completes() -> None:
    module = lower_program(_depth_program(99_990))
    assert VM(module).run() == 99_990


def test_recursion_beyond_the_limit_is_a_clean_stack_overflow() -> None:
    module = lower_program(_depth_program(200_000))
    with pytest.raises(LumenRuntimeError) as info:
        VM(module).run()
    assert info.value.kind == "limits"
    assert info.value.message == "stack overflow: call depth exceeded 100000"


def test_configurable_depth_limit() -> None:
    module = lower_program(_depth_program(50))
    with pytest.raises(LumenRuntimeError, match="call depth exceeded 10"):
        VM(module, VMOptions(max_depth=10)).run()


def test_instruction_limit() -> None:
    loop = ast.CellDecl("main", (), ast.Block((ast.ExprStmt(ast.Loop(ast.Block(()))),)))
    module = lower_program(ast.Program((loop,)))
    with pytest.raises(LumenRuntimeError) as info:
        VM(module, VMOptions(max_steps=1000)).run()
    assert info.value.kind == "limits"
    assert info.value.message == "instruction limit exceeded: 1000"


def test_runtime_error_carries_location_and_lumen_stack() -> None:
    inner = ast.CellDecl("inner", (), ast.Block((
        ast.Return(ast.Binary("/", ast.IntLit(1), ast.IntLit(0), span=_span(3, 10))),
    )), ret=ast.NamedType("Int"))
    main = ast.CellDecl("main", (), ast.Block((
        ast.Return(ast.Call(_name("inner"), (), span=_span(7, 3))),)), ret=ast.NamedType("Int"))
    module = lower_program(ast.Program((inner, main)), file="f.lm")
    with pytest.raises(LumenRuntimeError) as info:
        VM(module).run()
    error = info.value
    assert (error.file, error.line, error.column) == ("f.lm", 3, 10)
    assert [entry[0] for entry in error.lumen_stack] == ["inner", "main"]
    assert error.lumen_stack[1][2] == 7


def _span(line: int, column: int):  # noqa: ANN202 - tiny helper
    from lumen.diagnostics.diagnostic import Span

    return Span(line, column, line, column + 1)
