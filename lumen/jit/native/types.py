"""Type inference over LIR for the native tier (no llvmlite here).

One function is specialised to the types of its arguments (or, for on-stack replacement,
to the types of all registers at a loop header). A forward dataflow over instructions
computes the type of every register before every pc until a fixpoint. Types are strings:
`Int`, `Float`, `Bool`, `Null`, `list[T]` (`list[?]` while the element type is unknown,
e.g. a fresh empty list), `fn<index>(T,...)` (a closure of function `index` whose captured
values have the types T..., held natively as an array of them) plus two markers: `UNSET` (not assigned on some path) and
`CONFLICT` (different types meet). A marker is fine in a register nobody reads; reading
one makes the function refuse (`Refused` with a reason for `--verbose`).
"""

from __future__ import annotations

from lumen.lir.module import Function
from lumen.lir.opcodes import OP_INFO, Op
from lumen.vm.values import Closure

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

UNSET = "unset"
CONFLICT = "conflict"
SCALARS = ("Int", "Float", "Bool")
NUMERIC = ("Int", "Float")
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


class Refused(Exception):
    """The function (specialisation) cannot be compiled; the message says why."""


class _Pending(Exception):
    """An instruction read a register whose type the fixpoint has not settled yet."""


def is_list(t: str) -> bool:
    return t.startswith("list[")


def is_fn(t: str) -> bool:
    return t.startswith("fn")


def fn_type(index: int, captures: tuple[str, ...]) -> str:
    return f"fn{index}({','.join(captures)})"


def fn_parts(t: str) -> tuple[int, tuple[str, ...]]:
    """(function index, capture types) of a closure type (captures are never closures)."""
    head, _, rest = t[2:].partition("(")
    inner = rest[:-1]
    return int(head), tuple(inner.split(",")) if inner else ()


def element(t: str) -> str:
    return t[5:-1]


def is_value(t: str | None) -> bool:
    """A type a register can be read at (markers and unknown elements are not)."""
    return t is not None and t not in (UNSET, CONFLICT) and t != "?"


def join(a: str, b: str) -> str:
    if a == b:
        return a
    if a == "?":  # an element read from a list whose type is not known yet
        return b
    if b == "?":
        return a
    if is_list(a) and is_list(b):
        ea, eb = element(a), element(b)
        if ea == "?":
            return b
        if eb == "?":
            return a
        inner = join(ea, eb)
        return CONFLICT if inner == CONFLICT else f"list[{inner}]"
    return CONFLICT


def value_type(v: object) -> str | None:
    """The type of a runtime value, or None when the native tier cannot hold it."""
    t = type(v)
    if t is int:
        return "Int" if INT_MIN <= v <= INT_MAX else None  # type: ignore[operator]
    if t is float:
        return "Float"
    if t is bool:
        return "Bool"
    if t is Closure:
        index = getattr(v.func, "index", None)  # type: ignore[attr-defined]
        captures = tuple(value_type(c) for c in v.captures)  # type: ignore[attr-defined]
        if index is None or any(c is None or is_fn(c) for c in captures):
            return None
        return fn_type(index, captures)  # type: ignore[arg-type]
    if t is list:
        return _list_type(v)  # type: ignore[arg-type]
    return None


_SCALAR_LISTS = {float: "list[Float]", bool: "list[Bool]"}


def _list_type(items: list[Any]) -> str | None:
    """The type of a list, looking at its elements' Python types in C loops first: the
    matrices and arrays that cross into native code have up to millions of elements."""
    if not items:
        return "list[?]"
    kinds = set(map(type, items))
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind is int:
        return "list[Int]" if INT_MIN <= min(items) and max(items) <= INT_MAX else None
    if kind in _SCALAR_LISTS:
        return _SCALAR_LISTS[kind]
    if kind is not list:
        return None
    elem = "?"
    for inner in set(map(_list_type, items)):
        if inner is None:
            return None
        elem = inner if elem == "?" else join(elem, inner)
        if elem == CONFLICT:
            return None
    return f"list[{elem}]"


