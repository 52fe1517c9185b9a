"""Lowering of calls: cells, constructors, variants, builtins, methods (§7.5, §7.6)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumen.lir.lower_builder import Label
from lumen.lir.opcodes import Op
from lumen.syntax import ast

if TYPE_CHECKING:
    from lumen.lir.lower import CellLowerer

RESULT_ENUM = "result"


class CallLowering:
    """Mixin of `CellLowerer`: calls."""

    def call(self: CellLowerer, e: ast.Call, dest: int | None) -> int:
        b = self.b
        mod = self.mod
        e = self.spawn_sugar(e)
        callee = e.callee
        if isinstance(callee, ast.Name) and b.lookup(callee.id) is None:
            name = callee.id
            if name in mod.cells and name not in mod.externs:
                return self.finish_call(self.static_call(mod.cells[name], e.args), dest)
            if name in mod.constructors:
                args = tuple(self.shorthand(arg) for arg in e.args) \
                    if name in mod.records else e.args
                return self.finish_call(self.static_call(mod.constructors[name], args), dest)
            if name in mod.variants:
                return self.variant(mod.variants[name][0], name, e.args, dest)
            if name in mod.tools and name not in mod.consts:
                return self.finish_call(self.tool_call(name, e), dest)  # §12.2
            if name in ("ok", "err") and name not in mod.consts:
                return self.variant(RESULT_ENUM, name, e.args, dest)
            if name not in mod.consts:
                return self.finish_call(self.builtin_call(name, e), dest)
        if isinstance(callee, ast.Attr):
            owner = callee.value
            if isinstance(owner, ast.Name) and b.lookup(owner.id) is None:
                qualified = f"{owner.id}.{callee.name}"
                if owner.id in mod.enums and callee.name in mod.variants_of(owner.id):
                    return self.variant(owner.id, callee.name, e.args, dest)
                if owner.id in mod.tools and qualified not in mod.cells:
                    return self.finish_call(self.tool_call(owner.id, e, callee.name), dest)
                if owner.id in mod.effects and qualified not in mod.cells:
                    return self.effect_call(owner.id, callee.name, e.args, dest, e)  # §11.6
                if owner.id in mod.agents or owner.id in mod.processes:
                    if qualified not in mod.cells:
                        self.at(callee)
                        b.emit(Op.UNDEFINED, b.const(qualified))  # §13.1 unknown method
                        return self.target(dest)
                    # `P.m(args)` on the type name: a fresh instance is the receiver (§7.6).
                    instance = ast.Arg(ast.Call(owner, (), span=owner.span), span=owner.span)
                    return self.finish_call(
                        self.static_call(mod.cells[qualified], (instance, *e.args)), dest)
                if qualified in mod.cells:
                    return self.finish_call(self.static_call(mod.cells[qualified], e.args),
                                            dest)
            return self.finish_call(self.invoke(callee, e.args), dest)
        # A value holding a function.
        mark = b.mark()
        base = b.alloc()
        self.expr_to(callee, base)
        shape = self.call_args(e.args, base + 1)
        self.at(e)
        if shape is None:
            b.emit(Op.CALL, base, len(e.args))
        else:
            b.emit(Op.CALLX, base, len(e.args), b.const(shape))
        b.release(mark + 1)
        return self.finish_call(base, dest)

    def finish_call(self: CellLowerer, base: int, dest: int | None) -> int:
        if dest is None:
            return base
        self.b.move(dest, base)
        self.b.release(min(self.b.mark(), base))
        return dest

    def shorthand(self: CellLowerer, arg: ast.Arg) -> ast.Arg:
        """Property shorthand `Point(x, y)` = `Point(x: x, y: y)` (§7.4)."""
        if arg.name is None and not arg.spread and isinstance(arg.value, ast.Name):
            return ast.Arg(arg.value, arg.value.id, span=arg.span)
        return arg

    def call_args(self: CellLowerer, args: tuple[ast.Arg, ...],
                  base: int) -> tuple[str, ...] | None:
        """Evaluate arguments into `R[base..]`; returns the call shape, or None when every
        argument is positional."""
        b = self.b
        b.alloc(max(0, base + len(args) - b.mark()))
        shape: list[str] = []
        for offset, arg in enumerate(args):
            value = arg.value
            if isinstance(value, ast.Spread):
                value = value.value
                shape.append("*")
            elif arg.spread:
                shape.append("*")
            else:
                shape.append(arg.name or "")
            self.expr_to(value, base + offset)
        return tuple(shape) if any(shape) else None

    def static_call(self: CellLowerer, function: int, args: tuple[ast.Arg, ...]) -> int:
        b = self.b
        mark = b.mark()
        base = b.alloc()
        shape = self.call_args(args, base + 1)
        if shape is None:
            b.emit(Op.CALLCELL, base, function, len(args))
        else:
            b.emit(Op.CALLCELLX, base, function, b.const(shape))
        b.release(mark + 1)
        return base

    def builtin_call(self: CellLowerer, name: str, e: ast.Call) -> int:
        b = self.b
        mark = b.mark()
        base = b.alloc()
        if any(arg.name or arg.spread or isinstance(arg.value, ast.Spread) for arg in e.args):
            b.emit(Op.GLOBAL, base, b.const(name))
            shape = self.call_args(e.args, base + 1)
            self.at(e)
            b.emit(Op.CALLX, base, len(e.args), b.const(shape))
        else:
            self.call_args(e.args, base + 1)
            self.at(e)
            b.emit(Op.CALLBUILTIN, base, b.const(name), len(e.args))
        b.release(mark + 1)
        return base

    def invoke(self: CellLowerer, callee: ast.Attr, args: tuple[ast.Arg, ...]) -> int:
        """`receiver.method(args)` resolved at run time (§7.6)."""
        b = self.b
        mark = b.mark()
        base = b.alloc(2)
        self.expr_to(callee.value, base + 1)
        end = Label()
        if callee.safe:
            b.emit(Op.LOADNULL, base)
            b.emit(Op.JMPNULL, base + 1, end)
        shape = self.call_args(args, base + 2) or ("",) * len(args)
        self.at(callee)
        b.emit(Op.INVOKE, base, b.const((callee.name, shape)), len(args))
        b.place(end)
        b.release(mark + 1)
        return base

    def variant(self: CellLowerer, enum_name: str, tag: str, args: tuple[ast.Arg, ...],
                dest: int | None) -> int:
        """Variant construction; named arguments are placed by field name (§5.4)."""
        b = self.b
        out = self.target(dest)
        mark = b.mark()
        fields = self.mod.variant_fields(enum_name, tag)
        ordered: list[ast.Node] = []
        positional = [arg.value for arg in args if arg.name is None]
        named = {arg.name: arg.value for arg in args if arg.name is not None}
        if named and fields:
            for field_name in fields:
                if field_name in named:
                    ordered.append(named.pop(field_name))
                elif positional:
                    ordered.append(positional.pop(0))
                else:
                    ordered.append(ast.NullLit())
            ordered.extend(named.values())
        else:
            ordered = positional + list(named.values())
        base = b.alloc(len(ordered))
        for offset, value in enumerate(ordered):
            self.expr_to(value, base + offset)
        b.emit(Op.VARIANT, out, b.const((enum_name, tag, len(ordered))), base)
        b.release(mark)
        return out
