"""The Python type each register surely holds before each instruction (forward dataflow;
where paths meet, a register keeps a kind only if every path agrees). Templates use it to
drop `type(x) is ...` tests from fast paths.

Only facts that hold whatever the argument values are: immediates and constants, results
of checked arithmetic on known kinds (the op raises or returns that kind), comparisons
(always a bool), string building, `length`, fresh lists, loop counters. Parameters and
call results are unknown, except parameters with a declared scalar type when the caller
(emit.py) guards them on entry.
"""

from __future__ import annotations

from lumen.jit.pytier.cfg import CFG, forward_dataflow
from lumen.jit.pytier.fast_builtins import fast_builtin
from lumen.lir.opcodes import Op

# register -> "int" | "float" | "str" | "bool" | "scalar" (some non-container) | "dict" |
# "list" | "list:K" (a list whose elements all have kind K; "list:?" is a fresh empty list)
Kinds = dict[int, str]
_ELEMENT_KINDS = ("int", "float", "str", "bool")


def is_list_kind(kind: str | None) -> bool:
    return kind is not None and kind.startswith("list")


def element_kind(kind: str | None) -> str | None:
    """The kind of every element of a list of kind `kind`, when known."""
    if kind is None or not kind.startswith("list:") or kind == "list:?":
        return None
    return kind[5:]


def join_kinds(x: str | None, y: str | None) -> str | None:
    """What holds on both paths: the same kind, a list whose elements agree, or nothing."""
    if x == y:
        return x
    if is_list_kind(x) and is_list_kind(y):
        if x == "list:?":
            return y
        if y == "list:?":
            return x
        return "list"
    return None


def _with_element(list_kind: str | None, value_kind: str | None) -> str:
    """The kind of a list of kind `list_kind` after one more element of `value_kind`."""
    if list_kind in ("list:?", f"list:{value_kind}") and value_kind in _ELEMENT_KINDS:
        return f"list:{value_kind}"
    return "list"

_COUNT_BUILTINS = {"length", "len", "count", "size"}
_BOOL_RESULTS = {Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE, Op.NOT, Op.TRUTHY, Op.IN, Op.IS}
_NO_WRITE = {Op.JMP, Op.LTJF, Op.LEJF, Op.GTJF, Op.GEJF, Op.EQJF, Op.NEJF, Op.JMPF, Op.JMPT,
             Op.JMPNULL, Op.JMPNOTNULL, Op.DEFAULT, Op.TESTTAG, Op.TESTTYPE, Op.TESTEQ,
             Op.TESTTUPLE, Op.TESTLIST, Op.TESTLISTMIN, Op.TESTRECORD, Op.RETURN, Op.HALT,
             Op.UNDEFINED, Op.EMIT, Op.CONSTRAINT, Op.NOP, Op.LISTPUSH, Op.MAPPUT,
             Op.LISTEXTEND, Op.MAPMERGE}
_SCALARS = {int: "int", float: "float", str: "str", bool: "bool"}


def _numeric(x: str | None, y: str | None) -> str | None:
    if x == "int" and y == "int":
        return "int"
    if x in ("int", "float") and y in ("int", "float"):
        return "float"
    return None


def _set(kinds: Kinds, reg: int, kind: str | None) -> None:
    if kind is None:
        kinds.pop(reg, None)
    else:
        kinds[reg] = kind


