"""THE LIR instruction table (in the spirit of Lua 5's `lopcodes.h`).

LIR is a register machine. Every instruction is `op A B C` with three integer operands.
What an operand means depends on the opcode's format letters:

    R  register number (frame-local)        K  index into the function's constant pool
    J  absolute jump target (a pc)          F  index into `Module.functions`
    I  small signed integer immediate       -  unused (always 0)

Register notation below: `R[A]` is a register, `K[B]` a constant, `F[B]` a function,
`R[A+1..A+n]` a run of consecutive registers. Calls follow Lua's convention: the callee
(or a placeholder) sits in `R[A]`, the arguments in `R[A+1..]`, and the result replaces
`R[A]`. Argument registers are temporaries: the VM clears them after the call so that a
dead temporary never keeps a container shared (see the uniqueness test in the VM).

Opcode numbers are ordered by expected execution frequency; the interpreter tests them in
this order. Nobody defines opcodes anywhere else.
"""

from __future__ import annotations

from enum import IntEnum

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from lumen.plain_tuples import NamedTuple


class Op(IntEnum):
    # --- hottest: moves, constants, Int arithmetic, compare-and-branch -----------------
    MOVE = 0
    LOADK = 1
    LOADI = 2
    LOADNULL = 3
    LOADBOOL = 4
    ADD = 5
    SUB = 6
    ADDI = 7
    SUBI = 8
    MUL = 9
    JMP = 10
    LTJF = 11
    LEJF = 12
    GTJF = 13
    GEJF = 14
    EQJF = 15
    NEJF = 16
    JMPF = 17
    JMPT = 18
    FORNEXT = 19
    GETINDEX = 20
    SETINDEX = 21
    GETATTR = 22
    CALLCELL = 23
    RETURN = 24
    APPEND = 25
    LT = 26
    LE = 27
    GT = 28
    GE = 29
    EQ = 30
    NE = 31
    CALLBUILTIN = 32
    CALL = 33
    MOD = 34
    DIV = 35
    FLOORDIV = 36
    POW = 37
    NEG = 38
    NOT = 39
    SETATTR = 40
    POSGET = 41
    INVOKE = 42
    FORPREP = 43
    # --- collections --------------------------------------------------------------------
    NEWLIST = 44
    NEWTUPLE = 45
    NEWSET = 46
    NEWMAP = 47
    LISTPUSH = 48
    LISTEXTEND = 49
    TOSET = 50
    MAPPUT = 51
    MAPMERGE = 52
    RANGE = 53
    RANGEINC = 54
    SLICEFROM = 55
    # --- other operators ----------------------------------------------------------------
    CONCAT = 56
    BAND = 57
    BOR = 58
    BXOR = 59
    SHL = 60
    SHR = 61
    BNOT = 62
    SPACESHIP = 63
    IN = 64
    TRUTHY = 65
    IS = 66
    AS = 67
    EXPECT = 68
    # --- strings ------------------------------------------------------------------------
    TOSTR = 69
    FORMAT = 70
    JOINSTR = 71
    # --- null safety and results ---------------------------------------------------------
    JMPNULL = 72
    JMPNOTNULL = 73
    COALESCE = 74
    UNWRAP = 75
    TRY = 76
    ERRJMP = 77
    OKVALUE = 78
    # --- patterns -------------------------------------------------------------------------
    TESTTAG = 79
    TESTTYPE = 80
    TESTEQ = 81
    TESTTUPLE = 82
    TESTLIST = 83
    TESTLISTMIN = 84
    TESTRECORD = 85
    PAYLOAD = 86
    # --- construction and function values -------------------------------------------------
    VARIANT = 87
    RECORD = 88
    CLOSURE = 89
    FUNCREF = 90
    GLOBAL = 91
    COMPOSE = 92
    CALLX = 93
    CALLCELLX = 94
    # --- cell machinery -------------------------------------------------------------------
    DEFAULT = 95
    DEFER = 96
    ENDDEFER = 97
    HALT = 98
    CONSTRAINT = 99
    EMIT = 100
    UNDEFINED = 101
    NOP = 102
    # --- processes and agents (§13) -----------------------------------------------------
    INSTANCE = 103
    PROCESS = 104
    # --- effects and async (slow path; lumen/vm/effects.py, lumen/vm/scheduler.py) -------
    HANDLE = 110
    HANDLEARM = 111
    UNHANDLE = 112
    PERFORM = 113
    RESUME = 114
    AWAIT = 115
    # --- tools (§12; slow path: lumen/vm/tool_calls.py -> lumen/runtime) -----------------
    TOOLCALL = 116


