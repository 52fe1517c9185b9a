"""Lowering of agents and processes (§5.9, §5.10, §13).

An agent or process `P` becomes:

- its user cells `P.m`, lowered like any cell with an implicit first parameter `self`;
- one function per built-in method the kind provides and no user cell shadows. Pipelines
  and orchestrations get real LIR code (`run` calls the resolved stage cells in order);
  every other built-in method is a single `PROCESS` instruction whose constant describes
  the process (`lumen.vm.processes` interprets it against the instance's run-time state);
- for machines, one small function per guard and per transition (arguments as a list),
  taking the state's parameters, so guards run in the payload scope;
- a constructor `P()` that builds the instance record with `INSTANCE`.

Descriptors are plain constant tuples, so the module stays msgpack-serialisable without
new module fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumen.lir.lower_builder import FunctionBuilder
from lumen.lir.lower_scan import nested_declarations
from lumen.lir.module import Constant, Function, ParamInfo
from lumen.lir.opcodes import Op
from lumen.syntax import ast

if TYPE_CHECKING:
    from lumen.lir.lower import ModuleContext

NO_FUNCTION = -1
SELF_NONE = -1  # stage is a plain cell: call it with the value only
SELF_CURRENT = -2  # stage is a method of this process: pass the running instance

# Built-in methods by kind and their parameters ("..." marks a variadic rest).
BUILTIN_METHODS: dict[str, dict[str, tuple[str, ...]]] = {
    "memory": {
        "append": ("x",), "remember": ("x",), "recent": ("n",), "recall": ("...args",),
        "store": ("key", "value"), "upsert": ("key", "value"), "get": ("key",),
        "query": ("sub",),
    },
    "machine": {
        "start": ("...args",), "step": (), "run": ("...args",), "is_terminal": (),
        "current_state": (), "resume_from": ("name", "...args"),
    },
    "pipeline": {"run": ("input",)},
    "orchestration": {"run": ("input",)},
    "guardrail": {"run": ("value",)},
    "eval": {"run": ("...args",)},
    "pattern": {"run": ("text",)},
}


def collect_instance_type(mod: ModuleContext, decl: ast.AgentDecl | ast.ProcessDecl) -> None:
    """Register an agent or process: its user cells (implicit `self`), its built-in
    methods, and the local declarations inside its cells (hoisted, §5.14)."""
    if decl.name in mod.agents or decl.name in mod.processes:
        return
    if isinstance(decl, ast.AgentDecl):
        mod.agents[decl.name] = decl
    else:
        mod.processes[decl.name] = decl
    for cell in decl.cells:
        mod.add_cell(f"{decl.name}.{cell.name}", cell, implicit_self=True)
    if isinstance(decl, ast.ProcessDecl):
        user = {cell.name for cell in decl.cells}
        for method in BUILTIN_METHODS.get(decl.kind, {}):
            qualified = f"{decl.name}.{method}"
            if method not in user and qualified not in mod.cells:
                index = mod.reserve()
                mod.cells[qualified] = index
                mod.process_builtins[index] = (decl.name, method)
    for cell in decl.cells:
        mod.collect(tuple(nested_declarations(cell)))


def method_names(mod: ModuleContext, decl: ast.AgentDecl | ast.ProcessDecl) -> tuple[str, ...]:
    """The callable fields of an instance: user cells, then unshadowed built-ins."""
    names = [cell.name for cell in decl.cells]
    if isinstance(decl, ast.ProcessDecl):
        names.extend(BUILTIN_METHODS.get(decl.kind, {}))
    return tuple(name for name in dict.fromkeys(names) if f"{decl.name}.{name}" in mod.cells)


def reserve_constructors(mod: ModuleContext) -> None:
    for name in (*mod.agents, *mod.processes):
        mod.constructors.setdefault(name, mod.reserve())


def lower_instance_types(mod: ModuleContext) -> None:
    """Constructors and built-in methods (call after the user cells are lowered)."""
    for decl in (*mod.agents.values(), *mod.processes.values()):
        mod.functions[mod.constructors[decl.name]] = _constructor(mod, decl)
    for index, (process_name, method) in mod.process_builtins.items():
        decl = mod.processes[process_name]
        mod.functions[index] = _builtin_method(mod, decl, method)


# ------------------------------------------------------------------------ constructors


def _constructor(mod: ModuleContext, decl: ast.AgentDecl | ast.ProcessDecl) -> Function:
    """`P()`: a record with a fresh `__instance_id`, `__process_name` and one callable
    field per method (§13.1)."""
    b = FunctionBuilder(decl.name, (), display_name=decl.name)
    b.position = (decl.span.line, decl.span.column)
    names = method_names(mod, decl)
    base = b.alloc(len(names))
    for offset, method in enumerate(names):
        b.emit(Op.FUNCREF, base + offset, mod.cells[f"{decl.name}.{method}"])
    result = b.alloc()
    b.emit(Op.INSTANCE, result, b.const((decl.name, names)), base)
    b.emit(Op.RETURN, result)
    return b.finish()


# ------------------------------------------------------------------------ built-in methods


def _params(method_params: tuple[str, ...]) -> tuple[ParamInfo, ...]:
    return (ParamInfo("self"), *(
        ParamInfo(p.removeprefix("..."), variadic=p.startswith("...")) for p in method_params))


def _builtin_method(mod: ModuleContext, decl: ast.ProcessDecl, method: str) -> Function:
    name = f"{decl.name}.{method}"
    params = _params(BUILTIN_METHODS[decl.kind][method])
    b = FunctionBuilder(name, params, display_name=name)
    b.position = (decl.span.line, decl.span.column)
    b.alloc(len(params))
    if decl.kind in ("pipeline", "orchestration"):
        _stage_runner(mod, b, decl)
        return b.finish()
    result = b.alloc()
    spec = _spec(mod, decl)
    b.emit(Op.PROCESS, result, b.const((decl.name, decl.kind, method, spec)), 0)
    b.emit(Op.RETURN, result)
    return b.finish()


def _spec(mod: ModuleContext, decl: ast.ProcessDecl) -> Constant:
    if decl.kind == "machine":
        return _machine_spec(mod, decl)
    if decl.kind == "memory":
        return ()
    return tuple((entry.key, _config_text(entry.value)) for entry in decl.config)


def _config_text(value: ast.Node) -> str:
    """Configuration values are recorded as strings (§13.6): a string literal gives its
    text, a template such as `"{a}-{b}"` its source text, anything else its source."""
    from lumen.syntax.printer import print_expr

    if isinstance(value, ast.StringLit):
        return value.value
    if isinstance(value, ast.InterpString):
        pieces = []
        for part in value.parts:
            if isinstance(part, str):
                pieces.append(part)
            else:
                spec = f":{part.spec}" if part.spec is not None else ""
                pieces.append("{" + print_expr(part.expr) + spec + "}")
        return "".join(pieces)
    return print_expr(value)


# ------------------------------------------------------------------------ pipelines


def _stage_runner(mod: ModuleContext, b: FunctionBuilder, decl: ast.ProcessDecl) -> None:
    """`run(self, input)`: a pipeline threads the value through its stages and returns the
    last result (`input` with no stages); an orchestration calls every stage with `input`
    and returns the list of results (§13.4, §13.5)."""
    self_reg, input_reg = 0, 1
    chain = decl.kind == "pipeline"
    stages = decl.stages or ()
    results = b.alloc(len(stages)) if not chain else input_reg
    for position, stage in enumerate(stages):
        index, self_mode = _resolve_stage(mod, decl, stage)
        out = input_reg if chain else results + position
        if index == NO_FUNCTION:
            b.emit(Op.UNDEFINED, b.const(stage))
            continue
        call = b.alloc(3)
        argc = 1
        if self_mode == SELF_NONE:
            b.move(call + 1, input_reg)
        else:
            if self_mode == SELF_CURRENT:
                b.move(call + 1, self_reg)
            else:
                b.emit(Op.CALLCELL, call + 1, self_mode, 0)
            b.move(call + 2, input_reg)
            argc = 2
        b.emit(Op.CALLCELL, call, index, argc)
        b.move(out, call)
        b.release(call)
    if chain:
        b.emit(Op.RETURN, input_reg)
        return
    out = b.alloc()
    b.emit(Op.NEWLIST, out, results, len(stages))
    b.emit(Op.RETURN, out)


def _resolve_stage(mod: ModuleContext, decl: ast.ProcessDecl, stage: str) -> tuple[int, int]:
    """A cell inside the process first, then a top-level cell (dotted names allowed).
    Returns (function index, how the receiver is passed)."""
    for candidate in (f"{decl.name}.{stage}", stage):
        index = mod.cells.get(candidate)
        if index is None:
            continue
        owner = candidate.rpartition(".")[0]
        if owner == decl.name:
            return index, SELF_CURRENT
        if owner in mod.agents or owner in mod.processes:
            return index, mod.constructors[owner]  # `Other.m` on the type: a fresh instance
        return index, SELF_NONE
    return NO_FUNCTION, SELF_NONE


# ------------------------------------------------------------------------ machines


def _machine_spec(mod: ModuleContext, decl: ast.ProcessDecl) -> Constant:
    """(initial, states); a state is (name, parameter names, parameter type names,
    terminal, guard function, target or "", transition-arguments function)."""
    cache = mod.machine_specs.get(decl.name)
    if cache is not None:
        return cache
    states = []
    for state in decl.states:
        names = tuple(p.name for p in state.params)
        types = tuple(_type_name(p.type) for p in state.params)
        guard = NO_FUNCTION
        if state.guard is not None:
            guard = _state_function(mod, decl, state, "guard", state.guard)
        arguments = NO_FUNCTION
        if state.transition is not None:
            arguments = _state_function(mod, decl, state, "transition",
                                        ast.ListLit(state.transition_args, span=state.span))
        states.append((state.name, names, types, bool(state.terminal), guard,
                       state.transition or "", arguments))
    initial = decl.initial or (decl.states[0].name if decl.states else "")
    spec = (initial, tuple(states))
    mod.machine_specs[decl.name] = spec
    return spec


def _type_name(t: ast.Node | None) -> str:
    """The conversion target of a payload parameter ("" = keep the value as it is)."""
    if isinstance(t, ast.NamedType) and not t.args:
        return t.name
    return ""


def _state_function(mod: ModuleContext, decl: ast.ProcessDecl, state: ast.StateDecl,
                    what: str, body: ast.Node) -> int:
    """A function of the state's parameters returning `body` (guard or argument list)."""
    from lumen.lir.lower import CellLowerer

    name = f"{decl.name}.{state.name}.<{what}>"
    params = tuple(ParamInfo(p.name) for p in state.params)
    b = FunctionBuilder(name, params, display_name=name)
    lowerer = CellLowerer(mod, b)
    lowerer.at(body if body.span.line else state)
    for param in state.params:
        b.declare_local(param.name)
    b.emit(Op.RETURN, lowerer.expr(body))
    index = mod.reserve()
    mod.functions[index] = b.finish()
    return index