def transfer(instr: object, kinds: Kinds, constants: tuple) -> None:
    op, a, b, c = instr.op, instr.a, instr.b, instr.c  # type: ignore[attr-defined]
    get = kinds.get
    if op in _NO_WRITE:
        return
    if op == Op.LOADI:
        kinds[a] = "int"
    elif op == Op.LOADBOOL or op in _BOOL_RESULTS:
        kinds[a] = "bool"
    elif op == Op.LOADK:
        _set(kinds, a, _SCALARS.get(type(constants[b])))
    elif op == Op.MOVE:
        _set(kinds, a, get(b))
    elif op == Op.ADDI or op == Op.SUBI:
        # A number or (string + Int) a string: never a container.
        _set(kinds, a, _numeric(get(b), "int") or "scalar")
    elif op == Op.ADD:
        x, y = get(b), get(c)
        _set(kinds, a, "str" if "str" in (x, y) else _numeric(x, y))
    elif op in (Op.SUB, Op.MUL, Op.MOD, Op.DIV):
        _set(kinds, a, _numeric(get(b), get(c)) or "scalar")
    elif op in (Op.FLOORDIV, Op.POW, Op.NEG):
        _set(kinds, a, _numeric(get(b), get(c)) if op != Op.NEG else None)
        kinds.setdefault(a, "scalar")
    elif op in (Op.SPACESHIP, Op.BAND, Op.BOR, Op.BXOR, Op.SHL, Op.SHR, Op.BNOT):
        kinds[a] = "int"  # the checked helpers return ints or raise
    elif op in (Op.TOSTR, Op.JOINSTR, Op.FORMAT):
        kinds[a] = "str"
    elif op == Op.NEWLIST:
        kind = "list:?"
        for reg in range(b, b + c):
            kind = _with_element(kind, get(reg))
        kinds[a] = kind
    elif op == Op.APPEND:
        kinds[a] = _with_element(get(a) if is_list_kind(get(a)) else "list", get(b))
    elif op in (Op.RANGE, Op.RANGEINC):
        kinds[a] = "list"
    elif op == Op.SLICEFROM:
        kinds[a] = get(b) if is_list_kind(get(b)) else "list"
    elif op == Op.NEWMAP:
        kinds[a] = "dict"
    elif op == Op.GETINDEX:
        _set(kinds, a, element_kind(get(b)) if get(c) == "int" else None)
    elif op == Op.SETINDEX:
        container = get(a)
        if is_list_kind(container):
            kinds[a] = _with_element(container, get(c)) if container != "list" else "list"
        elif container != "dict":  # setting a key of a map gives a map (or raises)
            kinds.pop(a, None)
    elif op == Op.CALLBUILTIN:
        fast = fast_builtin(str(constants[b]), [get(reg) for reg in range(a + 1, a + 1 + c)])
        for reg in range(a + 1, a + 1 + c):
            kinds.pop(reg, None)  # cleared after the call
        if constants[b] in _COUNT_BUILTINS:
            kinds[a] = "int"
        else:
            _set(kinds, a, fast.result if fast is not None else None)
    elif op == Op.FORPREP:
        kinds[a] = get(b) if is_list_kind(get(b)) else "list"
        kinds[a + 1] = "int"
    elif op == Op.FORNEXT:
        _set(kinds, a, element_kind(get(b)))  # R[B+1] keeps its kind (an int stays an int)
    elif op in (Op.CALLCELL, Op.CALL, Op.CALLX):
        count = c if op == Op.CALLCELL else b
        for reg in range(a, a + 1 + count):
            kinds.pop(reg, None)
    elif op in (Op.CALLCELLX, Op.INVOKE):
        for reg in [x for x in kinds if x >= a]:  # argument counts live in constants
            kinds.pop(reg, None)
    else:
        kinds.pop(a, None)  # every other op writes (at most) R[A], of any kind


def register_kinds(instrs: tuple, constants: tuple, cfg: CFG,
                   seed: Kinds | None = None) -> list[Kinds]:
    """For each pc, the known kinds of registers before it runs (empty when unreachable).
    `seed`: kinds the registers surely hold on entry (guarded parameters)."""

    def join(old: Kinds, new: Kinds) -> Kinds:
        merged = {}
        for reg, kind in old.items():
            joined = join_kinds(kind, new.get(reg))
            if joined is not None:
                merged[reg] = joined
        return merged

    states = forward_dataflow(cfg, len(instrs), dict(seed or {}), dict,
                              lambda pc, kinds: transfer(instrs[pc], kinds, constants), join)
    return [{} if state is None else state for state in states]


def written_registers(instr: object, nregs: int) -> range | tuple[int, ...]:
    """Registers an instruction may write (conservative)."""
    from lumen.lir.opcodes import OP_INFO

    op, a, b, c = instr.op, instr.a, instr.b, instr.c  # type: ignore[attr-defined]
    if op in (Op.CALLCELL, Op.CALLBUILTIN):
        return range(a, a + 1 + c)
    if op in (Op.CALL, Op.CALLX):
        return range(a, a + 1 + b)
    if op in (Op.CALLCELLX, Op.INVOKE):
        return range(a, nregs)
    if op == Op.FORPREP:
        return (a, a + 1)
    if op == Op.FORNEXT:
        return (a, b + 1)
    if OP_INFO[op].format[0] == "R" and op not in _NO_WRITE:
        return (a,)
    return ()


def bounded_counters(instrs: tuple, cfg: CFG, kinds: list[Kinds], nregs: int) -> set[int]:
    """pcs of `ADDI i i 1` that cannot overflow: in a loop whose header tests `i < n` on
    ints, where `n` never changes in the loop and that ADDI is the only write of `i`, so
    `i < n <= INT_MAX` holds before each increment."""
    safe: set[int] = set()
    for header, body in cfg.loops.items():
        block = cfg.blocks[header]
        test_pc = block.end - 1
        test = instrs[test_pc]
        if test.op != Op.LTJF or kinds[test_pc].get(test.a) != "int" or \
                kinds[test_pc].get(test.b) != "int" or test.a == test.b:
            continue
        i, n = test.a, test.b
        increments: list[int] = []
        clean = True
        for label in body:
            member = cfg.blocks[label]
            for pc in range(member.start, member.end):
                instr = instrs[pc]
                written = written_registers(instr, nregs)
                if n in written:
                    clean = False
                if i in written:
                    if instr.op == Op.ADDI and instr.b == i and instr.c == 1:
                        increments.append(pc)
                    else:
                        clean = False
        if not clean or len(block.succs) != 2 or block.succs[0] not in body or \
                block.succs[1] in body:
            continue
        # At most one increment per iteration: not inside a loop nested in this one.
        inner = [h for h, b in cfg.loops.items() if h != header and h in body]
        for pc in increments:
            label = max(x for x in body if x <= pc)
            if not any(label in cfg.loops[h] for h in inner):
                safe.add(pc)
    return safe