def hint_type(hint: str) -> str | None:
    """A declared type (`Int`, `list[Float]`) as an inference type, else None."""
    text = hint.replace(" ", "")
    if text in SCALARS:
        return text
    if text.startswith("list[") and text.endswith("]"):
        inner = hint_type(text[5:-1])
        return None if inner is None else f"list[{inner}]"
    return None


# Builtins run natively: name -> {argument types: result type}.
def _builtin_result(name: str, args: tuple[str, ...]) -> str | None:
    if name == "sqrt" and len(args) == 1 and args[0] in NUMERIC:
        return "Float"
    if name in ("to_int", "int") and len(args) == 1 and args[0] in SCALARS:
        return "Int"
    if name in ("to_float", "float") and len(args) == 1 and args[0] in NUMERIC:
        return "Float"
    if name == "abs" and len(args) == 1 and args[0] in NUMERIC:
        return args[0]
    if name in ("min", "max") and len(args) == 2 and args[0] == args[1] and args[0] in NUMERIC:
        return args[0]
    if name in ("length", "len", "count", "size") and len(args) == 1 and is_list(args[0]):
        return "Int"
    if name == "print" and len(args) == 1 and args[0] in SCALARS:
        return "Null"
    return None


NATIVE_BUILTINS = frozenset(
    "sqrt to_int int to_float float abs min max length len count size print".split())

SUPPORTED_OPS = frozenset({
    Op.MOVE, Op.LOADK, Op.LOADI, Op.LOADNULL, Op.LOADBOOL, Op.ADD, Op.SUB, Op.ADDI,
    Op.SUBI, Op.MUL, Op.DIV, Op.MOD, Op.FLOORDIV, Op.NEG, Op.NOT, Op.JMP, Op.LTJF, Op.LEJF,
    Op.GTJF, Op.GEJF, Op.EQJF, Op.NEJF, Op.JMPF, Op.JMPT, Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ,
    Op.NE, Op.CALLCELL, Op.CALLBUILTIN, Op.RETURN, Op.GETINDEX, Op.SETINDEX, Op.APPEND,
    Op.NEWLIST, Op.NOP, Op.FORPREP, Op.FORNEXT, Op.CLOSURE, Op.CALL, Op.FUNCREF,
})
COMPARE_JUMPS = (Op.LTJF, Op.LEJF, Op.GTJF, Op.GEJF, Op.EQJF, Op.NEJF)
COMPARES = (Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE)
ARITH = (Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD, Op.FLOORDIV)


def static_reason(function: Function) -> str | None:
    """Why `function` can never be compiled natively (None: it may be)."""
    if function.is_generator or function.variadic:
        return "generator or variadic cell"
    for param in function.params:
        if param.has_default or param.variadic:
            return f"parameter {param.name} has a default"
        if param.type and hint_type(param.type) is None and not param.type.startswith("fn"):
            return f"parameter {param.name}: {param.type} is not Int/Float/Bool or a list"
    for instr in function.code:
        if instr.op not in SUPPORTED_OPS:
            return f"{instr.op.name} unsupported"
        if instr.op == Op.CALLBUILTIN and function.constants[instr.b] not in NATIVE_BUILTINS:
            return f"builtin {function.constants[instr.b]} unsupported"
        if instr.op == Op.LOADK and type(function.constants[instr.b]) not in (
                int, float, bool, type(None)):
            return "a constant that is not Int/Float/Bool"
    return None


class Spec:
    """One inferred specialisation: the state before every reachable pc. (A plain class:
    every run imports this module, and a dataclass costs far more to create.)"""

    __slots__ = ("index", "args", "states", "returns", "osr_pc", "callees", "mutated")

    def __init__(self, index: int, args: tuple[str, ...], states: list[list[str] | None],
                 returns: str, osr_pc: int = -1) -> None:
        self.index = index
        self.args = args
        self.states = states
        self.returns = returns
        self.osr_pc = osr_pc  # >= 0: entered at this loop header with `args` as all registers
        self.callees: set[tuple[int, tuple[str, ...]]] = set()
        self.mutated: frozenset[int] = frozenset()  # list registers written by SETINDEX/APPEND

    @property
    def key(self) -> tuple[int, tuple[str, ...], int]:
        return (self.index, self.args, self.osr_pc)


