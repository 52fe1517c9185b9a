"""Process run-time state and built-in process methods (§13).

All state lives in `ProcessRuntime`, a plain object held by the VM (`vm.processes`):
instance id -> memory log/store or machine position. Instances are records carrying
`__instance_id`, so copies of an instance share state and two `P()` calls do not (§9.9).
Nothing here holds Python references to frames or code, so a checkpoint can capture it.

A built-in method is a one-instruction LIR function (`PROCESS`); its constant tells which
process, kind and method, and carries the compile-time description of the process
(machine states with their guard/transition functions, configuration lines).
"""

from __future__ import annotations

import math
from functools import lru_cache

from lumen.vm import errors
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.render import display, plain
from lumen.vm.values import LSet, Record, Variant, truthy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lumen.lir.module import Module
    from lumen.vm.interpreter import VM

NO_FUNCTION = -1
EVAL_CELL = "__eval_source"


# Plain classes with __slots__ rather than dataclasses: every VM imports this module and
# creates a ProcessRuntime, and a dataclass costs far more to create at start-up.
class MemoryState:
    __slots__ = ("entries", "store")

    def __init__(self) -> None:
        self.entries: list[Any] = []
        self.store: dict[str, Any] = {}


class MachineState:
    __slots__ = ("started", "name", "payload", "steps", "terminal")

    def __init__(self) -> None:
        self.started = False
        self.name = ""
        self.payload: dict[str, Any] = {}
        self.steps = 0
        self.terminal = False


class ProcessRuntime:
    """Every instance's process state, keyed by instance id."""

    __slots__ = ("next_id", "memories", "machines")

    def __init__(self) -> None:
        self.next_id = 1
        self.memories: dict[int, MemoryState] = {}
        self.machines: dict[int, MachineState] = {}

    def new_instance(self, type_name: str, names: tuple[str, ...],
                     methods: list[Any]) -> Record:
        instance_id = self.next_id
        self.next_id += 1
        fields: dict[str, Any] = {"__instance_id": instance_id, "__process_name": type_name}
        fields.update(zip(names, methods))
        return Record(type_name, fields)


def instance_id(value: Any) -> int | None:
    if type(value) is Record:
        found = value.fields.get("__instance_id")
        if type(found) is int:
            return found
    return None


def call_method(vm: VM, descriptor: tuple[Any, ...], params: list[Any],
                variadic: bool) -> Any:
    """Run built-in method `descriptor = (process, kind, method, spec)`; `params` are the
    method function's parameter registers (receiver first, a variadic rest list last)."""
    process, kind, method, spec = descriptor
    args = list(params)
    if variadic and args:
        args[-1:] = args[-1] if type(args[-1]) is list else []
    ident = instance_id(args[0] if args else None)
    if ident is None:
        raise errors.type_error(
            f"{process}.{method} requires a process instance as the first argument")
    args = args[1:]
    if kind == "memory":
        state = vm.processes.memories.get(ident)
        if state is None:
            state = vm.processes.memories[ident] = MemoryState()
        return _memory(state, method, args)
    if kind == "machine":
        machine = vm.processes.machines.get(ident)
        if machine is None:
            machine = vm.processes.machines[ident] = MachineState()
        return Machine(vm, process, spec, machine).call(method, args)
    config = dict(spec)
    if kind == "guardrail":
        return _guardrail(config.get("schema"), _arg(args, 0))
    if kind == "eval":
        return _eval(vm, config.get("source"), args)
    if kind == "pattern":
        template = config.get("pattern")
        return None if template is None else match_template(template, _text(_arg(args, 0)))
    raise errors.undefined_cell(f"{process}.{method}")


def _arg(args: list[Any], index: int, default: Any = None) -> Any:
    value = args[index] if index < len(args) else None
    return default if value is None else value


def _count(value: Any, default: int) -> int:
    if type(value) is int:
        return value
    if type(value) is float and math.isfinite(value):
        return int(value)
    return default


def _text(value: Any) -> str:
    return value if type(value) is str else display(value)


# ------------------------------------------------------------------------ memory (§13.2)


def _memory(state: MemoryState, method: str, args: list[Any]) -> Any:
    if method in ("append", "remember"):
        state.entries.append(_arg(args, 0))
        return None
    if method == "recent":
        return _last(state.entries, _count(_arg(args, 0), 10))
    if method == "recall":  # recall(n) or recall(query, n): the query is ignored
        wanted = args[1] if len(args) > 1 else _arg(args, 0)
        return _last(state.entries, _count(wanted, 5))
    if method in ("store", "upsert"):
        state.store[plain(_arg(args, 0))] = _arg(args, 1)
        return None
    if method == "get":
        return state.store.get(plain(_arg(args, 0)))
    if method == "query":
        sub = _arg(args, 0)
        needle = None if sub is None else plain(sub)
        return [state.store[key] for key in sorted(state.store)
                if needle is None or needle in key]
    raise errors.undefined_cell(method)


