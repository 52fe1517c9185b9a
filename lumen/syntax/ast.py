"""The Lumen abstract syntax tree: frozen dataclasses, one per construct.

Conventions
- Every node carries `span` (keyword-only, excluded from equality), so that
  `parse(print(tree)) == tree` compares structure, not positions.
- Sequences are tuples, so nodes are hashable and immutable.
- Block-valued constructs (`if`, `match`, `when`, loops, `handle`) are expressions;
  a statement that is just an expression is an `ExprStmt`.
- Sugar that the reference defines by translation is kept as written (for example
  comparison chains, pipes, `if let`), so the printer can reproduce the source;
  the lowering applies the translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar, Union, dataclass_transform

from lumen.diagnostics.diagnostic import NO_SPAN, Span
from lumen.pregenerated import pregenerated_classes

_NodeClass = TypeVar("_NodeClass", bound=type)

# Running `@dataclass` on ~110 classes costs ~80 ms at every start, so
# `python3 -m lumen.syntax.astgen` writes the same classes out as plain code
# (`_ast_generated.py`, used only while it matches this file; see lumen/pregenerated.py).
# LUMEN_AST_DATACLASSES=1 makes the declarations below into dataclasses as usual.
_PREGENERATED = pregenerated_classes(__file__, "lumen.syntax._ast_generated",
                                     "LUMEN_AST_DATACLASSES")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def node(cls: _NodeClass) -> _NodeClass:
    """`@dataclass(frozen=True, slots=True)`, or its pre-generated twin (see above)."""
    if _PREGENERATED is None:
        return dataclass(frozen=True, slots=True)(cls)
    return _PREGENERATED[cls.__name__]  # type: ignore[return-value]


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, kw_only=True, repr=False)  # type: ignore[return-value]


@node
class Node:
    span: Span = _span()


# ============================================================================ types


@node
class NamedType(Node):
    """`Int`, `list[T]`, `map[K, V]`, `result[T, E]`, `Pair[A, B]`, `a.b.T`.

    `name` is written as in the source (lowercase spellings such as `int` are kept;
    the checker normalises them).
    """

    name: str
    args: tuple[TypeExpr, ...] = ()


@node
class TupleType(Node):
    """`(A, B)` or `tuple[A, B]` (`spelled_tuple` remembers the second form)."""

    items: tuple[TypeExpr, ...]
    spelled_tuple: bool = field(default=False, compare=False)


@node
class FnType(Node):
    """`fn(A, B) -> R / {e}`."""

    params: tuple[TypeExpr, ...]
    ret: TypeExpr
    effects: EffectRow | None = None


@node
class OptionalType(Node):
    """`T?` (binds tighter than `|`)."""

    inner: TypeExpr


@node
class UnionType(Node):
    """`A | B | C`; `&` is parsed the same way (`ampersand` remembers it)."""

    members: tuple[TypeExpr, ...]
    ampersand: bool = field(default=False, compare=False)


@node
class YieldType(Node):
    """`yield T`: the return type of a generator cell."""

    inner: TypeExpr


TypeExpr = Union[  # noqa: UP007 (forward references need typing.Union)
    NamedType, TupleType, FnType, OptionalType, UnionType, YieldType
]


@node
class EffectRow(Node):
    """`/ {a, b}` or `/ a`; `braced` remembers which form was written."""

    effects: tuple[str, ...]
    braced: bool = field(default=True, compare=False)


# ============================================================================ patterns


@node
class WildcardPat(Node):
    """`_`."""


@node
class BindPat(Node):
    """A bare name: binds it, unless it names a payload-less enum variant (resolved later)."""

    name: str


@node
class LiteralPat(Node):
    """`42`, `-5`, `2.5`, `"s"`, `true`, `null` (`value` is a literal expression)."""

    value: Expr


@node
class RangePat(Node):
    """`1..10` / `0.0..=1.0`."""

    low: Expr
    high: Expr
    inclusive: bool


@node
class TypedPat(Node):
    """`name: Type`."""

    name: str
    type: TypeExpr


@node
class VariantPat(Node):
    """`Variant(p, ...)`, `Enum.Variant(...)`, `ok(p)`, `err(p)`; `Enum.Variant` without
    parentheses has `args=None`.  `Variant()` has `args=()`."""

    name: str
    args: tuple[Pattern, ...] | None


@node
class FieldPat(Node):
    """`f: p` (pattern given), `f:` (binds `f`), or `f` (binds `f`, written without colon)."""

    name: str
    pattern: Pattern | None = None
    colon: bool = field(default=True, compare=False)


@node
class RecordPat(Node):
    """`Rec(f: p, g:, ..)`; `type_name=None` is the anonymous `{ a, b }` let pattern."""

    type_name: str | None
    fields: tuple[FieldPat, ...]
    rest: bool = False


@node
class TuplePat(Node):
    items: tuple[Pattern, ...]


@node
class ListPat(Node):
    """`[a, b]`, `[a, ...rest]`, `[a, ...]`: `rest` is None (no rest), "" (anonymous rest)
    or the bound name."""

    items: tuple[Pattern, ...]
    rest: str | None = None


Pattern = Union[  # noqa: UP007 (forward references need typing.Union)
    WildcardPat, BindPat, LiteralPat, RangePat, TypedPat, VariantPat, RecordPat, TuplePat, ListPat
]


# ============================================================================ expressions


@node
class IntLit(Node):
    value: int
    text: str = field(default="", compare=False)  # original spelling (hex, `_`), for fmt


@node
class FloatLit(Node):
    value: float
    text: str = field(default="", compare=False)


@node
class StringLit(Node):
    """A string without interpolation (plain, raw or triple-quoted; `form` remembers which)."""

    value: str
    form: str = field(default="plain", compare=False)  # "plain" | "raw" | "triple" | "raw_triple"


@node
class Interpolation(Node):
    """`{expr}` or `{expr:spec}` inside a string."""

    expr: Expr
    spec: str | None = None


@node
class InterpString(Node):
    """A string with at least one interpolation: text pieces and `Interpolation`s in order."""

    parts: tuple[str | Interpolation, ...]
    form: str = field(default="plain", compare=False)  # "plain" | "triple"


@node
class BytesLit(Node):
    value: bytes


@node
class BoolLit(Node):
    value: bool


@node
class NullLit(Node):
    pass


@node
class Name(Node):
    """An identifier in expression position (also `self` and type words like `map`)."""

    id: str


@node
class Spread(Node):
    """`...e` inside a list, set, map literal or call arguments."""

    value: Expr


@node
class ListLit(Node):
    items: tuple[Expr | Spread, ...]


@node
class TupleLit(Node):
    items: tuple[Expr, ...]


@node
class SetLit(Node):
    """`{a, b}` or `set[]` (empty)."""

    items: tuple[Expr | Spread, ...]


@node
class MapEntry(Node):
    """`key: value` / `key = value`. A bare-identifier key that the reference reads as a
    string key is already a `StringLit` here (`bare=True` remembers how it was written)."""

    key: Expr
    value: Expr
    bare: bool = field(default=False, compare=False)


@node
class MapLit(Node):
    entries: tuple[MapEntry | Spread, ...]


@node
class CompFor(Node):
    """`for target in iterable` inside a comprehension (`target` is a BindPat or TuplePat)."""

    target: Pattern
    iterable: Expr


@node
class Comprehension(Node):
    """`[e for ...]` (kind "list"), `{e for ...}` (kind "set", or "map" when `e` is a
    2-tuple literal)."""

    kind: str
    element: Expr
    clauses: tuple[CompFor, ...]
    condition: Expr | None = None


@node
class Unary(Node):
    """`-e`, `not e`, `~e`."""

    op: str
    operand: Expr


@node
class Binary(Node):
    """Every binary operator of §2.7 except comparison chains: arithmetic, `++`,
    comparisons, `in`, `and`, `or`, `??`, bitwise, `|>`, `~>`, `..`, `..=`."""

    op: str
    left: Expr
    right: Expr


@node
class ChainCompare(Node):
    """`a < b <= c`: means `a < b and b <= c` (the middle operand evaluated twice)."""

    left: Expr
    op1: str
    middle: Expr
    op2: str
    right: Expr


@node
class IsExpr(Node):
    """`e is T`."""

    value: Expr
    type: TypeExpr


@node
class AsExpr(Node):
    """`e as T`."""

    value: Expr
    type: TypeExpr


@node
class ExpectSchema(Node):
    """`e expect schema T`."""

    value: Expr
    type_name: str


@node
class Arg(Node):
    """A call argument: positional (`name=None`), named (`name: e`), spread (`...e`) or a
    role block argument (`role user: text`, then `name` is the role and `value` a
    `RoleBlock`)."""

    value: Expr
    name: str | None = None
    spread: bool = False


@node
class Call(Node):
    """`callee(args)`; a trailing `do ... end` block is appended to `args` as a `Lambda`
    with `trailing=True`."""

    callee: Expr
    args: tuple[Arg, ...]


@node
class Attr(Node):
    """`e.f` (or `e?.f` when `safe`)."""

    value: Expr
    name: str
    safe: bool = False


@node
class PosAccess(Node):
    """`e.0`: positional access into a tuple, list or variant payload."""

    value: Expr
    index: int


@node
class Index(Node):
    """`e[i]` (or `e?[i]` when `safe`)."""

    value: Expr
    index: Expr
    safe: bool = False


@node
class TryOp(Node):
    """Postfix `e?` or prefix `try e` (`prefix=True`): propagate `err`, unwrap `ok`."""

    value: Expr
    prefix: bool = field(default=False, compare=False)


@node
class TryElse(Node):
    """`try e else |x| h` (`name` defaults to `_err`)."""

    value: Expr
    handler: Expr
    name: str | None = None


@node
class Unwrap(Node):
    """Postfix `e!`."""

    value: Expr


@node
class Param(Node):
    """A cell, lambda or handler parameter: `name: T = default`, `...name: T` (variadic)."""

    name: str
    type: TypeExpr | None = None
    default: Expr | None = None
    variadic: bool = False


@node
class Lambda(Node):
    """`fn(params) -> R => expr` (`body` an expression) or `fn(params) ... end` (`body` a
    `Block`); `do |x| ... end` trailing blocks have `trailing=True`."""

    params: tuple[Param, ...]
    body: Expr | Block
    ret: TypeExpr | None = None
    effects: EffectRow | None = None
    trailing: bool = field(default=False, compare=False)


@node
class If(Node):
    """`if c then a else b` (`inline=True`) or the block form. `else_` is a `Block`, another
    `If` (an `else if` chain) or None."""

    condition: Expr
    then: Block
    else_: Block | If | IfLet | None = None
    inline: bool = field(default=False, compare=False)


@node
class IfLet(Node):
    """`if let pattern = value ... else ... end`."""

    pattern: Pattern
    value: Expr
    then: Block
    else_: Block | If | IfLet | None = None
    inline: bool = field(default=False, compare=False)


@node
class MatchArm(Node):
    """`p1 | p2 if guard -> body`; a one-line arm has a one-statement body."""

    patterns: tuple[Pattern, ...]
    body: Block
    guard: Expr | None = None


@node
class Match(Node):
    subject: Expr
    arms: tuple[MatchArm, ...]


@node
class WhenArm(Node):
    """`cond -> value`; `condition=None` is the `_` fallback."""

    condition: Expr | None
    value: Expr


@node
class When(Node):
    arms: tuple[WhenArm, ...]


@node
class For(Node):
    """`for @label target in iterable if filter ... end`."""

    target: Pattern
    iterable: Expr
    body: Block
    filter: Expr | None = None
    label: str | None = None


@node
class While(Node):
    condition: Expr
    body: Block
    label: str | None = None


@node
class WhileLet(Node):
    pattern: Pattern
    value: Expr
    body: Block
    label: str | None = None


@node
class Loop(Node):
    body: Block
    label: str | None = None


@node
class HandlerArm(Node):
    """`Effect.op(params) => block` inside `handle ... with ... end`."""

    effect: str
    op: str
    params: tuple[Param, ...]
    body: Block


@node
class Handle(Node):
    body: Block
    arms: tuple[HandlerArm, ...]


@node
class Perform(Node):
    """`perform Effect.op(args)`."""

    effect: str
    op: str
    args: tuple[Expr, ...]


@node
class Resume(Node):
    value: Expr


@node
class Await(Node):
    value: Expr


@node
class Orchestrate(Node):
    """`await parallel for x in xs NL body NL end` (`for_target`/`for_iterable` set, one
    body expression) or `await race NL e1 NL e2 end`; `args` are call arguments written
    before the body. The surrounding `await` is part of this node."""

    kind: str  # "parallel" | "race" | "vote" | "select"
    body: tuple[Expr, ...]
    args: tuple[Arg, ...] = ()
    for_target: str | None = None
    for_iterable: Expr | None = None


@node
class Comptime(Node):
    """`comptime { ... }` (`braced`) or `comptime ... end`."""

    body: Block
    braced: bool = field(default=False, compare=False)


@node
class RoleBlock(Node):
    """`role NAME: text` (text may interpolate): value is `"NAME: " + text`. `text` is a
    `StringLit` or `InterpString`; `block=True` for the indented multi-line form."""

    role: str
    text: Expr
    block: bool = field(default=False, compare=False)


Expr = Union[  # noqa: UP007 (forward references need typing.Union)
    IntLit, FloatLit, StringLit, InterpString, BytesLit, BoolLit, NullLit, Name,
    ListLit, TupleLit, SetLit, MapLit, Comprehension, Unary, Binary, ChainCompare,
    IsExpr, AsExpr, ExpectSchema, Call, Attr, PosAccess, Index, TryOp, TryElse, Unwrap,
    Lambda, If, IfLet, Match, When, For, While, WhileLet, Loop, Handle, Perform, Resume,
    Await, Orchestrate, Comptime, RoleBlock, Spread,
]


# ============================================================================ statements


@node
class Block(Node):
    stmts: tuple[Stmt, ...]


@node
class Let(Node):
    """`let [mut] target[: T] = value`; `target` is a `BindPat` for a plain name."""

    target: Pattern
    value: Expr
    type: TypeExpr | None = None
    mutable: bool = False


@node
class Assign(Node):
    """`place = value`; `target` is a Name, Attr or Index chain rooted at a Name."""

    target: Expr
    value: Expr


@node
class CompoundAssign(Node):
    """`place op= value`; `op` is the binary operator (`+`, `//`, `**`, `&`, ...)."""

    op: str
    target: Expr
    value: Expr


@node
class Return(Node):
    value: Expr | None = None


@node
class Halt(Node):
    message: Expr


@node
class Break(Node):
    label: str | None = None
    value: Expr | None = None


@node
class Continue(Node):
    label: str | None = None


@node
class Emit(Node):
    value: Expr


@node
class Yield(Node):
    value: Expr


@node
class Defer(Node):
    body: Block


@node
class ExprStmt(Node):
    expr: Expr


@node
class ProtocolStmt(Node):
    """`approve|checkpoint|escalate|observe|with ...`: the line (and payload) is kept as
    text and ignored; an optional `in ... end` body runs."""

    keyword: str
    text: str
    body: Block | None = None


Stmt = Union[  # noqa: UP007 (forward references need typing.Union)
    Let, Assign, CompoundAssign, Return, Halt, Break, Continue, Emit, Yield, Defer,
    ExprStmt, ProtocolStmt, "Decl",
]


# ============================================================================ declarations


@node
class Attribute(Node):
    """`@name` or `@name(args)` or `@name rest-of-line` before a declaration or statement;
    `args` is the raw text inside the parentheses / after the name."""

    name: str
    args: str | None = None


@node
class Directive(Node):
    """`@name value` at the top level (§1.3); `value` is the raw text after the name."""

    name: str
    value: str | None = None


@node
class Generic(Node):
    """`T` or `T: Show + Eq` in a generic parameter list."""

    name: str
    bounds: tuple[str, ...] = ()


@node
class CellDecl(Node):
    """A cell. `body` is a `Block`, an expression (`= expr` form, `expr_body=True`), or
    None for signatures (traits, effects) and `extern` cells."""

    name: str
    params: tuple[Param, ...]
    body: Block | Expr | None
    ret: TypeExpr | None = None
    effects: EffectRow | None = None
    where: Expr | None = None
    generics: tuple[Generic, ...] = ()
    is_pub: bool = False
    is_async: bool = False
    is_extern: bool = False
    expr_body: bool = False
    attributes: tuple[Attribute, ...] = ()
    doc: str | None = field(default=None, compare=False)


@node
class FieldDecl(Node):
    """A record field `name: T = default where constraint`."""

    name: str
    type: TypeExpr
    default: Expr | None = None
    where: Expr | None = None


@node
class RecordDecl(Node):
    name: str
    fields: tuple[FieldDecl, ...]
    generics: tuple[Generic, ...] = ()
    is_pub: bool = False
    attributes: tuple[Attribute, ...] = ()
    doc: str | None = field(default=None, compare=False)


@node
class VariantField(Node):
    """A payload field of a variant: `name: T` or just `T`."""

    type: TypeExpr
    name: str | None = None


@node
class VariantDecl(Node):
    """`Name`, `Name(T)`, `Name(a: A, b: B)`; `fields=None` is payload-less; `result` is
    the GADT annotation `-> Expr[Int]` (§16.4)."""

    name: str
    fields: tuple[VariantField, ...] | None = None
    result: TypeExpr | None = None


@node
class EnumDecl(Node):
    name: str
    variants: tuple[VariantDecl, ...]
    methods: tuple[CellDecl, ...] = ()
    generics: tuple[Generic, ...] = ()
    is_pub: bool = False
    attributes: tuple[Attribute, ...] = ()
    doc: str | None = field(default=None, compare=False)


@node
class TypeAlias(Node):
    name: str
    type: TypeExpr
    generics: tuple[Generic, ...] = ()
    where: Expr | None = None
    is_pub: bool = False
    attributes: tuple[Attribute, ...] = ()
    doc: str | None = field(default=None, compare=False)


@node
class ConstDecl(Node):
    name: str
    value: Expr
    type: TypeExpr | None = None
    attributes: tuple[Attribute, ...] = ()


@node
class TraitDecl(Node):
    name: str
    methods: tuple[CellDecl, ...]
    parents: tuple[str, ...] = ()
    is_pub: bool = False
    attributes: tuple[Attribute, ...] = ()


@node
class ImplDecl(Node):
    """`impl[G] Trait for Type[args] ... end`."""

    trait: str
    target: str
    methods: tuple[CellDecl, ...]
    target_args: tuple[TypeExpr, ...] = ()
    generics: tuple[Generic, ...] = ()
    attributes: tuple[Attribute, ...] = ()


@node
class ImportName(Node):
    name: str
    alias: str | None = None


@node
class ImportDecl(Node):
    """`import a.b: X, Y as Z` or `import a.b: *` (`names=None`)."""

    module: tuple[str, ...]
    names: tuple[ImportName, ...] | None
    is_pub: bool = False
    granting: str | None = None  # reserved `granting { ... }` clause, kept as raw text


@node
class UseTool(Node):
    """`use tool a.b@1.2 as Alias` or `use tool mcp "uri" as Alias`."""

    alias: str
    tool_id: str | None = None
    version: str | None = None
    mcp_uri: str | None = None


@node
class GrantConstraint(Node):
    """`key value`; a bare identifier value is a `StringLit` with form "bare"."""

    key: str
    value: Expr


@node
class GrantDecl(Node):
    alias: str
    constraints: tuple[GrantConstraint, ...] = ()
    block: bool = field(default=False, compare=False)


@node
class BindEffect(Node):
    """`bind effect E.op to Alias`."""

    effect: str
    tool: str


@node
class EffectDecl(Node):
    name: str
    operations: tuple[CellDecl, ...]
    attributes: tuple[Attribute, ...] = ()


@node
class HandlerOp(Node):
    """`handle E.op(params) -> R / row ... end` inside a top-level `handler`."""

    effect: str
    op: str
    params: tuple[Param, ...]
    body: Block
    ret: TypeExpr | None = None
    effects: EffectRow | None = None


@node
class HandlerDecl(Node):
    name: str
    ops: tuple[HandlerOp, ...]
    attributes: tuple[Attribute, ...] = ()
    doc: str | None = field(default=None, compare=False)


@node
class AgentDecl(Node):
    name: str
    cells: tuple[CellDecl, ...] = ()
    grants: tuple[GrantDecl, ...] = ()
    attributes: tuple[Attribute, ...] = ()
    member_attributes: tuple[Attribute, ...] = ()


@node
class StateDecl(Node):
    """A machine state: `state Name(params) ... end`. `handlers` keeps the raw text of
    `on_enter` / `on_event` / `on_timeout` sub-blocks (accepted and ignored)."""

    name: str
    params: tuple[Param, ...] = ()
    terminal: bool | None = None
    guard: Expr | None = None
    transition: str | None = None
    transition_args: tuple[Expr, ...] = ()
    handlers: tuple[str, ...] = ()


@node
class ConfigEntry(Node):
    """`key: expr` inside a process body."""

    key: str
    value: Expr


@node
class ProcessDecl(Node):
    """`memory|machine|pipeline|orchestration|guardrail|eval|pattern Name ... end`."""

    kind: str
    name: str
    cells: tuple[CellDecl, ...] = ()
    grants: tuple[GrantDecl, ...] = ()
    stages: tuple[str, ...] | None = None
    initial: str | None = None
    states: tuple[StateDecl, ...] = ()
    config: tuple[ConfigEntry, ...] = ()
    header_rest: str | None = None
    attributes: tuple[Attribute, ...] = ()
    member_attributes: tuple[Attribute, ...] = ()


@node
class MacroDecl(Node):
    """`macro name!(a, b) ... end`: the body is kept as raw text (§5.7)."""

    name: str
    params: tuple[str, ...]
    body: str
    bang: bool = field(default=True, compare=False)


Decl = Union[  # noqa: UP007 (forward references need typing.Union)
    CellDecl, RecordDecl, EnumDecl, TypeAlias, ConstDecl, TraitDecl, ImplDecl, ImportDecl,
    UseTool, GrantDecl, BindEffect, EffectDecl, HandlerDecl, AgentDecl, ProcessDecl,
    MacroDecl,
]

Item = Union[Decl, Directive, Stmt]  # noqa: UP007


@node
class Program(Node):
    """A whole compilation unit: directives, declarations and top-level statements, in
    source order."""

    items: tuple[Item, ...]


DECL_TYPES: tuple[type, ...] = (
    CellDecl, RecordDecl, EnumDecl, TypeAlias, ConstDecl, TraitDecl, ImplDecl, ImportDecl,
    UseTool, GrantDecl, BindEffect, EffectDecl, HandlerDecl, AgentDecl, ProcessDecl,
    MacroDecl,
)


def is_decl(node: object) -> bool:
    return isinstance(node, DECL_TYPES)
