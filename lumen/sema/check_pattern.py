"""Patterns (§8): bind the names a pattern introduces, with types taken from the subject,
and apply the static rules of §8.3 (variant/ok/err/list/tuple/record/typed/range)."""

from __future__ import annotations

from lumen.diagnostics import ErrorCode
from lumen.sema import messages
from lumen.sema.context import CheckerBase
from lumen.sema.symbols import VariantInfo
from lumen.sema.types import (
    ANY,
    BOOL,
    BYTES,
    FLOAT,
    INT,
    STRING,
    ListT,
    MapT,
    NamedT,
    ResultT,
    SetT,
    TupleT,
    Type,
    UnionT,
    compatible,
    element_type,
    is_dynamic,
    render,
    substitute,
)
from lumen.syntax import ast

# Subjects that can never match a list/tuple/record pattern.
_SCALARS = (INT, FLOAT, BOOL, STRING, BYTES)


class PatternChecker(CheckerBase):
    def expr(self, node: ast.Node) -> Type:  # provided by ExprChecker
        raise NotImplementedError

    def variant_type(self, enum: str) -> Type:  # provided by ExprChecker
        raise NotImplementedError

    def bind_irrefutable(self, pattern: ast.Node, subject: Type) -> None:
        """`let`/`for`/comprehension targets: destructuring, no refutability rules."""
        self.bind_pattern(pattern, subject, in_match=False)

    def bind_pattern(self, pattern: ast.Node, subject: Type, in_match: bool = True) -> None:
        if isinstance(pattern, ast.WildcardPat):
            return
        if isinstance(pattern, ast.BindPat):
            variant = self.symbols.variants.get(pattern.name) if in_match else None
            if variant is not None:
                self.check_variant_subject(pattern, variant.name, variant, subject, None)
            else:
                self.scope.define(pattern.name, subject)
        elif isinstance(pattern, ast.LiteralPat):
            self.expr(pattern.value)
        elif isinstance(pattern, ast.RangePat):
            self.range_pattern(pattern)
        elif isinstance(pattern, ast.TypedPat):
            self.typed_pattern(pattern, subject)
        elif isinstance(pattern, ast.VariantPat):
            self.variant_pattern(pattern, subject)
        elif isinstance(pattern, ast.RecordPat):
            self.record_pattern(pattern, subject)
        elif isinstance(pattern, ast.TuplePat):
            self.tuple_pattern(pattern, subject)
        elif isinstance(pattern, ast.ListPat):
            self.list_pattern(pattern, subject)

    # ------------------------------------------------------------------ simple forms

    def range_pattern(self, pattern: ast.RangePat) -> None:
        low, high = self.expr(pattern.low), self.expr(pattern.high)
        if is_dynamic(low) or is_dynamic(high):
            return
        if not (low == high and low in (INT, FLOAT)):
            self.error(ErrorCode.MISMATCH, messages.range_bounds(render(low), render(high)), pattern)

    def typed_pattern(self, pattern: ast.TypedPat, subject: Type) -> None:
        if isinstance(pattern.type, ast.NamedType) and pattern.type.name in self.symbols.variants:
            wanted = self.variant_type(self.symbols.variants[pattern.type.name].enum)
        else:
            wanted = self.resolve_type(pattern.type, ErrorCode.UNDEFINED_TYPE_IN_CHECK)
        if not (compatible(subject, wanted) or compatible(wanted, subject)):
            self.error(ErrorCode.MISMATCH, messages.mismatch(render(subject), render(wanted)), pattern)
        self.scope.define(pattern.name, wanted)

    # ------------------------------------------------------------------ variants

    def variant_pattern(self, pattern: ast.VariantPat, subject: Type) -> None:
        name = pattern.name
        qualifier = None
        if "." in name:
            qualifier, name = name.rsplit(".", 1)
        args = pattern.args or ()
        if name in ("ok", "err") and qualifier is None:
            self.result_pattern(pattern, name, args, subject)
            return
        variant = self.find_variant(qualifier, name)
        if variant is None:
            # An active pattern (§16.3), a variant of an imported enum, ...: bind loosely.
            for arg in args:
                self.bind_pattern(arg, ANY)
            return
        self.check_variant_subject(pattern, name, variant, subject, pattern.args)

    def find_variant(self, qualifier: str | None, name: str) -> VariantInfo | None:
        if qualifier is not None:
            enum = self.symbols.enums.get(qualifier)
            return enum.variants.get(name) if enum is not None else None
        if name in self.symbols.cells:  # an active pattern shadows nothing but is no variant
            return None
        return self.symbols.variants.get(name)

    def check_variant_subject(
        self, pattern: ast.Node, name: str, variant: VariantInfo, subject: Type,
        args: tuple[ast.Node, ...] | None,
    ) -> None:
        bindings: dict[str, Type] = {}
        if isinstance(subject, NamedT) and subject.kind == "enum":
            enum = self.symbols.enums.get(subject.name)
            if enum is not None:
                if name not in enum.variants:
                    self.error(
                        ErrorCode.MISMATCH, messages.variant_not_in_enum(subject.name, name), pattern
                    )
                    self.bind_args_loosely(args)
                    return
                variant = enum.variants[name]
                bindings = dict(zip(enum.generics, subject.args))
        elif isinstance(subject, ResultT):
            self.error(ErrorCode.MISMATCH, messages.mismatch("ok or err", f"'{name}'"), pattern)
            self.bind_args_loosely(args)
            return
        if args and variant.fields is None:
            self.error(ErrorCode.MISMATCH, messages.variant_without_payload(name), pattern)
            self.bind_args_loosely(args)
            return
        if not args:
            return
        fields = [substitute(f, bindings) for f in (variant.fields or ())]
        if len(args) == 1 and len(fields) != 1:
            payload: Type = TupleT(tuple(fields)) if fields else ANY
            self.bind_pattern(args[0], payload)
            return
        for index, arg in enumerate(args):
            self.bind_pattern(arg, fields[index] if index < len(fields) else ANY)

    def bind_args_loosely(self, args: tuple[ast.Node, ...] | None) -> None:
        for arg in args or ():
            self.bind_pattern(arg, ANY)

    def result_pattern(
        self, pattern: ast.VariantPat, name: str, args: tuple[ast.Node, ...], subject: Type
    ) -> None:
        payload: Type = ANY
        if isinstance(subject, ResultT):
            payload = subject.ok if name == "ok" else subject.err
        elif isinstance(subject, NamedT) and subject.kind == "enum":
            self.error(ErrorCode.MISMATCH, messages.variant_not_in_enum(subject.name, name), pattern)
        elif isinstance(subject, UnionT):
            results = [m for m in subject.members if isinstance(m, ResultT)]
            if len(results) == 1:
                payload = results[0].ok if name == "ok" else results[0].err
        for arg in args:
            self.bind_pattern(arg, payload if len(args) == 1 else ANY)

    # ------------------------------------------------------------------ structures

    def record_pattern(self, pattern: ast.RecordPat, subject: Type) -> None:
        record_name = pattern.type_name
        if record_name is None and isinstance(subject, NamedT):
            record_name = subject.name
        if pattern.type_name is not None and self.subject_excludes_record(subject, pattern.type_name):
            self.error(
                ErrorCode.MISMATCH, messages.pattern_subject(render(subject), pattern.type_name),
                pattern,
            )
        record = self.symbols.records.get(record_name or "")
        bindings: dict[str, Type] = {}
        if record is not None and isinstance(subject, NamedT) and subject.name == record.name:
            bindings = dict(zip(record.generics, subject.args))
        for field in pattern.fields:
            field_type: Type = ANY
            if record is not None and field.name in record.fields:
                field_type = substitute(record.fields[field.name].type, bindings)
            if field.pattern is None:
                self.scope.define(field.name, field_type)
            else:
                self.bind_pattern(field.pattern, field_type)

    def subject_excludes_record(self, subject: Type, record_name: str) -> bool:
        if subject in _SCALARS or isinstance(subject, ListT | SetT | MapT | TupleT | ResultT):
            return True
        if isinstance(subject, NamedT):
            return subject.name != record_name and subject.kind in ("record", "enum")
        return False

    def tuple_pattern(self, pattern: ast.TuplePat, subject: Type) -> None:
        if subject in _SCALARS or isinstance(subject, NamedT | MapT | SetT | ResultT):
            self.error(ErrorCode.MISMATCH, messages.pattern_subject("a tuple", render(subject)), pattern)
            subject = ANY
        for index, item in enumerate(pattern.items):
            if isinstance(subject, TupleT):
                item_type = subject.items[index] if index < len(subject.items) else ANY
            elif isinstance(subject, ListT):
                item_type = subject.elem
            else:
                item_type = ANY
            self.bind_pattern(item, item_type)

    def list_pattern(self, pattern: ast.ListPat, subject: Type) -> None:
        if subject in _SCALARS or isinstance(subject, NamedT | MapT | SetT | ResultT):
            self.error(ErrorCode.MISMATCH, messages.pattern_subject("a list", render(subject)), pattern)
            subject = ANY
        elem = element_type(subject) or ANY
        if isinstance(subject, TupleT):
            elem = ANY
        for item in pattern.items:
            self.bind_pattern(item, elem)
        if pattern.rest:
            self.scope.define(pattern.rest, ListT(elem))