class Inference:
    """Infers specialisations of the functions of one module (memoised)."""

    def __init__(self, functions: tuple[Function, ...]) -> None:
        self.functions = functions
        self.specs: dict[tuple[int, tuple[str, ...]], Spec] = {}
        self.active: dict[tuple[int, tuple[str, ...]], str] = {}  # in progress -> assumed
        self.lenient = False

    def function(self, index: int, args: tuple[str, ...]) -> Spec:
        key = (index, args)
        if key in self.specs:
            return self.specs[key]
        fn = self.functions[index]
        if key in self.active:
            assumed = hint_type(fn.return_type)
            if assumed is None:
                raise Refused(f"recursive call of {fn.shown_name} without a declared "
                              "Int/Float/Bool return type")
            self.active[key] = assumed
            return Spec(index, args, [], assumed)
        reason = static_reason(fn)
        if reason is not None:
            raise Refused(f"{fn.shown_name}: {reason}")
        if len(args) != len(fn.params) + len(fn.captures):
            raise Refused(f"{fn.shown_name}: called with {len(args)} arguments")
        self.active[key] = ""
        try:
            init = list(args) + [UNSET] * (fn.nregs - len(args))
            spec = self._infer(index, args, init, 0)
            assumed = self.active[key]
            if assumed and assumed != spec.returns:
                raise Refused(f"{fn.shown_name} returns {spec.returns}, declared {assumed}")
        finally:
            del self.active[key]
        self.specs[key] = spec
        return spec

    def osr(self, index: int, pc: int, regs: tuple[str, ...]) -> Spec:
        fn = self.functions[index]
        reason = static_reason(fn)
        if reason is not None:
            raise Refused(f"{fn.shown_name}: {reason}")
        spec = self._infer(index, regs, list(regs), pc)
        spec.osr_pc = pc
        return spec

    def _infer(self, index: int, args: tuple[str, ...], init: list[str], start: int) -> Spec:
        fn = self.functions[index]
        code = fn.code
        states: list[list[str] | None] = [None] * len(code)
        states[start] = init
        work = [start]
        returns = ""
        spec = Spec(index, args, states, "")
        mutated: set[int] = set()
        # Types only grow ("?" < T < conflict), so an instruction reading a register that is
        # still "?" (an element of a list whose appends come later in the loop) passes "?"
        # on instead of refusing; the strict pass below re-checks every reached instruction
        # once the states are final.
        self.lenient = True
        while work:
            pc = work.pop()
            state = states[pc]
            assert state is not None
            out = list(state)
            try:
                successors = self._step(fn, pc, out, spec, mutated)
            except _Pending:
                successors = _pending_successors(fn, pc, list(state))
            for target, new in successors:
                if target == -1:  # RETURN
                    returns = new if not returns else join(returns, new)
                    continue
                if target >= len(code):
                    continue
                old = states[target]
                merged = new if old is None else [join(x, y) for x, y in zip(old, new)]
                if merged != old:
                    states[target] = merged
                    work.append(target)
        self.lenient = False
        spec.callees.clear()  # collected again with the final argument types
        for pc, state in enumerate(states):
            if state is not None:
                self._step(fn, pc, list(state), spec, mutated)
        if not is_value(returns):
            raise Refused(f"{fn.shown_name}: return type {returns or 'unknown'}")
        spec.returns = returns
        spec.mutated = frozenset(mutated)
        return spec

    def _read(self, fn: Function, pc: int, state: list[str], reg: int) -> str:
        t = state[reg]
        if t == "?" and self.lenient:
            raise _Pending
        if not is_value(t):
            op = fn.code[pc].op.name
            raise Refused(f"{fn.shown_name}: r{reg} is {t} at pc {pc} ({op})")
        return t

    def _step(self, fn: Function, pc: int, s: list[str], spec: Spec,  # noqa: C901
              mutated: set[int]) -> list[tuple[int, Any]]:
        """Apply instruction `pc` to state `s` (in place); the successors."""
        ins = fn.code[pc]
        op, a, b, c = ins.op, ins.a, ins.b, ins.c
        name = fn.shown_name

        def need(reg: int, allowed: tuple[str, ...]) -> str:
            t = self._read(fn, pc, s, reg)
            if t not in allowed:
                raise Refused(f"{name}: {op.name} on {t} at pc {pc}")
            return t

        nxt = pc + 1
        if op == Op.MOVE:
            s[a] = s[b]
        elif op == Op.LOADK:
            s[a] = {int: "Int", float: "Float", bool: "Bool"}.get(
                type(fn.constants[b]), "Null")
            if s[a] == "Int" and not INT_MIN <= fn.constants[b] <= INT_MAX:  # type: ignore
                raise Refused(f"{name}: big Int constant")
        elif op == Op.LOADI:
            s[a] = "Int"
        elif op == Op.LOADBOOL:
            s[a] = "Bool"
        elif op == Op.LOADNULL:
            s[a] = "Null"
        elif op in ARITH:
            tb, tc = need(b, NUMERIC), need(c, NUMERIC)
            s[a] = "Int" if tb == tc == "Int" else "Float"
        elif op in (Op.ADDI, Op.SUBI):
            s[a] = need(b, NUMERIC)
        elif op == Op.NEG:
            s[a] = need(b, NUMERIC)
        elif op == Op.NOT:
            need(b, SCALARS)
            s[a] = "Bool"
        elif op in COMPARES:
            self._compare(pc, fn, s, b, c, op in (Op.EQ, Op.NE))
            s[a] = "Bool"
        elif op in COMPARE_JUMPS:
            self._compare(pc, fn, s, a, b, op in (Op.EQJF, Op.NEJF))
            return [(nxt, s), (c, list(s))]
        elif op == Op.JMP:
            return [(a, s)]
        elif op in (Op.JMPF, Op.JMPT):
            need(a, SCALARS)
            return [(nxt, s), (b, list(s))]
        elif op == Op.RETURN:
            t = s[a]
            if t == "?" and self.lenient:
                raise _Pending
            if not (is_value(t) or is_list(t)) or is_fn(t):
                raise Refused(f"{name}: returns r{a} of type {t} at pc {pc}")
            return [(-1, t)]
        elif op == Op.CALLCELL:
            arg_types = tuple(self._read(fn, pc, s, r) for r in range(a + 1, a + 1 + c))
            if self.lenient and any("?" in t for t in arg_types):
                raise _Pending  # specialise only for settled argument types
            callee = self.function(b, arg_types)
            spec.callees.add((b, arg_types))
            for r in range(a + 1, a + 1 + c):
                s[r] = UNSET
            s[a] = callee.returns
        elif op == Op.CLOSURE:  # R[A] := closure of function B capturing R[C...]
            n = len(self.functions[b].captures)
            captured = tuple(self._read(fn, pc, s, r) for r in range(c, c + n))
            if any(is_fn(t) for t in captured):
                raise Refused(f"{name}: a closure capturing a closure at pc {pc}")
            s[a] = fn_type(b, captured)
        elif op == Op.FUNCREF:  # a cell as a value: a closure without captures
            s[a] = fn_type(b, ())
        elif op == Op.CALL:  # R[A] := R[A](R[A+1..A+B])
            callee_type = self._read(fn, pc, s, a)
            if not is_fn(callee_type):
                raise Refused(f"{name}: calling {callee_type} at pc {pc}")
            arg_types = tuple(self._read(fn, pc, s, r) for r in range(a + 1, a + 1 + b))
            if self.lenient and any("?" in t for t in arg_types):
                raise _Pending
            index, captured = fn_parts(callee_type)
            target = self.functions[index]
            if len(target.params) != b:
                raise Refused(f"{name}: {target.shown_name} called with {b} arguments")
            callee = self.function(index, arg_types + captured)
            spec.callees.add((index, arg_types + captured))
            for r in range(a + 1, a + 1 + b):
                s[r] = UNSET
            s[a] = callee.returns
        elif op == Op.CALLBUILTIN:
            arg_types = tuple(self._read(fn, pc, s, r) for r in range(a + 1, a + 1 + c))
            builtin = fn.constants[b]
            result = _builtin_result(str(builtin), arg_types)
            if result is None:
                raise Refused(f"{name}: {builtin}({', '.join(arg_types)}) unsupported")
            s[a] = result
        elif op == Op.GETINDEX:
            tl = self._read(fn, pc, s, b)
            need(c, ("Int",))
            if not is_list(tl):
                raise Refused(f"{name}: indexing {tl} at pc {pc}")
            s[a] = element(tl)
        elif op == Op.SETINDEX:
            tl = self._read(fn, pc, s, a)
            need(b, ("Int",))
            tv = self._read(fn, pc, s, c)
            if not is_list(tl) or is_fn(tv) or join(tl, f"list[{tv}]") == CONFLICT:
                raise Refused(f"{name}: {tl}[Int] = {tv} at pc {pc}")
            s[a] = join(tl, f"list[{tv}]")
            mutated.add(a)
        elif op == Op.APPEND:
            tl = self._read(fn, pc, s, a)
            tv = self._read(fn, pc, s, b)
            if not is_list(tl) or is_fn(tv) or join(tl, f"list[{tv}]") == CONFLICT:
                raise Refused(f"{name}: append({tl}, {tv}) at pc {pc}")
            s[a] = join(tl, f"list[{tv}]")
            mutated.add(a)
        elif op == Op.NEWLIST:
            elem = "?"
            for r in range(b, b + c):
                t = self._read(fn, pc, s, r)
                if t == "Null" or is_fn(t):
                    raise Refused(f"{name}: list of {t} at pc {pc}")
                elem = t if elem == "?" else join(elem, t)
                if elem == CONFLICT:
                    raise Refused(f"{name}: list of mixed types at pc {pc}")
            s[a] = f"list[{elem}]"
        elif op == Op.FORPREP:  # iteration over a list: the snapshot and a counter
            tl = self._read(fn, pc, s, b)
            if not is_list(tl):
                raise Refused(f"{name}: for over {tl} at pc {pc}")
            s[a], s[a + 1] = tl, "Int"
        elif op == Op.FORNEXT:
            tl = self._read(fn, pc, s, b)
            need(b + 1, ("Int",))
            if not is_list(tl):
                raise Refused(f"{name}: for over {tl} at pc {pc}")
            done = list(s)
            if element(tl) == "?":  # only an empty list has no element type yet
                return [(c, done)]
            s[a] = element(tl)
            return [(nxt, s), (c, done)]
        elif op == Op.NOP:
            pass
        else:
            raise Refused(f"{name}: {op.name} unsupported")
        if OP_INFO[op].ends_block and op not in (Op.JMP,):
            return []
        return [(nxt, s)]

    def _compare(self, pc: int, fn: Function, s: list[str], x: int, y: int,
                 equality: bool) -> None:
        tx, ty = self._read(fn, pc, s, x), self._read(fn, pc, s, y)
        if tx in NUMERIC and ty in NUMERIC:
            return
        if equality and tx == ty == "Bool":
            return
        raise Refused(f"{fn.shown_name}: comparing {tx} with {ty} at pc {pc}")


def _pending_successors(fn: Function, pc: int, s: list[str]) -> list[tuple[int, Any]]:
    """Successors of an instruction whose inputs are not settled: its results are "?"."""
    ins = fn.code[pc]
    op, a, b, c = ins.op, ins.a, ins.b, ins.c
    nxt = pc + 1
    if op in COMPARE_JUMPS:
        return [(nxt, s), (c, list(s))]
    if op in (Op.JMPF, Op.JMPT):
        return [(nxt, s), (b, list(s))]
    if op == Op.RETURN:
        return []
    if op == Op.FORNEXT:
        done = list(s)
        s[a] = "?"
        return [(nxt, s), (c, done)]
    if op == Op.CALLCELL:
        for r in range(a + 1, a + 1 + c):
            s[r] = UNSET
    if op == Op.CALL:
        for r in range(a + 1, a + 1 + b):
            s[r] = UNSET
    if op == Op.FORPREP:
        s[a + 1] = "Int"
    if op not in (Op.SETINDEX, Op.APPEND, Op.NOP):
        s[a] = "?"
    return [(nxt, s)]
