"""The less frequent instructions of the VM, one small handler per opcode.

Each handler gets the VM, the current frame, its registers, the operands and the pc of the
next instruction, and returns the pc to continue at. Handlers that call a closure push a
frame with `VM._push`; the dispatch loop notices and switches to it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from lumen.lir.opcodes import Op
from lumen.vm import errors, ops
from lumen.vm.format_spec import format_spec
from lumen.vm.frames import MISSING, Frame, bind_arguments
from lumen.vm.render import display, plain
from lumen.vm.values import (
    Closure,
    Composed,
    LSet,
    Record,
    Variant,
    truthy,
    values_equal,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lumen.vm.interpreter import VM

UNIQUE_REFS = 3
Handler = Callable[["VM", Frame, "list[Any]", int, int, int, int], int]
HANDLERS: dict[int, Handler] = {}


def handles(*opcodes: Op) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for opcode in opcodes:
            HANDLERS[int(opcode)] = fn
        return fn

    return register


def slow_op(vm: VM, frame: Frame, op: int, a: int, b: int, c: int, pc: int) -> int:
    handler = HANDLERS.get(op)
    if handler is None:
        raise errors.internal(f"unknown opcode {op}")
    return handler(vm, frame, frame.regs, a, b, c, pc)


# ------------------------------------------------------------------------ arithmetic

_BINARY: dict[int, Callable[[Any, Any], Any]] = {
    Op.DIV: ops.div, Op.FLOORDIV: ops.floordiv, Op.POW: ops.pow_, Op.CONCAT: ops.concat,
    Op.BAND: ops.band, Op.BOR: ops.bor, Op.BXOR: ops.bxor, Op.SHL: ops.shl, Op.SHR: ops.shr,
    Op.SPACESHIP: ops.spaceship, Op.ADD: ops.add, Op.SUB: ops.sub, Op.MUL: ops.mul,
    Op.MOD: ops.mod,
}


@handles(Op.DIV, Op.FLOORDIV, Op.POW, Op.CONCAT, Op.BAND, Op.BOR, Op.BXOR, Op.SHL, Op.SHR,
         Op.SPACESHIP)
def _binary(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = _BINARY[frame.code.instrs[pc - 1][0]](regs[b], regs[c])
    return pc


@handles(Op.IN)
def _in(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = ops.contains(regs[c], regs[b])
    return pc


@handles(Op.NEG)
def _neg(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = ops.neg(regs[b])
    return pc


@handles(Op.BNOT)
def _bnot(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = ops.bnot(regs[b])
    return pc


@handles(Op.NOT)
def _not(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = not truthy(regs[b])
    return pc


@handles(Op.TRUTHY)
def _truthy(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = truthy(regs[b])
    return pc


@handles(Op.RANGE, Op.RANGEINC)
def _range(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    inclusive = frame.code.instrs[pc - 1][0] == Op.RANGEINC
    regs[a] = ops.make_range(regs[b], regs[c], inclusive)
    return pc


@handles(Op.IS, Op.TESTTYPE)
def _is(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    if frame.code.instrs[pc - 1][0] == Op.IS:
        regs[a] = ops.is_type(regs[b], frame.code.constants[c])
        return pc
    return pc if ops.is_type(regs[a], frame.code.constants[b]) else c


@handles(Op.AS)
def _as(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = ops.as_convert(regs[b], frame.code.constants[c])
    return pc


@handles(Op.EXPECT)
def _expect(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = ops.expect_schema(regs[b], frame.code.constants[c])
    return pc


# ------------------------------------------------------------------------ strings


@handles(Op.TOSTR)
def _tostr(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    x = regs[b]
    regs[a] = x if type(x) is str else plain(x)
    return pc


@handles(Op.FORMAT)
def _format(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = format_spec(regs[b], frame.code.constants[c])
    return pc


@handles(Op.JOINSTR)
def _join(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = "".join(regs[b:b + c])
    return pc


# ------------------------------------------------------------------------ collections


@handles(Op.NEWLIST)
def _newlist(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = regs[b:b + c]
    return pc


@handles(Op.NEWTUPLE)
def _newtuple(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = tuple(regs[b]) if c < 0 else tuple(regs[b:b + c])
    return pc


@handles(Op.NEWSET)
def _newset(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = LSet(regs[b:b + c])
    return pc


@handles(Op.TOSET)
def _toset(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = LSet(regs[b])
    return pc


def _key(k: Any) -> str:
    return k if type(k) is str else plain(k)


@handles(Op.NEWMAP)
def _newmap(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = {_key(regs[b + 2 * i]): regs[b + 2 * i + 1] for i in range(c)}
    return pc


@handles(Op.LISTPUSH)
def _listpush(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a].append(regs[b])
    return pc


@handles(Op.LISTEXTEND)
def _listextend(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int,
                pc: int) -> int:
    value = regs[b]
    if value is not None:
        regs[a].extend(ops.iterate(value) if type(value) is not dict else value.keys())
    return pc


@handles(Op.MAPPUT)
def _mapput(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a][_key(regs[b])] = regs[c]
    return pc


@handles(Op.MAPMERGE)
def _mapmerge(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[b]
    if type(value) is dict:
        regs[a].update(value)
    elif type(value) is Record:
        regs[a].update(value.fields)
    elif value is not None:
        raise errors.type_error(f"cannot spread {display(value)} into a map")
    return pc


@handles(Op.SLICEFROM)
def _slicefrom(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[b]
    regs[a] = list(value[c:]) if type(value) in (list, tuple) else []
    return pc


@handles(Op.FORPREP)
def _forprep(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = ops.iterate(regs[b])
    regs[a + 1] = 0
    return pc


@handles(Op.POSGET)
def _posget(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[b]
    t = type(value)
    if t is tuple or t is list:
        regs[a] = value[c] if -len(value) <= c < len(value) else None
    else:
        regs[a] = ops.pos_access(value, c)
    return pc


@handles(Op.SETATTR)
def _setattr(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    x = regs[a]
    name = frame.code.constants[b]
    if type(x) is Record and sys.getrefcount(x) == UNIQUE_REFS and \
            sys.getrefcount(x.fields) == UNIQUE_REFS - 1:
        x.fields[name] = regs[c]
    elif type(x) is dict and sys.getrefcount(x) == UNIQUE_REFS:
        x[name] = regs[c]
    else:
        regs[a] = ops.set_attr(x, name, regs[c])
    return pc


# ------------------------------------------------------------------------ results and null


@handles(Op.JMPNULL)
def _jmpnull(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    return b if regs[a] is None else pc


@handles(Op.JMPNOTNULL)
def _jmpnotnull(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int,
                pc: int) -> int:
    return b if regs[a] is not None else pc


def _result_tag(v: Any) -> str | None:
    if type(v) is Variant and v.enum_name == "result" and v.tag in ("ok", "err"):
        return v.tag
    return None


@handles(Op.COALESCE)
def _coalesce(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[b]
    if value is None:
        return pc
    tag = _result_tag(value)
    if tag == "err":
        return pc
    regs[a] = value.payload if tag == "ok" else value
    return c


@handles(Op.UNWRAP)
def _unwrap(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[b]
    if value is None:
        raise errors.halt("null assertion failed")
    tag = _result_tag(value)
    if tag == "err":
        raise errors.halt("result unwrap failed: value is err")
    regs[a] = value.payload if tag == "ok" else value
    return pc


@handles(Op.ERRJMP)
def _errjmp(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[b]
    if _result_tag(value) == "err":
        regs[a] = value.payload
        return pc
    return c


@handles(Op.OKVALUE)
def _okvalue(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[b]
    regs[a] = value.payload if _result_tag(value) == "ok" else value
    return pc


# ------------------------------------------------------------------------ patterns


@handles(Op.TESTTAG)
def _testtag(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[a]
    _enum, tag = frame.code.constants[b]
    return pc if type(value) is Variant and value.tag == tag else c


@handles(Op.TESTEQ)
def _testeq(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    return pc if values_equal(regs[a], frame.code.constants[b]) else c


@handles(Op.TESTTUPLE)
def _testtuple(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[a]
    return pc if type(value) is tuple and len(value) == b else c


@handles(Op.TESTLIST)
def _testlist(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[a]
    return pc if type(value) is list and len(value) == b else c


@handles(Op.TESTLISTMIN)
def _testlistmin(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int,
                 pc: int) -> int:
    value = regs[a]
    return pc if type(value) is list and len(value) >= b else c


@handles(Op.TESTRECORD)
def _testrecord(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int,
                pc: int) -> int:
    value = regs[a]
    return pc if type(value) is Record and value.type_name == frame.code.constants[b] else c


@handles(Op.PAYLOAD)
def _payload(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    value = regs[b]
    if type(value) is not Variant:
        regs[a] = None
    elif c < 0:
        regs[a] = value.payload
    else:
        items = value.payload_items()
        regs[a] = items[c] if c < len(items) else None
    return pc


# ------------------------------------------------------------------------ construction


@handles(Op.VARIANT)
def _variant(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    enum_name, tag, count = frame.code.constants[b]
    if count == 0:
        payload = None
    elif count == 1:
        payload = regs[c]
    else:
        payload = tuple(regs[c:c + count])
    regs[a] = Variant(enum_name, tag, payload)
    return pc


@handles(Op.RECORD)
def _record(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    type_name, names = frame.code.constants[b]
    regs[a] = Record(type_name, dict(zip(names, regs[c:c + len(names)])))
    return pc


@handles(Op.CLOSURE)
def _closure(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    code = vm.codes[b]
    regs[a] = Closure(code, tuple(regs[c:c + code.ncaptures]), code.name)
    return pc


@handles(Op.FUNCREF)
def _funcref(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    code = vm.codes[b]
    regs[a] = Closure(code, (), code.name)
    return pc


@handles(Op.GLOBAL)
def _global(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = vm._global(frame.code.constants[b])
    return pc


@handles(Op.COMPOSE)
def _compose(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    regs[a] = Composed(regs[b], regs[c])
    return pc


# ------------------------------------------------------------------------ calls


def _take(regs: list[Any], start: int, count: int) -> list[Any]:
    values = regs[start:start + count]
    regs[start:start + count] = [None] * count
    return values


@handles(Op.CALLX)
def _callx(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    fn = regs[a]
    positional, named = vm._split_args(_take(regs, a + 1, b), frame.code.constants[c])
    vm._invoke_value(frame, fn, positional, named, a)
    return pc


@handles(Op.CALLCELLX)
def _callcellx(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int,
               pc: int) -> int:
    shape = frame.code.constants[c]
    positional, named = vm._split_args(_take(regs, a + 1, len(shape)), shape)
    callee = vm.codes[b]
    vm._push(frame, callee, bind_arguments(callee, positional, named), a)
    return pc


@handles(Op.INVOKE)
def _invoke(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    name, shape = frame.code.constants[b]
    receiver = regs[a + 1]
    positional, named = vm._split_args(_take(regs, a + 2, c), shape)
    regs[a + 1] = None
    fn, prepend = vm._resolve_method(receiver, name)
    if prepend:
        positional.insert(0, receiver)
    receiver = None
    vm._invoke_value(frame, fn, positional, named, a)
    return pc


# ------------------------------------------------------------------------ cell machinery


@handles(Op.DEFAULT)
def _default(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    return b if regs[a] is not MISSING else pc


@handles(Op.DEFER)
def _defer(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    if frame.defers is None:
        frame.defers = [a]
    else:
        frame.defers.append(a)
    return pc


@handles(Op.HALT)
def _halt(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    raise errors.halt(plain(regs[a]))


@handles(Op.CONSTRAINT)
def _constraint(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int,
                pc: int) -> int:
    if not truthy(regs[a]):
        raise errors.halt(f"Constraint failed for field '{frame.code.constants[b]}'")
    return pc


@handles(Op.EMIT)
def _emit(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    vm.write_stdout(display(regs[a]) + "\n")
    return pc


@handles(Op.UNDEFINED)
def _undefined(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int,
               pc: int) -> int:
    raise errors.undefined_cell(frame.code.constants[a])


@handles(Op.INSTANCE)
def _instance(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    type_name, names = frame.code.constants[b]
    regs[a] = vm.processes.new_instance(type_name, names, regs[c:c + len(names)])
    return pc


@handles(Op.PROCESS)
def _process(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    from lumen.vm.processes import call_method

    code = frame.code
    regs[a] = call_method(vm, code.constants[b], regs[c:c + code.nparams], code.variadic)
    return pc


@handles(Op.NOP)
def _nop(vm: VM, frame: Frame, regs: list[Any], a: int, b: int, c: int, pc: int) -> int:
    return pc