def _last(entries: list[Any], n: int) -> list[Any]:
    return entries[len(entries) - n:] if n > 0 else []


# ------------------------------------------------------------------------ machine (§13.3)


class Machine:
    """One machine method call: the compile-time description plus one instance's state."""

    def __init__(self, vm: VM, process: str, spec: tuple[Any, ...],
                 state: MachineState) -> None:
        self.vm = vm
        self.process = process
        self.initial: str = spec[0]
        self.states: dict[str, tuple[Any, ...]] = {s[0]: s for s in spec[1]}
        self.state = state

    def call(self, method: str, args: list[Any]) -> Any:
        state = self.state
        if method == "start":
            self.start(args)
            return None
        if method == "step":
            if not state.started:
                self.start([])
            self.step()
            return self.record()
        if method == "run":
            if not state.started:
                self.start(args)
            self.run()
            return self.record()
        if method == "is_terminal":
            return state.terminal
        if method == "current_state":
            return self.record()
        if method == "resume_from":
            name = _arg(args, 0)
            self.enter(self.initial if name is None or name == "" else plain(name), args[1:])
            state.steps = 0
            return self.record()
        raise errors.undefined_cell(f"{self.process}.{method}")

    def record(self) -> Record:
        state = self.state
        return Record(f"{self.process}.State", {
            "name": state.name, "steps": state.steps, "terminal": state.terminal,
            "payload": dict(state.payload)})

    def start(self, args: list[Any]) -> None:
        self.enter(self.initial if self.states else "started", args)
        self.state.steps = 0

    def enter(self, name: str, args: list[Any]) -> None:
        state = self.state
        state.started = True
        state.name = name
        definition = self.states.get(name)
        if definition is None:
            state.payload = {}
            state.terminal = False
            return
        state.payload = bind_payload(definition[1], definition[2], args)
        state.terminal = definition[3]

    def step(self) -> None:
        """One `step()`: guard, then the transition if any (§13.3)."""
        state = self.state
        state.steps += 1
        if not self.states:
            state.name, state.terminal, state.payload = "terminal", True, {}
            return
        definition = self.states.get(state.name)
        if definition is None:
            return
        if self.guard_allows(definition) and definition[5]:
            self.transition(definition)
        target = self.states.get(state.name)
        state.terminal = bool(target and target[3])

    def run(self) -> None:
        state = self.state
        if not self.states:
            self.step()
            return
        for _ in range(4 * len(self.states)):
            definition = self.states.get(state.name)
            if definition is None:
                break
            state.steps += 1
            if not self.guard_allows(definition) or definition[3] or not definition[5]:
                break
            self.transition(definition)
        target = self.states.get(state.name)
        state.terminal = bool(target and target[3])

    def guard_allows(self, definition: tuple[Any, ...]) -> bool:
        guard = definition[4]
        return guard == NO_FUNCTION or truthy(self.evaluate(guard))

    def transition(self, definition: tuple[Any, ...]) -> None:
        values = self.evaluate(definition[6]) if definition[6] != NO_FUNCTION else []
        self.enter(definition[5], list(values) if type(values) is list else [])

    def evaluate(self, function: int) -> Any:
        """Call a guard/argument function with the current payload as its parameters."""
        from lumen.vm.values import Closure

        code = self.vm.codes[function]
        names = self.states[self.state.name][1]
        return self.vm.call(Closure(code, (), code.name),
                            [self.state.payload.get(n) for n in names])


def bind_payload(names: tuple[str, ...], types: tuple[str, ...],
                 values: list[Any]) -> dict[str, Any]:
    """Bind state parameters, converting to the declared type when possible (§13.3)."""
    payload: dict[str, Any] = {}
    for position, (name, type_name) in enumerate(zip(names, types)):
        if position >= len(values):
            payload[name] = None
        else:
            payload[name] = convert(values[position], type_name)
    return payload


def convert(value: Any, type_name: str) -> Any:
    kind = type_name.lower()
    t = type(value)
    if kind == "int":
        if t is int:
            return value
        return int(value) if t is float and math.isfinite(value) else None
    if kind == "float":
        if t is float:
            return value
        return float(value) if t is int else None
    if kind in ("string", "str"):
        return value if t is str else display(value)
    if kind == "bool":
        return value if t is bool else None
    return value


# ------------------------------------------------------------------------ guardrail, eval, pattern


_KINDS: dict[str, Any] = {
    "int": lambda v: type(v) is int, "float": lambda v: type(v) is float,
    "string": lambda v: type(v) is str, "bool": lambda v: type(v) is bool,
    "list": lambda v: type(v) is list, "map": lambda v: type(v) is dict,
    "tuple": lambda v: type(v) is tuple, "set": lambda v: type(v) is LSet,
    "any": lambda v: True, "null": lambda v: v is None,
}


