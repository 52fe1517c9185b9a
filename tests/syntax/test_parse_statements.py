"""Statements, layout rules (§2.1, §3.2) and patterns (§8)."""

from __future__ import annotations

import textwrap

from lumen.syntax import ast, parse


def items(code: str) -> tuple[ast.Item, ...]:
    result = parse(textwrap.dedent(code))
    assert not result.diagnostics, [f"{d.line}:{d.column} {d.message}" for d in result.diagnostics]
    return result.program.items


def body(code: str) -> tuple[ast.Stmt, ...]:
    (cell,) = items("cell main()\n" + textwrap.indent(textwrap.dedent(code), "  ") + "end\n")
    assert isinstance(cell, ast.CellDecl) and isinstance(cell.body, ast.Block)
    return cell.body.stmts


def test_let_forms() -> None:
    stmts = body("""\
        let total = 0
        let mut names: list[String] = []
        let (x, y) = (1, 2)
        let [head, ...tail] = [3, 4, 5]
        let Order(id: oid, qty:) = order
        let { id, qty } = order
    """)
    assert stmts[0] == ast.Let(ast.BindPat("total"), ast.IntLit(0))
    assert stmts[1].mutable and stmts[1].type == ast.NamedType("list", (ast.NamedType("String"),))  # type: ignore[union-attr]
    assert stmts[3].target == ast.ListPat((ast.BindPat("head"),), "tail")  # type: ignore[union-attr]
    assert stmts[4].target == ast.RecordPat("Order", (  # type: ignore[union-attr]
        ast.FieldPat("id", ast.BindPat("oid")), ast.FieldPat("qty"),
    ))
    assert stmts[5].target == ast.RecordPat(None, (ast.FieldPat("id"), ast.FieldPat("qty")))  # type: ignore[union-attr]


def test_assignments_and_simple_statements() -> None:
    stmts = body("""\
        x.f[0] = 1
        x //= 2
        return
        break @outer
        continue
        emit x
        halt("stop")
        defer
          close(f)
        end
    """)
    assert isinstance(stmts[0], ast.Assign)
    assert stmts[1] == ast.CompoundAssign("//", ast.Name("x"), ast.IntLit(2))
    assert stmts[2] == ast.Return(None)
    assert stmts[3] == ast.Break("outer")
    assert isinstance(stmts[7], ast.Defer)


def test_if_chains() -> None:
    (stmt,) = body("""\
        if n > 10
          print("big")
        else if n > 0
          print("small")
        else
          print("non-positive")
        end
    """)
    assert isinstance(stmt, ast.ExprStmt) and isinstance(stmt.expr, ast.If)
    assert isinstance(stmt.expr.else_, ast.If)
    assert isinstance(stmt.expr.else_.else_, ast.Block)
    (iflet,) = body("if let ok(v) = lookup(k)\n  print(v)\nend\n")
    assert isinstance(iflet.expr, ast.IfLet)  # type: ignore[union-attr]
    assert iflet.expr.pattern == ast.VariantPat("ok", (ast.BindPat("v"),))  # type: ignore[union-attr]


def test_loops_and_labels() -> None:
    stmts = body("""\
        for @rows (i, r) in grid if i > 0
          continue @rows
        end
        while let [x, ...rest] = xs
          xs = rest
        end
        loop @l
          break 5
        end
    """)
    loop = stmts[0].expr  # type: ignore[union-attr]
    assert isinstance(loop, ast.For) and loop.label == "rows" and loop.filter is not None
    assert isinstance(stmts[1].expr, ast.WhileLet)  # type: ignore[union-attr]
    assert stmts[2].expr.body.stmts[0] == ast.Break(None, ast.IntLit(5))  # type: ignore[union-attr]


