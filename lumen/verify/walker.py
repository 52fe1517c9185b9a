"""The verification walk: each cell body once, in source order, carrying what is known.

Statements and block-valued expressions update a `PathState` (state.py); the places that
carry obligations (calls of cells with `where` preconditions, record constructions, index
reads, `@assert`) are in `checks.py`. A walk never fails on a program it does not
understand: anything it cannot follow simply becomes an unknown value.
"""

from __future__ import annotations

from lumen.sema.types import NamedT
from lumen.syntax import ast
from lumen.verify.checks import Checks
from lumen.verify.constraints import (
    TRUE,
    Compare,
    Formula,
    IntConst,
    Sort,
    conjunction,
    disjunction,
    negation,
    sort_of,
)
from lumen.verify.state import (
    RECORD_PREFIX,
    SEQUENCE_KINDS,
    Binding,
    PathState,
    bind_value,
    havoc,
    havoc_all,
    join,
)
from lumen.verify.syntax_facts import (
    GROWING_BUILTINS,
    NOT_EVALUATED,
    assigned_names,
    children,
    contains,
    contains_break,
    kind_of_literal,
    kind_of_type,
    literal_length,
    pattern_names,
    place_root,
    sort_of_annotation,
    sort_of_type,
)

State = PathState | None
# Expressions whose value comes from inner statements: not followed as returned values.
BLOCK_VALUED = (ast.If, ast.IfLet, ast.Match, ast.When, ast.For, ast.While, ast.WhileLet,
                ast.Loop, ast.Handle, ast.Block)


