"""The obligations of the walk: call-site preconditions, record field constraints, index
bounds and proof hints; plus lowering expressions in the current state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lumen.diagnostics import ErrorCode, Severity, Span
from lumen.sema import Analysis
from lumen.sema.symbols import CellInfo
from lumen.syntax import ast
from lumen.syntax.printer import print_expr
from lumen.verify import messages
from lumen.verify.constraints import (
    NUMERIC_BUILTINS,
    TRUE,
    Compare,
    Formula,
    IntConst,
    Lowering,
    Neg,
    Sort,
    Term,
    Unsupported,
    Var,
    conjunction,
    is_numeric,
    numeric_builtin,
    sort_of,
)
from lumen.verify.hints import HintIndex, ProofHint
from lumen.verify.obligations import Obligation, Prover
from lumen.verify.state import RECORD_PREFIX, PathState, Symbols
from lumen.verify.syntax_facts import (
    free_names,
    length_argument,
    literal_length,
    sort_of_annotation,
    sort_of_type,
    source_text,
    split_conjuncts,
)
from lumen.verify.z3_backend import Verdict, Z3Backend

_LITERALS = (ast.IntLit, ast.FloatLit, ast.BoolLit)
LOOPS = (ast.While, ast.WhileLet, ast.Loop, ast.For)


class Checks:
    """The state-independent parts of the walk (walker.py adds the traversal): the file's
    declarations, the solver, the proof hints, and what each obligation asks."""

    def __init__(self, program: ast.Program, analysis: Analysis, file: str, code: str,
                 backend: Z3Backend, verbose: bool = False,
                 imported_cells: Mapping[str, ast.CellDecl] | None = None) -> None:
        self.program = program
        self.table = analysis.symbols
        self.let_types = analysis.let_types
        self.file = file
        self.lines = code.split("\n")
        self.verbose = verbose
        self.symbols = Symbols()
        self.prover = Prover(backend, self.symbols, file)
        self.hints = HintIndex(code, file)
        self.cell_infos: dict[int, CellInfo] = {id(info.decl): info for info in self.table.cells.values()}
        self.pending_cells: list[ast.CellDecl] = []
        self.invariants: dict[int, list[ProofHint]] = {}  # by id() of the loop they precede
        self._unfolding: set[str] = set()  # cells being unfolded (no recursion)
        self._refuted_fields: set[tuple[int, str]] = set()  # (id of construction, field)
        # Cells other modules declare, by the name this file imports them under.
        self.imported_cells: Mapping[str, ast.CellDecl] = imported_cells or {}
        self._noted: set[tuple[int, int]] = set()
        self.local_names: frozenset[str] = frozenset()  # every name the walked body binds
        self.returns: ast.TypeExpr | None = None  # the return type of the body being walked

    # ------------------------------------------------------------------ lowering

    def lowering(self, state: PathState, reasons: list[str] | None = None,
                 opaque: bool = True) -> Lowering:
        def resolve_name(name: str) -> Term | Formula | None:
            binding = state.env.get(name)
            if binding is not None:
                return binding.value
            return self.constant(name)

        def resolve_call(call: ast.Call) -> Term | Formula | None:
            if self.is_local_call(call, state):
                return None
            found = self.length_term(call, state)
            return found if found is not None else self.call_term(call, lambda e: self.lower_term(e, state))

        return Lowering(resolve_name, resolve_call, self.symbols.opaque if opaque else None, reasons,
                        lambda attr: self.field_term(attr, state))

    def is_local_call(self, call: ast.Call, state: PathState) -> bool:
        """Does the callee name a variable (bound here, or anywhere in the body being walked:
        bindings are cell-scoped) rather than a declared cell or builtin?"""
        callee = call.callee
        return isinstance(callee, ast.Name) and (callee.id in state.env or callee.id in self.local_names)

    def field_term(self, attr: ast.Attr, state: PathState) -> Term | None:
        """`o.f` of a variable holding a record of a known type (one variable per version)."""
        if not isinstance(attr.value, ast.Name):
            return None
        binding = state.env.get(attr.value.id)
        if binding is None or not binding.kind.startswith(RECORD_PREFIX):
            return None
        record = self.table.records.get(binding.kind[len(RECORD_PREFIX):])
        field = record.fields.get(attr.name) if record is not None else None
        sort = sort_of_type(field.type) if field is not None else None
        if sort is None:
            return None
        return self.symbols.field_of(attr.value.id, binding, attr.name, sort)

    def record_facts(self, name: str, state: PathState, site: ast.Call,
                     before: PathState) -> PathState:
        """What a record value `name` is known to hold: the field values it was built with
        (lowered in `before`), and the `where` of each supplied field, which construction
        checks at run time (§5.3: a violation halts, so past it the constraint holds)."""
        assert isinstance(site.callee, ast.Name)
        info = self.table.records.get(site.callee.id)
        binding = state.env.get(name)
        if info is None or binding is None:
            return state
        supplied = {arg.name: arg.value for arg in site.args if arg.name and not arg.spread}
        for field in info.decl.fields:
            sort = sort_of_type(info.fields[field.name].type) if field.name in info.fields else None
            if sort is None or field.name not in supplied:
                continue
            var = self.symbols.field_of(name, binding, field.name, sort)
            value = self.lower_term(supplied[field.name], before)
            if value is not None and (sort_of(value) is Sort.BOOL) == (sort is Sort.BOOL):
                state = state.with_fact(Compare("==", var, value))
            # A construction reported as failing is not assumed to pass: the rest of the
            # path would be vacuous and its other problems unreported.
            if field.where is not None and (id(site), field.name) not in self._refuted_fields:
                state = state.with_fact(self._field_constraint(field, var))
        return state

    def _field_constraint(self, field: ast.FieldDecl, var: Var) -> Formula:
        assert field.where is not None

        def resolve_name(name: str) -> Term | Formula | None:
            return var if name == field.name else self.constant(name)

        return Lowering(resolve_name, None, self.symbols.opaque, []).formula(field.where)

    def parameter_record_facts(self, name: str, state: PathState) -> PathState:
        """A record parameter's fields without defaults were supplied, hence checked, when it
        was built: their constraints hold (a default is not checked at run time)."""
        binding = state.env.get(name)
        if binding is None or not binding.kind.startswith(RECORD_PREFIX):
            return state
        info = self.table.records.get(binding.kind[len(RECORD_PREFIX):])
        if info is None:
            return state
        for field in info.decl.fields:
            sort = sort_of_type(info.fields[field.name].type) if field.name in info.fields else None
            if field.where is not None and field.default is None and sort is not None:
                var = self.symbols.field_of(name, binding, field.name, sort)
                state = state.with_fact(self._field_constraint(field, var))
        return state

    def lower_formula(self, expr: ast.Expr, state: PathState, reasons: list[str] | None = None) -> Formula:
        """A condition; parts outside the constraint language become unknown Bools."""
        return self.lowering(state, reasons).formula(expr)

    def lower_term(self, expr: ast.Expr, state: PathState) -> Term | Formula | None:
        """A value the verifier can follow exactly, else None."""
        try:
            return self.lowering(state, opaque=False).term(expr)
        except Unsupported:
            return None

    def constant(self, name: str) -> Term | Formula | None:
        """A `const` whose value is a (possibly negated) literal."""
        decl = self.table.constants.get(name)
        if decl is None or not isinstance(decl.value, (*_LITERALS, ast.Unary)):
            return None
        try:
            return Lowering(lambda _: None).term(decl.value)
        except Unsupported:
            return None

    def length_term(self, call: ast.Call, state: PathState) -> Term | None:
        """`length(xs)` of a variable (one solver variable per version) or of a literal."""
        target = length_argument(call)
        if target is None or (isinstance(call.callee, ast.Name) and call.callee.id in state.env):
            return None
        known = literal_length(target)
        if known is not None:
            return IntConst(known)
        if isinstance(target, ast.Name) and target.id in state.env:
            return self.symbols.length_of(target.id, state.env[target.id])
        return None

    def call_term(self, call: ast.Call,
                  lower_argument: Callable[[ast.Expr], Term | Formula | None]) -> Term | Formula | None:
        """A numeric builtin (`abs`, `min`, `max`, `clamp`) or an unfolded cell call."""
        found = self.builtin_term(call, lower_argument)
        return found if found is not None else self.unfold(call, lower_argument)

    def builtin_term(self, call: ast.Call,
                     lower_argument: Callable[[ast.Expr], Term | Formula | None]) -> Term | None:
        callee = call.callee
        if (not isinstance(callee, ast.Name) or callee.id not in NUMERIC_BUILTINS
                or callee.id in self.table.cells):  # a cell of that name is not the builtin
            return None
        if any(arg.name is not None or arg.spread for arg in call.args):
            return None
        values = [lower_argument(arg.value) for arg in call.args]
        if any(value is None for value in values):
            return None
        return numeric_builtin(callee.id, values)  # type: ignore[arg-type]

    def unfold(self, call: ast.Call,
               lower_argument: Callable[[ast.Expr], Term | Formula | None]) -> Term | Formula | None:
        """The value of a call of one of this file's expression-bodied cells
        (`cell double(n: Int) -> Int = n * 2`) when its body is in the constraint language:
        the body with the arguments for the parameters (recursion is not unfolded)."""
        if not isinstance(call.callee, ast.Name):
            return None
        name = call.callee.id
        info = self.table.cells.get(name)
        if (info is None or info.owner is not None or name in self._unfolding
                or not info.decl.expr_body or info.decl.body is None or info.decl.is_async):
            return None
        decl = info.decl
        arguments = bind_arguments(call, decl.params)
        if arguments is None:
            return None
        values: dict[str, Term | Formula] = {}
        for param in decl.params:
            if param.name in arguments:
                value = lower_argument(arguments[param.name])
            else:
                value = self.lower_term(param.default, PathState({})) if param.default else None
            if value is None:
                return None
            values[param.name] = value

        def lower_inner(expr: ast.Expr) -> Term | Formula | None:
            try:
                return body.term(expr)
            except Unsupported:
                return None

        body = Lowering(lambda n: values[n] if n in values else self.constant(n),
                        lambda inner: self.call_term(inner, lower_inner))
        self._unfolding.add(name)
        try:
            return body.term(decl.body)  # type: ignore[arg-type]
        except Unsupported:
            return None
        finally:
            self._unfolding.discard(name)

    @staticmethod
    def compare(op: str, left: Any, right: Any) -> Formula:
        if is_numeric(left) != is_numeric(right):
            raise ValueError("sorts differ")
        return Compare(op, left, right)

    def is_variant(self, name: str) -> bool:
        return name in self.table.variants

    # ------------------------------------------------------------------ cell entry

    def entry_facts(self, decl: ast.CellDecl, state: PathState) -> list[Formula]:
        """The cell's own precondition and refined parameter types hold on entry."""
        facts: list[Formula] = []
        if decl.where is not None:
            reasons: list[str] = []
            facts.append(self.lower_formula(decl.where, state, reasons))
            self.note_unverifiable(f"the precondition of '{decl.name}'", decl.where, reasons)
        for param in decl.params:
            refinement = self.refinement(param)
            binding = state.env.get(param.name)
            if refinement is not None and binding is not None:
                alias, where = refinement
                facts.append(self._alias_formula(alias, where, binding.value, state))
        return facts

    def refinement(self, param: ast.Param) -> tuple[str, ast.Expr] | None:
        """`(alias, constraint)` when the parameter's type is an alias with a `where`."""
        return self.refined_alias(param.type)

    def refined_alias(self, written: ast.TypeExpr | None) -> tuple[str, ast.Expr] | None:
        """`(alias, constraint)` when a written type names an alias with a `where`."""
        if isinstance(written, ast.NamedType) and not written.args:
            alias = self.table.aliases.get(written.name)
            if alias is not None and alias.where is not None and not alias.generics:
                return alias.name, alias.where
        return None

    def check_refinement(self, written: ast.TypeExpr | None, value: ast.Expr, state: PathState,
                         span: Span, what: str, label: str) -> None:
        """A `let x: Percent = e` or a value returned as `-> Percent` must be able to satisfy
        the alias's `where` (nothing checks it at run time)."""
        refined = self.refined_alias(written)
        if refined is None:
            return
        term = self.lower_term(value, state)
        if term is None:
            return
        alias, where = refined
        goal = self._alias_formula(alias, where, term, state)
        obligation = Obligation(goal, state, span, ((label, term),))
        answer = self.prover.ask(obligation)
        if answer.verdict is Verdict.REFUTED:
            message = messages.refinement_violated(what, alias, self.text(where))
            self.prover.report(ErrorCode.REFINEMENT_VIOLATED, message, obligation, answer)

    def _alias_formula(self, alias: str, where: ast.Expr, value: Term | Formula | None,
                       state: PathState) -> Formula:
        def resolve_name(name: str) -> Term | Formula | None:
            return value if name == alias else self.constant(name)

        return Lowering(resolve_name, None, self.symbols.opaque, []).formula(where)

    # ------------------------------------------------------------------ calls

    def check_call(self, call: ast.Call, state: PathState) -> None:
        if not isinstance(call.callee, ast.Name) or self.is_local_call(call, state):
            return  # a call of a local function value: no declared contract
        name = call.callee.id
        info = self.table.cells.get(name)
        if info is not None and info.owner is None:
            sorts = [sort_of_type(p.type) for p in info.params]
            self.check_precondition(call, info.decl, sorts, state, local=True)
        elif name in self.table.records:
            self.check_record(call, self.table.records[name].decl, state)
        elif name in self.imported_cells:
            decl = self.imported_cells[name]
            sorts = [sort_of_annotation(p.type) for p in decl.params]
            self.check_precondition(call, decl, sorts, state, local=False)

    def check_precondition(self, call: ast.Call, decl: ast.CellDecl, sorts: list[Sort | None],
                           state: PathState, local: bool) -> None:
        """`local`: the callee is declared in this file, so its aliases and constants are
        this file's (an imported cell's are not looked up: names may differ in meaning)."""
        refined = [(param, self.refinement(param) if local else None) for param in decl.params]
        if decl.where is None and all(r is None for _, r in refined):
            return
        arguments = bind_arguments(call, decl.params)
        if arguments is None:
            return
        values: dict[str, Term | Formula] = {}
        for index, param in enumerate(decl.params):
            expr = arguments.get(param.name, param.default if local else None)
            value = self.lower_term(expr, state) if expr is not None else None
            if value is None:
                sort = sorts[index] if index < len(sorts) else None
                if sort is None:
                    continue
                value = self.symbols.fresh(param.name, sort, "argument")
            values[param.name] = value
        parts: list[Formula] = []
        lengths: dict[str, Term] = {}  # `length(p)` -> the argument's length, for the hint
        conjuncts: list[tuple[str, Formula]] = []
        if decl.where is not None:
            lowering = self._callee_lowering(arguments, values, state, local, lengths)
            for conjunct in split_conjuncts(decl.where):
                formula = lowering.formula(conjunct)
                parts.append(formula)
                conjuncts.append((self.text(conjunct) if local else print_expr(conjunct), formula))
        for param, refinement in refined:
            if refinement is not None and param.name in values:
                parts.append(self._alias_formula(*refinement, values[param.name], state))
        goal = conjunction(parts)
        if goal == TRUE:
            return
        mentioned = free_names(decl.where) if decl.where is not None else set()
        mentioned |= {param.name for param, refinement in refined if refinement is not None}
        shown = tuple((p.name, values[p.name]) for p in decl.params
                      if p.name in mentioned and p.name in values) + tuple(lengths.items())
        obligation = Obligation(goal, state, call.span, shown, tuple(conjuncts))
        answer = self.prover.ask(obligation)
        if answer.verdict is Verdict.REFUTED:
            if decl.where is None:
                text = self._refinement_text(refined)
            else:  # an imported cell's text is in its own file: print it instead
                text = self.text(decl.where) if local else print_expr(decl.where)
            self.prover.report(ErrorCode.PRECONDITION_VIOLATED,
                               messages.precondition_violated(decl.name, text), obligation, answer)

    def _callee_lowering(self, arguments: Mapping[str, ast.Expr],
                         values: Mapping[str, Term | Formula], state: PathState,
                         local: bool, lengths: dict[str, Term]) -> Lowering:
        """The callee's precondition read at the call: parameters are the arguments, and
        `length(p)` is the length of the argument passed for `p` (noted in `lengths`)."""
        def resolve_call(inner: ast.Call) -> Term | None:
            target = length_argument(inner)
            if not (isinstance(target, ast.Name) and target.id in arguments):
                return None
            argument = arguments[target.id]
            known = literal_length(argument)
            found: Term | None = None
            if known is not None:
                found = IntConst(known)
            elif isinstance(argument, ast.Name) and argument.id in state.env:
                found = self.symbols.length_of(argument.id, state.env[argument.id])
            if found is not None:
                lengths[f"length({target.id})"] = found
            return found

        def resolve_any_call(inner: ast.Call) -> Term | Formula | None:
            found = resolve_call(inner)
            if found is None and local:  # an imported cell's callees are not this file's
                return self.call_term(inner, lower_argument)
            return found

        def lower_argument(expr: ast.Expr) -> Term | Formula | None:
            try:
                return Lowering(resolve_name, resolve_any_call).term(expr)
            except Unsupported:
                return None

        def resolve_name(name: str) -> Term | Formula | None:
            if name in values:
                return values[name]
            return self.constant(name) if local else None

        return Lowering(resolve_name, resolve_any_call, self.symbols.opaque, [])

    def _refinement_text(self, refined: list[tuple[ast.Param, tuple[str, ast.Expr] | None]]) -> str:
        return " and ".join(f"{param.name}: {r[0]} where {self.text(r[1])}"
                            for param, r in refined if r is not None)

    def check_record(self, call: ast.Call, record: ast.RecordDecl, state: PathState) -> None:
        constrained = {field.name: field for field in record.fields if field.where is not None}
        for arg in call.args:
            field = constrained.get(arg.name or "")
            if field is not None and not arg.spread:
                if self.check_field_value(record, field, arg.value, state, call.span) is Verdict.REFUTED:
                    self._refuted_fields.add((id(call), field.name))

    def check_field_defaults(self) -> None:
        """A default value is not checked at run time (§5.3 checks supplied fields only), so
        a default that can never satisfy its field's `where` is reported at the field."""
        for info in self.table.records.values():
            for field in info.decl.fields:
                if field.where is not None and field.default is not None:
                    self.check_field_value(info.decl, field, field.default, PathState({}), field.span)

    def check_field_value(self, record: ast.RecordDecl, field: ast.FieldDecl, expr: ast.Expr,
                          state: PathState, span: Span) -> Verdict | None:
        assert field.where is not None
        value = self.lower_term(expr, state)
        known_length = literal_length(expr)
        if value is None and known_length is None:
            return None

        def resolve_call(inner: ast.Call) -> Term | None:
            target = length_argument(inner)
            if isinstance(target, ast.Name) and target.id == field.name and known_length is not None:
                return IntConst(known_length)
            return None

        def resolve_name(name: str) -> Term | Formula | None:
            return value if name == field.name else self.constant(name)

        goal = Lowering(resolve_name, resolve_call, self.symbols.opaque, []).formula(field.where)
        shown = ((field.name, value),) if value is not None else ()
        obligation = Obligation(goal, state, span, shown)
        answer = self.prover.ask(obligation)
        if answer.verdict is Verdict.REFUTED:
            message = messages.field_constraint_violated(record.name, field.name, self.text(field.where))
            self.prover.report(ErrorCode.FIELD_CONSTRAINT_VIOLATED, message, obligation, answer)
        return answer.verdict

    # ------------------------------------------------------------------ bounds

    def check_index(self, node: ast.Index, state: PathState) -> None:
        """Report `xs[i]` when `i` is outside `-length(xs) .. length(xs) - 1` on every path."""
        if node.safe:
            return
        container = node.value
        length: Term | None = None
        if isinstance(container, ast.Name):
            binding = state.env.get(container.id)
            if binding is None or binding.kind not in ("list", "string", "tuple"):
                return
            length = self.symbols.length_of(container.id, binding)
        else:
            known = literal_length(container) if isinstance(container, (ast.ListLit, ast.TupleLit)) else None
            if known is None:
                return
            length = IntConst(known)
        index = self.lower_term(node.index, state)
        if index is None or sort_of(index) is not Sort.INT:
            return
        goal = conjunction([Compare(">=", index, Neg(length)), Compare("<", index, length)])
        shown = () if isinstance(index, IntConst) else ((self.text(node.index), index),)
        obligation = Obligation(goal, state, node.span, shown)
        answer = self.prover.ask(obligation)
        if answer.verdict is Verdict.REFUTED:
            message = messages.index_out_of_bounds(self.text(node.index), self.text(container))
            self.prover.report(ErrorCode.INDEX_OUT_OF_BOUNDS, message, obligation, answer)

    # ------------------------------------------------------------------ proof hints

    def apply_hints(self, stmt: ast.Stmt, state: PathState) -> PathState:
        if not stmt.span.line:
            return state
        for hint in self.hints.before(stmt.span.line):
            if hint.kind == "invariant":  # kept for the loop this statement starts
                loop = stmt.expr if isinstance(stmt, ast.ExprStmt) else None
                if isinstance(loop, LOOPS):
                    self.invariants.setdefault(id(loop), []).append(hint)
                continue
            state = self.apply_hint(hint, state)
        return state

    def check_invariants(self, hints: list[ProofHint], state: PathState, at_entry: bool) -> None:
        """Each `@invariant` must hold when its loop starts and after each pass of its body."""
        for hint in hints:
            reasons: list[str] = []
            condition = self.lower_formula(hint.condition, state, reasons)
            obligation = Obligation(condition, state, hint.span)
            answer = self.prover.ask(obligation)
            if answer.verdict is Verdict.REFUTED:
                self.prover.report(ErrorCode.INVARIANT_VIOLATED,
                                   messages.invariant_violated(hint.text, at_entry), obligation, answer)
            elif answer.verdict is Verdict.POSSIBLE and not reasons:
                self.prover.report(ErrorCode.INVARIANT_UNPROVED,
                                   messages.invariant_unproved(hint.text, at_entry), obligation, answer,
                                   severity=Severity.WARNING)

    def assume_invariants(self, hints: list[ProofHint], state: PathState) -> PathState:
        for hint in hints:
            state = state.with_fact(self.lower_formula(hint.condition, state))
        return state

    def apply_hint(self, hint: ProofHint, state: PathState) -> PathState:
        reasons: list[str] = []
        condition = self.lower_formula(hint.condition, state, reasons)
        if hint.kind == "assert" and not self.prove_assertion(hint, condition, state, reasons):
            return state  # assuming a false assertion would make the rest of the path vacuous
        return state.with_fact(condition)

    def prove_assertion(self, hint: ProofHint, condition: Formula, state: PathState,
                        reasons: list[str]) -> bool:
        """Report what the solver says about an `@assert`; False when it is refuted."""
        obligation = Obligation(condition, state, hint.span)
        answer = self.prover.ask(obligation)
        if answer.verdict is Verdict.REFUTED:
            self.prover.report(ErrorCode.ASSERTION_VIOLATED, messages.assertion_violated(hint.text),
                               obligation, answer)
            return False
        if answer.verdict is Verdict.POSSIBLE and not reasons:
            self.prover.report(ErrorCode.ASSERTION_UNPROVED, messages.assertion_unproved(hint.text),
                               obligation, answer, severity=Severity.WARNING)
        elif answer.verdict is not Verdict.PROVED:
            self.note_unverifiable(f"@assert `{hint.text}`", hint.span, reasons or ["the solver gave up"])
        return True

    # ------------------------------------------------------------------ notes

    def note_unverifiable(self, what: str, where: Any, reasons: list[str]) -> None:
        """With --verbose: say which constraints the verifier could not reason about."""
        if not (self.verbose and reasons):
            return
        span = where if not isinstance(where, ast.Node) else where.span
        key = (span.line, span.column)
        if key in self._noted:
            return
        self._noted.add(key)
        self.prover.note(messages.unverifiable(what, reasons), span)

    def text(self, node: ast.Node) -> str:
        return source_text(self.lines, node)

    def record_notes(self) -> None:
        """With --verbose: field and alias constraints outside the constraint language."""
        if not self.verbose:
            return
        for record in self.table.records.values():
            for field in record.decl.fields:
                if field.where is not None:
                    sort = sort_of_type(record.fields[field.name].type) if field.name in record.fields else None
                    self._note_constraint(f"the constraint of field '{field.name}'", field.where,
                                          field.name, sort)
        for alias in self.table.aliases.values():
            if alias.where is not None:
                sort = sort_of_type(self.table.alias_types.get(alias.name))
                self._note_constraint(f"the constraint of type '{alias.name}'", alias.where,
                                      alias.name, sort)

    def _note_constraint(self, what: str, where: ast.Expr, subject: str, sort: Sort | None) -> None:
        reasons: list[str] = []
        value = self.symbols.fresh(subject, sort, "bound") if sort is not None else None

        def resolve_call(call: ast.Call) -> Term | None:  # `length(subject)` is understood
            target = length_argument(call)
            if isinstance(target, ast.Name) and target.id == subject:
                return Var(f"length({subject})", Sort.INT, nonnegative=True)
            return None

        Lowering(lambda name: value if name == subject else self.constant(name), resolve_call,
                 self.symbols.opaque, reasons).formula(where)
        self.note_unverifiable(what, where, reasons)


def bind_arguments(call: ast.Call, params: tuple[ast.Param, ...]) -> dict[str, ast.Expr] | None:
    """Parameter name -> argument expression (§5.1 binding); None when the binding is not
    static (spreads, variadics, role blocks) or is wrong (the checker reports that)."""
    bound: dict[str, ast.Expr] = {}
    positional = [p for p in params]
    index = 0
    names = {p.name for p in params}
    for arg in call.args:
        if arg.spread or isinstance(arg.value, ast.RoleBlock):
            return None
        if arg.name is None:
            if index >= len(positional) or positional[index].variadic:
                return None
            bound[positional[index].name] = arg.value
            index += 1
        else:
            if arg.name not in names or arg.name in bound:
                return None
            bound[arg.name] = arg.value
    return bound

