"""Random well-typed Lumen programs of typed arithmetic cells (for the tier tests).

A program is a few cells with `Int`, `Float`, `Bool`, `list[Int]` and `list[Float]`
parameters and locals, plus a `main`. Bodies use `while` and `for i in 0..n` loops,
`if`/`else`, `break`/`continue`, calls between the cells (recursion included), Int and
Float arithmetic (`+ - * / // %`, unary `-`), comparisons, `and`/`or`/`not`, list literals,
index reads and writes and `append`, and a few numeric builtins.

Every program terminates: each `while` counts its own iterations up to a small limit,
each `for` runs over a short range or list, and every cell takes a first parameter `fuel`
that each call decreases; a cell whose fuel is spent returns at once, before any call.

Runtime errors are wanted, not avoided: literals include values at the edges of i64 (so
arithmetic sometimes overflows), zero divisors are common, indices sometimes fall out of
range, and `Float` variables sometimes hold an `Int` (the checker lets an `Int` flow into a
`Float`), which faster tiers must notice rather than assume.

The builder is two layers: small node classes that print Lumen source (`Expr`/`Stmt`/`Cell`/
`Program`, every operation parenthesised so precedence never matters), and `_Generator`,
which draws nodes from hypothesis while tracking the names and types in scope.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from hypothesis import strategies as st

INT, FLOAT, BOOL = "Int", "Float", "Bool"
LIST_INT, LIST_FLOAT = "list[Int]", "list[Float]"
NUMBERS = (INT, FLOAT)
LISTS = (LIST_INT, LIST_FLOAT)
ELEMENT = {LIST_INT: INT, LIST_FLOAT: FLOAT}
VALUE_TYPES = (INT, FLOAT, BOOL, LIST_INT, LIST_FLOAT)

I64_MAX = 2**63 - 1
I64_MIN = -(2**63)

# Sizes: small enough that a program runs in milliseconds in the interpreter.
MAX_HELPER_CELLS = 3
MAX_PARAMS = 3
MAX_EXPR_DEPTH = 3
MAX_BLOCK_DEPTH = 3
MAX_LOOP_DEPTH = 2
MAX_LOOP_TRIPS = 5
MAX_FUEL = 3

# ============================================================================ source nodes


class Expr:
    def source(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Lit(Expr):
    text: str

    def source(self) -> str:
        return f"({self.text})" if self.text.startswith("-") else self.text


@dataclass(frozen=True)
class Var(Expr):
    name: str

    def source(self) -> str:
        return self.name


@dataclass(frozen=True)
class Unary(Expr):
    op: str  # "-" or "not"
    operand: Expr

    def source(self) -> str:
        space = " " if self.op == "not" else ""
        return f"({self.op}{space}{self.operand.source()})"


@dataclass(frozen=True)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr

    def source(self) -> str:
        return f"({self.left.source()} {self.op} {self.right.source()})"


@dataclass(frozen=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]

    def source(self) -> str:
        return f"{self.name}({', '.join(a.source() for a in self.args)})"


@dataclass(frozen=True)
class Index(Expr):
    target: Expr
    index: Expr

    def source(self) -> str:
        return f"{self.target.source()}[{self.index.source()}]"


@dataclass(frozen=True)
class ListLit(Expr):
    items: tuple[Expr, ...]

    def source(self) -> str:
        return "[" + ", ".join(item.source() for item in self.items) + "]"


class Stmt:
    def lines(self) -> list[str]:
        raise NotImplementedError


def _indent(stmts: Sequence[Stmt]) -> list[str]:
    return ["  " + line for stmt in stmts for line in stmt.lines()]


@dataclass(frozen=True)
class Let(Stmt):
    name: str
    type: str
    value: Expr

    def lines(self) -> list[str]:
        return [f"let mut {self.name}: {self.type} = {self.value.source()}"]


@dataclass(frozen=True)
class Assign(Stmt):
    target: str  # a name, or `name[index]` source
    value: Expr
    op: str = "="  # or a compound form such as "+="

    def lines(self) -> list[str]:
        return [f"{self.target} {self.op} {self.value.source()}"]


@dataclass(frozen=True)
class ExprStmt(Stmt):
    value: Expr

    def lines(self) -> list[str]:
        return [self.value.source()]


@dataclass(frozen=True)
class Return(Stmt):
    value: Expr

    def lines(self) -> list[str]:
        return [f"return {self.value.source()}"]


@dataclass(frozen=True)
class Jump(Stmt):
    word: str  # "break" or "continue"

    def lines(self) -> list[str]:
        return [self.word]


@dataclass(frozen=True)
class If(Stmt):
    cond: Expr
    then: tuple[Stmt, ...]
    otherwise: tuple[Stmt, ...] = ()

    def lines(self) -> list[str]:
        out = [f"if {self.cond.source()}", *_indent(self.then)]
        if self.otherwise:
            out += ["else", *_indent(self.otherwise)]
        return out + ["end"]


@dataclass(frozen=True)
class While(Stmt):
    """`while counter < trips and cond`, counting first so `continue` cannot spin."""

    counter: str
    trips: int
    cond: Expr
    body: tuple[Stmt, ...]

    def lines(self) -> list[str]:
        return [
            f"let mut {self.counter} = 0",
            f"while {self.counter} < {self.trips} and {self.cond.source()}",
            f"  {self.counter} += 1",
            *_indent(self.body),
            "end",
        ]


@dataclass(frozen=True)
class For(Stmt):
    var: str
    iterable: Expr
    body: tuple[Stmt, ...]

    def lines(self) -> list[str]:
        return [f"for {self.var} in {self.iterable.source()}", *_indent(self.body), "end"]


@dataclass(frozen=True)
class Cell:
    name: str
    params: tuple[tuple[str, str], ...]
    returns: str
    body: tuple[Stmt, ...]

    def lines(self) -> list[str]:
        params = ", ".join(f"{name}: {type_}" for name, type_ in self.params)
        return [f"cell {self.name}({params}) -> {self.returns}", *_indent(self.body), "end"]


@dataclass(frozen=True)
class Program:
    cells: tuple[Cell, ...]

    def source(self) -> str:
        return "\n\n".join("\n".join(cell.lines()) for cell in self.cells) + "\n"


# ============================================================================ generation

T = TypeVar("T")

# The last two are big integers (literals outside i64): exact arithmetic, never a trap.
EDGE_INTS = (0, 1, -1, 2, 3, 7, 10, 255, 2**31, 2**32 + 1, 3_037_000_499, 3_037_000_500,
             2**53 + 1, 10**18, 2**62, I64_MAX, I64_MAX - 1, I64_MIN, I64_MIN + 1, -(2**62),
             2**63, I64_MIN - 1)
EDGE_FLOATS = (0.0, 0.5, 1.0, 1.5, 2.0, 0.1, 3.25, 2.0**53, 1e16, 1e300, 1e308, 1e-308,
               5e-324, 9.223372036854776e18, 123456.789)
ARITHMETIC = ("+", "-", "*", "/", "//", "%")
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")


_PERCENT = st.integers(0, 99)


@cache
def _indices(count: int) -> st.SearchStrategy[int]:
    # Built once per size: creating strategies is a large part of the drawing time.
    return st.integers(0, count - 1)


@dataclass(frozen=True)
class Signature:
    name: str
    params: tuple[tuple[str, str], ...]  # after the leading `fuel: Int`
    returns: str


@dataclass
class Scope:
    """Names visible at a point of a cell body: their types, and which may be assigned
    (loop variables, loop counters and `fuel` may not)."""

    types: dict[str, str] = field(default_factory=dict)
    writable: set[str] = field(default_factory=set)
    loop_depth: int = 0

    def child(self, loop: bool = False) -> Scope:
        return Scope(dict(self.types), set(self.writable), self.loop_depth + int(loop))

    def names(self, type_: str, writable: bool = False) -> list[str]:
        pool = self.writable if writable else self.types.keys()
        return sorted(name for name in pool if self.types[name] == type_)

    def declare(self, name: str, type_: str, writable: bool = True) -> None:
        self.types[name] = type_
        if writable:
            self.writable.add(name)


class _Generator:
    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any],
                 native_friendly: bool = False) -> None:
        self.draw = draw
        # Leave out what keeps a cell out of the native tier (value-level `and`/`or`,
        # `for x in xs`, printing lists or several values, `append` expressions, Ints in
        # Float list literals), so more of the program runs as machine code.
        self.native_friendly = native_friendly
        self.counter = 0
        self.signatures: list[Signature] = []
        self.calls_allowed = True

    # ---------------------------------------------------------------- helpers

    def pick(self, options: Sequence[T]) -> T:
        """One of `options`; hypothesis shrinks towards the first."""
        return options[self.draw(_indices(len(options)))]

    def percent(self, chance: int) -> bool:
        return self.draw(_PERCENT) < chance

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # ---------------------------------------------------------------- program

    def program(self) -> Program:
        count = self.draw(st.integers(0, MAX_HELPER_CELLS))
        for k in range(1, count + 1):
            params = tuple((f"p{j}", self.pick(VALUE_TYPES))
                           for j in range(self.draw(st.integers(0, MAX_PARAMS))))
            self.signatures.append(Signature(f"c{k}", params, self.pick((INT, FLOAT, BOOL))))
        cells = [self.helper_cell(signature) for signature in self.signatures]
        cells.append(self.main_cell())
        return Program(tuple(cells))

    def helper_cell(self, signature: Signature) -> Cell:
        scope = Scope()
        scope.declare("fuel", INT, writable=False)
        for name, type_ in signature.params:
            scope.declare(name, type_)
        # A spent cell returns before it can call anything: recursion is bounded by fuel.
        self.calls_allowed = False
        base = Return(self.value_for(signature.returns, scope))
        self.calls_allowed = True
        spent = If(Binary("<=", Var("fuel"), Lit("0")), (base,))
        body = [spent, *self.locals(scope), *self.block(scope, 0, signature.returns)]
        body.append(Return(self.value_for(signature.returns, scope)))
        return Cell(signature.name, (("fuel", INT), *signature.params), signature.returns,
                    tuple(body))

    def main_cell(self) -> Cell:
        returns = self.pick(VALUE_TYPES)
        scope = Scope()
        scope.declare("fuel", INT, writable=False)
        fuel = Let("fuel", INT, Lit(str(self.draw(st.integers(1, MAX_FUEL)))))
        body = [fuel, *self.locals(scope), *self.block(scope, 0, returns)]
        body.append(Return(self.value_for(returns, scope)))
        return Cell("main", (), returns, tuple(body))

    def locals(self, scope: Scope) -> list[Stmt]:
        declared = []
        for _ in range(self.draw(st.integers(1, 4))):
            declared.append(self.let(scope))
        return declared

    def let(self, scope: Scope) -> Stmt:
        type_ = self.pick(VALUE_TYPES)
        value = self.value_for(type_, scope)
        name = self.fresh("v")
        scope.declare(name, type_)
        return Let(name, type_, value)

    # ---------------------------------------------------------------- statements

    def block(self, scope: Scope, depth: int, returns: str) -> list[Stmt]:
        most = max(1, 4 - depth)
        return [self.statement(scope, depth, returns)
                for _ in range(self.draw(st.integers(1, most)))]

    def statement(self, scope: Scope, depth: int, returns: str) -> Stmt:
        kinds = ["assign", "assign", "let", "compound", "index_set", "append", "print"]
        if depth < MAX_BLOCK_DEPTH:
            kinds += ["if", "if"]
            if scope.loop_depth < MAX_LOOP_DEPTH:
                kinds += ["for", "while", "for_each"]
        if depth > 0:
            kinds.append("return")
        if scope.loop_depth > 0:
            kinds.append("jump")
        kind = self.pick(kinds)
        return getattr(self, f"stmt_{kind}")(scope, depth, returns)

    def stmt_assign(self, scope: Scope, depth: int, returns: str) -> Stmt:
        type_ = self.pick(VALUE_TYPES)
        targets = scope.names(type_, writable=True)
        if not targets:
            return self.stmt_let(scope, depth, returns)
        return Assign(self.pick(targets), self.value_for(type_, scope))

    def stmt_let(self, scope: Scope, depth: int, returns: str) -> Stmt:
        return self.let(scope)

    def stmt_compound(self, scope: Scope, depth: int, returns: str) -> Stmt:
        type_ = self.pick(NUMBERS)
        targets = scope.names(type_, writable=True)
        if not targets:
            return self.stmt_let(scope, depth, returns)
        op = self.pick(("+=", "-=", "*=")) if type_ == INT else self.pick(("+=", "-=", "*=", "/="))
        return Assign(self.pick(targets), self.value_for(type_, scope), op)

    def stmt_index_set(self, scope: Scope, depth: int, returns: str) -> Stmt:
        type_ = self.pick(LISTS)
        targets = scope.names(type_, writable=True)
        if not targets:
            return self.stmt_append(scope, depth, returns)
        name = self.pick(targets)
        index = self.index_for(name, scope)
        return Assign(f"{name}[{index.source()}]", self.value_for(ELEMENT[type_], scope))

    def stmt_append(self, scope: Scope, depth: int, returns: str) -> Stmt:
        type_ = self.pick(LISTS)
        targets = scope.names(type_, writable=True)
        if not targets:
            return self.stmt_let(scope, depth, returns)
        name = self.pick(targets)
        return Assign(name, Call("append", (Var(name), self.value_for(ELEMENT[type_], scope))))

    def stmt_print(self, scope: Scope, depth: int, returns: str) -> Stmt:
        # Mostly one number or Bool (which native code prints itself); sometimes lists or
        # several values, which keep the cell out of the native tier.
        if self.native_friendly or self.percent(75):
            values = [self.expr(self.pick((INT, FLOAT, BOOL)), scope, 1)]
        else:
            values = [self.expr(self.pick(VALUE_TYPES), scope, 1)
                      for _ in range(self.draw(st.integers(1, 2)))]
        return ExprStmt(Call("print", tuple(values)))

    def stmt_if(self, scope: Scope, depth: int, returns: str) -> Stmt:
        cond = self.expr(BOOL, scope, 0)
        then = self.block(scope.child(), depth + 1, returns)
        otherwise = self.block(scope.child(), depth + 1, returns) if self.percent(40) else []
        return If(cond, tuple(then), tuple(otherwise))

    def stmt_while(self, scope: Scope, depth: int, returns: str) -> Stmt:
        counter = self.fresh("w")
        trips = self.draw(st.integers(0, MAX_LOOP_TRIPS))
        inner = scope.child(loop=True)
        inner.declare(counter, INT, writable=False)
        cond = self.expr(BOOL, inner, 1) if self.percent(50) else Lit("true")
        return While(counter, trips, cond, tuple(self.block(inner, depth + 1, returns)))

    def stmt_for(self, scope: Scope, depth: int, returns: str) -> Stmt:
        var = self.fresh("i")
        if self.percent(60):
            bound: Expr = Lit(str(self.draw(st.integers(0, MAX_LOOP_TRIPS))))
        else:  # a computed trip count in 0..MAX_LOOP_TRIPS (the Euclidean % is never negative)
            bound = Binary("%", self.expr(INT, scope, 1), Lit(str(MAX_LOOP_TRIPS + 1)))
        inner = scope.child(loop=True)
        inner.declare(var, INT, writable=False)
        return For(var, Binary("..", Lit("0"), bound), tuple(self.block(inner, depth + 1, returns)))

    def stmt_for_each(self, scope: Scope, depth: int, returns: str) -> Stmt:
        type_ = self.pick(LISTS)
        sources = scope.names(type_)
        if not sources or self.native_friendly:
            return self.stmt_for(scope, depth, returns)
        var = self.fresh("x")
        inner = scope.child(loop=True)
        inner.declare(var, ELEMENT[type_], writable=False)
        body = self.block(inner, depth + 1, returns)
        return For(var, Var(self.pick(sources)), tuple(body))

    def stmt_return(self, scope: Scope, depth: int, returns: str) -> Stmt:
        return Return(self.value_for(returns, scope))

    def stmt_jump(self, scope: Scope, depth: int, returns: str) -> Stmt:
        return If(self.expr(BOOL, scope, 1), (Jump(self.pick(("break", "continue"))),))

    # ---------------------------------------------------------------- expressions

    def value_for(self, type_: str, scope: Scope, depth: int = 0) -> Expr:
        """A value that may be stored where `type_` is declared: for `Float`, sometimes an
        `Int` (promotion), so a Float-typed variable holds an Int at run time."""
        if type_ == FLOAT and self.percent(15):
            return self.expr(INT, scope, depth)
        return self.expr(type_, scope, depth)

    def expr(self, type_: str, scope: Scope, depth: int) -> Expr:
        if depth >= MAX_EXPR_DEPTH or self.percent(30 + 15 * depth):
            return self.leaf(type_, scope)
        return getattr(self, f"compound_{_method_suffix(type_)}")(scope, depth + 1)

    def leaf(self, type_: str, scope: Scope) -> Expr:
        names = scope.names(type_)
        if names and self.percent(60):
            return Var(self.pick(names))
        if type_ == INT:
            return self.int_literal()
        if type_ == FLOAT:
            return self.float_literal()
        if type_ == BOOL:
            return Lit(self.pick(("true", "false")))
        return self.list_literal(type_, scope, MAX_EXPR_DEPTH)

    def int_literal(self) -> Expr:
        value = self.draw(st.one_of(st.integers(-3, 12), st.sampled_from(EDGE_INTS),
                                    st.integers(I64_MIN, I64_MAX)))
        return Lit(str(value))

    def float_literal(self) -> Expr:
        value = self.draw(st.one_of(
            st.sampled_from(EDGE_FLOATS),
            st.floats(allow_nan=False, allow_infinity=False, width=64),
        ))
        text = repr(abs(value))  # a leading minus is negation: keeps -0.0 a Float
        return Unary("-", Lit(text)) if str(value).startswith("-") else Lit(text)

    def list_literal(self, type_: str, scope: Scope, depth: int) -> Expr:
        count = self.draw(st.integers(0, 4))
        if count == 0:
            return ListLit(())
        element = ELEMENT[type_]
        # The literal's type is its first element's; later Float slots may hold Ints.
        first = self.expr(element, scope, depth)
        rest = [self.expr(element, scope, depth) if self.native_friendly
                else self.value_for(element, scope, depth) for _ in range(count - 1)]
        return ListLit((first, *rest))

    def call(self, returns: str, scope: Scope, depth: int) -> Expr | None:
        candidates = [s for s in self.signatures if s.returns == returns]
        if not self.calls_allowed or not candidates:
            return None
        callee = self.pick(candidates)
        args = [Binary("-", Var("fuel"), Lit("1"))]
        args += [self.value_for(type_, scope, depth) for _, type_ in callee.params]
        return Call(callee.name, tuple(args))

    def element_read(self, type_: str, scope: Scope, depth: int) -> Expr | None:
        sources = scope.names(type_)
        if not sources:
            return None
        name = self.pick(sources)
        return Index(Var(name), self.index_for(name, scope, depth))

    def index_for(self, name: str, scope: Scope, depth: int = 1) -> Expr:
        """Mostly in range (a small literal, a loop variable, `k % length(xs)`), sometimes
        not: negative indices count from the end, others are out of bounds."""
        kind = self.pick(("small", "modulo", "any"))
        if kind == "small":
            return Lit(str(self.draw(st.integers(-2, 3))))
        if kind == "modulo":
            return Binary("%", self.expr(INT, scope, depth + 1), Call("length", (Var(name),)))
        return self.expr(INT, scope, depth + 1)

    def compound_int(self, scope: Scope, depth: int) -> Expr:
        kind = self.pick(("arith", "arith", "arith", "neg", "call", "index", "length",
                          "to_int", "abs", "minmax"))
        built: Expr | None = None
        if kind == "arith":
            # Rarely a Bool operand: the checker does not check arithmetic operand types,
            # so this is the runtime type error `arithmetic on non-numeric types`.
            left_type = BOOL if self.percent(3) else INT
            built = Binary(self.pick(ARITHMETIC), self.expr(left_type, scope, depth),
                           self.expr(INT, scope, depth))
        elif kind == "neg":
            built = Unary("-", self.expr(INT, scope, depth))
        elif kind == "call":
            built = self.call(INT, scope, depth)
        elif kind == "index":
            built = self.element_read(LIST_INT, scope, depth)
        elif kind == "length":
            built = Call("length", (self.expr(self.pick(LISTS), scope, depth),))
        elif kind == "to_int":
            built = Call("to_int", (self.expr(FLOAT, scope, depth),))
        elif kind == "abs":
            built = Call("abs", (self.expr(INT, scope, depth),))
        else:
            built = Call(self.pick(("min", "max")),
                         (self.expr(INT, scope, depth), self.expr(INT, scope, depth)))
        return built if built is not None else self.leaf(INT, scope)

    def compound_float(self, scope: Scope, depth: int) -> Expr:
        kind = self.pick(("arith", "arith", "arith", "neg", "call", "index", "to_float",
                          "sqrt"))
        built: Expr | None = None
        if kind == "arith":  # at least one Float operand makes the result Float
            left_type, right_type = self.pick(((FLOAT, FLOAT), (FLOAT, INT), (INT, FLOAT)))
            built = Binary(self.pick(ARITHMETIC), self.expr(left_type, scope, depth),
                           self.expr(right_type, scope, depth))
        elif kind == "neg":
            built = Unary("-", self.expr(FLOAT, scope, depth))
        elif kind == "call":
            built = self.call(FLOAT, scope, depth)
        elif kind == "index":
            built = self.element_read(LIST_FLOAT, scope, depth)
        elif kind == "to_float":
            built = Call("to_float", (self.expr(INT, scope, depth),))
        else:
            built = Call("sqrt", (self.expr(FLOAT, scope, depth),))
        return built if built is not None else self.leaf(FLOAT, scope)

    def compound_bool(self, scope: Scope, depth: int) -> Expr:
        kinds = ("compare", "compare", "not", "call") if self.native_friendly else (
            "compare", "compare", "logic", "not", "call")
        kind = self.pick(kinds)
        built: Expr | None = None
        if kind == "compare":
            built = Binary(self.pick(COMPARISONS), self.expr(self.pick(NUMBERS), scope, depth),
                           self.expr(self.pick(NUMBERS), scope, depth))
        elif kind == "logic":
            built = Binary(self.pick(("and", "or")), self.expr(BOOL, scope, depth),
                           self.expr(BOOL, scope, depth))
        elif kind == "not":
            built = Unary("not", self.expr(BOOL, scope, depth))
        else:
            built = self.call(BOOL, scope, depth)
        return built if built is not None else self.leaf(BOOL, scope)

    def compound_list(self, type_: str, scope: Scope, depth: int) -> Expr:
        # `append` as an expression (not the `xs = append(xs, v)` statement) is rarer: the
        # native tier takes only the statement form.
        if self.native_friendly or self.percent(75):
            return self.list_literal(type_, scope, depth)
        return Call("append", (self.expr(type_, scope, depth),
                               self.value_for(ELEMENT[type_], scope, depth)))

    def compound_list_int(self, scope: Scope, depth: int) -> Expr:
        return self.compound_list(LIST_INT, scope, depth)

    def compound_list_float(self, scope: Scope, depth: int) -> Expr:
        return self.compound_list(LIST_FLOAT, scope, depth)


def _method_suffix(type_: str) -> str:
    return {INT: "int", FLOAT: "float", BOOL: "bool", LIST_INT: "list_int",
            LIST_FLOAT: "list_float"}[type_]


@st.composite
def programs(draw: Callable[[st.SearchStrategy[Any]], Any],
             native_friendly: bool = False) -> Program:
    """A random well-typed, terminating program (see the module docstring)."""
    return _Generator(draw, native_friendly).program()
