"""Parser reductions -> AST nodes (`ast.py`).

`AstBuilder` is handed to Lark as an inline transformer: each method is called with the
children of one reduction (keywords written by name in the grammar are kept as tokens,
so spans start at the keyword; optional parts are `None` placeholders). No parse tree is
built. Per-parse state (file name, diagnostics, the string-interpolation parser) lives in
a `BuildContext` that the driver installs around each parse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.diagnostics.diagnostic import NO_SPAN
from lumen.syntax import ast
from lumen.syntax.build_decls import DeclBuilder
from lumen.syntax.build_patterns import PatternTypeBuilder
from lumen.syntax.build_support import int_value, nodes, span_of, token_span
from lumen.syntax.scanner import Token
from lumen.syntax.strings import InterpolationText, split_string, split_text

FragmentParser = Callable[[str, int, int], "ast.Expr | None"]


@dataclass(slots=True)
class BuildContext:
    file: str
    diagnostics: list[Diagnostic]
    parse_fragment: FragmentParser
    parenthesized: set[int] = field(default_factory=set)


_COMPARISON_CHAIN = frozenset({"<", "<=", ">", ">="})


class AstBuilder(PatternTypeBuilder, DeclBuilder):
    """Expression, statement and pattern reductions (declarations: `build_decls.py`)."""

    def __init__(self) -> None:
        self.context: BuildContext | None = None

    # ------------------------------------------------------------------ helpers

    def _error(self, code: ErrorCode, message: str, span: Span) -> None:
        assert self.context is not None
        self.context.diagnostics.append(Diagnostic(code.value, message, self.context.file, span))

    # ------------------------------------------------------------------ program

    def start(self, children: list[Any]) -> ast.Program:
        return children[0]

    def program(self, children: list[Any]) -> ast.Program:
        items = tuple(_as_stmt(child) for child in children if child is not None)
        if items:
            return ast.Program(items, span=span_of(items[0], items[-1]))
        return ast.Program(())

    def expr_start(self, children: list[Any]) -> ast.Expr:
        return children[0]

    def attributed_stmt(self, children: list[Any]) -> Any:
        return children[-1]

    attributed_stmt_line = attributed_stmt

    # ------------------------------------------------------------------ blocks, statements

    def block(self, children: list[Any]) -> ast.Block:
        stmts = tuple(_as_stmt(child) for child in children if child is not None)
        if stmts:
            return ast.Block(stmts, span=span_of(stmts[0], stmts[-1]))
        return ast.Block(())

    def assign(self, children: list[Any]) -> ast.Assign:
        target, _, value = children
        self._check_place(target)
        return ast.Assign(target, value, span=span_of(target, value))

    def compound_assign(self, children: list[Any]) -> ast.CompoundAssign:
        target, op, value = children
        self._check_place(target)
        return ast.CompoundAssign(str(op)[:-1], target, value, span=span_of(target, value))

    def _check_place(self, target: ast.Expr) -> None:
        node = target
        while isinstance(node, ast.Attr | ast.Index | ast.PosAccess):
            node = node.value
        if not isinstance(node, ast.Name):
            self._error(
                ErrorCode.MALFORMED,
                "cannot assign to this expression: the target must be a name, a field or an index",
                target.span,
            )

    def return_stmt(self, children: list[Any]) -> ast.Return:
        keyword, value = children
        return ast.Return(value, span=span_of(keyword, value if value is not None else keyword))

    def halt_stmt(self, children: list[Any]) -> ast.Halt:
        keyword, message, close = children
        return ast.Halt(message, span=span_of(keyword, close))

    def break_stmt(self, children: list[Any]) -> ast.Break:
        keyword, label = children
        return ast.Break(
            str(label) if label is not None else None,
            span=span_of(keyword, label if label is not None else keyword),
        )

    def break_value(self, children: list[Any]) -> ast.Break:
        keyword, value = children
        return ast.Break(None, value, span=span_of(keyword, value))

    def continue_stmt(self, children: list[Any]) -> ast.Continue:
        keyword, label = children
        return ast.Continue(
            str(label) if label is not None else None,
            span=span_of(keyword, label if label is not None else keyword),
        )

    def emit_stmt(self, children: list[Any]) -> ast.Emit:
        keyword, value = children
        return ast.Emit(value, span=span_of(keyword, value))

    def yield_stmt(self, children: list[Any]) -> ast.Yield:
        keyword, value = children
        return ast.Yield(value, span=span_of(keyword, value))

    def defer_stmt(self, children: list[Any]) -> ast.Defer:
        keyword, body, end = children
        return ast.Defer(body, span=span_of(keyword, end))

    def protocol_stmt(self, children: list[Any]) -> ast.ProtocolStmt:
        (token,) = children
        keyword, _, text = str(token).partition(" ")
        return ast.ProtocolStmt(keyword, text.strip(), span=token_span(token))

    def protocol_body_stmt(self, children: list[Any]) -> ast.ProtocolStmt:
        token, _, body, end = children
        keyword, _, text = str(token).partition(" ")
        return ast.ProtocolStmt(keyword, text.strip(), body, span=span_of(token, end))

    def let_stmt(self, children: list[Any]) -> ast.Let:
        keyword, mut, target, type_, _, value = children
        return ast.Let(target, value, type_, mut is not None, span=span_of(keyword, value))

    def bind_name(self, children: list[Any]) -> ast.Pattern:
        (token,) = children
        if token.value == "_":
            return ast.WildcardPat(span=token_span(token))
        return ast.BindPat(str(token), span=token_span(token))

    def anon_record_pat(self, children: list[Any]) -> ast.RecordPat:
        names = [child for child in children if type(child) is Token and child.type == "NAME"]
        fields = tuple(
            ast.FieldPat(str(name), None, colon=False, span=token_span(name)) for name in names
        )
        return ast.RecordPat(None, fields, span=span_of(names[0], children[-1]))

    # ------------------------------------------------------------------ operators

    def expect_schema(self, children: list[Any]) -> ast.ExpectSchema:
        value, _, _, dotted = children
        return ast.ExpectSchema(value, dotted.text, span=span_of(value, dotted.last))

    def binary(self, children: list[Any]) -> ast.Expr:
        left, op, right = children
        text = str(op)
        span = span_of(left, right)
        if (
            text in _COMPARISON_CHAIN
            and type(left) is ast.Binary
            and left.op in _COMPARISON_CHAIN
            and id(left) not in self.context.parenthesized  # type: ignore[union-attr]
        ):
            return ast.ChainCompare(left.left, left.op, left.right, text, right, span=span)
        return ast.Binary(text, left, right, span=span)

    def is_expr(self, children: list[Any]) -> ast.IsExpr:
        value, _, type_ = children
        return ast.IsExpr(value, type_, span=span_of(value, type_))

    def as_expr(self, children: list[Any]) -> ast.AsExpr:
        value, _, type_ = children
        return ast.AsExpr(value, type_, span=span_of(value, type_))

    def unary(self, children: list[Any]) -> ast.Expr:
        op, operand = children
        span = span_of(op, operand)
        if (
            op.type == "MINUS"
            and type(operand) is ast.IntLit
            and id(operand) not in self.context.parenthesized  # type: ignore[union-attr]
            and operand.value >= 0
        ):
            return ast.IntLit(-operand.value, "-" + operand.text, span=span)
        return ast.Unary(str(op), operand, span=span)

    # ------------------------------------------------------------------ postfix

    def attr(self, children: list[Any]) -> ast.Attr:
        value, name = children
        return ast.Attr(value, str(name), span=span_of(value, name))

    def safe_attr(self, children: list[Any]) -> ast.Attr:
        value, _, name = children
        return ast.Attr(value, str(name), True, span=span_of(value, name))

    def pos_access(self, children: list[Any]) -> ast.PosAccess:
        value, index = children
        return ast.PosAccess(value, int(index.value), span=span_of(value, index))

    def index(self, children: list[Any]) -> ast.Index:
        value, index, close = children
        return ast.Index(value, index, span=span_of(value, close))

    def safe_index(self, children: list[Any]) -> ast.Index:
        value, _, index, close = children
        return ast.Index(value, index, True, span=span_of(value, close))

    def call(self, children: list[Any]) -> ast.Call:
        callee, args, close, trailing = children
        arguments = tuple(args) if args is not None else ()
        if trailing is not None:
            arguments += (ast.Arg(trailing, span=trailing.span),)
            return ast.Call(callee, arguments, span=span_of(callee, trailing))
        return ast.Call(callee, arguments, span=span_of(callee, close))

    def try_postfix(self, children: list[Any]) -> ast.TryOp:
        value, mark = children
        return ast.TryOp(value, span=span_of(value, mark))

    def unwrap(self, children: list[Any]) -> ast.Unwrap:
        value, mark = children
        return ast.Unwrap(value, span=span_of(value, mark))

    def args(self, children: list[Any]) -> list[ast.Arg]:
        return [child for child in children if child is not None]

    def arg_pos(self, children: list[Any]) -> ast.Arg:
        (value,) = children
        if type(value) is ast.RoleBlock:
            return ast.Arg(value, value.role, span=value.span)
        return ast.Arg(value, span=value.span)

    def arg_named(self, children: list[Any]) -> ast.Arg:
        name, value = children
        return ast.Arg(value, str(name), span=span_of(name, value))

    def arg_spread(self, children: list[Any]) -> ast.Arg:
        dots, value = children
        return ast.Arg(value, spread=True, span=span_of(dots, value))

    def trailing_block(self, children: list[Any]) -> ast.Lambda:
        keyword, params, body, end = children
        return ast.Lambda(
            tuple(params or ()), body, trailing=True, span=span_of(keyword, end)
        )

    def do_params(self, children: list[Any]) -> list[ast.Param]:
        return nodes(children)

    def do_param(self, children: list[Any]) -> ast.Param:
        name, type_ = children
        return ast.Param(str(name), type_, span=span_of(name, type_ if type_ is not None else name))

    # ------------------------------------------------------------------ primaries

    def name(self, children: list[Any]) -> ast.Name:
        (token,) = children
        return ast.Name(str(token), span=token_span(token))

    def paren(self, children: list[Any]) -> ast.Expr:
        _, inner, _ = children
        self.context.parenthesized.add(id(inner))  # type: ignore[union-attr]
        return inner

    def empty_tuple(self, children: list[Any]) -> ast.TupleLit:
        return ast.TupleLit((), span=span_of(children[0], children[-1]))

    def tuple1(self, children: list[Any]) -> ast.TupleLit:
        return ast.TupleLit((children[1],), span=span_of(children[0], children[-1]))

    def tuple(self, children: list[Any]) -> ast.TupleLit:
        return ast.TupleLit(tuple(nodes(children)), span=span_of(children[0], children[-1]))

    def list_lit(self, children: list[Any]) -> ast.ListLit:
        return ast.ListLit(tuple(nodes(children)), span=span_of(children[0], children[-1]))

    def spread(self, children: list[Any]) -> ast.Spread:
        dots, value = children
        return ast.Spread(value, span=span_of(dots, value))

    def _comprehension(self, kind: str, children: list[Any]) -> ast.Comprehension:
        element = children[1]
        clauses = tuple(child for child in children[2:-1] if type(child) is ast.CompFor)
        condition = children[-2]
        if kind == "set" and type(element) is ast.TupleLit and len(element.items) == 2:
            kind = "map"
        return ast.Comprehension(
            kind, element, clauses, condition, span=span_of(children[0], children[-1])
        )

    def list_comp(self, children: list[Any]) -> ast.Comprehension:
        return self._comprehension("list", children)

    def brace_comp(self, children: list[Any]) -> ast.Comprehension:
        return self._comprehension("set", children)

    def comp_for(self, children: list[Any]) -> ast.CompFor:
        keyword, target, _, iterable = children
        return ast.CompFor(target, iterable, span=span_of(keyword, iterable))

    def empty_map(self, children: list[Any]) -> ast.MapLit:
        return ast.MapLit((), span=span_of(children[0], children[-1]))

    def empty_set(self, children: list[Any]) -> ast.SetLit:
        return ast.SetLit((), span=token_span(children[0]))

    def map_colon(self, children: list[Any]) -> ast.MapEntry:
        key, value = children
        return ast.MapEntry(key, value, span=span_of(key, value))

    def map_equals(self, children: list[Any]) -> tuple[str, ast.MapEntry]:
        key, _, value = children
        # tagged: the bare-key rule of §3.3 applies to `key: value` entries only
        return ("=", ast.MapEntry(key, value, span=span_of(key, value)))

    def brace(self, children: list[Any]) -> ast.Expr:
        items = [child for child in children[1:-1] if child is not None]
        span = span_of(children[0], children[-1])
        is_map = any(type(item) in (ast.MapEntry, tuple) for item in items) or all(
            type(item) is ast.Spread for item in items
        )
        if not is_map:
            return ast.SetLit(tuple(items), span=span)
        entries: list[ast.MapEntry | ast.Spread] = []
        for position, item in enumerate(items):
            if type(item) is ast.Spread:
                entries.append(item)
                continue
            colon = type(item) is not tuple
            if not colon:
                item = item[1]
            if type(item) is not ast.MapEntry:
                self._error(
                    ErrorCode.MALFORMED,
                    "a map literal needs `key: value` entries; this entry has no key",
                    item.span,
                )
                continue
            key = item.key
            if (
                position > 0
                and colon
                and type(key) is ast.Name
                and id(key) not in self.context.parenthesized  # type: ignore[union-attr]
            ):
                item = ast.MapEntry(
                    ast.StringLit(key.id, "bare", span=key.span), item.value, bare=True,
                    span=item.span,
                )
            entries.append(item)
        return ast.MapLit(tuple(entries), span=span)

    # ------------------------------------------------------------------ literals

    def int_lit(self, children: list[Any]) -> ast.IntLit:
        (token,) = children
        return ast.IntLit(int_value(str(token)), str(token), span=token_span(token))

    def float_lit(self, children: list[Any]) -> ast.FloatLit:
        (token,) = children
        return ast.FloatLit(float(str(token).replace("_", "")), str(token), span=token_span(token))

    def string_lit(self, children: list[Any]) -> ast.Expr:
        (token,) = children
        return self.string_from_token(token)

    def string_from_token(self, token: Token) -> ast.Expr:
        split = split_string(str(token), token.line, token.column)
        span = token_span(token)
        for problem in split.errors:
            self._error(
                ErrorCode.INVALID_ESCAPE, problem.message,
                Span(problem.line, problem.column, problem.line, problem.column + 1),
            )
        return self._string_node(split.parts, split.form, span)

    def _string_node(
        self, parts: tuple[str | InterpolationText, ...], form: str, span: Span
    ) -> ast.Expr:
        if all(type(part) is str for part in parts):
            return ast.StringLit("".join(parts), form, span=span)  # type: ignore[arg-type]
        built: list[str | ast.Interpolation] = []
        assert self.context is not None
        for part in parts:
            if type(part) is str:
                built.append(part)
                continue
            assert isinstance(part, InterpolationText)
            saved = self.context
            try:
                expr = saved.parse_fragment(part.expr, part.line, part.column)
            finally:
                self.context = saved
            if expr is None:
                expr = ast.NullLit(span=Span(part.line, part.column, part.line, part.column + 1))
            built.append(ast.Interpolation(expr, part.spec, span=expr.span))
        return ast.InterpString(tuple(built), "triple" if form == "triple" else "plain", span=span)

    def bytes_lit(self, children: list[Any]) -> ast.BytesLit:
        (token,) = children
        digits = str(token)[2:-1]
        try:
            value = bytes.fromhex(digits) if len(digits) % 2 == 0 else b""
        except ValueError:
            value = b""
        return ast.BytesLit(value, span=token_span(token))

    def true_lit(self, children: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(True, span=token_span(children[0]))

    def false_lit(self, children: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(False, span=token_span(children[0]))

    def null_lit(self, children: list[Any]) -> ast.NullLit:
        return ast.NullLit(span=token_span(children[0]))

    def role_block(self, children: list[Any]) -> ast.RoleBlock:
        (token,) = children
        role, _, text = str(token).partition(":")
        span = token_span(token)
        block = text.startswith("\n")
        if block:
            lines = text[1:].split("\n")
            body = [line for line in lines if line.strip()]
            margin = min((len(line) - len(line.lstrip()) for line in body), default=0)
            content = "\n".join(line[margin:] for line in lines).strip("\n")
        else:
            content = text.strip()
        text_line = token.line + (1 if block else 0)
        split = split_text(content, text_line, token.column)
        return ast.RoleBlock(role, self._string_node(split.parts, "plain", span), block, span=span)

    # ------------------------------------------------------------------ lambdas and blocks

    def lambda_inline(self, children: list[Any]) -> ast.Lambda:
        keyword, params, _, ret, row, _, body = children
        return ast.Lambda(tuple(params or ()), body, ret, row, span=span_of(keyword, body))

    def lambda_block(self, children: list[Any]) -> ast.Lambda:
        keyword, params, _, ret, row, body, end = children
        return ast.Lambda(tuple(params or ()), body, ret, row, span=span_of(keyword, end))

    def if_inline(self, children: list[Any]) -> ast.If:
        keyword, condition, _, then, _, otherwise = children
        last = otherwise if otherwise is not None else then
        return ast.If(
            condition, _branch_block(then),
            _branch_block(otherwise) if otherwise is not None else None,
            inline=True, span=span_of(keyword, last),
        )

    def if_let_inline(self, children: list[Any]) -> ast.IfLet:
        keyword, _, pattern, _, value, _, then, _, otherwise = children
        last = otherwise if otherwise is not None else then
        return ast.IfLet(
            pattern, value, _branch_block(then),
            _branch_block(otherwise) if otherwise is not None else None,
            inline=True, span=span_of(keyword, last),
        )

    def if_head(self, children: list[Any]) -> tuple[Token, ast.Pattern | None, ast.Expr]:
        keyword, condition = children
        return (keyword, None, condition)

    def if_let_head(self, children: list[Any]) -> tuple[Token, ast.Pattern | None, ast.Expr]:
        keyword, _, pattern, _, value = children
        return (keyword, pattern, value)

    def else_chain(self, children: list[Any]) -> tuple[Any, ...]:
        keyword, head, body = children
        return (keyword, head, body)

    def if_block(self, children: list[Any]) -> ast.If | ast.IfLet:
        head, body = children[0], children[1]
        end = children[-1]
        final_else = children[-2]
        chains = [child for child in children[2:-3] if type(child) is tuple]
        otherwise: ast.Block | ast.If | ast.IfLet | None = final_else
        for keyword, chain_head, chain_body in reversed(chains):
            otherwise = _if_node(chain_head, chain_body, otherwise, span_of(keyword, end))
        return _if_node(head, body, otherwise, span_of(head[0], end))

    def match_expr(self, children: list[Any]) -> ast.Match:
        keyword, subject, *arms, end = children
        return ast.Match(subject, tuple(arms), span=span_of(keyword, end))

    def arm_patterns(self, children: list[Any]) -> list[ast.Pattern]:
        return nodes(children)

    def arm_line(self, children: list[Any]) -> ast.MatchArm:
        patterns, _, guard, _, stmt = children
        stmt = _as_stmt(stmt)
        body = ast.Block((stmt,), span=stmt.span)
        return ast.MatchArm(tuple(patterns), body, guard, span=span_of(patterns[0], stmt))

    def arm_block(self, children: list[Any]) -> ast.MatchArm:
        patterns, _, guard, arrow, body = children
        last = body if body.stmts else arrow
        return ast.MatchArm(tuple(patterns), body, guard, span=span_of(patterns[0], last))

    def when_expr(self, children: list[Any]) -> ast.When:
        keyword, *arms, end = children
        return ast.When(tuple(arms), span=span_of(keyword, end))

    def when_arm(self, children: list[Any]) -> ast.WhenArm:
        condition, _, value = children
        if type(condition) is ast.Name and condition.id == "_":
            return ast.WhenArm(None, value, span=span_of(condition, value))
        return ast.WhenArm(condition, value, span=span_of(condition, value))

    def for_expr(self, children: list[Any]) -> ast.For:
        keyword, label, target, _, iterable, _, condition, body, end = children
        return ast.For(
            target, iterable, body, condition, str(label) if label is not None else None,
            span=span_of(keyword, end),
        )

    def while_expr(self, children: list[Any]) -> ast.While:
        keyword, label, condition, body, end = children
        return ast.While(
            condition, body, str(label) if label is not None else None, span=span_of(keyword, end)
        )

    def while_let(self, children: list[Any]) -> ast.WhileLet:
        keyword, label, _, pattern, _, value, body, end = children
        return ast.WhileLet(
            pattern, value, body, str(label) if label is not None else None,
            span=span_of(keyword, end),
        )

    def loop_expr(self, children: list[Any]) -> ast.Loop:
        keyword, label, body, end = children
        return ast.Loop(body, str(label) if label is not None else None, span=span_of(keyword, end))

    def handle_expr(self, children: list[Any]) -> ast.Handle:
        keyword, body, _, *arms, end = children
        return ast.Handle(body, tuple(arms), span=span_of(keyword, end))

    def handler_arm(self, children: list[Any]) -> ast.HandlerArm:
        effect, op, params, arrow, body = children
        last = body if body.stmts else arrow
        return ast.HandlerArm(
            str(effect), str(op), tuple(params or ()), body, span=span_of(effect, last)
        )

    def perform(self, children: list[Any]) -> ast.Perform:
        keyword, effect, op = children[0], children[1], children[2]
        return ast.Perform(
            str(effect), str(op), tuple(nodes(children[3:])), span=span_of(keyword, children[-1])
        )

    def resume(self, children: list[Any]) -> ast.Resume:
        keyword, value, close = children
        return ast.Resume(value, span=span_of(keyword, close))

    def await_expr(self, children: list[Any]) -> ast.Await:
        keyword, value = children
        return ast.Await(value, span=span_of(keyword, value))

    def orchestrate_for(self, children: list[Any]) -> ast.Orchestrate:
        keyword, kind, args, _, target, _, iterable, body, end = children
        return ast.Orchestrate(
            str(kind), (body,), tuple(args or ()), str(target), iterable,
            span=span_of(keyword, end),
        )

    def orchestrate_block(self, children: list[Any]) -> ast.Orchestrate:
        keyword, kind, args, *body, end = children
        return ast.Orchestrate(
            str(kind), tuple(nodes(body)), tuple(args or ()), span=span_of(keyword, end)
        )

    def try_prefix(self, children: list[Any]) -> ast.TryOp:
        keyword, value = children
        return ast.TryOp(value, prefix=True, span=span_of(keyword, value))

    def try_else(self, children: list[Any]) -> ast.TryElse:
        keyword, value, _, _, name, _, handler = children
        return ast.TryElse(
            value, handler, str(name) if name is not None else None,
            span=span_of(keyword, handler),
        )

    def comptime_braced(self, children: list[Any]) -> ast.Comptime:
        keyword, _, body, close = children
        return ast.Comptime(body, braced=True, span=span_of(keyword, close))

    comptime_body = block

    def comptime_block(self, children: list[Any]) -> ast.Comptime:
        keyword, body, end = children
        return ast.Comptime(body, span=span_of(keyword, end))

    def comptime_inline(self, children: list[Any]) -> ast.Comptime:
        keyword, value, end = children
        stmt = ast.ExprStmt(value, span=value.span)
        return ast.Comptime(ast.Block((stmt,), span=value.span), span=span_of(keyword, end))


def _as_stmt(node: Any) -> ast.Stmt:
    """A statement: expressions are wrapped in `ExprStmt`."""
    if isinstance(node, _STATEMENT_TYPES):
        return node
    return ast.ExprStmt(node, span=node.span)


def _branch_block(node: Any) -> ast.Block:
    stmt = _as_stmt(node)
    return ast.Block((stmt,), span=stmt.span)


def _if_node(
    head: tuple[Token, ast.Pattern | None, ast.Expr], body: ast.Block,
    otherwise: ast.Block | ast.If | ast.IfLet | None, span: Span,
) -> ast.If | ast.IfLet:
    _, pattern, value = head
    if pattern is None:
        return ast.If(value, body, otherwise, span=span)
    return ast.IfLet(pattern, value, body, otherwise, span=span)


_STATEMENT_TYPES = (
    ast.Let, ast.Assign, ast.CompoundAssign, ast.Return, ast.Halt, ast.Break, ast.Continue,
    ast.Emit, ast.Yield, ast.Defer, ast.ExprStmt, ast.ProtocolStmt, ast.Directive,
    *ast.DECL_TYPES,
)

__all__ = ["AstBuilder", "BuildContext", "NO_SPAN", "replace", "span_of", "token_span"]