def test_match_arm_layout() -> None:
    (stmt,) = body("""\
        match cmd
          "quit" | "exit" -> return 0
          n: Int if n > 0 -> print("count {n}")
          Rect(w, h) ->
            let a = w * h
            print(a)
          -1 -> print("minus one")
          0..10 -> print("small")
          Shape.Dot -> print("dot")
          Rec(f: 1, ..) -> print("rec")
          [a, ...] -> print("list")
          _ -> print("?")
        end
    """)
    match = stmt.expr  # type: ignore[union-attr]
    assert isinstance(match, ast.Match) and len(match.arms) == 9
    assert len(match.arms[0].patterns) == 2
    assert match.arms[1].guard is not None and isinstance(match.arms[1].patterns[0], ast.TypedPat)
    assert len(match.arms[2].body.stmts) == 2
    assert match.arms[3].patterns[0] == ast.LiteralPat(ast.IntLit(-1))
    assert match.arms[4].patterns[0] == ast.RangePat(ast.IntLit(0), ast.IntLit(10), False)
    assert match.arms[5].patterns[0] == ast.VariantPat("Shape.Dot", None)
    assert match.arms[6].patterns[0] == ast.RecordPat("Rec", (ast.FieldPat("f", ast.LiteralPat(ast.IntLit(1))),), True)
    assert match.arms[7].patterns[0] == ast.ListPat((ast.BindPat("a"),), "")
    assert match.arms[8].patterns[0] == ast.WildcardPat()


def test_when_handle_orchestration() -> None:
    stmts = body("""\
        let band = when
          t < 0 -> "frozen"
          _ -> "warm"
        end
        let r = handle
          let v = perform Store.get("a")
          v
        with
          Store.get(key) =>
            resume("x")
          Store.put(key, value) => resume(null)
        end
        let pages = await parallel for u in urls
          fetch(u)
        end
        let fastest = await race
          ask_a(q)
          ask_b(q)
        end
    """)
    when = stmts[0].value  # type: ignore[union-attr]
    assert isinstance(when, ast.When) and when.arms[1].condition is None
    handle = stmts[1].value  # type: ignore[union-attr]
    assert isinstance(handle, ast.Handle) and [a.op for a in handle.arms] == ["get", "put"]
    assert stmts[2].value == ast.Orchestrate("parallel", (ast.Call(ast.Name("fetch"), (ast.Arg(ast.Name("u")),)),), (), "u", ast.Name("urls"))  # type: ignore[union-attr]
    assert stmts[3].value.kind == "race" and len(stmts[3].value.body) == 2  # type: ignore[union-attr]


def test_trailing_do_block_and_block_lambda_in_arguments() -> None:
    stmts = body("""\
        let a = apply(3) do |x: Int|
          x + 1
        end
        let b = map(xs, fn(x)
          let y = x * 2
          y
        end)
    """)
    call = stmts[0].value  # type: ignore[union-attr]
    assert isinstance(call, ast.Call) and call.args[-1].value.trailing  # type: ignore[union-attr]
    lam = stmts[1].value.args[1].value  # type: ignore[union-attr]
    assert isinstance(lam, ast.Lambda) and len(lam.body.stmts) == 2  # type: ignore[union-attr]


def test_operator_continuation_and_backslash() -> None:
    stmts = body("""\
        let x = xs
          |> map(f)
          .len()
        let y = 1 +
          2
        let z = 1 \\
          + 2
        let w = [
          1,
          2,
        ]
    """)
    assert len(stmts) == 4


def test_side_by_side_expressions_are_two_statements() -> None:
    stmts = body("assert x > 0\n")
    assert stmts == (ast.ExprStmt(ast.Name("assert")), ast.ExprStmt(
        ast.Binary(">", ast.Name("x"), ast.IntLit(0))
    ))


def test_protocol_and_role_statements() -> None:
    stmts = body("""\
        approve "deploy" by ops
          reason: risky
        checkpoint "save" in
          save()
        end
        role system: You are {name}.
    """)
    assert stmts[0] == ast.ProtocolStmt("approve", '"deploy" by ops\nreason: risky')
    assert stmts[1].body is not None  # type: ignore[union-attr]
    role = stmts[2].expr  # type: ignore[union-attr]
    assert isinstance(role, ast.RoleBlock) and isinstance(role.text, ast.InterpString)
