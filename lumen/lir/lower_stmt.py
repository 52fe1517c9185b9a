"""Lowering of statements and block-valued control flow (§6, §7.12)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lumen.lir.lower_builder import Label, LoopContext
from lumen.lir.lower_expr import BINARY_OPS, SMALL_INT
from lumen.lir.opcodes import Op
from lumen.syntax import ast

if TYPE_CHECKING:
    from lumen.lir.lower import CellLowerer

CONTROL = (ast.If, ast.IfLet, ast.Match, ast.When, ast.For, ast.While, ast.WhileLet, ast.Loop)
STATEMENTS = (ast.Let, ast.Assign, ast.CompoundAssign, ast.Return, ast.Halt, ast.Break,
              ast.Continue, ast.Emit, ast.Yield, ast.Defer, ast.ExprStmt, ast.ProtocolStmt,
              ast.Directive)


def as_statement(node: ast.Node) -> ast.Node:
    """A bare expression in statement position (e.g. at the top level) is an ExprStmt."""
    if isinstance(node, STATEMENTS) or ast.is_decl(node):
        return node
    return ast.ExprStmt(node, span=node.span)


class StmtLowering:
    """Mixin of `CellLowerer`: statements and control flow."""

    # ------------------------------------------------------------------ blocks

    def block(self: CellLowerer, stmts: tuple[ast.Node, ...], dest: int | None) -> None:
        """Lower statements; with `dest`, the block value (§7.12) ends up there."""
        body = [as_statement(s) for s in stmts if not isinstance(s, ast.Directive)]
        for stmt in body[:-1]:
            self.statement(stmt)
        if not body:
            if dest is not None:
                self.b.emit(Op.LOADNULL, dest)
            return
        last = body[-1]
        if dest is None:
            self.statement(last)
        elif isinstance(last, ast.ExprStmt):
            self.expr_to(last.expr, dest)
        else:
            self.statement(last)
            self.b.emit(Op.LOADNULL, dest)

    def statement(self: CellLowerer, s: ast.Node) -> None:
        b = self.b
        self.at(s)
        mark = b.mark()
        if isinstance(s, ast.ExprStmt):
            if isinstance(s.expr, CONTROL):
                self.control(s.expr, None)
            else:
                self.expr(s.expr)
        elif isinstance(s, ast.Let):
            self.let(s)
        elif isinstance(s, ast.Assign):
            self.assign(s.target, s.value)
        elif isinstance(s, ast.CompoundAssign):
            self.compound_assign(s)
        elif isinstance(s, ast.Return):
            self.return_stmt(s.value)
        elif isinstance(s, ast.Halt):
            b.emit(Op.HALT, self.expr(s.message))
        elif isinstance(s, ast.Break):
            self.break_stmt(s)
        elif isinstance(s, ast.Continue):
            loop = self.find_loop(s.label)
            if loop is not None:
                b.emit(Op.JMP, loop.continue_label)
        elif isinstance(s, ast.Emit):
            reg = self.expr(s.value)
            self.at(s)
            b.emit(Op.EMIT, reg)
        elif isinstance(s, ast.Yield):
            reg = self.expr(s.value)
            if b.generator_reg is not None:
                b.emit(Op.LISTPUSH, b.generator_reg, reg)
        elif isinstance(s, ast.Defer):
            start = Label()
            after = Label()
            b.emit(Op.DEFER, start)
            b.emit(Op.JMP, after)
            b.place(start)
            saved_loops, b.loops = b.loops, []
            self.block(s.body.stmts, None)
            b.loops = saved_loops
            b.emit(Op.ENDDEFER)
            b.place(after)
        elif isinstance(s, ast.ProtocolStmt):
            if s.body is not None:
                self.block(s.body.stmts, None)
        # Declarations were hoisted to module scope; directives have no run-time effect.
        b.release(mark)

    # ------------------------------------------------------------------ bindings

    def let(self: CellLowerer, s: ast.Let) -> None:
        target = s.target
        if isinstance(target, ast.BindPat) and not self.mod.is_variant(target.name):
            self.assign(ast.Name(target.name, span=target.span), s.value)
            return
        mark = self.b.mark()
        reg = self.b.alloc()
        self.expr_to(s.value, reg)
        self.bind_irrefutable(target, reg)
        self.b.release(mark)

    def assign(self: CellLowerer, target: ast.Node, value: ast.Node) -> None:
        b = self.b
        if isinstance(target, ast.Name):
            local = b.lookup(target.id)
            if local is None:
                local = b.alloc()  # cannot happen for pre-scanned bodies; stay safe
            if self.is_append_idiom(target.id, value):
                assert isinstance(value, ast.Call)
                mark = b.mark()
                item = self.expr(value.args[1].value)
                self.at(value)
                b.emit(Op.APPEND, local, item)
                b.release(mark)
                return
            self.expr_to(value, local)
            return
        mark = b.mark()
        reg = self.expr(value)
        self.store_path(target, reg)
        b.release(mark)

    def is_append_idiom(self: CellLowerer, name: str, value: ast.Node) -> bool:
        """`x = append(x, e)` with `x` local and `append` the builtin (§9.9)."""
        return (isinstance(value, ast.Call) and isinstance(value.callee, ast.Name)
                and value.callee.id == "append" and self.b.lookup("append") is None
                and "append" not in self.mod.cells and len(value.args) == 2
                and all(a.name is None and not a.spread for a in value.args)
                and isinstance(value.args[0].value, ast.Name)
                and value.args[0].value.id == name
                and not isinstance(value.args[1].value, ast.Spread))

    def store_path(self: CellLowerer, target: ast.Node, value: int) -> None:
        """`root.f[i].g = value`: update the copy held by the root variable (§6.2)."""
        b = self.b
        self.at(target)
        if isinstance(target, ast.Name):
            local = b.lookup(target.id)
            if local is not None:
                b.move(local, value)
            return
        if isinstance(target, (ast.Attr, ast.Index)):
            parent = target.value
            if isinstance(parent, ast.Name) and b.lookup(parent.id) is not None:
                container = b.lookup(parent.id)
                assert container is not None
            else:
                container = b.alloc()
                self.expr_to(parent, container)
            self.at(target)
            if isinstance(target, ast.Attr):
                b.emit(Op.SETATTR, container, b.const(target.name), value)
            else:
                key = self.expr(target.index)
                self.at(target)
                b.emit(Op.SETINDEX, container, key, value)
            if not (isinstance(parent, ast.Name) and b.lookup(parent.id) is not None):
                self.store_path(parent, container)
            return
        if isinstance(target, ast.PosAccess):
            # `t.0 = v` is not an assignable place; evaluate for effects only.
            self.expr(target.value)

    def compound_assign(self: CellLowerer, s: ast.CompoundAssign) -> None:
        b = self.b
        target = s.target
        if isinstance(target, ast.Name) and (local := b.lookup(target.id)) is not None:
            if s.op in ("+", "-") and isinstance(s.value, ast.IntLit) \
                    and 0 <= s.value.value < SMALL_INT:
                b.emit(Op.ADDI if s.op == "+" else Op.SUBI, local, local, s.value.value)
                return
            mark = b.mark()
            right = self.expr(s.value)
            self.at(s)
            b.emit(BINARY_OPS[s.op], local, local, right)
            b.release(mark)
            return
        self.assign(target, ast.Binary(s.op, target, s.value, span=s.span))

    def return_stmt(self: CellLowerer, value: ast.Node | None) -> None:
        b = self.b
        mark = b.mark()
        if b.generator_reg is not None:
            if value is not None:
                self.expr(value)
            b.emit(Op.RETURN, b.generator_reg)
        elif value is None:
            reg = b.alloc()
            b.emit(Op.LOADNULL, reg)
            b.emit(Op.RETURN, reg)
        else:
            b.emit(Op.RETURN, self.expr(value))
        b.release(mark)

    # ------------------------------------------------------------------ loops

    def find_loop(self: CellLowerer, label: str | None) -> LoopContext | None:
        for loop in reversed(self.b.loops):
            if label is None or loop.label == label:
                return loop
        return None

    def break_stmt(self: CellLowerer, s: ast.Break) -> None:
        loop = self.find_loop(s.label)
        if s.value is not None:
            if loop is not None and loop.value_reg is not None:
                self.expr_to(s.value, loop.value_reg)
            else:
                self.expr(s.value)
        if loop is not None:
            self.b.emit(Op.JMP, loop.break_label)

    def for_each(self: CellLowerer, target: ast.Node, iterable: ast.Node,
                 body: Callable[[], None], loop: LoopContext | None = None) -> None:
        """Iterate `iterable` once, binding `target` per element (§6.4)."""
        b = self.b
        mark = b.mark()
        top = Label()
        exit_label = loop.break_label if loop else Label()
        next_label = loop.continue_label if loop else Label()
        simple = target.name if isinstance(target, ast.BindPat) and not self.mod.is_variant(
            target.name) else None
        element = b.lookup(simple) if simple else None
        if isinstance(iterable, ast.Binary) and iterable.op in ("..", "..="):
            # Counting loop: the range list is never built.
            counter = b.alloc(2)
            bound = counter + 1
            self.expr_to(iterable.left, counter)
            self.expr_to(iterable.right, bound)
            b.place(top)
            self.at(iterable)
            b.emit(Op.LTJF if iterable.op == ".." else Op.LEJF, counter, bound, exit_label)
            if element is not None:
                b.move(element, counter)
            else:
                self.bind_irrefutable(target, counter)
            body()
            b.place(next_label)
            b.emit(Op.ADDI, counter, counter, 1)
        else:
            state = b.alloc(2)
            source = self.expr(iterable)
            self.at(iterable)
            b.emit(Op.FORPREP, state, source)
            b.place(top)
            if element is None:
                element_tmp = b.alloc()
                b.emit(Op.FORNEXT, element_tmp, state, exit_label)
                self.bind_irrefutable(target, element_tmp)
            else:
                b.emit(Op.FORNEXT, element, state, exit_label)
            body()
            b.place(next_label)
        b.emit(Op.JMP, top)
        b.place(exit_label)
        b.release(mark)

    # ------------------------------------------------------------------ control flow

    def control(self: CellLowerer, e: ast.Node, dest: int | None) -> None:
        b = self.b
        self.at(e)
        if isinstance(e, ast.If):
            else_label = Label()
            end = Label()
            self.branch_unless(e.condition, else_label)
            self.block(e.then.stmts, dest)
            b.emit(Op.JMP, end)
            b.place(else_label)
            self.else_part(e.else_, dest)
            b.place(end)
        elif isinstance(e, ast.IfLet):
            else_label = Label()
            end = Label()
            mark = b.mark()
            subject = b.alloc()
            self.expr_to(e.value, subject)
            self.match_arm_patterns((e.pattern,), subject, else_label)
            b.release(mark)
            self.block(e.then.stmts, dest)
            b.emit(Op.JMP, end)
            b.place(else_label)
            self.else_part(e.else_, dest)
            b.place(end)
        elif isinstance(e, ast.Match):
            self.match(e, dest)
        elif isinstance(e, ast.When):
            end = Label()
            for arm in e.arms:
                if arm.condition is None:
                    self.value_or_drop(arm.value, dest)
                    b.emit(Op.JMP, end)
                    break
                next_arm = Label()
                mark = b.mark()
                reg = self.expr(arm.condition)
                b.emit(Op.JMPF, reg, next_arm)
                b.release(mark)
                self.value_or_drop(arm.value, dest)
                b.emit(Op.JMP, end)
                b.place(next_arm)
            else:
                if dest is not None:
                    b.emit(Op.LOADNULL, dest)
            b.place(end)
        elif isinstance(e, ast.For):
            self.for_loop(e, dest)
        elif isinstance(e, (ast.While, ast.WhileLet, ast.Loop)):
            self.loop(e, dest)

    def value_or_drop(self: CellLowerer, value: ast.Node, dest: int | None) -> None:
        if isinstance(value, ast.Block):
            self.block(value.stmts, dest)
        elif dest is None:
            mark = self.b.mark()
            if isinstance(value, CONTROL):
                self.control(value, None)
            else:
                self.expr(value)
            self.b.release(mark)
        else:
            self.expr_to(value, dest)

    def else_part(self: CellLowerer, else_: ast.Node | None, dest: int | None) -> None:
        if else_ is None:
            if dest is not None:
                self.b.emit(Op.LOADNULL, dest)
        elif isinstance(else_, ast.Block):
            self.block(else_.stmts, dest)
        else:
            self.control(else_, dest)

    def match(self: CellLowerer, e: ast.Match, dest: int | None) -> None:
        b = self.b
        end = Label()
        mark = b.mark()
        subject = b.alloc()
        self.expr_to(e.subject, subject)
        for arm in e.arms:
            next_arm = Label()
            self.at(arm)
            self.match_arm_patterns(arm.patterns, subject, next_arm)
            if arm.guard is not None:
                self.branch_unless(arm.guard, next_arm)
            self.block(arm.body.stmts, dest)
            b.emit(Op.JMP, end)
            b.place(next_arm)
        if dest is not None:
            b.emit(Op.LOADNULL, dest)
        b.place(end)
        b.release(mark)

    def for_loop(self: CellLowerer, e: ast.For, dest: int | None) -> None:
        b = self.b
        mark = b.mark()
        loop = LoopContext(e.label, Label(), Label(), None)
        collect = None
        if dest is not None:
            collect = b.alloc()
            b.emit(Op.NEWLIST, collect, 0, 0)
        stmts = e.body.stmts
        collects_value = collect is not None and bool(stmts) and isinstance(stmts[-1],
                                                                            ast.ExprStmt)

        def body() -> None:
            if e.filter is not None:
                self.branch_unless(e.filter, loop.continue_label)
            b.loops.append(loop)
            if collects_value:
                inner = b.mark()
                value = b.alloc()
                self.block(stmts, value)
                b.emit(Op.LISTPUSH, collect, value)
                b.release(inner)
            else:
                self.block(stmts, None)
            b.loops.pop()

        self.for_each(e.target, e.iterable, body, loop)
        if dest is not None and collect is not None:
            b.move(dest, collect)
        b.release(mark)

    def loop(self: CellLowerer, e: ast.While | ast.WhileLet | ast.Loop,
             dest: int | None) -> None:
        b = self.b
        mark = b.mark()
        value_reg = None
        if dest is not None:
            value_reg = b.alloc()
            b.emit(Op.LOADNULL, value_reg)
        loop = LoopContext(e.label, Label(), Label(), value_reg)
        b.place(loop.continue_label)
        if isinstance(e, ast.While):
            self.branch_unless(e.condition, loop.break_label)
        elif isinstance(e, ast.WhileLet):
            inner = b.mark()
            subject = b.alloc()
            self.expr_to(e.value, subject)
            self.match_arm_patterns((e.pattern,), subject, loop.break_label)
            b.release(inner)
        b.loops.append(loop)
        self.block(e.body.stmts, None)
        b.loops.pop()
        b.emit(Op.JMP, loop.continue_label)
        b.place(loop.break_label)
        if dest is not None and value_reg is not None:
            b.move(dest, value_reg)
        b.release(mark)
