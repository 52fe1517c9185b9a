"""Statements (§6) and block-valued constructs (§7.12): blocks, `let`, assignment,
`return`, `if` (with `is` narrowing), `match` (with exhaustiveness), `when`, loops,
`handle`."""

from __future__ import annotations

from lumen.diagnostics import ErrorCode
from lumen.sema import messages
from lumen.sema.check_call import CallChecker
from lumen.sema.check_pattern import PatternChecker
from lumen.sema.exhaustive import missing_cases
from lumen.sema.types import (
    ANY,
    INT,
    NEVER,
    NULL,
    ListT,
    Type,
    compatible,
    join,
    render,
)
from lumen.syntax import ast

_BITWISE_ASSIGN = frozenset({"&", "|", "^", "<<", ">>"})
_HOISTED = (ast.CellDecl, ast.RecordDecl, ast.EnumDecl)


class StmtChecker(CallChecker, PatternChecker):
    # ------------------------------------------------------------------ blocks

    def block(self, block: ast.Block) -> Type:
        """Check a block and return its block value type (§7.12)."""
        result: Type = NULL
        last = len(block.stmts) - 1
        for index, stmt in enumerate(block.stmts):
            result = self.stmt(stmt)
            if index != last:
                self.check_must_use(stmt)
        return result

    def stmt(self, stmt: ast.Node) -> Type:
        if isinstance(stmt, ast.ExprStmt):
            return self.expr(stmt.expr)
        if isinstance(stmt, ast.Let):
            self.let(stmt)
        elif isinstance(stmt, ast.Assign):
            self.assign(stmt)
        elif isinstance(stmt, ast.CompoundAssign):
            self.compound_assign(stmt)
        elif isinstance(stmt, ast.Return):
            self.return_(stmt)
            return NEVER
        elif isinstance(stmt, ast.Halt):
            self.expr(stmt.message)
            return NEVER
        elif isinstance(stmt, ast.Break):
            if stmt.value is not None:
                self.expr(stmt.value)
            return NEVER
        elif isinstance(stmt, ast.Continue):
            return NEVER
        elif isinstance(stmt, ast.Emit | ast.Yield):
            self.expr(stmt.value)
        elif isinstance(stmt, ast.Defer):
            self.block(stmt.body)
        elif isinstance(stmt, ast.ProtocolStmt):
            if stmt.body is not None:
                self.block(stmt.body)
        elif isinstance(stmt, _HOISTED):
            pass  # hoisted to module scope and checked there (§5.1)
        elif not ast.is_decl(stmt):
            return self.expr(stmt)
        return NULL

    def check_must_use(self, stmt: ast.Node) -> None:
        if not (isinstance(stmt, ast.ExprStmt) and isinstance(stmt.expr, ast.Call)):
            return
        callee = stmt.expr.callee
        if not isinstance(callee, ast.Name) or self.scope.lookup(callee.id) is not None:
            return
        cell = self.symbols.cells.get(callee.id)
        if cell is not None and any(a.name == "must_use" for a in cell.decl.attributes):
            self.error(ErrorCode.MUST_USE, messages.must_use(callee.id), stmt)

    # ------------------------------------------------------------------ bindings

    def let(self, stmt: ast.Let) -> None:
        found = self.expr(stmt.value)
        bound = found
        if stmt.type is not None:
            declared = self.resolve_type(stmt.type)
            self.expect_type(declared, stmt.value, found)
            bound = declared
        if bound == NEVER:
            bound = ANY
        if isinstance(stmt.target, ast.BindPat):
            self.scope.define(stmt.target.name, bound)
        else:
            self.bind_irrefutable(stmt.target, bound)
        self.tables.let_types[(stmt.span.line, stmt.span.column)] = bound

    def assign(self, stmt: ast.Assign) -> None:
        found = self.expr(stmt.value)
        target = stmt.target
        if isinstance(target, ast.Name):
            if self.is_constant(target.id):
                self.error(ErrorCode.IMMUTABLE_ASSIGN, messages.immutable_assign(target.id), target)
                return
            previous = self.scope.vars.get(target.id)
            self.scope.define(target.id, found if previous is None else join([previous, found]))
        else:
            self.check_place(target)

    def check_place(self, target: ast.Node) -> None:
        """`x.f = e` / `x[i] = e`: the root must exist (and not be a constant)."""
        if isinstance(target, ast.Attr | ast.PosAccess):
            self.check_place(target.value)
        elif isinstance(target, ast.Index):
            self.check_place(target.value)
            self.expr(target.index)
        elif isinstance(target, ast.Name):
            if self.is_constant(target.id):
                self.error(ErrorCode.IMMUTABLE_ASSIGN, messages.immutable_assign(target.id), target)
            else:
                self.expr(target)
        else:
            self.expr(target)

    def is_constant(self, name: str) -> bool:
        return name in self.symbols.constants and not self.scope.is_bound(name)

    def compound_assign(self, stmt: ast.CompoundAssign) -> None:
        target = stmt.target
        if isinstance(target, ast.Name) and self.is_constant(target.id):
            self.error(ErrorCode.IMMUTABLE_ASSIGN, messages.immutable_assign(target.id), target)
            self.expr(stmt.value)
            return
        current = self.expr(target)
        value = self.expr(stmt.value)
        if stmt.op in _BITWISE_ASSIGN:
            self.expect_type(INT, target, current)
            self.expect_type(INT, stmt.value, value)
            result: Type = INT
        elif stmt.op in ("+", "-", "*", "/", "//", "%"):
            result = self.arithmetic_type(stmt.op, current, value)
        else:
            result = ANY
        if isinstance(target, ast.Name) and target.id in self.scope.vars:
            self.scope.define(target.id, join([current, result]))

    def return_(self, stmt: ast.Return) -> None:
        found = self.expr(stmt.value) if stmt.value is not None else NULL
        expected = self.function.ret
        if expected is None or self.function.is_generator or stmt.value is None:
            return
        if not compatible(expected, found):
            self.error(
                ErrorCode.MISMATCH, messages.mismatch(render(expected), render(found)), stmt.value
            )

    # ------------------------------------------------------------------ if / when

    def _if(self, node: ast.If) -> Type:
        self.expect_bool(node.condition)
        then = self.narrowed_block(node.condition, node.then)
        if node.else_ is None:
            return ANY
        other = self.block(node.else_) if isinstance(node.else_, ast.Block) else self.expr(node.else_)
        return join([then, other])

    def narrowed_block(self, condition: ast.Node, block: ast.Block) -> Type:
        """In the then-branch of `if x is T`, `x` has type `T` (§4.6)."""
        if not (isinstance(condition, ast.IsExpr) and isinstance(condition.value, ast.Name)):
            return self.block(block)
        name = condition.value.id
        previous = self.scope.vars.get(name)
        if previous is None and self.scope.lookup(name) is None:
            return self.block(block)
        narrowed = self.narrow_target(condition.type)
        self.scope.define(name, narrowed)
        result = self.block(block)
        if self.scope.vars.get(name) is narrowed:
            if previous is None:
                del self.scope.vars[name]
            else:
                self.scope.vars[name] = previous
        return result

    def narrow_target(self, texpr: ast.Node) -> Type:
        # Re-resolving would report an unknown name twice; `_is` already reported it.
        if isinstance(texpr, ast.NamedType) and texpr.name in self.symbols.variants:
            return self.variant_type(self.symbols.variants[texpr.name].enum)
        if isinstance(texpr, ast.NamedType) and not self.resolver.is_known(texpr.name, self.function.generics):
            return ANY
        return self.resolve_type(texpr)

    def _if_let(self, node: ast.IfLet) -> Type:
        subject = self.expr(node.value)
        self.bind_pattern(node.pattern, subject)
        then = self.block(node.then)
        if node.else_ is None:
            return ANY
        other = self.block(node.else_) if isinstance(node.else_, ast.Block) else self.expr(node.else_)
        return join([then, other])

    def _when(self, node: ast.When) -> Type:
        types = []
        for arm in node.arms:
            if arm.condition is not None:
                self.expr(arm.condition)
            types.append(self.expr(arm.value))
        return join(types) if types else NULL

    # ------------------------------------------------------------------ match

    def _match(self, node: ast.Match) -> Type:
        subject = self.expr(node.subject)
        types = []
        for arm in node.arms:
            for pattern in arm.patterns:
                self.bind_pattern(pattern, subject)
            if arm.guard is not None:
                self.expect_bool(arm.guard)
            types.append(self.block(arm.body))
        missing = missing_cases(subject, node.arms, self.symbols)
        if missing:
            self.error(
                ErrorCode.INCOMPLETE_MATCH, messages.incomplete_match(missing), node,
                hint=messages.add_arms_hint(missing),
            )
        return join(types) if types else NULL

    # ------------------------------------------------------------------ loops

    def _for(self, node: ast.For) -> Type:
        elem = self.iterable_element(node.iterable)
        self.bind_irrefutable(node.target, elem)
        if node.filter is not None:
            self.expect_bool(node.filter)
        body = self.block(node.body)
        return ListT(ANY if body in (NULL, NEVER) else body)

    def _while(self, node: ast.While) -> Type:
        self.expect_bool(node.condition)
        self.block(node.body)
        return ANY

    def _while_let(self, node: ast.WhileLet) -> Type:
        subject = self.expr(node.value)
        self.bind_pattern(node.pattern, subject)
        self.block(node.body)
        return ANY

    def _loop(self, node: ast.Loop) -> Type:
        self.block(node.body)
        return ANY

    # ------------------------------------------------------------------ effects

    def _handle(self, node: ast.Handle) -> Type:
        types = [self.block(node.body)]
        for arm in node.arms:
            for param in arm.params:
                self.scope.define(param.name, self.resolve_type(param.type))
            types.append(self.block(arm.body))
        return join(types)


StmtChecker._dispatch = {
    **CallChecker._dispatch,
    ast.Call: CallChecker._call,
    ast.If: StmtChecker._if,
    ast.IfLet: StmtChecker._if_let,
    ast.When: StmtChecker._when,
    ast.Match: StmtChecker._match,
    ast.For: StmtChecker._for,
    ast.While: StmtChecker._while,
    ast.WhileLet: StmtChecker._while_let,
    ast.Loop: StmtChecker._loop,
    ast.Handle: StmtChecker._handle,
}  # type: ignore[dict-item]
