"""Parser reductions for patterns (§8) and types (§3.1); a mixin of `AstBuilder`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lumen.diagnostics import ErrorCode
from lumen.syntax import ast
from lumen.syntax.build_decls import Dotted
from lumen.syntax.build_support import int_value, nodes, span_of, token_span
from lumen.syntax.scanner import Token


class PatternTypeBuilder:
    """Pattern and type reductions (uses `_error` and `string_from_token` of the builder)."""

    # ------------------------------------------------------------------ patterns

    def typed_pat(self, children: list[Any]) -> ast.TypedPat:
        name, type_ = children
        return ast.TypedPat(str(name), type_, span=span_of(name, type_))

    def dotted_pat(self, children: list[Any]) -> ast.Pattern:
        (dotted,) = children
        span = span_of(dotted.first, dotted.last)
        if len(dotted.parts) == 1:
            if dotted.text == "_":
                return ast.WildcardPat(span=span)
            return ast.BindPat(dotted.text, span=span)
        return ast.VariantPat(dotted.text, None, span=span)

    def lit_pat(self, children: list[Any]) -> ast.LiteralPat:
        (token,) = children
        value = self._literal_from_token(token)
        return ast.LiteralPat(value, span=value.span)

    def neg_lit_pat(self, children: list[Any]) -> ast.LiteralPat:
        minus, token = children
        span = span_of(minus, token)
        text = str(token)
        value: ast.Expr
        if token.type == "INT":
            value = ast.IntLit(-int_value(text), "-" + text, span=span)
        else:
            value = ast.FloatLit(-float(text.replace("_", "")), "-" + text, span=span)
        return ast.LiteralPat(value, span=span)

    def _literal_from_token(self, token: Token) -> ast.Expr:
        type_ = token.type
        span = token_span(token)
        if type_ == "INT":
            return ast.IntLit(int_value(str(token)), str(token), span=span)
        if type_ == "FLOAT":
            return ast.FloatLit(float(str(token).replace("_", "")), str(token), span=span)
        if type_ == "STRING":
            return self.string_from_token(token)
        if type_ == "TRUE":
            return ast.BoolLit(True, span=span)
        if type_ == "FALSE":
            return ast.BoolLit(False, span=span)
        return ast.NullLit(span=span)

    def range_pat(self, children: list[Any]) -> ast.RangePat:
        low, op, high = children
        return ast.RangePat(low.value, high.value, op.type == "DOTDOTEQ", span=span_of(low, high))

    def ctor_pat(self, children: list[Any]) -> ast.Pattern:
        dotted: Dotted = children[0]
        close = children[-1]
        items = [child for child in children[2:-1] if child is not None]
        span = span_of(dotted.first, close)
        is_record = any(type(item) in (ast.FieldPat, _RestMarker) for item in items)
        if not is_record:
            return ast.VariantPat(dotted.text, tuple(items), span=span)
        fields: list[ast.FieldPat] = []
        rest = False
        for item in items:
            if type(item) is _RestMarker:
                rest = True
            elif type(item) is ast.FieldPat:
                fields.append(item)
            elif type(item) is ast.BindPat:
                fields.append(ast.FieldPat(item.name, None, colon=False, span=item.span))
            else:
                self._error(
                    ErrorCode.MALFORMED,
                    "a record pattern needs `field: pattern` entries; this one has no field name",
                    item.span,
                )
        return ast.RecordPat(dotted.text, tuple(fields), rest, span=span)

    def field_pat(self, children: list[Any]) -> ast.FieldPat:
        name, pattern = children
        return ast.FieldPat(str(name), pattern, span=span_of(name, pattern))

    def field_pat_short(self, children: list[Any]) -> ast.FieldPat:
        (name,) = children
        return ast.FieldPat(str(name), None, span=token_span(name))

    def rest_pat(self, children: list[Any]) -> _RestMarker:
        return _RestMarker(span=token_span(children[0]))

    def tuple_pat(self, children: list[Any]) -> ast.TuplePat:
        return ast.TuplePat(tuple(nodes(children)), span=span_of(children[0], children[-1]))

    def paren_pat(self, children: list[Any]) -> ast.Pattern:
        return children[1]

    def list_pat_items(self, children: list[Any]) -> list[ast.Pattern]:
        if type(children[0]) is list:
            return children[0] + [children[-1]]
        return [children[0]]

    def list_rest(self, children: list[Any]) -> str:
        _, name = children
        return str(name) if name is not None else ""

    def list_pat(self, children: list[Any]) -> ast.ListPat:
        items: list[ast.Pattern] = []
        rest: str | None = None
        for child in children[1:-1]:
            if type(child) is list:
                items = child
            elif type(child) is str:
                rest = child
        return ast.ListPat(tuple(items), rest, span=span_of(children[0], children[-1]))

    # ------------------------------------------------------------------ types

    def union_type(self, children: list[Any]) -> ast.UnionType:
        members = nodes(children)
        ampersand = any(type(child) is Token and child.type == "AMP" for child in children)
        return ast.UnionType(tuple(members), ampersand, span=span_of(members[0], members[-1]))

    def optional_type(self, children: list[Any]) -> ast.OptionalType:
        inner, mark = children
        return ast.OptionalType(inner, span=span_of(inner, mark))

    def named_type(self, children: list[Any]) -> ast.NamedType:
        dotted: Dotted = children[0]
        args = tuple(nodes(children[1:]))
        last = children[-1] if children[-1] is not None else dotted.last
        span = span_of(dotted.first, last)
        if dotted.text == "tuple" and args:
            return ast.TupleType(args, spelled_tuple=True, span=span)
        return ast.NamedType(dotted.text, args, span=span)

    def tuple_type(self, children: list[Any]) -> ast.TupleType:
        return ast.TupleType(tuple(nodes(children)), span=span_of(children[0], children[-1]))

    def fn_type(self, children: list[Any]) -> ast.FnType:
        keyword = children[0]
        row = children[-1]
        ret = children[-2]
        params = tuple(nodes(children[1:-3]))
        last = row if row is not None else ret
        return ast.FnType(params, ret, row, span=span_of(keyword, last))

    def yield_type(self, children: list[Any]) -> ast.YieldType:
        keyword, inner = children
        return ast.YieldType(inner, span=span_of(keyword, inner))


@dataclass(frozen=True, slots=True)
class _RestMarker(ast.Node):
    """`..` inside a record pattern (only while building)."""
