"""Tool calls in the VM (§12.2, §12.4): `TOOLCALL`, and `perform` of an effect bound to a
tool (§11.5, §11.6).

The VM's part is small: build the argument map (named arguments by name, positional ones
as `arg0`, `arg1`, …, spread lists continue the positions and spread maps add their
entries), convert it to JSON values (§10.11), hand a `ToolCall` to the run's tool session
(`vm.tools`, a `lumen.runtime.session.RunSession`), and turn the JSON answer back into
Lumen values. Everything else (grants, providers, retries, traces, typed outputs) is the
runtime's; a call under `expect schema T` passes T's schema and gets the validated value.
"""

from __future__ import annotations

import math
from functools import lru_cache

from lumen.lir.opcodes import Op
from lumen.vm import errors
from lumen.vm.frames import Frame
from lumen.vm.interpreter_slow import handles
from lumen.vm.values import Closure, LSet, Record, ToolRef, fits_i64

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lumen.lir.module import Module
    from lumen.vm.interpreter import VM

NO_SESSION_HINT = ("map the tool id to a provider in lumen.toml: [providers] \"{tool}\" = "
                   "\"PROVIDER\"")


@handles(Op.TOOLCALL)
def _toolcall(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    alias, shape, member, schema = frame.code.constants[b]
    values = regs[a + 1:a + 1 + c]
    regs[a + 1:a + 1 + c] = [None] * c
    regs[a] = call_tool(vm, frame, pc, alias, argument_map(shape, values), member,
                        output_schema(schema))
    return pc


@lru_cache(maxsize=256)
def output_schema(text: str) -> dict[str, Any] | None:
    """The schema constant of a TOOLCALL (JSON text, "" for none), parsed once."""
    import json  # tool calls only; json costs ~2 ms to import at start-up

    return json.loads(text) if text else None


def argument_map(shape: tuple[str, ...], values: list[Any]) -> dict[str, Any]:
    """§12.2: named arguments under their names, positional ones under `arg0`, `arg1`, …"""
    args: dict[str, Any] = {}
    position = 0
    for name, value in zip(shape, values):
        if name == "*":
            if type(value) is dict:
                args.update(value)
                continue
            if type(value) not in (list, tuple, LSet):
                raise errors.type_error(f"cannot spread {type(value).__name__} into a tool call")
            for item in value:
                args[f"arg{position}"] = item
                position += 1
        elif name:
            args[name] = value
        else:
            args[f"arg{position}"] = value
            position += 1
    return args


def call_tool(vm: VM, frame: Frame | None, pc: int, alias: str, args: dict[str, Any],
              member: str = "", schema: dict[str, Any] | None = None) -> Any:
    """Run one tool call for the instruction before `pc`; returns its Lumen value.
    `member`: the call was `alias.member(…)`, a call of the tool `ID.member`. `schema`: the
    call's expected output (§12.6); the session then answers with the validated Lumen value."""
    from lumen.vm.builtins.data_formats import to_json_data

    info = vm.module.tools.get(alias)
    # An undeclared alias (E0104 for a checked program) stands for the tool id it spells.
    tool_id, version = (info.tool_id, info.version) if info is not None else (alias, None)
    policy = dict(info.policy) if info is not None else {}
    if member:
        tool_id = f"{tool_id}.{member}"
    session = getattr(vm, "tools", None)
    if session is None:
        raise errors.tool_error(f"no provider configured for tool {tool_id}",
                                NO_SESSION_HINT.format(tool=tool_id))
    line, column = frame.code.line_at(pc - 1) if frame is not None else (0, 0)
    file, cell = (frame.code.file, frame.code.name) if frame is not None \
        else (vm.module.file, "")
    from lumen.runtime.calls import ToolCall, ToolError

    call = ToolCall(alias, tool_id, version,
                    {key: to_json_data(value) for key, value in args.items()},
                    policy, file, line, column, cell)
    try:
        if schema is not None:
            value = session.call_tool(call, schema=schema)
            return fill_defaults(vm, value, schema) if has_defaults(schema) else value
        result = session.call_tool(call)
    except ToolError as error:
        raise errors.tool_error(error.message, error.hint) from None
    try:
        return from_json(result)
    except ValueError as exc:
        raise errors.tool_error(f"tool execution failed: {exc}") from None


def has_defaults(schema: Any) -> bool:
    """Whether a typed output's schema holds a record field with a default."""
    if isinstance(schema, dict):
        return bool(schema.get("defaults")) or any(has_defaults(v) for v in schema.values())
    if isinstance(schema, list):
        return any(has_defaults(v) for v in schema)
    return False


def fill_defaults(vm: VM, value: Any, schema: dict[str, Any]) -> Any:
    """A typed tool answer with the record fields it left out filled by their defaults: a
    record missing one is rebuilt by its constructor cell, which evaluates the defaults
    (and checks the record's `where` constraints) like `T(field: …)` in the program."""
    kind = schema.get("kind") if isinstance(schema, dict) else None
    t = type(value)
    if kind == "Optional":
        return fill_defaults(vm, value, schema.get("inner", {}))
    if kind == "Record" and t is Record:
        fields_schema = schema.get("fields", {})
        fields = {name: fill_defaults(vm, item, fields_schema.get(name, {}))
                  for name, item in value.fields.items()}
        if all(name in fields for name in schema.get("defaults", ())):
            return Record(value.type_name, fields)
        info = next((r for r in vm.module.records if r.name == value.type_name), None)
        if info is None:  # no constructor to ask (a toolchain bug): leave the fields out
            return Record(value.type_name, fields)
        code = vm.codes[info.constructor]
        return vm._call_value(Closure(code, (), code.name), [], fields)
    if kind in ("List", "Set") and t in (list, LSet):
        items = [fill_defaults(vm, item, schema.get("items", {})) for item in value]
        return LSet(items) if t is LSet else items
    if kind == "Tuple" and t is tuple and schema.get("items"):
        return tuple(fill_defaults(vm, item, s) for item, s in zip(value, schema["items"]))
    if kind == "Map" and t is dict:
        return {k: fill_defaults(vm, item, schema.get("values", {})) for k, item in value.items()}
    return value


def tool_values(module: Module) -> dict[str, ToolRef]:
    """Every tool alias of the module as a value (the VM's globals, §12.2)."""
    return {alias: ToolRef(alias) for alias in module.tools}


def call_tool_value(vm: VM, ref: ToolRef, args: list[Any],
                    named: dict[str, Any] | None) -> Any:
    """A call through a tool alias used as a value (`let f = Chat` … `f(prompt: q)`): the
    same argument map and grants as `Chat(prompt: q)`, at the calling instruction."""
    mapped: dict[str, Any] = {f"arg{k}": value for k, value in enumerate(args)}
    mapped.update(named or {})
    compiled = _compiled_caller(vm)
    if compiled is not None:
        code, pc = compiled
        return call_tool(vm, Frame(code, [], 0), pc + 1, ref.alias, mapped)
    frame = vm.frames[-1] if vm.frames else None
    return call_tool(vm, frame, frame.pc if frame is not None else 0, ref.alias, mapped)


def _compiled_caller(vm: VM) -> tuple[Any, int] | None:
    """(code, pc) of the calling instruction when the caller is a cell compiled by the
    Python tier (it keeps no interpreter frame): the innermost `<pytier …>` Python frame
    above this call, mapped through the tier's line table; None for an interpreted one."""
    import sys

    tier = getattr(vm, "pytier", None)
    if tier is None:
        return None
    python_frame = sys._getframe(2)
    while python_frame is not None:
        f_code = python_frame.f_code
        if f_code.co_filename.startswith("<pytier "):
            table = tier.line_tables.get(f_code.co_name)
            if table is None:
                return None
            index = int(f_code.co_name.lstrip("GEF"))
            lineno = python_frame.f_lineno
            return vm.codes[index], table[lineno] if lineno < len(table) else 0
        if f_code.co_name == "_execute" or f_code.co_filename.endswith("interpreter_slow.py"):
            return None  # the interpreter's loop called: vm.frames[-1] is the caller
        python_frame = python_frame.f_back
    return None


def call_bound_tool(vm: VM, frame: Frame, pc: int, alias: str, names: tuple[str, ...],
                    args: list[Any]) -> Any:
    """A `perform E.op(args)` routed to a tool by `bind effect` (§11.5): the arguments as a
    map keyed by the operation's parameter names (extra ones as `argN`)."""
    mapped = {(names[k] if k < len(names) else f"arg{k}"): value
              for k, value in enumerate(args)}
    return call_tool(vm, frame, pc, alias, mapped)


def from_json(value: Any) -> Any:
    """A provider's JSON value as a Lumen value: objects -> maps, arrays -> lists, integers
    that fit -> Int, other numbers -> Float (§10.11)."""
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if fits_i64(value) else float(value)
    if t is float:
        if not math.isfinite(value):
            raise ValueError("the result holds a non-finite number")
        return value
    if t is list or t is tuple:
        return [from_json(item) for item in value]
    if t is dict:
        return {str(key): from_json(item) for key, item in value.items()}
    raise ValueError(f"the result is not JSON (a {t.__name__})")



def record_effect(vm: VM, frame: Frame, pc: int, effect_op: str, args: list[Any]) -> None:
    """An `effect` trace event for a `perform` (nothing unless the run records a trace or
    re-enacts one):
    the effect operation, the performing cell, its call site and its arguments as JSON."""
    session = vm.tools
    if not getattr(session, "records_events", False):
        return
    from lumen.vm.builtins.data_formats import to_json_data

    line, column = frame.code.line_at(pc - 1)
    session.event("effect", cell=frame.code.name, message=effect_op,
                  details={"at": f"{frame.code.file}:{line}:{column}",
                           "args": [to_json_data(value) for value in args]})
