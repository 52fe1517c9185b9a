"""Lowering of effects and async (§11.5, §11.6, §14): `handle`, `perform`, `resume`,
direct operation calls `E.op(args)`, `await`, `spawn(g(x))` sugar and orchestration blocks.

Layout of `handle BODY with ARMS end` (one function, inline):

    HANDLE n                 push a handler frame; the n rows below describe its arms
    HANDLEARM K(E.op, k) R(params) J(arm)   (one row per arm, skipped at run time)
    BODY -> out
    UNHANDLE 1               pop the handler frame
    JMP exit
    arm: ARM BODY -> out     runs after `perform` captured the continuation
    UNHANDLE 1               arm finished without `resume`: discard the continuation
    JMP exit
    exit:

Arm registers (parameters, temporaries) are allocated above everything the function used
so far, so an arm never clobbers a temporary of the suspended BODY. `break`/`continue` that
leave a `handle` pop its scope first (see `statement`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumen.lir.lower_builder import Label
from lumen.lir.opcodes import Op
from lumen.syntax import ast

if TYPE_CHECKING:
    from lumen.lir.lower import CellLowerer, ModuleContext

COMBINATORS = ("parallel", "race", "vote", "select")
TRUE_WORDS = ("true", "yes", "on", "1")


def collect_effect_item(mod: ModuleContext, item: ast.Node) -> None:
    """Record an `effect`, a top-level `handler` (each arm becomes a cell named
    `Handler.E.op`, called like a cell) or a `bind effect` route."""
    from lumen.lir.lower_scan import nested_declarations

    if isinstance(item, ast.EffectDecl):
        mod.effects.setdefault(item.name, item)
    elif isinstance(item, ast.BindEffect):
        mod.effect_bindings.setdefault(item.effect, item.tool)
    elif isinstance(item, ast.HandlerDecl):
        for op in item.ops:
            name = f"{item.name}.{op.effect}.{op.op}"
            cell = ast.CellDecl(name, op.params, op.body, ret=op.ret, span=op.span)
            mod.add_cell(name, cell)
            mod.effect_handlers.setdefault(f"{op.effect}.{op.op}", name)
            mod.collect(tuple(nested_declarations(cell)))


def is_deterministic(program: ast.Program, analysis: object | None) -> bool:
    """`@deterministic` (§1.3): the checker's settings when available, else the program's
    own directives and attributes (the last one wins)."""
    settings = getattr(analysis, "settings", None)
    if settings is not None:
        return bool(getattr(settings, "deterministic", False))
    found = False
    for item in program.items:
        if isinstance(item, ast.Directive) and item.name == "deterministic":
            found = _flag(item.value)
        for attribute in getattr(item, "attributes", ()) or ():
            if attribute.name == "deterministic":
                found = _flag(attribute.args.strip("() ") if attribute.args else None)
    return found


def _flag(raw: str | None) -> bool:
    return raw is None or raw.strip().strip('"').strip().lower() in TRUE_WORDS + ("",)


class EffectLowering:
    """Mixin of `CellLowerer`: effects and async."""

    # ------------------------------------------------------------------ handle

    def handle_expr(self: CellLowerer, e: ast.Handle, dest: int | None) -> int:
        b = self.b
        out = self.target(dest)
        mark = b.mark()
        self.at(e)
        b.emit(Op.HANDLE, len(e.arms))
        rows = [b.emit(Op.HANDLEARM) for _ in e.arms]
        exit_label = Label()
        self.handle_scopes.append(tuple(b.loops))
        self.block(e.body.stmts, out)
        self.at(e)
        b.emit(Op.UNHANDLE, 1)
        b.emit(Op.JMP, exit_label)
        b.next_reg = max(b.max_reg, mark)  # arms must not clobber the suspended body
        for row, arm in zip(rows, e.arms):
            arm_label = Label()
            b.place(arm_label)
            params = b.alloc(len(arm.params))
            b.scopes.append({p.name: params + k for k, p in enumerate(arm.params)})
            key = b.const((f"{arm.effect}.{arm.op}", len(arm.params)))
            b.code[row][1:4] = [key, params, arm_label]
            self.at(arm)
            self.block(arm.body.stmts, out)
            self.at(arm)
            b.emit(Op.UNHANDLE, 1)
            b.emit(Op.JMP, exit_label)
            b.scopes.pop()
        self.handle_scopes.pop()
        b.place(exit_label)
        b.release(mark)
        return out

    def statement(self: CellLowerer, s: ast.Node) -> None:
        """`break`/`continue` to a loop outside a `handle` leave its scope first."""
        if isinstance(s, (ast.Break, ast.Continue)) and self.handle_scopes:
            loop = self.find_loop(s.label)
            if loop is not None:
                left = sum(1 for loops in self.handle_scopes
                           if any(outer is loop for outer in loops))
                if left:
                    self.at(s)
                    self.b.emit(Op.UNHANDLE, left)
        super().statement(s)  # type: ignore[misc]

    # ------------------------------------------------------------------ perform, resume

    def perform_expr(self: CellLowerer, effect: str, op: str, args: list[ast.Node],
                     dest: int | None, node: ast.Node, dynamic: bool = True) -> int:
        b = self.b
        out = self.target(dest)
        mark = b.mark()
        base = b.alloc(1 + len(args))
        for offset, arg in enumerate(args):
            self.expr_to(arg, base + 1 + offset)
        key = f"{effect}.{op}"
        handler = self.mod.effect_handlers.get(key)
        handler_index = self.mod.cells[handler] if handler is not None else -1
        tool = self.mod.effect_bindings.get(key) or self.mod.effect_bindings.get(effect) or ""
        # A bound tool gets the arguments as a map keyed by the operation's parameter names.
        names = self.operation_params(effect, op) if tool else ()
        self.at(node)
        b.emit(Op.PERFORM, base, b.const((key, dynamic, handler_index, tool, names)),
               len(args))
        b.move(out, base)
        b.release(mark)
        return out

    def resume_expr(self: CellLowerer, e: ast.Resume, dest: int | None) -> int:
        b = self.b
        out = self.target(dest)
        mark = b.mark()
        if e.value is None:
            reg = b.alloc()
            b.emit(Op.LOADNULL, reg)
        else:
            reg = self.expr(e.value)
        self.at(e)
        b.emit(Op.RESUME, reg)
        b.release(mark)
        return out

    def effect_call(self: CellLowerer, effect: str, op: str, args: tuple[ast.Arg, ...],
                    dest: int | None, node: ast.Node) -> int:
        """`E.op(args)` (§11.6): the top-level handler, else the bound tool, else
        `unhandled effect`; never a dynamic `handle` frame."""
        key = f"{effect}.{op}"
        handler = self.mod.effect_handlers.get(key)
        if handler is not None:
            return self.finish_call(self.static_call(self.mod.cells[handler], args), dest)
        return self.perform_expr(effect, op, self.effect_arguments(effect, op, args), dest,
                                 node, dynamic=False)

    def operation_params(self: CellLowerer, effect: str, op: str) -> tuple[str, ...]:
        decl = self.mod.effects.get(effect)
        for operation in decl.operations if decl else ():
            if operation.name == op:
                return tuple(p.name for p in operation.params)
        return ()

    def effect_arguments(self: CellLowerer, effect: str, op: str,
                         args: tuple[ast.Arg, ...]) -> list[ast.Node]:
        """Arguments in the operation's parameter order (named ones placed by name)."""
        positional = [a.value for a in args if a.name is None]
        named = {a.name: a.value for a in args if a.name is not None}
        if not named:
            return positional
        params: list[str] = []
        decl = self.mod.effects.get(effect)
        for operation in decl.operations if decl else ():
            if operation.name == op:
                params = [p.name for p in operation.params]
        ordered: list[ast.Node] = []
        for name in params:
            if name in named:
                ordered.append(named.pop(name))
            elif positional:
                ordered.append(positional.pop(0))
            else:
                ordered.append(ast.NullLit())
        return ordered + positional + list(named.values())

    # ------------------------------------------------------------------ async

    def await_expr(self: CellLowerer, value: ast.Node, dest: int | None,
                   node: ast.Node) -> int:
        b = self.b
        out = self.target(dest)
        mark = b.mark()
        reg = self.expr(value)
        self.at(node)
        b.emit(Op.AWAIT, out, reg)
        b.release(mark)
        return out

    def spawn_sugar(self: CellLowerer, e: ast.Call) -> ast.Call:
        """`spawn(g(x))` = `spawn(fn() => g(x))` (§14.3)."""
        if (isinstance(e.callee, ast.Name) and e.callee.id == "spawn" and len(e.args) == 1
                and self.b.lookup("spawn") is None and "spawn" not in self.mod.cells):
            arg = e.args[0]
            if arg.name is None and not arg.spread and isinstance(arg.value, ast.Call):
                thunk = ast.Lambda((), arg.value, span=arg.value.span)
                return ast.Call(e.callee, (ast.Arg(thunk, span=arg.span),), span=e.span)
        return e

    def orchestrate(self: CellLowerer, e: ast.Orchestrate, dest: int | None) -> int:
        """§14.6: `await NAME(args, spawn(fn() => e1), …)`; the `for` form passes one list
        `[spawn(fn(x) => body, x) for x in xs]`."""
        span = e.span
        spawn = ast.Name("spawn", span=span)
        if e.for_target is not None and e.for_iterable is not None:
            body = e.body[0] if e.body else ast.NullLit(span=span)
            thunk = ast.Lambda((ast.Param(e.for_target, span=span),), body, span=span)
            element = ast.Call(spawn, (ast.Arg(thunk, span=span),
                                       ast.Arg(ast.Name(e.for_target, span=span), span=span)),
                               span=span)
            clause = ast.CompFor(ast.BindPat(e.for_target, span=span), e.for_iterable,
                                 span=span)
            spawned: tuple[ast.Arg, ...] = (
                ast.Arg(ast.Comprehension("list", element, (clause,), span=span), span=span),)
        else:
            spawned = tuple(
                ast.Arg(ast.Call(spawn, (ast.Arg(ast.Lambda((), item, span=item.span),
                                                 span=item.span),), span=item.span),
                        span=item.span)
                for item in e.body)
        kind = e.kind if e.kind in COMBINATORS else "parallel"
        call = ast.Call(ast.Name(kind, span=span), (*e.args, *spawned), span=span)
        b = self.b
        out = self.target(dest)
        mark = b.mark()
        reg = self.finish_call(self.builtin_call(kind, call), None)
        self.at(e)
        b.emit(Op.AWAIT, out, reg)
        b.release(mark)
        return out
