"""Lowering of patterns (§8): tests that jump to a failure label, then bindings.

A pattern is lowered in two phases so that a failed match never clobbers a variable:
`test` extracts sub-values into temporaries and emits the tests, returning the bindings
as (name, register) pairs; `commit` then moves them into the locals. With `fail=None`
(irrefutable destructuring, §6.1) no tests are emitted and missing parts read as null.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumen.lir.lower_builder import Label
from lumen.lir.lower_calls import RESULT_ENUM
from lumen.lir.lower_expr import literal_value, type_name
from lumen.lir.lower_scan import pattern_names
from lumen.lir.opcodes import Op
from lumen.syntax import ast

if TYPE_CHECKING:
    from lumen.lir.lower import CellLowerer

Bindings = list[tuple[str, int]]


class PatternLowering:
    """Mixin of `CellLowerer`: patterns."""

    def pattern_binds(self: CellLowerer, pattern: ast.Node) -> list[str]:
        return pattern_names(pattern, self.mod.is_variant)

    def resolve_variant(self: CellLowerer, name: str) -> tuple[str, str]:
        if name in ("ok", "err"):
            return RESULT_ENUM, name
        if "." in name:
            enum_name, _, tag = name.rpartition(".")
            return enum_name, tag
        entry = self.mod.variants.get(name)
        return (entry[0] if entry else "", name)

    def test(self: CellLowerer, p: ast.Node, reg: int, fail: Label | None) -> Bindings:
        b = self.b
        self.at(p)
        if isinstance(p, ast.WildcardPat):
            return []
        if isinstance(p, ast.BindPat):
            if self.mod.is_variant(p.name):
                if fail is not None:
                    b.emit(Op.TESTTAG, reg, b.const(self.resolve_variant(p.name)), fail)
                return []
            return [(p.name, reg)]
        if isinstance(p, ast.LiteralPat):
            if fail is not None:
                is_lit, value = literal_value(p.value)
                if is_lit:
                    b.emit(Op.TESTEQ, reg, b.const(value), fail)  # type: ignore[arg-type]
                else:
                    tmp = b.alloc()
                    self.expr_to(p.value, tmp)
                    b.emit(Op.EQJF, reg, tmp, fail)
            return []
        if isinstance(p, ast.RangePat):
            if fail is not None:
                low = b.alloc(2)
                high = low + 1
                self.expr_to(p.low, low)
                self.expr_to(p.high, high)
                b.emit(Op.GEJF, reg, low, fail)
                b.emit(Op.LEJF if p.inclusive else Op.LTJF, reg, high, fail)
            return []
        if isinstance(p, ast.TypedPat):
            if fail is not None:
                b.emit(Op.TESTTYPE, reg, b.const(type_name(p.type)), fail)
            return [(p.name, reg)]
        if isinstance(p, ast.VariantPat):
            return self.variant_pattern(p.name, p.args, reg, fail)
        if isinstance(p, ast.RecordPat):
            return self.record_pattern(p, reg, fail)
        if isinstance(p, ast.TuplePat):
            if fail is not None:
                b.emit(Op.TESTTUPLE, reg, len(p.items), fail)
            return self.elements(p.items, reg, fail)
        if isinstance(p, ast.ListPat):
            if fail is not None:
                test_op = Op.TESTLIST if p.rest is None else Op.TESTLISTMIN
                b.emit(test_op, reg, len(p.items), fail)
            found = self.elements(p.items, reg, fail)
            if p.rest:
                rest = b.alloc()
                b.emit(Op.SLICEFROM, rest, reg, len(p.items))
                found.append((p.rest, rest))
            return found
        raise AssertionError(f"unknown pattern {type(p).__name__}")

    def elements(self: CellLowerer, items: tuple[ast.Node, ...], reg: int,
                 fail: Label | None) -> Bindings:
        found: Bindings = []
        for index, item in enumerate(items):
            if isinstance(item, ast.WildcardPat):
                continue
            element = self.b.alloc()
            self.b.emit(Op.POSGET, element, reg, index)
            found.extend(self.test(item, element, fail))
        return found

    def variant_pattern(self: CellLowerer, name: str, args: tuple[ast.Node, ...] | None,
                        reg: int, fail: Label | None) -> Bindings:
        b = self.b
        enum_name, tag = self.resolve_variant(name)
        if fail is not None:
            b.emit(Op.TESTTAG, reg, b.const((enum_name, tag)), fail)
        if not args:
            return []
        found: Bindings = []
        whole = len(args) == 1
        for index, arg in enumerate(args):
            if isinstance(arg, ast.WildcardPat):
                continue
            part = b.alloc()
            b.emit(Op.PAYLOAD, part, reg, -1 if whole else index)
            found.extend(self.test(arg, part, fail))
        return found

    def record_pattern(self: CellLowerer, p: ast.RecordPat, reg: int,
                       fail: Label | None) -> Bindings:
        b = self.b
        mod = self.mod
        if p.type_name is not None and p.type_name not in mod.records and (
                mod.is_variant(p.type_name) or "." in p.type_name):
            # `Rect(w: a, h: b)`: a variant pattern with named payload fields.
            enum_name, tag = self.resolve_variant(p.type_name)
            fields = mod.variant_fields(enum_name, tag) or ()
            args: list[ast.Node] = [ast.WildcardPat() for _ in fields]
            for field_pat in p.fields:
                sub = field_pat.pattern or ast.BindPat(field_pat.name)
                if field_pat.name in fields:
                    args[fields.index(field_pat.name)] = sub
            return self.variant_pattern(p.type_name, tuple(args), reg, fail)
        if fail is not None and p.type_name is not None:
            b.emit(Op.TESTRECORD, reg, b.const(p.type_name), fail)
        found: Bindings = []
        for field_pat in p.fields:
            value = b.alloc()
            b.emit(Op.GETATTR, value, reg, b.const(field_pat.name))
            if field_pat.pattern is None:
                found.append((field_pat.name, value))
            else:
                found.extend(self.test(field_pat.pattern, value, fail))
        return found

    def commit(self: CellLowerer, bindings: Bindings, also_null: list[str] = ()) -> None:
        b = self.b
        bound = set()
        for name, reg in bindings:
            local = b.lookup(name)
            if local is None:
                continue
            b.move(local, reg)
            bound.add(name)
        for name in also_null:
            if name not in bound and (local := b.lookup(name)) is not None:
                b.emit(Op.LOADNULL, local)

    def bind_irrefutable(self: CellLowerer, pattern: ast.Node, reg: int) -> None:
        mark = self.b.mark()
        self.commit(self.test(pattern, reg, None))
        self.b.release(mark)

    def match_arm_patterns(self: CellLowerer, patterns: tuple[ast.Node, ...], reg: int,
                           fail: Label) -> None:
        """Test `p1 | p2 | ...` against R[reg]; falls through with bindings committed."""
        b = self.b
        mark = b.mark()
        if len(patterns) == 1:
            self.commit(self.test(patterns[0], reg, fail))
            b.release(mark)
            return
        every_name = [n for p in patterns for n in self.pattern_binds(p)]
        matched = Label()
        for pattern in patterns:
            next_alternative = Label()
            self.commit(self.test(pattern, reg, next_alternative), every_name)
            b.emit(Op.JMP, matched)
            b.place(next_alternative)
            b.release(mark)
        b.emit(Op.JMP, fail)
        b.place(matched)
        b.release(mark)
