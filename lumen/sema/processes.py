"""Declaration checks of processes: machines (§13.3, E0110-E0117) and pipelines (§13.4,
E0118-E0120)."""

from __future__ import annotations

from lumen.diagnostics import ErrorCode
from lumen.sema import messages
from lumen.sema.checker import Checker
from lumen.sema.context import FunctionContext
from lumen.sema.resolve import Scope
from lumen.sema.symbols import CellInfo
from lumen.sema.types import BOOL, Type, compatible, render
from lumen.syntax import ast

_LITERALS = (ast.IntLit, ast.FloatLit, ast.StringLit, ast.BoolLit, ast.NullLit)


def check_processes(checker: Checker) -> None:
    for process in checker.symbols.processes.values():
        if process.kind == "machine":
            checker.guarded(f"machine '{process.name}'", process, lambda p=process: _machine(checker, p))
        elif process.kind == "pipeline" and process.stages is not None:
            checker.guarded(f"pipeline '{process.name}'", process, lambda p=process: _pipeline(checker, p))


# ---------------------------------------------------------------------- machines


def _machine(checker: Checker, machine: ast.ProcessDecl) -> None:
    states = {state.name: state for state in machine.states}
    name = machine.name
    if not states:
        return
    initial = machine.initial or machine.states[0].name
    if machine.initial is not None and machine.initial not in states:
        checker.error(
            ErrorCode.MACHINE_UNKNOWN_INITIAL, messages.machine_unknown_initial(name, initial), machine
        )
    for state in machine.states:
        target = state.transition
        if target is not None and target not in states:
            checker.error(
                ErrorCode.MACHINE_UNKNOWN_TARGET,
                messages.machine_unknown_target(name, state.name, target), state,
            )
    if initial in states:
        reachable = {initial}
        frontier = [initial]
        while frontier:
            target = states[frontier.pop()].transition
            if target in states and target not in reachable:
                reachable.add(target)
                frontier.append(target)
        for state in machine.states:
            if state.name not in reachable:
                checker.error(
                    ErrorCode.MACHINE_UNREACHABLE, messages.machine_unreachable(name, state.name), state
                )
    if not any(state.terminal for state in machine.states):
        checker.error(
            ErrorCode.MACHINE_NO_TERMINAL, messages.machine_no_terminal(name, machine.span.line),
            machine,
        )
    for state in machine.states:
        _state(checker, machine, state, states)


def _state(
    checker: Checker, machine: ast.ProcessDecl, state: ast.StateDecl, states: dict[str, ast.StateDecl]
) -> None:
    params = {p.name for p in state.params}
    checker.function = FunctionContext(f"{machine.name}.{state.name}", None)
    checker.scope = Scope()
    for param in state.params:
        checker.scope.define(param.name, checker.resolver.resolve(param.type))
    if state.guard is not None:
        if _only_simple(state.guard, params, checker, machine, state, "guard"):
            found = checker.expr(state.guard)
            if not compatible(BOOL, found):
                checker.error(
                    ErrorCode.MACHINE_GUARD_NOT_BOOL,
                    messages.machine_guard_not_bool(machine.name, state.name, render(found)),
                    state.guard,
                )
    target = states.get(state.transition or "")
    arg_types: list[Type | None] = []
    for arg in state.transition_args:
        simple = _only_simple(arg, params, checker, machine, state, "transition argument")
        arg_types.append(checker.expr(arg) if simple else None)
    if target is None:
        return
    if len(state.transition_args) != len(target.params):
        checker.error(
            ErrorCode.MACHINE_ARG_COUNT,
            messages.machine_arg_count(
                machine.name, target.name, len(target.params), len(state.transition_args)
            ),
            state,
        )
        return
    for arg, found, param in zip(state.transition_args, arg_types, target.params):
        expected = checker.resolver.resolve(param.type)
        if found is not None and not compatible(expected, found):
            checker.error(
                ErrorCode.MACHINE_ARG_TYPE,
                messages.machine_arg_type(
                    machine.name, target.name, param.name, render(expected), render(found)
                ),
                arg,
            )


def _only_simple(
    expr: ast.Node, params: set[str], checker: Checker, machine: ast.ProcessDecl,
    state: ast.StateDecl, what: str,
) -> bool:
    """E0116: literals, the state's parameters and unary/binary operators only."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, _LITERALS):
            continue
        if isinstance(node, ast.Name) and node.id in params:
            continue
        if isinstance(node, ast.Unary):
            stack.append(node.operand)
        elif isinstance(node, ast.Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, ast.ChainCompare):
            stack.extend((node.left, node.middle, node.right))
        else:
            checker.error(
                ErrorCode.MACHINE_BAD_EXPR,
                messages.machine_bad_expression(machine.name, state.name, what), node,
            )
            return False
    return True


# ---------------------------------------------------------------------- pipelines


def _stage_cell(checker: Checker, pipeline: ast.ProcessDecl, stage: str) -> CellInfo | None:
    cells = checker.symbols.cells
    return cells.get(f"{pipeline.name}.{stage}") or cells.get(stage)


def _pipeline(checker: Checker, pipeline: ast.ProcessDecl) -> None:
    resolved: list[tuple[str, CellInfo]] = []
    for stage in pipeline.stages or ():
        cell = _stage_cell(checker, pipeline, stage)
        if cell is None:
            checker.error(
                ErrorCode.PIPELINE_UNKNOWN_STAGE,
                messages.pipeline_unknown_stage(pipeline.name, stage), pipeline,
            )
            continue
        data_params = [p for p in cell.params if p.name != "self"]
        if len(data_params) != 1:
            checker.error(
                ErrorCode.PIPELINE_STAGE_ARITY,
                messages.pipeline_stage_arity(pipeline.name, stage, len(data_params)), pipeline,
            )
            continue
        resolved.append((stage, cell))
    for (stage, cell), (following, next_cell) in zip(resolved, resolved[1:]):
        wanted = next(p for p in next_cell.params if p.name != "self").type
        if cell.ret is not None and not compatible(wanted, cell.ret):
            checker.error(
                ErrorCode.PIPELINE_STAGE_TYPE,
                messages.pipeline_stage_type(
                    pipeline.name, stage, following, render(cell.ret), render(wanted)
                ),
                pipeline,
            )