class Walker(Checks):
    """Walks statements and expressions; `Checks` adds the obligations."""

    # ------------------------------------------------------------------ cells

    def walk_cell(self, decl: ast.CellDecl) -> None:
        info = self.cell_infos.get(id(decl))
        self.local_names = frozenset(p.name for p in decl.params) | assigned_names(decl.body)
        state = PathState({})
        for index, param in enumerate(decl.params):
            checked = info.params[index].type if info and index < len(info.params) else None
            sort = sort_of_type(checked) if checked is not None else sort_of_annotation(param.type)
            kind = kind_of_type(checked)
            if isinstance(checked, NamedT) and checked.kind == "record" and checked.name in self.table.records:
                kind = RECORD_PREFIX + checked.name
            state = bind_value(self.symbols, state, param.name, None, sort, kind, role="input")
            state = self.parameter_record_facts(param.name, state)
        for fact in self.entry_facts(decl, state):
            state = state.with_fact(fact)
        self.returns = decl.ret
        body = decl.body
        if isinstance(body, ast.Block) and body.stmts and isinstance(body.stmts[-1], ast.ExprStmt) \
                and decl.ret is not None:  # the last expression is the returned value (§5.1)
            before_tail = self.walk_block(ast.Block(body.stmts[:-1]), state)
            tail = body.stmts[-1]
            assert isinstance(tail, ast.ExprStmt)
            if before_tail is not None:
                before_tail = self.apply_hints(tail, before_tail)
                self.returned(tail.expr, self.visit(tail.expr, before_tail))
        elif isinstance(body, ast.Block):
            self.walk_block(body, state)
        elif body is not None:
            self.returned(body, self.visit(body, state))

    def returned(self, value: ast.Expr, state: State) -> None:
        """`value` leaves the cell: check it against a refined return type."""
        if state is not None and not isinstance(value, BLOCK_VALUED):
            self.check_refinement(self.returns, value, state, value.span, "the returned value", "result")

    def walk_script(self, statements: list[ast.Stmt]) -> None:
        self.returns = None
        block = ast.Block(tuple(statements))
        self.local_names = frozenset(assigned_names(block))
        self.walk_block(block, PathState({}))

    # ------------------------------------------------------------------ statements

    def walk_block(self, block: ast.Block, state: State) -> State:
        for stmt in block.stmts:
            if state is None:
                break
            state = self.apply_hints(stmt, state)
            state = self.statement(stmt, state)
        return state

    def statement(self, stmt: ast.Stmt, state: PathState) -> State:
        if isinstance(stmt, ast.Let):
            after = self.visit(stmt.value, state)
            if after is None:
                return None
            if isinstance(stmt.target, ast.BindPat):
                name = stmt.target.name
                self.check_refinement(stmt.type, stmt.value, after, stmt.span,
                                      f"the value of '{name}'", name)
                let_type = self.let_types.get((stmt.span.line, stmt.span.column))
                return self.bind(after, stmt.target.name, stmt.value, sort_of_type(let_type),
                                 kind_of_type(let_type))
            return self.unbind(after, pattern_names(stmt.target))
        if isinstance(stmt, (ast.Assign, ast.CompoundAssign)):
            return self.assignment(stmt, state)
        if isinstance(stmt, (ast.Return, ast.Halt, ast.Break)):
            value = stmt.message if isinstance(stmt, ast.Halt) else stmt.value
            if value is not None:
                after_value = self.visit(value, state)
                if isinstance(stmt, ast.Return):
                    self.returned(value, after_value)
            return None
        if isinstance(stmt, ast.Continue):
            return None
        if isinstance(stmt, ast.ExprStmt):
            return self.visit(stmt.expr, state)
        if isinstance(stmt, (ast.Emit, ast.Yield)):
            return self.visit(stmt.value, state)
        if isinstance(stmt, ast.Defer):  # runs at exit, when any variable may have changed
            self.walk_block(stmt.body, havoc_all(self.symbols, state))
            return state
        if isinstance(stmt, ast.ProtocolStmt):
            return self.walk_block(stmt.body, state) if stmt.body else state
        if isinstance(stmt, ast.CellDecl):
            self.pending_cells.append(stmt)
        return state

    def assignment(self, stmt: ast.Assign | ast.CompoundAssign, state: PathState) -> State:
        after = self.visit(stmt.value, state)
        if after is None:
            return None
        if not isinstance(stmt.target, ast.Name):  # the index of `x[i] = e` is checked too
            after = self.visit(stmt.target, after)
            if after is None:
                return None
        root = place_root(stmt.target)
        if root is None:
            return after
        old = after.env.get(root)
        if not isinstance(stmt.target, ast.Name):  # `x.f = e`, `x[i] = e`: x is a new value
            return self.updated_in_place(after, root, old, stmt.target)
        value: ast.Expr = stmt.value
        if isinstance(stmt, ast.CompoundAssign):
            value = ast.Binary(stmt.op, stmt.target, stmt.value, span=stmt.span)
        sort = old.value.sort if old is not None and old.value is not None else None
        return self.bind(after, root, value, sort, old.kind if old else "other")

    def updated_in_place(self, state: PathState, root: str, old: Binding | None,
                         target: ast.Expr) -> PathState:
        """`x[i] = e` / `x.f = e`: a new value of the same kind; `x[i] = e` keeps the length
        (an index out of range is a run-time error, not a new element)."""
        if old is None:
            return self.unbind(state, {root})
        state = bind_value(self.symbols, state, root, None, None, old.kind)
        if (old.kind in SEQUENCE_KINDS and isinstance(target, ast.Index)
                and isinstance(target.value, ast.Name)):
            state = state.with_fact(Compare("==", self.symbols.length_of(root, state.env[root]),
                                            self.symbols.length_of(root, old)))
        return state

    def bind(self, state: PathState, name: str, value: ast.Expr, sort: Sort | None,
             kind: str) -> PathState:
        """`name = value`: a new version equal to the value when it can be followed."""
        term = self.lower_term(value, state)
        kind = kind_of_literal(value) or kind
        old = state.env.get(name)
        source = state.env.get(value.id) if isinstance(value, ast.Name) else None
        if source is not None and source.kind in SEQUENCE_KINDS:
            kind = source.kind
        record = self.constructed_record(value, state)
        before = state
        state = bind_value(self.symbols, state, name, term, sort,
                           RECORD_PREFIX + record if record else kind)
        if record is not None:
            assert isinstance(value, ast.Call)
            return self.record_facts(name, state, value, before)
        new = state.env[name]
        if kind not in SEQUENCE_KINDS:
            return state
        length = self.symbols.length_of(name, new)
        known = literal_length(value)
        if known is not None:
            return state.with_fact(Compare("==", length, IntConst(known)))
        if source is not None and isinstance(value, ast.Name):
            return state.with_fact(Compare("==", length, self.symbols.length_of(value.id, source)))
        grown = self.grown_from(value, state, name, old)
        return state.with_fact(grown) if grown is not None else state

    def constructed_record(self, value: ast.Expr, state: PathState) -> str | None:
        """`R` when `value` is a construction `R(f: …)` of one of the file's records."""
        if (isinstance(value, ast.Call) and isinstance(value.callee, ast.Name)
                and value.callee.id not in state.env and value.callee.id in self.table.records):
            return value.callee.id
        return None

    def grown_from(self, value: ast.Expr, state: PathState, name: str,
                   old: Binding | None) -> Formula | None:
        """`append(xs, x)` is one element longer than `xs`."""
        if not (isinstance(value, ast.Call) and isinstance(value.callee, ast.Name)
                and value.callee.id in GROWING_BUILTINS and value.callee.id not in state.env
                and len(value.args) == 2 and isinstance(value.args[0].value, ast.Name)):
            return None
        source_name = value.args[0].value.id
        source = old if source_name == name else state.env.get(source_name)
        if source is None or source.kind not in SEQUENCE_KINDS:
            return None
        from lumen.verify.constraints import Arith

        before = self.symbols.length_of(source_name, source)
        return Compare("==", self.symbols.length_of(name, state.env[name]),
                       Arith("+", before, IntConst(1)))

    def unbind(self, state: PathState, names: set[str]) -> PathState:
        """`names` now hold values the verifier does not follow."""
        for name in sorted(names):
            state = bind_value(self.symbols, state, name, None, None)
        return state

    # ------------------------------------------------------------------ expressions

    def visit(self, expr: object, state: PathState) -> State:
        """Check the obligations inside `expr` in evaluation order; the state after it."""
        if isinstance(expr, ast.If):
            return self.visit_if(expr, state)
        if isinstance(expr, ast.IfLet):
            after = self.visit(expr.value, state)
            if after is None:
                return None
            then = self.walk_block(expr.then, self.unbind(after, pattern_names(expr.pattern)))
            return join(self.symbols, [then, self.visit_else(expr.else_, after)])
        if isinstance(expr, ast.Match):
            return self.visit_match(expr, state)
        if isinstance(expr, ast.When):
            return self.visit_when(expr, state)
        if isinstance(expr, (ast.While, ast.WhileLet, ast.Loop)):
            return self.visit_loop(expr, state)
        if isinstance(expr, ast.For):
            return self.visit_for(expr, state)
        if isinstance(expr, ast.Binary) and expr.op in ("and", "or"):
            return self.visit_short_circuit(expr, state)
        if isinstance(expr, ast.Lambda):
            self.visit_lambda(expr, state)
            return state
        if isinstance(expr, ast.Comprehension):
            return self.visit_comprehension(expr, state)
        if isinstance(expr, ast.Handle):
            self.walk_block(expr.body, state)
            for arm in expr.arms:
                inner = self.unbind(havoc_all(self.symbols, state), {p.name for p in arm.params})
                self.walk_block(arm.body, inner)
            return havoc(self.symbols, state, assigned_names(expr))
        if isinstance(expr, ast.Block):
            return self.walk_block(expr, state)
        if isinstance(expr, ast.Call):
            return self.visit_call(expr, state)
        if isinstance(expr, ast.Index):
            after = self.visit_children(expr, state)
            if after is not None:
                self.check_index(expr, after)
            return after
        if isinstance(expr, (ast.Node, tuple)):
            return self.visit_children(expr, state)
        return state

    def visit_children(self, node: object, state: PathState) -> State:
        items = node if isinstance(node, tuple) else tuple(children(node))  # type: ignore[arg-type]
        current: State = state
        for child in items:
            if current is None:
                return None
            if isinstance(child, NOT_EVALUATED) or not isinstance(child, (ast.Node, tuple)):
                continue
            current = self.visit(child, current)
        return current

    def visit_call(self, call: ast.Call, state: PathState) -> State:
        after = self.visit_children(call, state)
        if after is not None:
            self.check_call(call, after)
        return after

    def visit_if(self, node: ast.If, state: PathState) -> State:
        after = self.visit(node.condition, state)
        if after is None:
            return None
        condition = self.lower_formula(node.condition, after)
        then = self.walk_block(node.then, after.with_fact(condition))
        return join(self.symbols, [then, self.visit_else(node.else_, after.with_fact(negation(condition)))])

    def visit_else(self, branch: ast.Block | ast.If | ast.IfLet | None, state: PathState) -> State:
        if branch is None:
            return state
        if isinstance(branch, ast.Block):
            return self.walk_block(branch, state)
        return self.visit(branch, state)

    def visit_short_circuit(self, expr: ast.Binary, state: PathState) -> State:
        """`a and b` evaluates `b` only where `a` holds (`or`: where it does not)."""
        after = self.visit(expr.left, state)
        if after is None:
            return None
        left = self.lower_formula(expr.left, after)
        self.visit(expr.right, after.with_fact(left if expr.op == "and" else negation(left)))
        return after

    def visit_match(self, node: ast.Match, state: PathState) -> State:
        after = self.visit(node.subject, state)
        if after is None:
            return None
        subject = self.lower_term(node.subject, after)
        outcomes: list[State] = []
        excluded: list[Formula] = []  # an arm is reached only when no earlier arm matched
        for arm in node.arms:
            arm_state: State = after.with_fact(conjunction(excluded))
            alternatives = [self.pattern_fact(pattern, subject) for pattern in arm.patterns]
            if all(fact is not None for fact in alternatives):
                matched = disjunction(alternatives)  # type: ignore[arg-type]
                arm_state = arm_state.with_fact(matched)
                if arm.guard is None and all(self.exact_pattern(p, subject) for p in arm.patterns):
                    excluded.append(negation(matched))
            names: set[str] = set()
            for pattern in arm.patterns:
                names |= pattern_names(pattern)
            arm_state = self.unbind(arm_state, {n for n in names if not self.is_variant(n)})
            if arm.guard is not None:
                arm_state = self.visit(arm.guard, arm_state)
                if arm_state is not None:
                    arm_state = arm_state.with_fact(self.lower_formula(arm.guard, arm_state))
            outcomes.append(self.walk_block(arm.body, arm_state) if arm_state is not None else None)
        return join(self.symbols, outcomes)

    def exact_pattern(self, pattern: ast.Pattern, subject: object) -> bool:
        """Does `pattern` match exactly when its fact holds? (A literal of another sort than
        the subject may fail to match a numerically equal value: its negation says nothing.)"""
        if isinstance(pattern, ast.WildcardPat):
            return True
        if isinstance(pattern, ast.BindPat):
            return not self.is_variant(pattern.name)
        if subject is None:
            return False
        if isinstance(pattern, ast.LiteralPat):
            literal = self.lower_term(pattern.value, PathState({}))
            return literal is not None and sort_of(literal) is sort_of(subject)  # type: ignore[arg-type]
        if isinstance(pattern, ast.RangePat):
            ends = [self.lower_term(end, PathState({})) for end in (pattern.low, pattern.high)]
            return all(end is not None and sort_of(end) is sort_of(subject) for end in ends)  # type: ignore[arg-type]
        return False

    def pattern_fact(self, pattern: ast.Pattern, subject: object) -> Formula | None:
        """What matching `pattern` says about a followed subject (None: nothing usable)."""
        if isinstance(pattern, ast.WildcardPat):
            return TRUE
        if isinstance(pattern, ast.BindPat) and not self.is_variant(pattern.name):
            return TRUE
        if subject is None:
            return None
        if isinstance(pattern, ast.LiteralPat):
            literal = self.lower_term(pattern.value, PathState({}))
            if literal is not None:
                try:
                    return self.compare("==", subject, literal)
                except ValueError:
                    return None
        if isinstance(pattern, ast.RangePat):
            low = self.lower_term(pattern.low, PathState({}))
            high = self.lower_term(pattern.high, PathState({}))
            if low is not None and high is not None:
                try:
                    return conjunction([self.compare(">=", subject, low),
                                        self.compare("<=" if pattern.inclusive else "<", subject, high)])
                except ValueError:
                    return None
        return None

    def visit_when(self, node: ast.When, state: PathState) -> State:
        outcomes: list[State] = []
        current: State = state
        for arm in node.arms:
            if current is None:
                break
            if arm.condition is None:  # `_ -> value`
                outcomes.append(self.visit(arm.value, current))
                current = None
                break
            current = self.visit(arm.condition, current)
            if current is None:
                break
            condition = self.lower_formula(arm.condition, current)
            outcomes.append(self.visit(arm.value, current.with_fact(condition)))
            current = current.with_fact(negation(condition))
        outcomes.append(current)
        return join(self.symbols, outcomes)

    def visit_loop(self, node: ast.While | ast.WhileLet | ast.Loop, state: PathState) -> State:
        """The body runs with every variable it assigns unknown, except for what the loop's
        `@invariant`s say; a `while` is left with its condition false unless a `break` may
        leave it early."""
        invariants = self.invariants.pop(id(node), [])
        self.check_invariants(invariants, state, at_entry=True)
        assigned = assigned_names(node.body)
        head: State = self.assume_invariants(invariants, havoc(self.symbols, state, assigned))
        condition: Formula = TRUE
        if isinstance(node, ast.While):
            head = self.visit(node.condition, head)
            if head is None:
                return None
            condition = self.lower_formula(node.condition, head)
        elif isinstance(node, ast.WhileLet):
            head = self.visit(node.value, head)
            if head is None:
                return None
        body_state = head.with_fact(condition)
        if isinstance(node, ast.WhileLet):
            body_state = self.unbind(body_state, pattern_names(node.pattern))
        self.end_of_body(node.body, body_state, invariants)
        if contains_break(node.body):  # left mid-body: the invariants need not hold there
            return havoc(self.symbols, state, assigned)
        if isinstance(node, ast.Loop):
            return None  # left only by return / halt
        return head.with_fact(negation(condition)) if isinstance(node, ast.While) else head

    def end_of_body(self, body: ast.Block, state: PathState, invariants: list) -> None:
        """Walk a loop body; its invariants must hold again where a pass ends (a `continue`
        ends one too, so a body with one is not checked: its state there is not kept)."""
        end = self.walk_block(body, state)
        if invariants and end is not None and not contains(body, ast.Continue):
            self.check_invariants(invariants, end, at_entry=False)

    def visit_for(self, node: ast.For, state: PathState) -> State:
        after = self.visit(node.iterable, state)
        if after is None:
            return None
        invariants = self.invariants.pop(id(node), [])
        self.check_invariants(invariants, after, at_entry=True)
        targets = pattern_names(node.target)
        assigned = assigned_names(node.body) - targets
        head = self.assume_invariants(invariants, havoc(self.symbols, self.unbind(after, targets), assigned))
        body_state: State = head
        iterable = node.iterable
        if (isinstance(node.target, ast.BindPat) and isinstance(iterable, ast.Binary)
                and iterable.op in ("..", "..=")):
            low, high = self.lower_term(iterable.left, after), self.lower_term(iterable.right, after)
            if low is not None and high is not None:
                body_state = bind_value(self.symbols, head, node.target.name, None, Sort.INT)
                index = body_state.env[node.target.name].value
                try:
                    body_state = body_state.with_fact(conjunction([
                        self.compare(">=", index, low),
                        self.compare("<=" if iterable.op == "..=" else "<", index, high)]))
                except ValueError:
                    body_state = head
        if node.filter is not None and body_state is not None:
            body_state = self.visit(node.filter, body_state)
            if body_state is not None:
                body_state = body_state.with_fact(self.lower_formula(node.filter, body_state))
        if body_state is not None:
            self.end_of_body(node.body, body_state, invariants)
        if contains_break(node.body):
            return havoc(self.symbols, self.unbind(after, targets), assigned)
        return head

    def visit_lambda(self, node: ast.Lambda, state: PathState) -> None:
        """A lambda runs later: outer variables may have changed by then. Its `return`s
        leave the lambda, so they are checked against the lambda's own return type."""
        inner = havoc_all(self.symbols, state)
        for param in node.params:
            inner = bind_value(self.symbols, inner, param.name, None, sort_of_annotation(param.type))
        enclosing, self.returns = self.returns, node.ret
        try:
            if isinstance(node.body, ast.Block):
                self.walk_block(node.body, inner)
            else:
                self.returned(node.body, self.visit(node.body, inner))
        finally:
            self.returns = enclosing

    def visit_comprehension(self, node: ast.Comprehension, state: PathState) -> State:
        inner: State = state
        for clause in node.clauses:
            if inner is None:
                return state
            inner = self.visit(clause.iterable, inner)
            if inner is not None:
                inner = self.unbind(inner, pattern_names(clause.target))
        if inner is not None and node.condition is not None:
            inner = self.visit(node.condition, inner)
            if inner is not None:
                inner = inner.with_fact(self.lower_formula(node.condition, inner))
        if inner is not None:
            self.visit(node.element, inner)
        return state