def schema_matches(value: Any, schema: str) -> bool:
    test = _KINDS.get(schema.lower())
    if test is not None:
        return bool(test(value))
    if type(value) is Record:
        return value.type_name == schema
    return type(value) is Variant and value.enum_name == schema


def _guardrail(schema: str | None, value: Any) -> Any:
    if schema is None or schema_matches(value, schema):
        return value
    raise LumenRuntimeError(
        "type", f"Guardrail violation: value does not match schema '{schema}'")


def _eval(vm: VM, source: str | None, args: list[Any]) -> Any:
    from lumen.vm.values import Closure

    if source is not None:
        return _eval_vm(vm, source).run(EVAL_CELL, [_arg(args, 0)])
    name = _arg(args, 0)
    if name is None:
        raise errors.undefined_cell("")
    name = plain(name)
    code = vm.cell_codes.get(name)
    target = Closure(code, (), code.name) if code is not None else vm._global(name)
    return vm.call(target, args[1:])


_EVAL_VMS: Any = None  # a WeakKeyDictionary (VM -> its eval state), made on first use


def _eval_vm(vm: VM, source: str) -> VM:
    """A VM running the program linked with the compiled `source`, sharing the program's
    process state and output (one per program VM and source text)."""
    global _EVAL_VMS
    if _EVAL_VMS is None:
        from weakref import WeakKeyDictionary

        _EVAL_VMS = WeakKeyDictionary()
    cache = _EVAL_VMS.setdefault(vm, {})
    child = cache.get(source)
    if child is None:
        compiled = compile_eval_source(source)
        if isinstance(compiled, str):
            raise LumenRuntimeError("type", f"eval compilation failed: {compiled}")
        child = type(vm)(link_eval_module(vm.module, compiled), vm.options)
        child.processes = vm.processes
        child.rng = vm.rng
        child.write_stdout = vm.write_stdout  # type: ignore[method-assign]
        cache[source] = child
    return child


@lru_cache(maxsize=64)
def compile_eval_source(source: str) -> Module | str:
    """Compile `source` as the body of `cell __eval_source(input) -> Any`; returns the
    module, or the first error message. Uses the earlier pipeline stages lazily."""
    from lumen.diagnostics import Severity
    from lumen.lir.lower import lower_program
    from lumen.syntax import parse

    body = "\n".join("  " + line for line in source.splitlines() or [""])
    text = f"cell {EVAL_CELL}(input) -> Any\n{body}\nend\n"
    parsed = parse(text, "<eval>")
    problems = [d for d in parsed.diagnostics if d.severity is Severity.ERROR]
    if problems:
        return problems[0].message
    return lower_program(parsed.program, None, file="<eval>")


def link_eval_module(program: Module, snippet: Module) -> Module:
    """Append the snippet's functions to the program's, so the eval body sees the
    program's cells: function operands shift, and names the snippet could only treat as
    builtins (`CALLBUILTIN`/`GLOBAL`) bind to program cells first, as in the program."""
    from dataclasses import replace

    from lumen.lir.module import Instr
    from lumen.lir.opcodes import OP_INFO, Op

    offset = len(program.functions)
    cells = program.entry_points
    linked = []
    for function in snippet.functions:
        code = []
        for instr in function.code:
            op, operands = instr.op, [instr.a, instr.b, instr.c]
            for position, letter in enumerate(OP_INFO[op].format):
                if letter == "F":
                    operands[position] += offset
            if op in (Op.CALLBUILTIN, Op.GLOBAL):
                target = cells.get(function.constants[instr.b])
                if target is not None:
                    op = Op.CALLCELL if op == Op.CALLBUILTIN else Op.FUNCREF
                    operands[1] = target
            code.append(Instr(op, *operands))
        linked.append(replace(function, code=tuple(code)))
    entry_points = dict(cells)
    entry_points[EVAL_CELL] = offset + snippet.entry_points[EVAL_CELL]
    return replace(program, functions=(*program.functions, *linked),
                   entry_points=entry_points)


def match_template(template: str, text: str) -> dict[str, Any] | None:
    """Match `text` against `{name}` placeholders (§13.6); captures or None."""
    literals: list[str] = []
    names: list[str] = []
    rest = template
    while True:
        start = rest.find("{")
        end = rest.find("}", start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            literals.append(rest)
            break
        literals.append(rest[:start])
        names.append(rest[start + 1:end])
        rest = rest[end + 1:]
    if not text.startswith(literals[0]):
        return None
    position = len(literals[0])
    captures: dict[str, Any] = {}
    for index, name in enumerate(names):
        following = literals[index + 1]
        if index == len(names) - 1:
            if not text.endswith(following) or len(text) - len(following) < position:
                return None
            captures[name] = text[position:len(text) - len(following)]
            position = len(text)
        else:
            found = text.find(following, position)
            if found < 0:
                return None
            captures[name] = text[position:found]
            position = found + len(following)
    if not names and text != literals[0]:
        return None
    return captures