# A NamedTuple, not a dataclass: this module is imported by every run, and a NamedTuple
# class costs a seventh of a dataclass to create.
class OpInfo(NamedTuple):
    """One row of the instruction table."""

    op: Op
    format: str  # three letters from "RKJFI-", one per operand A, B, C
    semantics: str
    can_raise: bool = False
    ends_block: bool = False


_ROWS: tuple[OpInfo, ...] = (
    OpInfo(Op.MOVE, "RR-", "R[A] := R[B]"),
    OpInfo(Op.LOADK, "RK-", "R[A] := K[B]"),
    OpInfo(Op.LOADI, "RI-", "R[A] := B (small Int immediate)"),
    OpInfo(Op.LOADNULL, "R--", "R[A] := null"),
    OpInfo(Op.LOADBOOL, "RI-", "R[A] := (B != 0)"),
    OpInfo(Op.ADD, "RRR", "R[A] := R[B] + R[C] (checked Int overflow; strings/lists concat)",
           True),
    OpInfo(Op.SUB, "RRR", "R[A] := R[B] - R[C] (checked Int overflow)", True),
    OpInfo(Op.ADDI, "RRI", "R[A] := R[B] + C (checked Int overflow)", True),
    OpInfo(Op.SUBI, "RRI", "R[A] := R[B] - C (checked Int overflow)", True),
    OpInfo(Op.MUL, "RRR", "R[A] := R[B] * R[C] (checked Int overflow)", True),
    OpInfo(Op.JMP, "J--", "pc := A", ends_block=True),
    OpInfo(Op.LTJF, "RRJ", "if not (R[A] < R[B]) then pc := C", True, True),
    OpInfo(Op.LEJF, "RRJ", "if not (R[A] <= R[B]) then pc := C", True, True),
    OpInfo(Op.GTJF, "RRJ", "if not (R[A] > R[B]) then pc := C", True, True),
    OpInfo(Op.GEJF, "RRJ", "if not (R[A] >= R[B]) then pc := C", True, True),
    OpInfo(Op.EQJF, "RRJ", "if not (R[A] == R[B]) then pc := C", True, True),
    OpInfo(Op.NEJF, "RRJ", "if not (R[A] != R[B]) then pc := C", True, True),
    OpInfo(Op.JMPF, "RJ-", "if not truthy(R[A]) then pc := B", ends_block=True),
    OpInfo(Op.JMPT, "RJ-", "if truthy(R[A]) then pc := B", ends_block=True),
    OpInfo(Op.FORNEXT, "RRJ",
           "if R[B+1] < len(R[B]) then R[A] := R[B][R[B+1]]; R[B+1] += 1 else pc := C",
           ends_block=True),
    OpInfo(Op.GETINDEX, "RRR", "R[A] := R[B][R[C]] (§7.7)", True),
    OpInfo(Op.SETINDEX, "RRR",
           "R[A][R[B]] := R[C]; R[A] is copied first unless it holds the only reference",
           True),
    OpInfo(Op.GETATTR, "RRK", "R[A] := R[B].K[C] (field, map key, else null)", True),
    OpInfo(Op.CALLCELL, "RFI",
           "R[A] := F[B](R[A+1..A+C]) positional call of a known cell", True),
    OpInfo(Op.RETURN, "R--", "return R[A] (running deferred blocks first)", True, True),
    OpInfo(Op.APPEND, "RR-",
           "R[A] := append(R[A], R[B]); in place when R[A] holds the only reference", True),
    OpInfo(Op.LT, "RRR", "R[A] := R[B] < R[C]", True),
    OpInfo(Op.LE, "RRR", "R[A] := R[B] <= R[C]", True),
    OpInfo(Op.GT, "RRR", "R[A] := R[B] > R[C]", True),
    OpInfo(Op.GE, "RRR", "R[A] := R[B] >= R[C]", True),
    OpInfo(Op.EQ, "RRR", "R[A] := R[B] == R[C] (structural, §9.3)", True),
    OpInfo(Op.NE, "RRR", "R[A] := R[B] != R[C]", True),
    OpInfo(Op.CALLBUILTIN, "RKI",
           "R[A] := builtin K[B](R[A+1..A+C]); a user cell of that name was resolved "
           "statically, so this is the builtin or `undefined cell: K[B]`", True),
    OpInfo(Op.CALL, "RI-", "R[A] := R[A](R[A+1..A+B]) positional call of a function value",
           True),
    OpInfo(Op.MOD, "RRR", "R[A] := R[B] % R[C] (Euclidean; division by zero)", True),
    OpInfo(Op.DIV, "RRR", "R[A] := R[B] / R[C] (Int: truncating; division by zero)", True),
    OpInfo(Op.FLOORDIV, "RRR", "R[A] := R[B] // R[C] (Euclidean; division by zero)", True),
    OpInfo(Op.POW, "RRR", "R[A] := R[B] ** R[C] (checked Int overflow)", True),
    OpInfo(Op.NEG, "RR-", "R[A] := -R[B] (checked Int overflow)", True),
    OpInfo(Op.NOT, "RR-", "R[A] := not truthy(R[B])"),
    OpInfo(Op.SETATTR, "RKR",
           "R[A].K[B] := R[C]; R[A] is copied first unless it holds the only reference",
           True),
    OpInfo(Op.POSGET, "RRI", "R[A] := R[B].C (tuple/list element or variant payload field)",
           True),
    OpInfo(Op.INVOKE, "RKI",
           "K[B] = (method, shape): R[A] := R[A+1].method(R[A+2..A+C]) resolved at run "
           "time per §7.6 (callable field, `Type.method` cell, builtin)", True),
    OpInfo(Op.FORPREP, "RR-",
           "R[A] := iteration snapshot of R[B] (map -> (k, v) pairs, set -> sorted); "
           "R[A+1] := 0", True),
    OpInfo(Op.NEWLIST, "RRI", "R[A] := [R[B..B+C-1]]"),
    OpInfo(Op.NEWTUPLE, "RRI", "R[A] := (R[B..B+C-1])"),
    OpInfo(Op.NEWSET, "RRI", "R[A] := set[R[B..B+C-1]]"),
    OpInfo(Op.NEWMAP, "RRI", "R[A] := {R[B]: R[B+1], ...} for C key/value pairs (keys "
                             "stringified)"),
    OpInfo(Op.LISTPUSH, "RR-", "R[A].push(R[B]) (R[A] is a list under construction)"),
    OpInfo(Op.LISTEXTEND, "RR-", "R[A].extend(elements of R[B]) (spread into a fresh list)",
           True),
    OpInfo(Op.TOSET, "RR-", "R[A] := set of the elements of list R[B]", True),
    OpInfo(Op.MAPPUT, "RRR", "R[A][str(R[B])] := R[C] (R[A] is a map under construction)"),
    OpInfo(Op.MAPMERGE, "RR-", "merge map R[B] into R[A] (map under construction)", True),
    OpInfo(Op.RANGE, "RRR", "R[A] := R[B]..R[C]", True),
    OpInfo(Op.RANGEINC, "RRR", "R[A] := R[B]..=R[C]", True),
    OpInfo(Op.SLICEFROM, "RRI", "R[A] := list(R[B][C:]) (rest of a list pattern)"),
    OpInfo(Op.CONCAT, "RRR", "R[A] := R[B] ++ R[C]", True),
    OpInfo(Op.BAND, "RRR", "R[A] := R[B] & R[C]", True),
    OpInfo(Op.BOR, "RRR", "R[A] := R[B] | R[C]", True),
    OpInfo(Op.BXOR, "RRR", "R[A] := R[B] ^ R[C]", True),
    OpInfo(Op.SHL, "RRR", "R[A] := R[B] << R[C] (0..63)", True),
    OpInfo(Op.SHR, "RRR", "R[A] := R[B] >> R[C] (arithmetic, 0..63)", True),
    OpInfo(Op.BNOT, "RR-", "R[A] := ~R[B]", True),
    OpInfo(Op.SPACESHIP, "RRR", "R[A] := R[B] <=> R[C]", True),
    OpInfo(Op.IN, "RRR", "R[A] := R[B] in R[C] (§9.6)", True),
    OpInfo(Op.TRUTHY, "RR-", "R[A] := truthy(R[B]) (§9.2)"),
    OpInfo(Op.IS, "RRK", "R[A] := R[B] is K[C] (type name, §4.7)", True),
    OpInfo(Op.AS, "RRK", "R[A] := R[B] as K[C]", True),
    OpInfo(Op.EXPECT, "RRK", "R[A] := R[B] expect schema K[C]", True),
    OpInfo(Op.TOSTR, "RR-", "R[A] := plain rendering of R[B] (§9.8)", True),
    OpInfo(Op.FORMAT, "RRK", "R[A] := __format_spec(R[B], K[C])", True),
    OpInfo(Op.JOINSTR, "RRI", "R[A] := concatenation of the strings R[B..B+C-1]"),
    OpInfo(Op.JMPNULL, "RJ-", "if R[A] is null then pc := B", ends_block=True),
    OpInfo(Op.JMPNOTNULL, "RJ-", "if R[A] is not null then pc := B", ends_block=True),
    OpInfo(Op.COALESCE, "RRJ",
           "if R[B] is ok(v): R[A] := v, pc := C; elif R[B] is neither null nor err: "
           "R[A] := R[B], pc := C (else fall through to evaluate the right side)",
           ends_block=True),
    OpInfo(Op.UNWRAP, "RR-", "R[A] := R[B]! (halt on null / err, unwrap ok)", True),
    OpInfo(Op.TRY, "RR-",
           "R[B] is err: return it from the cell (after defers); ok(v): R[A] := v; "
           "else R[A] := null", True),
    OpInfo(Op.ERRJMP, "RRJ", "if R[B] is err(x): R[A] := x else pc := C", ends_block=True),
    OpInfo(Op.OKVALUE, "RR-", "R[A] := v if R[B] is ok(v) else R[B]"),
    OpInfo(Op.TESTTAG, "RKJ",
           "K[B] = (enum or '', tag): unless R[A] is that variant, pc := C", ends_block=True),
    OpInfo(Op.TESTTYPE, "RKJ", "unless R[A] is K[B] (type name), pc := C", ends_block=True),
    OpInfo(Op.TESTEQ, "RKJ", "unless R[A] == K[B], pc := C", ends_block=True),
    OpInfo(Op.TESTTUPLE, "RIJ", "unless R[A] is a tuple of length B, pc := C",
           ends_block=True),
    OpInfo(Op.TESTLIST, "RIJ", "unless R[A] is a list of length B, pc := C", ends_block=True),
    OpInfo(Op.TESTLISTMIN, "RIJ", "unless R[A] is a list of length >= B, pc := C",
           ends_block=True),
    OpInfo(Op.TESTRECORD, "RKJ", "unless R[A] is a record of type K[B], pc := C",
           ends_block=True),
    OpInfo(Op.PAYLOAD, "RRI",
           "R[A] := field C of variant R[B]'s payload (C = -1: the whole payload)"),
    OpInfo(Op.VARIANT, "RKR",
           "K[B] = (enum, tag, n): R[A] := variant with payload from R[C..C+n-1] "
           "(n = 0: none, 1: the value, else a tuple)"),
    OpInfo(Op.RECORD, "RKR",
           "K[B] = (type, field names): R[A] := Record(type, fields from R[C..])"),
    OpInfo(Op.CLOSURE, "RFR",
           "R[A] := closure of F[B] capturing R[C..C+ncaptures-1] (by value)"),
    OpInfo(Op.FUNCREF, "RF-", "R[A] := F[B] as a function value"),
    OpInfo(Op.GLOBAL, "RK-",
           "R[A] := the builtin constant or builtin function named K[B], else "
           "`undefined cell: K[B]`", True),
    OpInfo(Op.COMPOSE, "RRR", "R[A] := R[B] ~> R[C]"),
    OpInfo(Op.CALLX, "RIK",
           "R[A] := R[A](args) with B argument registers R[A+1..A+B] shaped by K[C] (a "
           "tuple with one entry per register: '' positional, '*' spread, else a name)",
           True),
    OpInfo(Op.CALLCELLX, "RFK", "as CALLX with F[B] as the callee (argument count from "
                                "len(K[C]))", True),
    OpInfo(Op.DEFAULT, "RJ-",
           "if R[A] is not the missing-argument marker then pc := B (parameter defaults)",
           ends_block=True),
    OpInfo(Op.DEFER, "J--", "register the deferred block starting at pc A"),
    OpInfo(Op.ENDDEFER, "---", "end of a deferred block: continue the exit sequence", True,
           True),
    OpInfo(Op.HALT, "R--", "halt with the plain rendering of R[A]", True, True),
    OpInfo(Op.CONSTRAINT, "RK-",
           "unless truthy(R[A]): halt `Constraint failed for field 'K[B]'`", True),
    OpInfo(Op.EMIT, "R--", "write the display form of R[A] and a newline to stdout", True),
    OpInfo(Op.UNDEFINED, "K--", "raise `undefined cell: K[A]`", True, True),
    OpInfo(Op.NOP, "---", "no operation"),
    OpInfo(Op.INSTANCE, "RKR",
           "K[B] = (type, method names): R[A] := a new agent/process instance: "
           "Record(type, __instance_id: fresh Int, __process_name: type, methods from "
           "R[C..]) (§13.1)"),
    OpInfo(Op.PROCESS, "RKR",
           "K[B] = (process, kind, method, spec): R[A] := built-in process method applied "
           "to this function's parameters R[C..] (receiver first, variadic rest last) "
           "against the instance's run-time state (§13)", True),
    OpInfo(Op.HANDLE, "I--",
           "push a handler frame whose arms are the A HANDLEARM rows that follow (pc skips "
           "them); the handle body follows (§11.5)"),
    OpInfo(Op.HANDLEARM, "KRJ",
           "arm row of the preceding HANDLE (never executed): K[A] = ('E.op', nparams), "
           "arm parameters in R[B..], arm code at C", ends_block=True),
    OpInfo(Op.UNHANDLE, "I--",
           "leave the A innermost handle scopes of this frame: a handler frame, or a running "
           "arm whose continuation is discarded (its deferred blocks run)", True),
    OpInfo(Op.PERFORM, "RKI",
           "K[B] = ('E.op', dynamic, handler function or -1, bound tool or '', operation "
           "parameter names): R[A] := "
           "perform with arguments R[A+1..A+C]; dynamic: the innermost matching handler "
           "frame captures the continuation and runs its arm; else the top-level handler, "
           "the bound tool, or `unhandled effect` (§11.5, §11.6)", True),
    OpInfo(Op.RESUME, "R--",
           "resume the continuation of this frame's running arm with R[A] (its perform "
           "returns it); the rest of the arm is not executed", True, True),
    OpInfo(Op.AWAIT, "RR-",
           "R[A] := await R[B] (§14.4): futures resolved, collections copied with their "
           "futures resolved; a pending future parks this fiber", True),
    OpInfo(Op.TOOLCALL, "RKI",
           "K[B] = (alias, shape, member, schema): R[A] := call of tool `alias` "
           "(Module.tools; with a member name: its tool id + '.member') with the "
           "argument map built from R[A+1..A+C] (shape: '' positional -> arg0.., '*' "
           "spread, else the name); grant policy checked, dispatched through the run's "
           "tool session (§12.2-§12.4); schema: '' or the JSON schema of an enclosing "
           "`expect schema T`, the answer parsed, validated and repaired against it "
           "(§12.6)", True),
)

OP_INFO: dict[Op, OpInfo] = {row.op: row for row in _ROWS}

assert len(OP_INFO) == len(Op), "every opcode needs exactly one OpInfo row"

JUMP_OPERANDS: dict[Op, int] = {
    row.op: row.format.index("J") for row in _ROWS if "J" in row.format
}
"""For each branching opcode, which operand (0=A, 1=B, 2=C) is the jump target."""
