"""Lowering of expressions (literals, names, operators, collections, strings, lambdas)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumen.lir.lower_builder import Label
from lumen.lir.lower_scan import bound_names, mentioned_names
from lumen.lir.module import ParamInfo
from lumen.lir.opcodes import Op
from lumen.syntax import ast

if TYPE_CHECKING:
    from lumen.lir.lower import CellLowerer

BINARY_OPS: dict[str, Op] = {
    "+": Op.ADD, "-": Op.SUB, "*": Op.MUL, "/": Op.DIV, "//": Op.FLOORDIV, "%": Op.MOD,
    "**": Op.POW, "++": Op.CONCAT, "==": Op.EQ, "!=": Op.NE, "<": Op.LT, "<=": Op.LE,
    ">": Op.GT, ">=": Op.GE, "<=>": Op.SPACESHIP, "in": Op.IN, "&": Op.BAND, "|": Op.BOR,
    "^": Op.BXOR, "<<": Op.SHL, ">>": Op.SHR, "..": Op.RANGE, "..=": Op.RANGEINC,
    "~>": Op.COMPOSE,
}
# Fused compare-and-branch: jump when the comparison is false.
BRANCH_OPS: dict[str, Op] = {
    "<": Op.LTJF, "<=": Op.LEJF, ">": Op.GTJF, ">=": Op.GEJF, "==": Op.EQJF, "!=": Op.NEJF,
}
SMALL_INT = 1 << 30


def literal_value(e: ast.Node) -> tuple[bool, object]:
    """(True, value) when `e` is a literal (including a negated numeric literal)."""
    if isinstance(e, (ast.IntLit, ast.FloatLit, ast.StringLit, ast.BoolLit, ast.BytesLit)):
        return True, e.value
    if isinstance(e, ast.NullLit):
        return True, None
    if isinstance(e, ast.Unary) and e.op == "-" and isinstance(e.operand,
                                                               (ast.IntLit, ast.FloatLit)):
        return True, -e.operand.value
    return False, None


def type_name(t: ast.Node | str) -> str:
    if isinstance(t, str):
        return t
    if isinstance(t, ast.NamedType):
        return t.name
    if isinstance(t, ast.OptionalType):
        return type_name(t.inner)
    if isinstance(t, ast.TupleType):
        return "Tuple"
    if isinstance(t, ast.FnType):
        return "Closure"
    return "Any"


class ExprLowering:
    """Mixin of `CellLowerer`: expressions."""

    def at(self: CellLowerer, node: ast.Node) -> None:
        span = node.span
        if span.line:
            self.b.position = (span.line, span.column)

    def target(self: CellLowerer, dest: int | None) -> int:
        return self.b.alloc() if dest is None else dest

    def expr_to(self: CellLowerer, e: ast.Node, dest: int) -> None:
        reg = self.expr(e, dest)
        self.b.move(dest, reg)

    def expr(self: CellLowerer, e: ast.Node, dest: int | None = None) -> int:
        """Lower `e`; returns the register holding its value (== dest when given).

        With `dest=None` a plain local name returns the local's own register (no copy).
        """
        self.at(e)
        b = self.b
        is_lit, value = literal_value(e)
        if is_lit:
            out = self.target(dest)
            b.load_const(out, value)  # type: ignore[arg-type]
            return out
        if isinstance(e, ast.Name):
            return self.name_expr(e, dest)
        if isinstance(e, ast.Binary):
            return self.binary(e, dest)
        if isinstance(e, ast.Unary):
            out = self.target(dest)
            mark = b.mark()
            operand = self.expr(e.operand)
            b.release(mark)
            op = {"-": Op.NEG, "not": Op.NOT, "~": Op.BNOT}[e.op]
            b.emit(op, out, operand)
            return out
        if isinstance(e, ast.ChainCompare):
            return self.chain_compare(e, dest)
        if isinstance(e, (ast.StringLit, ast.InterpString)):
            return self.interp_string(e, dest)
        if isinstance(e, ast.ListLit):
            return self.sequence_literal(e.items, Op.NEWLIST, dest)
        if isinstance(e, ast.TupleLit):
            return self.sequence_literal(e.items, Op.NEWTUPLE, dest)
        if isinstance(e, ast.SetLit):
            return self.sequence_literal(e.items, Op.NEWSET, dest)
        if isinstance(e, ast.MapLit):
            return self.map_literal(e, dest)
        if isinstance(e, ast.Comprehension):
            return self.comprehension(e, dest)
        if isinstance(e, ast.Call):
            return self.call(e, dest)
        if isinstance(e, ast.Attr):
            return self.attr(e, dest)
        if isinstance(e, ast.PosAccess):
            return self.unary_reg(Op.POSGET, e.value, dest, e.index)
        if isinstance(e, ast.Index):
            return self.index(e, dest)
        if isinstance(e, ast.Lambda):
            return self.lambda_expr(e, dest)
        if isinstance(e, ast.TryOp):
            return self.unary_reg(Op.TRY, e.value, dest)
        if isinstance(e, ast.Unwrap):
            return self.unary_reg(Op.UNWRAP, e.value, dest)
        if isinstance(e, ast.TryElse):
            return self.try_else(e, dest)
        if isinstance(e, ast.IsExpr):
            return self.unary_reg(Op.IS, e.value, dest, b.const(type_name(e.type)))
        if isinstance(e, ast.AsExpr):
            return self.unary_reg(Op.AS, e.value, dest, b.const(type_name(e.type)))
        if isinstance(e, ast.ExpectSchema):
            return self.expect_schema(e, dest)  # lower_tools.py: typed tool outputs
        if isinstance(e, (ast.If, ast.IfLet, ast.Match, ast.When, ast.For, ast.While,
                          ast.WhileLet, ast.Loop)):
            out = self.target(dest)
            self.control(e, out)
            return out
        if isinstance(e, ast.Comptime):
            out = self.target(dest)
            self.block(e.body.stmts, out)
            return out
        if isinstance(e, ast.Handle):
            return self.handle_expr(e, dest)
        if isinstance(e, ast.Perform):
            return self.perform_expr(e.effect, e.op, list(e.args), dest, e)
        if isinstance(e, ast.Resume):
            return self.resume_expr(e, dest)
        if isinstance(e, ast.Await):
            return self.await_expr(e.value, dest, e)
        if isinstance(e, ast.Orchestrate):
            return self.orchestrate(e, dest)
        if isinstance(e, ast.RoleBlock):
            joined = ast.InterpString((f"{e.role}: ", ast.Interpolation(e.text)), span=e.span)
            return self.expr(joined, dest)
        if isinstance(e, ast.Spread):
            return self.expr(e.value, dest)
        # Anything else has no run-time meaning here; fail cleanly at run time.
        out = self.target(dest)
        b.emit(Op.UNDEFINED, b.const(type(e).__name__.lower()))
        return out

    def unary_reg(self: CellLowerer, op: Op, operand: ast.Node, dest: int | None,
                  c: int = 0) -> int:
        out = self.target(dest)
        mark = self.b.mark()
        reg = self.expr(operand)
        self.b.release(mark)
        self.b.emit(op, out, reg, c)
        return out

    # ------------------------------------------------------------------ names

    def name_expr(self: CellLowerer, e: ast.Name, dest: int | None) -> int:
        b = self.b
        reg = b.lookup(e.id)
        if reg is not None:
            if dest is None:
                return reg
            b.move(dest, reg)
            return dest
        mod = self.mod
        out = self.target(dest)
        if e.id in mod.consts:
            self.const_value(e.id, out)
        elif e.id in mod.cells:
            b.emit(Op.FUNCREF, out, mod.cells[e.id])
        elif e.id in mod.variants and e.id not in mod.constructors:
            enum_name, _variant = mod.variants[e.id]
            b.emit(Op.VARIANT, out, b.const((enum_name, e.id, 0)), 0)
        elif e.id in mod.constructors:
            b.emit(Op.FUNCREF, out, mod.constructors[e.id])
        else:
            b.emit(Op.GLOBAL, out, b.const(e.id))
        return out

    def const_value(self: CellLowerer, name: str, out: int) -> None:
        if name in self.const_stack:
            self.b.emit(Op.UNDEFINED, self.b.const(name))
            return
        self.const_stack.append(name)
        try:
            self.expr_to(self.mod.consts[name], out)
        finally:
            self.const_stack.pop()

    # ------------------------------------------------------------------ operators

    def binary(self: CellLowerer, e: ast.Binary, dest: int | None) -> int:
        b = self.b
        op = e.op
        if op in ("and", "or"):
            out = b.alloc()
            end = Label()
            mark = b.mark()
            left = self.expr(e.left)
            b.emit(Op.TRUTHY, out, left)
            b.release(mark)
            b.emit(Op.JMPF if op == "and" else Op.JMPT, out, end)
            right = self.expr(e.right)
            b.emit(Op.TRUTHY, out, right)
            b.release(mark)
            b.place(end)
            return self.settle(out, dest)
        if op == "??":
            out = b.alloc()
            end = Label()
            mark = b.mark()
            left = self.expr(e.left)
            b.release(mark)
            b.emit(Op.COALESCE, out, left, end)
            self.expr_to(e.right, out)
            b.place(end)
            return self.settle(out, dest)
        if op == "|>":
            return self.pipe(e, dest)
        out = self.target(dest)
        mark = b.mark()
        left = self.expr(e.left)
        if op in ("+", "-") and isinstance(e.right, ast.IntLit) and 0 <= e.right.value < SMALL_INT:
            b.release(mark)
            self.at(e)
            b.emit(Op.ADDI if op == "+" else Op.SUBI, out, left, e.right.value)
            return out
        if self.assigns_inside(e.right) and left < mark:
            # The right operand may reassign the variable read on the left: snapshot it.
            snapshot = b.alloc()
            b.move(snapshot, left)
            left = snapshot
        right = self.expr(e.right)
        b.release(mark)
        self.at(e)
        b.emit(BINARY_OPS[op], out, left, right)
        return out

    def assigns_inside(self: CellLowerer, e: ast.Node) -> bool:
        """Whether evaluating `e` may assign a local (block-valued constructs can)."""
        return isinstance(e, (ast.If, ast.IfLet, ast.Match, ast.When, ast.For, ast.While,
                              ast.WhileLet, ast.Loop, ast.Comptime, ast.Handle))

    def settle(self: CellLowerer, scratch: int, dest: int | None) -> int:
        """Move a value computed in a scratch register to `dest` (when one was asked for)."""
        if dest is None:
            return scratch
        self.b.move(dest, scratch)
        return dest

    def chain_compare(self: CellLowerer, e: ast.ChainCompare, dest: int | None) -> int:
        b = self.b
        out = b.alloc()
        end = Label()
        mark = b.mark()
        left = self.expr(e.left)
        middle = self.expr(e.middle)
        b.emit(BINARY_OPS[e.op1], out, left, middle)
        b.release(mark)
        b.emit(Op.JMPF, out, end)
        middle = self.expr(e.middle)  # evaluated twice, as the reference says
        right = self.expr(e.right)
        b.emit(BINARY_OPS[e.op2], out, middle, right)
        b.release(mark)
        b.place(end)
        return self.settle(out, dest)

    def branch_unless(self: CellLowerer, cond: ast.Node, target: Label) -> None:
        """Jump to `target` when `cond` is false (fused compare-and-branch when possible)."""
        b = self.b
        mark = b.mark()
        if isinstance(cond, ast.Binary) and cond.op in BRANCH_OPS:
            left = self.expr(cond.left)
            if self.assigns_inside(cond.right) and left < mark:
                snapshot = b.alloc()
                b.move(snapshot, left)
                left = snapshot
            right = self.expr(cond.right)
            self.at(cond)
            b.emit(BRANCH_OPS[cond.op], left, right, target)
        elif isinstance(cond, ast.Binary) and cond.op == "and":
            self.branch_unless(cond.left, target)
            self.branch_unless(cond.right, target)
        elif isinstance(cond, ast.BoolLit) and cond.value:
            pass
        else:
            reg = self.expr(cond)
            b.emit(Op.JMPF, reg, target)
        b.release(mark)

    def pipe(self: CellLowerer, e: ast.Binary, dest: int | None) -> int:
        value_arg = ast.Arg(e.left, span=e.left.span)
        if isinstance(e.right, ast.Call):
            call = ast.Call(e.right.callee, (value_arg, *e.right.args), span=e.right.span)
        else:
            call = ast.Call(e.right, (value_arg,), span=e.span)
        return self.call(call, dest)

    # ------------------------------------------------------------------ strings

    def interp_string(self: CellLowerer, e: ast.Node, dest: int | None) -> int:
        b = self.b
        out = self.target(dest)
        if isinstance(e, ast.StringLit):
            b.load_const(out, e.value)
            return out
        assert isinstance(e, ast.InterpString)
        mark = b.mark()
        parts = [p for p in e.parts if p != ""]
        base = b.alloc(len(parts))
        for offset, part in enumerate(parts):
            reg = base + offset
            if isinstance(part, str):
                b.load_const(reg, part)
                continue
            inner = b.mark()
            value = self.expr(part.expr)
            self.at(part.expr)
            if part.spec is None:
                b.emit(Op.TOSTR, reg, value)
            else:
                b.emit(Op.FORMAT, reg, value, b.const(part.spec))
            b.release(inner)
        b.emit(Op.JOINSTR, out, base, len(parts))
        b.release(mark)
        return out

    # ------------------------------------------------------------------ collections

    def sequence_literal(self: CellLowerer, items: tuple[ast.Node, ...], op: Op,
                         dest: int | None) -> int:
        b = self.b
        out = self.target(dest)
        mark = b.mark()
        if not any(isinstance(item, ast.Spread) for item in items):
            base = b.alloc(len(items))
            for offset, item in enumerate(items):
                self.expr_to(item, base + offset)
            b.emit(op, out, base, len(items))
            b.release(mark)
            return out
        acc = b.alloc()
        b.emit(Op.NEWLIST, acc, 0, 0)
        for item in items:
            inner = b.mark()
            if isinstance(item, ast.Spread):
                b.emit(Op.LISTEXTEND, acc, self.expr(item.value))
            else:
                b.emit(Op.LISTPUSH, acc, self.expr(item))
            b.release(inner)
        if op == Op.NEWLIST:
            b.move(out, acc)
        elif op == Op.NEWSET:
            b.emit(Op.TOSET, out, acc)
        else:
            b.emit(Op.NEWTUPLE, out, acc, -1)  # C = -1: the elements of list R[B]
        b.release(mark)
        return out

    def map_literal(self: CellLowerer, e: ast.MapLit, dest: int | None) -> int:
        b = self.b
        out = self.target(dest)
        mark = b.mark()
        if not any(isinstance(entry, ast.Spread) for entry in e.entries):
            base = b.alloc(2 * len(e.entries))
            for offset, entry in enumerate(e.entries):
                assert isinstance(entry, ast.MapEntry)
                self.expr_to(entry.key, base + 2 * offset)
                self.expr_to(entry.value, base + 2 * offset + 1)
            b.emit(Op.NEWMAP, out, base, len(e.entries))
            b.release(mark)
            return out
        acc = b.alloc()
        b.emit(Op.NEWMAP, acc, 0, 0)
        for entry in e.entries:
            inner = b.mark()
            if isinstance(entry, ast.Spread):
                b.emit(Op.MAPMERGE, acc, self.expr(entry.value))
            else:
                key = self.expr(entry.key)
                b.emit(Op.MAPPUT, acc, key, self.expr(entry.value))
            b.release(inner)
        b.move(out, acc)
        b.release(mark)
        return out

    def comprehension(self: CellLowerer, e: ast.Comprehension, dest: int | None) -> int:
        b = self.b
        out = self.target(dest)
        mark = b.mark()
        acc = b.alloc()
        b.emit(Op.NEWLIST if e.kind != "map" else Op.NEWMAP, acc, 0, 0)
        b.scopes.append({})

        def clause(index: int) -> None:
            if index == len(e.clauses):
                skip = Label()
                if e.condition is not None:
                    self.branch_unless(e.condition, skip)
                inner = b.mark()
                if e.kind == "map" and isinstance(e.element, ast.TupleLit):
                    key = self.expr(e.element.items[0])
                    value = self.expr(e.element.items[1])
                    b.emit(Op.MAPPUT, acc, key, value)
                elif e.kind == "map":
                    pair = self.expr(e.element)
                    key = b.alloc(2)
                    value = key + 1
                    b.emit(Op.POSGET, key, pair, 0)
                    b.emit(Op.POSGET, value, pair, 1)
                    b.emit(Op.MAPPUT, acc, key, value)
                else:
                    b.emit(Op.LISTPUSH, acc, self.expr(e.element))
                b.release(inner)
                b.place(skip)
                return
            comp_for = e.clauses[index]
            scope = b.scopes[-1]
            for name in self.pattern_binds(comp_for.target):
                scope[name] = b.alloc()
            self.for_each(comp_for.target, comp_for.iterable, lambda: clause(index + 1))

        clause(0)
        b.scopes.pop()
        if e.kind == "set":
            b.emit(Op.TOSET, out, acc)
        else:
            b.move(out, acc)
        b.release(mark)
        return out

    # ------------------------------------------------------------------ access

    def attr(self: CellLowerer, e: ast.Attr, dest: int | None) -> int:
        b = self.b
        if isinstance(e.value, ast.Name) and b.lookup(e.value.id) is None:
            qualified = f"{e.value.id}.{e.name}"
            mod = self.mod
            if e.value.id in mod.enums and e.name in mod.variants_of(e.value.id):
                out = self.target(dest)
                b.emit(Op.VARIANT, out, b.const((e.value.id, e.name, 0)), 0)
                return out
            if qualified in mod.cells:
                out = self.target(dest)
                b.emit(Op.FUNCREF, out, mod.cells[qualified])
                return out
        if e.safe:
            out = b.alloc()
            end = Label()
            self.expr_to(e.value, out)
            self.at(e)
            b.emit(Op.JMPNULL, out, end)
            b.emit(Op.GETATTR, out, out, b.const(e.name))
            b.place(end)
            return self.settle(out, dest)
        out = self.target(dest)
        mark = b.mark()
        value = self.expr(e.value)
        b.release(mark)
        self.at(e)
        b.emit(Op.GETATTR, out, value, b.const(e.name))
        return out

    def index(self: CellLowerer, e: ast.Index, dest: int | None) -> int:
        b = self.b
        if e.safe:
            out = b.alloc()
            end = Label()
            mark = b.mark()
            holder = b.alloc()
            self.expr_to(e.value, holder)
            b.emit(Op.LOADNULL, out)
            b.emit(Op.JMPNULL, holder, end)
            key = self.expr(e.index)
            self.at(e)
            b.emit(Op.GETINDEX, out, holder, key)
            b.place(end)
            b.release(mark)
            return self.settle(out, dest)
        out = self.target(dest)
        mark = b.mark()
        value = self.expr(e.value)
        key = self.expr(e.index)
        self.at(e)
        b.emit(Op.GETINDEX, out, value, key)
        b.release(mark)
        return out

    def try_else(self: CellLowerer, e: ast.TryElse, dest: int | None) -> int:
        b = self.b
        out = self.target(dest)
        ok = Label()
        end = Label()
        mark = b.mark()
        value = b.alloc()
        self.expr_to(e.value, value)
        err_reg = b.lookup(e.name or "_err")
        if err_reg is None:  # pre-scanned as a local; a comprehension scope may hide it
            err_reg = b.alloc()
        b.emit(Op.ERRJMP, err_reg, value, ok)
        handler = e.handler
        if isinstance(handler, ast.Lambda) and isinstance(handler.body, ast.Block):
            self.block(handler.body.stmts, out)
        elif isinstance(handler, ast.Lambda):
            self.expr_to(handler.body, out)
        else:
            self.expr_to(handler, out)
        b.emit(Op.JMP, end)
        b.place(ok)
        b.emit(Op.OKVALUE, out, value)
        b.place(end)
        b.release(mark)
        return out

    # ------------------------------------------------------------------ lambdas

    def lambda_expr(self: CellLowerer, e: ast.Lambda, dest: int | None) -> int:
        b = self.b
        out = self.target(dest)
        param_names = {p.name for p in e.params}
        visible = {name for scope in b.scopes for name in scope} | set(b.locals)
        captures = tuple(sorted((mentioned_names(e.body) & visible) - param_names))
        index = self.mod.lower_lambda(e, captures, self)
        mark = b.mark()
        base = b.alloc(len(captures))
        for offset, name in enumerate(captures):
            reg = b.lookup(name)
            assert reg is not None
            b.move(base + offset, reg)
        self.at(e)
        b.emit(Op.CLOSURE, out, index, base)
        b.release(mark)
        return out

    def params_info(self: CellLowerer, params: tuple[ast.Param, ...]) -> tuple[ParamInfo, ...]:
        return tuple(ParamInfo(p.name, p.default is not None, p.variadic) for p in params)

    def prologue(self: CellLowerer, params: tuple[ast.Param, ...], body: object) -> None:
        """Registers for locals, and parameter defaults computed in the callee (§5.1)."""
        b = self.b
        for name in bound_names(body, self.mod.is_variant):
            b.declare_local(name)
        for index, param in enumerate(params):
            if param.default is not None:
                supplied = Label()
                b.emit(Op.DEFAULT, index, supplied)
                self.expr_to(param.default, index)
                b.place(supplied)
