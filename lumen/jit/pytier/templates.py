"""Per-opcode Python templates (lowering by registry, like Numba's `@lower_builtin`).

Each template gets the `Emit` context and the instruction operands and returns Python
statement text for straight-line ops, or a `Cond` for two-way branches (the branch's test
and the statements each way runs first). Registers are the locals `r0..rN`; helpers and
constants are globals of the tier's shared namespace (see `runtime.py` for their names).

Fast paths repeat the interpreter's (lumen/vm/interpreter.py) and call the same `ops.*`
helper otherwise, so results and error messages are identical.
"""

from __future__ import annotations

from collections.abc import Callable

from lumen.jit.pytier.inference import is_list_kind
from lumen.lir.opcodes import Op

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lumen.jit.pytier.emit import Emit

LO = "-9223372036854775808"
HI = "9223372036854775807"


def r(n: int) -> str:
    return f"r{n}"


Template = Callable[["Emit", int, int, int, int], object]
TEMPLATES: dict[Op, Template] = {}


def template(*opcodes: Op) -> Callable[[Template], Template]:
    def register(fn: Template) -> Template:
        for opcode in opcodes:
            TEMPLATES[opcode] = fn
        return fn

    return register


# ------------------------------------------------------------------------ moves, constants


@template(Op.MOVE)
def _move(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return "" if a == b else f"{r(a)} = {r(b)}"


@template(Op.LOADK)
def _loadk(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = {e.const(b)}"


@template(Op.LOADI)
def _loadi(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = {b}"


@template(Op.LOADNULL)
def _loadnull(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = None"


@template(Op.LOADBOOL)
def _loadbool(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = {b != 0}"


@template(Op.NOP)
def _nop(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return ""


# ------------------------------------------------------------------------ arithmetic


def _checked_binary(e: Emit, a: int, b: int, c: int, symbol: str, helper: str) -> str:
    x, y = r(b), r(c)
    kx, ky = e.kind(b), e.kind(c)
    if kx == "int" and ky == "int":
        return (f"_r = {x} {symbol} {y}\n"
                f"{r(a)} = _r if {LO} <= _r <= {HI} else {helper}({x}, {y})")
    if kx == "float" and ky == "float":
        return f"{r(a)} = {x} {symbol} {y}"
    if symbol == "+" and (kx == "str" or ky == "str"):
        # ops.add: plain renderings concatenate; an int renders as str(x).
        return f"{r(a)} = {_as_str(e, b)} + {_as_str(e, c)}"
    text = (f"if type({x}) is int and type({y}) is int:\n"
            f"    _r = {x} {symbol} {y}\n"
            f"    {r(a)} = _r if {LO} <= _r <= {HI} else {helper}({x}, {y})\n"
            f"elif type({x}) is float and type({y}) is float:\n"
            f"    {r(a)} = {x} {symbol} {y}\n")
    if symbol == "+":
        text += f"elif type({x}) is str and type({y}) is str:\n    {r(a)} = {x} + {y}\n"
    return text + f"else:\n    {r(a)} = {helper}({x}, {y})"


def _as_str(e: Emit, reg: int) -> str:
    """The plain rendering of a register as an expression (§9.8)."""
    x, kind = r(reg), e.kind(reg)
    if kind == "str":
        return x
    if kind == "int":
        return f"str({x})"
    return f"({x} if type({x}) is str else _plain({x}))"


@template(Op.ADD)
def _add(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return _checked_binary(e, a, b, c, "+", "_add")


@template(Op.SUB)
def _sub(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return _checked_binary(e, a, b, c, "-", "_sub")


@template(Op.MUL)
def _mul(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return _checked_binary(e, a, b, c, "*", "_mul")


def _immediate(e: Emit, a: int, b: int, amount: int, helper: str) -> str:
    """ADDI/SUBI with the immediate folded into a sum: only one bound can be crossed."""
    x = r(b)
    bound = f"_r <= {HI}" if amount >= 0 else f"_r >= {LO}"
    fast = f"_r = {x} + {amount}\n{r(a)} = _r if {bound} else {helper}({x}, {amount})"
    if e.is_int(b):
        return fast
    return (f"if type({x}) is int:\n" + _indent(fast) +
            f"\nelse:\n    {r(a)} = {helper}({x}, {amount})")


@template(Op.ADDI)
def _addi(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    if pc in e.bounded:
        return f"{r(a)} += 1"
    return _immediate(e, a, b, c, "_add")


@template(Op.SUBI)
def _subi(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    # x - c crosses the lower bound when c >= 0.
    x = r(b)
    bound = f"_r >= {LO}" if c >= 0 else f"_r <= {HI}"
    fast = f"_r = {x} - {c}\n{r(a)} = _r if {bound} else _sub({x}, {c})"
    if e.is_int(b):
        return fast
    return f"if type({x}) is int:\n" + _indent(fast) + f"\nelse:\n    {r(a)} = _sub({x}, {c})"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.split("\n"))


def _positive_divisor(e: Emit, pc: int, reg: int) -> int | None:
    """A positive Int constant in `reg`: `%` and `//` of an Int by it need no test (Python's
    results are then the Euclidean ones and cannot overflow)."""
    value = e.constant_before(pc, reg)
    return value if type(value) is int and value > 0 else None


@template(Op.MOD)
def _mod(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    x, y = r(b), r(c)
    divisor = _positive_divisor(e, pc, c)
    if divisor is not None and e.is_int(b):
        return f"{r(a)} = {x} % {divisor}"
    if e.is_int(b) and e.is_int(c):
        return f"{r(a)} = {x} % {y} if {y} > 0 else _mod({x}, {y})"
    return (f"{r(a)} = {x} % {y} if type({x}) is int and type({y}) is int and {y} > 0 "
            f"else _mod({x}, {y})")


@template(Op.DIV)
def _div(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    x, y = r(b), r(c)
    return (f"{r(a)} = {x} / {y} if type({x}) is float and type({y}) is float and {y} "
            f"else _div({x}, {y})")


@template(Op.FLOORDIV)
def _floordiv(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    # Euclidean and floor division agree for a positive divisor (and cannot overflow).
    x, y = r(b), r(c)
    divisor = _positive_divisor(e, pc, c)
    if divisor is not None and e.is_int(b):
        return f"{r(a)} = {x} // {divisor}"
    ints = "" if e.is_int(b) and e.is_int(c) else f"type({x}) is int and type({y}) is int and "
    return f"{r(a)} = {x} // {y} if {ints}{y} > 0 else _floordiv({x}, {y})"


_BINARY_HELPERS = {
    Op.POW: "_pow", Op.CONCAT: "_concat", Op.BAND: "_band",
    Op.BOR: "_bor", Op.BXOR: "_bxor", Op.SHL: "_shl", Op.SHR: "_shr",
    Op.SPACESHIP: "_spaceship",
}


@template(*_BINARY_HELPERS)
def _binary(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = {_BINARY_HELPERS[e.op_at(pc)]}({r(b)}, {r(c)})"


@template(Op.NEG)
def _neg(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = -{r(b)} if type({r(b)}) is float else _neg({r(b)})"


@template(Op.BNOT)
def _bnot(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _bnot({r(b)})"


def truthy_expr(x: str, kind: str | None = None) -> str:
    if kind == "bool":
        return x
    return f"({x} is True or ({x} is not False and {x} is not None and _truthy({x})))"


@template(Op.NOT)
def _not(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = not {truthy_expr(r(b), e.kind(b))}"


@template(Op.TRUTHY)
def _truthy_op(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = {truthy_expr(r(b), e.kind(b))}"


# ------------------------------------------------------------------------ comparisons

_COMPARE = {Op.LT: ("<", "_lt"), Op.LE: ("<=", "_le"), Op.GT: (">", "_gt"),
            Op.GE: (">=", "_ge")}
_COMPARE_JUMP = {Op.LTJF: Op.LT, Op.LEJF: Op.LE, Op.GTJF: Op.GT, Op.GEJF: Op.GE}


def compare_expr(e: Emit, op: Op, x_reg: int, y_reg: int) -> str:
    x, y = r(x_reg), r(y_reg)
    symbol, helper = _COMPARE[op]
    kx, ky = e.kind(x_reg), e.kind(y_reg)
    if kx == ky and kx in ("int", "float", "str") or \
            kx in ("int", "float") and ky in ("int", "float"):
        return f"{x} {symbol} {y}"
    return (f"({x} {symbol} {y} if type({x}) is int and type({y}) is int "
            f"else {helper}({x}, {y}))")


def equal_expr(e: Emit, x_reg: int, y_reg: int, negate: bool) -> str:
    x, y = r(x_reg), r(y_reg)
    symbol = "!=" if negate else "=="
    slow = f"not _veq({x}, {y})" if negate else f"_veq({x}, {y})"
    kx, ky = e.kind(x_reg), e.kind(y_reg)
    if kx == ky and kx in ("int", "str", "bool"):
        return f"{x} {symbol} {y}"
    return (f"({x} {symbol} {y} if type({x}) is type({y}) and (type({x}) is int or "
            f"type({x}) is str) else {slow})")


@template(Op.LT, Op.LE, Op.GT, Op.GE)
def _compare(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = {compare_expr(e, e.op_at(pc), b, c)}"


@template(Op.EQ, Op.NE)
def _equal(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = {equal_expr(e, b, c, e.op_at(pc) == Op.NE)}"


@template(Op.IN)
def _in(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    x, container = r(b), r(c)
    if e.kind(c) == "dict":
        if e.kind(b) == "str":
            return f"{r(a)} = {x} in {container}"
        return f"{r(a)} = {x} in {container} if type({x}) is str else _contains({container}, {x})"
    return (f"{r(a)} = {x} in {container} if type({container}) is dict and type({x}) is str "
            f"else _contains({container}, {x})")


@template(Op.IS)
def _is(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _is_type({r(b)}, {e.const(c)})"


@template(Op.AS)
def _as(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _as_convert({r(b)}, {e.const(c)})"


@template(Op.EXPECT)
def _expect(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _expect_schema({r(b)}, {e.const(c)})"


@template(Op.RANGE, Op.RANGEINC)
def _range(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    inclusive = e.op_at(pc) == Op.RANGEINC
    return f"{r(a)} = _make_range({r(b)}, {r(c)}, {inclusive})"


# ------------------------------------------------------------------------ strings


@template(Op.TOSTR)
def _tostr(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = {_as_str(e, b)}"


@template(Op.FORMAT)
def _format(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _format_spec({r(b)}, {e.const(c)})"


@template(Op.JOINSTR)
def _joinstr(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    if c == 0:
        return f"{r(a)} = ''"
    # The parts are strings (TOSTR results): an f-string builds them in one step.
    return f"{r(a)} = f'" + "".join("{" + r(b + i) + "}" for i in range(c)) + "'"


# ------------------------------------------------------------------------ collections


@template(Op.GETINDEX)
def _getindex(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    x, i = r(b), r(c)
    container = e.kind(b)
    if container == "dict":
        if e.kind(c) == "str":
            return f"{r(a)} = {x}.get({i})"
        return f"{r(a)} = {x}.get({i}) if type({i}) is str else _index_get({x}, {i})"
    known_list = is_list_kind(container)
    tests = [] if known_list else [f"type({x}) is list"]
    if not e.is_int(c):
        tests.append(f"type({i}) is int")
    tests.append(f"0 <= {i} < len({x})")
    fast = f"{x}[{i}] if {' and '.join(tests)} else "
    if known_list or e.is_int(c):  # an Int never indexes a map fast
        return f"{r(a)} = {fast}_index_get({x}, {i})"
    return (f"{r(a)} = {fast}({x}.get({i}) if type({x}) is dict and type({i}) is str "
            f"else _index_get({x}, {i}))")


@template(Op.SETINDEX)
def _setindex(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    x, i, v = r(a), r(b), r(c)
    if e.kind(a) == "dict":
        tests = [] if e.kind(b) == "str" else [f"type({i}) is str"]
        if not e.is_owned(a):
            tests.append(f"_grc({x}) == 2")
        if not tests:
            return f"{x}[{i}] = {v}"
        test = " and ".join(tests)
        return (f"if {test}:\n"
                f"    {x}[{i}] = {v}\n"
                f"else:\n"
                f"    {x} = _index_set({x}, {i}, {v})")
    return (f"if type({x}) is list and type({i}) is int and _grc({x}) == 2 and "
            f"0 <= {i} < len({x}):\n"
            f"    {x}[{i}] = {v}\n"
            f"elif type({x}) is dict and type({i}) is str and _grc({x}) == 2:\n"
            f"    {x}[{i}] = {v}\n"
            f"else:\n"
            f"    {x} = _index_set({x}, {i}, {v})")


@template(Op.GETATTR)
def _getattr(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    x, name = r(b), e.const(c)
    return f"{r(a)} = {x}.fields.get({name}) if type({x}) is _Record else _get_attr({x}, {name})"


@template(Op.SETATTR)
def _setattr(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    x, name, v = r(a), e.const(b), r(c)
    return (f"if type({x}) is _Record and _grc({x}) == 2 and _grc({x}.fields) == 2:\n"
            f"    {x}.fields[{name}] = {v}\n"
            f"elif type({x}) is dict and _grc({x}) == 2:\n"
            f"    {x}[{name}] = {v}\n"
            f"else:\n"
            f"    {x} = _set_attr({x}, {name}, {v})")


@template(Op.POSGET)
def _posget(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    x = r(b)
    if c < 0:
        return f"{r(a)} = _posget({x}, {c})"
    return f"{r(a)} = {x}[{c}] if type({x}) is tuple and len({x}) > {c} else _posget({x}, {c})"


@template(Op.APPEND)
def _append(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    x = r(a)
    shared = "" if e.is_owned(a) else f"_grc({x}) == 2"
    test = " and ".join(t for t in ("" if is_list_kind(e.kind(a)) else f"type({x}) is list",
                                    shared) if t)
    if not test:
        return f"{x}.append({r(b)})"
    return (f"if {test}:\n"
            f"    {x}.append({r(b)})\n"
            f"else:\n"
            f"    {x} = {e.builtin_call('append', [x, r(b)])}")


@template(Op.NEWLIST)
def _newlist(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = [{', '.join(r(b + i) for i in range(c))}]"


@template(Op.NEWTUPLE)
def _newtuple(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    if c < 0:
        return f"{r(a)} = tuple({r(b)})"
    return f"{r(a)} = ({''.join(r(b + i) + ', ' for i in range(c))})"


@template(Op.NEWSET)
def _newset(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _LSet([{', '.join(r(b + i) for i in range(c))}])"


@template(Op.TOSET)
def _toset(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _LSet({r(b)})"


@template(Op.NEWMAP)
def _newmap(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    pairs = ", ".join(f"_key({r(b + 2 * i)}): {r(b + 2 * i + 1)}" for i in range(c))
    return f"{r(a)} = {{{pairs}}}"


@template(Op.LISTPUSH)
def _listpush(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)}.append({r(b)})"


@template(Op.LISTEXTEND)
def _listextend(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"_list_extend({r(a)}, {r(b)})"


@template(Op.MAPPUT)
def _mapput(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)}[_key({r(b)})] = {r(c)}"


@template(Op.MAPMERGE)
def _mapmerge(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"_map_merge({r(a)}, {r(b)})"


@template(Op.SLICEFROM)
def _slicefrom(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    x = r(b)
    return f"{r(a)} = list({x}[{c}:]) if type({x}) is list or type({x}) is tuple else []"


@template(Op.FORPREP)
def _forprep(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _iterate({r(b)})\n{r(a + 1)} = 0"


# ------------------------------------------------------------------------ results, variants


@template(Op.UNWRAP)
def _unwrap(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _unwrap({r(b)})"


@template(Op.OKVALUE)
def _okvalue(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _okvalue({r(b)})"


@template(Op.TRY)
def _try(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    x = r(b)
    return (f"if type({x}) is _Variant and {x}.enum_name == 'result':\n"
            f"    if {x}.tag == 'err':\n"
            f"        return {x}\n"
            f"    {r(a)} = {x}.payload if {x}.tag == 'ok' else None\n"
            f"else:\n"
            f"    {r(a)} = None")


@template(Op.PAYLOAD)
def _payload(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _payload({r(b)}, {c})"


@template(Op.VARIANT)
def _variant(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    enum_name, tag, count = e.constant(b)
    if count == 0:
        payload = "None"
    elif count == 1:
        payload = r(c)
    else:
        payload = "(" + "".join(r(c + i) + ", " for i in range(count)) + ")"
    return f"{r(a)} = _Variant({enum_name!r}, {tag!r}, {payload})"


@template(Op.RECORD)
def _record(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    type_name, names = e.constant(b)
    fields = ", ".join(f"{name!r}: {r(c + i)}" for i, name in enumerate(names))
    return f"{r(a)} = _Record({type_name!r}, {{{fields}}})"


@template(Op.COMPOSE)
def _compose(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = _Composed({r(b)}, {r(c)})"


@template(Op.GLOBAL)
def _global(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"{r(a)} = {e.global_value(e.constant(b))}"


# ------------------------------------------------------------------------ cell machinery


@template(Op.RETURN)
def _return(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"return {r(a)}"


@template(Op.HALT)
def _halt(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"raise _halt(_plain({r(a)}))"


@template(Op.UNDEFINED)
def _undefined(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"raise _undefined_cell({e.const(a)})"


@template(Op.CONSTRAINT)
def _constraint(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    message = f"Constraint failed for field '{e.constant(b)}'"
    return f"if not {truthy_expr(r(a))}:\n    raise _halt({message!r})"


@template(Op.EMIT)
def _emit(e: Emit, pc: int, a: int, b: int, c: int) -> str:
    return f"_vm.write_stdout(_display({r(a)}) + '\\n')"
