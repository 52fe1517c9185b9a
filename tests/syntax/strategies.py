"""Hypothesis strategies for random *valid* Lumen ASTs.

Every tree drawn here is one the parser can produce: the strategies avoid shapes that
have no source spelling (for example `Optional(Union)` types, a `-` applied to a numeric
literal, or a block `match` nested inside an operator), and identifiers avoid reserved
and soft keywords (§2.4) and the other words the parser gives a meaning to.

Families (each a strategy of `ast.Program`): `expression_programs`, `statement_programs`,
`pattern_programs`, `type_programs`, `declaration_programs`.
"""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from lumen.syntax import ast as A

# ============================================================================ names

RESERVED = frozenset(
    """
    record enum cell type const trait impl import pub extern macro mod use tool grant
    async mut fn if then else for in while loop break continue match when return halt end
    defer yield emit and or not is as try await comptime step with from where perform
    handle resume role schema expect parallel true false null ok err Null result list map
    set tuple union bool int float string bytes json self
    """.split()
)
# Soft keywords, protocol statement words, orchestration words and builtin constants:
# legal as names in most places, but each changes the parse somewhere.
AVOIDED = frozenset(
    """
    agent effect handler bind to pipeline orchestration machine memory guardrail eval
    pattern state initial terminal guard transition stages on_enter on_event on_timeout do
    approve checkpoint escalate observe race vote select mcp spawn print assert
    PI E TAU INFINITY NAN MAX_INT MIN_INT Int Float String Bool Bytes Json Any Self
    """.split()
)


def _usable(name: str) -> bool:
    return name not in RESERVED and name not in AVOIDED


lower_names = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True),
    st.sampled_from(["x", "y", "total", "naïve", "größe", "_tmp", "a1"]),
).filter(_usable)
upper_names = st.one_of(
    st.from_regex(r"[A-Z][a-zA-Z0-9]{0,5}", fullmatch=True),
    st.sampled_from(["Point", "Shape", "Mötley"]),
).filter(_usable)
effect_names = st.sampled_from(["emit", "io", "http", "state", "llm"])
dotted_upper = st.builds(lambda a, b: f"{a}.{b}", upper_names, upper_names)

# ============================================================================ types

_SIMPLE_TYPE_WORDS = ["int", "float", "string", "bool", "bytes", "json", "Null", "Int", "Any"]


def _named_types(inner: st.SearchStrategy[A.TypeExpr]) -> st.SearchStrategy[A.TypeExpr]:
    return st.one_of(
        st.builds(A.NamedType, st.sampled_from(_SIMPLE_TYPE_WORDS)),
        st.builds(A.NamedType, upper_names),
        st.builds(A.NamedType, dotted_upper),
        st.builds(lambda t: A.NamedType("list", (t,)), inner),
        st.builds(lambda t: A.NamedType("set", (t,)), inner),
        st.builds(lambda k, v: A.NamedType("map", (k, v)), inner, inner),
        st.builds(lambda k, v: A.NamedType("result", (k, v)), inner, inner),
        st.builds(lambda n, ts: A.NamedType(n, tuple(ts)), upper_names,
                  st.lists(inner, min_size=1, max_size=2)),
    )


def _type_terms(inner: st.SearchStrategy[A.TypeExpr]) -> st.SearchStrategy[A.TypeExpr]:
    """Types that may stand before `?` or between `|`s: no unions, no function types."""
    base = st.one_of(
        _named_types(inner),
        st.builds(lambda ts, spelled: A.TupleType(tuple(ts), spelled_tuple=spelled),
                  st.lists(inner, min_size=1, max_size=3), st.booleans()),
    )
    return st.one_of(base, st.builds(A.OptionalType, base))


def _full_types(inner: st.SearchStrategy[A.TypeExpr]) -> st.SearchStrategy[A.TypeExpr]:
    terms = _type_terms(inner)
    return st.one_of(
        terms,
        st.builds(lambda ms, amp: A.UnionType(tuple(ms), ampersand=amp),
                  st.lists(terms, min_size=2, max_size=3), st.booleans()),
        st.builds(lambda ps, r, eff: A.FnType(tuple(ps), r, eff),
                  st.lists(inner, max_size=3), terms, st.none() | effect_rows()),
    )


@cache
def types(max_leaves: int = 6) -> st.SearchStrategy[A.TypeExpr]:
    """Any type expression (unions and function types included)."""
    return st.recursive(st.builds(A.NamedType, upper_names), _full_types, max_leaves=max_leaves)


@cache
def simple_types() -> st.SearchStrategy[A.TypeExpr]:
    """Types that are safe in any position: no trailing union or function arrow."""
    return st.recursive(st.builds(A.NamedType, upper_names), _type_terms, max_leaves=4)


def effect_rows() -> st.SearchStrategy[A.EffectRow]:
    return st.one_of(
        st.builds(lambda es: A.EffectRow(tuple(es), braced=True),
                  st.lists(effect_names, max_size=3, unique=True)),
        st.builds(lambda e: A.EffectRow((e,), braced=False), effect_names),
    )


# ============================================================================ literals

int_lits = st.builds(
    A.IntLit,
    st.one_of(st.integers(-1000, 1000), st.integers(-(2**80), 2**80),
              st.sampled_from([2**63 - 1, -(2**63), 2**64])),
)
# The lexer folds `-` only into Int literals, so Float literals are non-negative
# (negative ones appear in patterns only).
float_lits = st.builds(
    A.FloatLit,
    st.one_of(st.floats(min_value=0.0, allow_nan=False, allow_infinity=False),
              st.sampled_from([0.0, 1e300, 5e-324, 0.1, 1e16, 2.5, float("inf")])),
).filter(lambda f: str(f.value)[0] != "-")
_string_chars = st.one_of(
    st.characters(blacklist_categories=("Cs",)),
    st.sampled_from(list('{}"\\\n\t\r\0 -([_xé😀') + ["\x07", "\u2028", "\xa0"]),
)
text_values = st.text(_string_chars, max_size=12)
string_lits = st.builds(
    A.StringLit, text_values, form=st.sampled_from(["plain", "raw", "triple", "raw_triple"])
)
bytes_lits = st.builds(A.BytesLit, st.binary(max_size=6))
simple_literals = st.one_of(
    int_lits, float_lits, string_lits, bytes_lits,
    st.builds(A.BoolLit, st.booleans()), st.just(A.NullLit()),
)

_FORMAT_SPECS = st.builds(
    lambda fill_align, sign, alt, zero, width, prec, kind: (
        fill_align + sign + alt + zero + width + prec + kind
    ),
    st.sampled_from(["", "<", ">", "^", "*<", "_>", "0^"]),
    st.sampled_from(["", "+", "-"]),
    st.sampled_from(["", "#"]),
    st.sampled_from(["", "0"]),
    st.sampled_from(["", "4", "10"]),
    st.sampled_from(["", ".2", ".0"]),
    st.sampled_from(["", "d", "x", "X", "o", "b", "f", "e", "E", "s"]),
).filter(bool)


def interp_strings(exprs: st.SearchStrategy[A.Expr]) -> st.SearchStrategy[A.InterpString]:
    """Interpolated strings with text pieces merged and non-empty (as the lexer builds them)."""
    interpolation = st.builds(A.Interpolation, exprs, st.none() | _FORMAT_SPECS)
    piece = st.one_of(st.text(_string_chars, min_size=1, max_size=6), interpolation)

    def merge(parts: list[str | A.Interpolation], form: str) -> A.InterpString:
        merged: list[str | A.Interpolation] = []
        for p in parts:
            if isinstance(p, str) and merged and isinstance(merged[-1], str):
                merged[-1] += p
            else:
                merged.append(p)
        return A.InterpString(tuple(merged), form=form)

    parts = st.lists(piece, min_size=1, max_size=4).filter(
        lambda ps: any(isinstance(p, A.Interpolation) for p in ps)
    )
    return st.builds(merge, parts, st.sampled_from(["plain", "triple"]))


# ============================================================================ expressions

BINARY_OPS = [
    "??", "or", "and", "==", "!=", "<", "<=", ">", ">=", "<=>", "in", "|", "^", "&", "|>",
    "~>", "++", "..", "..=", "<<", ">>", "+", "-", "*", "/", "//", "%", "**",
]
ORDERING = ["<", "<=", ">", ">="]


def _params(exprs: st.SearchStrategy[A.Expr], allow_defaults: bool = True):  # noqa: ANN202
    param = st.builds(
        A.Param, lower_names, st.none() | simple_types(),
        (st.none() | exprs) if allow_defaults else st.none(),
    )

    def finish(ps: list[A.Param], variadic: bool) -> tuple[A.Param, ...]:
        ps = list({p.name: p for p in ps}.values())
        if variadic and ps:
            last = ps[-1]
            ps[-1] = A.Param(last.name, last.type, None, variadic=True)
        return tuple(ps)

    return st.builds(finish, st.lists(param, max_size=3), st.booleans())


def _args(exprs: st.SearchStrategy[A.Expr]) -> st.SearchStrategy[tuple[A.Arg, ...]]:
    arg = st.one_of(
        st.builds(A.Arg, exprs),
        st.builds(A.Arg, exprs, name=lower_names),
        st.builds(A.Arg, exprs, spread=st.just(True)),
    )
    return st.lists(arg, max_size=3).map(tuple)


def _compound(e: st.SearchStrategy[A.Expr]) -> st.SearchStrategy[A.Expr]:
    """One level of expression structure over sub-expressions `e`."""
    lower_name = st.builds(A.Name, lower_names)
    callee = st.one_of(lower_name, st.builds(A.Attr, e, lower_names))
    not_int = e.filter(lambda x: not isinstance(x, A.IntLit))
    block1 = st.builds(lambda x: A.Block((A.ExprStmt(x),)), e)
    return st.one_of(
        st.builds(A.Binary, st.sampled_from(BINARY_OPS), e, e),
        st.builds(A.ChainCompare, e, st.sampled_from(ORDERING), e, st.sampled_from(ORDERING), e),
        st.builds(A.Unary, st.sampled_from(["not", "~"]), e),
        st.builds(A.Unary, st.just("-"), not_int),
        st.builds(A.IsExpr, e, simple_types()),
        st.builds(A.AsExpr, e, simple_types()),
        st.builds(A.ExpectSchema, e, upper_names),
        st.builds(A.Call, callee, _args(e)),
        st.builds(A.Attr, e, lower_names, st.booleans()),
        st.builds(A.PosAccess, e, st.integers(0, 12)),
        st.builds(A.Index, e, e, st.booleans()),
        st.builds(A.TryOp, e, prefix=st.booleans()),
        st.builds(A.TryElse, e, e, st.none() | lower_names),
        st.builds(A.Unwrap, e),
        st.builds(A.Await, e),
        st.builds(A.Resume, e),
        st.builds(lambda eff, op, args: A.Perform(eff, op, tuple(args)),
                  upper_names, lower_names, st.lists(e, max_size=2)),
        st.builds(lambda ps, r, eff, body: A.Lambda(ps, body, r, eff),
                  _params(e), st.none() | simple_types(), st.none() | effect_rows(), e),
        st.builds(lambda c, t, f: A.If(c, t, f, inline=True), e, block1, st.none() | block1),
        st.builds(lambda xs: A.ListLit(tuple(xs)), st.lists(e | st.builds(A.Spread, e), max_size=3)),
        st.builds(lambda xs: A.TupleLit(tuple(xs)), st.lists(e, max_size=3)),
        st.builds(lambda x, xs: A.SetLit((x, *xs)), e, st.lists(e | st.builds(A.Spread, e), max_size=2)),
        st.just(A.SetLit(())),
        _maps(e),
        _comprehensions(e),
        interp_strings(e),
    )


def _maps(e: st.SearchStrategy[A.Expr]) -> st.SearchStrategy[A.MapLit]:
    key = st.one_of(st.builds(A.StringLit, text_values), st.builds(A.Name, lower_names), e)
    entry = st.builds(A.MapEntry, key, e)
    rest = st.lists(entry | st.builds(A.Spread, e), max_size=2)
    return st.one_of(
        st.just(A.MapLit(())),
        st.builds(lambda first, more: A.MapLit((first, *more)), entry, rest),
    )


def _comprehensions(e: st.SearchStrategy[A.Expr]) -> st.SearchStrategy[A.Comprehension]:
    target = st.one_of(
        st.builds(A.BindPat, lower_names),
        st.builds(lambda ns: A.TuplePat(tuple(A.BindPat(n) for n in ns)),
                  st.lists(lower_names, min_size=2, max_size=3)),
    )
    clauses = st.lists(st.builds(A.CompFor, target, e), min_size=1, max_size=2).map(tuple)
    not_pair = e.filter(lambda x: not (isinstance(x, A.TupleLit) and len(x.items) == 2))
    pair = st.builds(lambda k, v: A.TupleLit((k, v)), e, e)
    cond = st.none() | e
    return st.one_of(
        st.builds(A.Comprehension, st.just("list"), e, clauses, cond),
        st.builds(A.Comprehension, st.just("set"), not_pair, clauses, cond),
        st.builds(A.Comprehension, st.just("map"), pair, clauses, cond),
    )


def role_texts(exprs: st.SearchStrategy[A.Expr]) -> st.SearchStrategy[A.Expr]:
    """The text of a one-line `role NAME: text`: unquoted, trimmed, may interpolate."""
    words = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ,.!?'-]{0,10}[A-Za-z0-9.!?]", fullmatch=True)
    plain = st.builds(A.StringLit, words)
    with_interpolation = st.builds(
        lambda a, x, b: A.InterpString((a + " ", A.Interpolation(x), " " + b)),
        words, exprs, words,
    )
    return plain | with_interpolation


def leaf_exprs() -> st.SearchStrategy[A.Expr]:
    return st.one_of(simple_literals, st.builds(A.Name, lower_names))


@cache
def expressions(max_leaves: int = 12) -> st.SearchStrategy[A.Expr]:
    """Single-line expressions of every operator and form (about `max_leaves` leaves)."""
    return st.recursive(leaf_exprs(), _compound, max_leaves=max_leaves)


# ============================================================================ patterns


def _literal_patterns() -> st.SearchStrategy[A.Pattern]:
    value = st.one_of(
        int_lits, float_lits, st.builds(A.StringLit, text_values),
        st.builds(A.BoolLit, st.booleans()), st.just(A.NullLit()),
    )
    return st.builds(A.LiteralPat, value)


def _range_patterns() -> st.SearchStrategy[A.RangePat]:
    ints = st.builds(A.IntLit, st.integers(-100, 100))
    floats = st.builds(A.FloatLit, st.floats(-100, 100, allow_nan=False))
    return st.one_of(
        st.builds(A.RangePat, ints, ints, st.booleans()),
        st.builds(A.RangePat, floats, floats, st.booleans()),
    )


@cache
def patterns(max_leaves: int = 6) -> st.SearchStrategy[A.Pattern]:
    """Nestable patterns (typed `name: T` patterns only appear at the top of an arm)."""
    leaf: st.SearchStrategy[A.Pattern] = st.one_of(
        st.just(A.WildcardPat()), st.builds(A.BindPat, lower_names),
        _literal_patterns(), _range_patterns(),
        st.builds(A.VariantPat, dotted_upper, st.none()),
    )

    def extend(sub: st.SearchStrategy[A.Pattern]) -> st.SearchStrategy[A.Pattern]:
        field = st.one_of(
            st.builds(A.FieldPat, lower_names, sub),
            st.builds(A.FieldPat, lower_names, st.none(), colon=st.booleans()),
        )
        return st.one_of(
            st.builds(lambda n, ps: A.VariantPat(n, tuple(ps)),
                      upper_names | dotted_upper | st.sampled_from(["ok", "err"]),
                      st.lists(sub, max_size=3)),
            st.builds(lambda n, fs, rest: A.RecordPat(n, tuple(fs), rest),
                      upper_names | dotted_upper, st.lists(field, min_size=1, max_size=3),
                      st.booleans()),
            st.builds(lambda n: A.RecordPat(n, (), True), upper_names),
            st.builds(lambda ps: A.TuplePat(tuple(ps)), st.lists(sub, max_size=3)),
            st.builds(lambda ps, rest: A.ListPat(tuple(ps), rest),
                      st.lists(sub, max_size=3), st.none() | st.just("") | lower_names),
        )

    return st.recursive(leaf, extend, max_leaves=max_leaves)


def arm_patterns() -> st.SearchStrategy[A.Pattern]:
    return patterns() | st.builds(A.TypedPat, lower_names, _named_types(st.builds(A.NamedType, upper_names)))


def let_patterns() -> st.SearchStrategy[A.Pattern]:
    sub = patterns(3)
    return st.one_of(
        st.builds(A.BindPat, lower_names),
        st.builds(lambda ps: A.TuplePat(tuple(ps)), st.lists(sub, max_size=3)),
        st.builds(lambda ps, rest: A.ListPat(tuple(ps), rest),
                  st.lists(sub, max_size=3), st.none() | lower_names),
        st.builds(lambda ns: A.RecordPat(None, tuple(A.FieldPat(n, None, colon=False) for n in ns)),
                  st.lists(lower_names, min_size=1, max_size=3, unique=True)),
        st.builds(lambda n, ps: A.VariantPat(n, tuple(ps)), upper_names | st.sampled_from(["ok", "err"]),
                  st.lists(sub, min_size=1, max_size=2)),
    )


# ============================================================================ statements

COMPOUND_OPS = ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^"]


def _places(e: st.SearchStrategy[A.Expr]) -> st.SearchStrategy[A.Expr]:
    root: st.SearchStrategy[A.Expr] = st.builds(A.Name, lower_names)
    step1 = st.one_of(root, st.builds(A.Attr, root, lower_names), st.builds(A.Index, root, e))
    return st.one_of(step1, st.builds(A.Attr, step1, lower_names), st.builds(A.Index, step1, e))


def _simple_statements(e: st.SearchStrategy[A.Expr]) -> st.SearchStrategy[A.Stmt]:
    labels = st.none() | lower_names
    return st.one_of(
        st.builds(A.Let, let_patterns(), e, st.none() | simple_types(), st.booleans()),
        st.builds(A.Assign, _places(e), e),
        st.builds(A.CompoundAssign, st.sampled_from(COMPOUND_OPS), _places(e), e),
        st.builds(A.Return, st.none() | e),
        st.builds(A.Halt, e),
        st.builds(A.Break, labels),
        st.builds(A.Break, st.none(), e),
        st.builds(A.Continue, labels),
        st.builds(A.Emit, e),
        st.builds(A.Yield, e),
        st.builds(A.ExprStmt, e),
    )


def _block_expressions(
    e: st.SearchStrategy[A.Expr], block: st.SearchStrategy[A.Block]
) -> st.SearchStrategy[A.Expr]:
    """Multi-line constructs closed by `end` (written only where a statement value goes)."""
    labels = st.none() | lower_names
    arm = st.builds(
        lambda ps, guard, body: A.MatchArm(tuple(ps), body, guard),
        st.lists(arm_patterns(), min_size=1, max_size=2), st.none() | e, block,
    )
    else_part = st.none() | block
    handler_arm = st.builds(
        lambda eff, op, names, body: A.HandlerArm(eff, op, tuple(A.Param(n) for n in names), body),
        upper_names, lower_names, st.lists(lower_names, max_size=2, unique=True),
        _handler_safe(block),
    )
    return st.one_of(
        st.builds(A.If, e, block, else_part),
        st.builds(lambda c, t, c2, t2, f: A.If(c, t, A.If(c2, t2, f)), e, block, e, block, else_part),
        st.builds(A.IfLet, patterns(), e, block, else_part),
        st.builds(lambda s, arms: A.Match(s, tuple(arms)), e, st.lists(arm, min_size=1, max_size=3)),
        st.builds(lambda arms: A.When(tuple(arms)),
                  st.lists(st.builds(A.WhenArm, st.none() | e, e), min_size=1, max_size=3)),
        st.builds(A.For, st.builds(A.BindPat, lower_names) | st.builds(
            lambda ns: A.TuplePat(tuple(A.BindPat(n) for n in ns)), st.lists(lower_names, min_size=2, max_size=2)),
            e, block, st.none() | e, labels),
        st.builds(A.While, e, block, labels),
        st.builds(A.WhileLet, patterns(), e, block, labels),
        st.builds(A.Loop, block, labels),
        st.builds(lambda b, arms: A.Handle(b, tuple(arms)), block, st.lists(handler_arm, min_size=1, max_size=2)),
        st.builds(lambda ps, body: A.Lambda(ps, body), _params(e), block),
        st.builds(lambda f, args, body: A.Call(f, (*args, A.Arg(A.Lambda((), body, trailing=True)))),
                  st.builds(A.Name, lower_names), _args(e), block),
        st.builds(lambda b: A.Comptime(b), block),
        st.builds(lambda x: A.Comptime(A.Block((A.ExprStmt(x),)), braced=True), e),
        st.builds(lambda kind, args, body: A.Orchestrate(kind, tuple(body), args),
                  st.sampled_from(["parallel", "race", "vote", "select"]), _args(e),
                  st.lists(e, min_size=1, max_size=3)),
        st.builds(lambda target, it, body, args: A.Orchestrate("parallel", (body,), args, target, it),
                  lower_names, e, e, _args(e)),
        st.builds(A.RoleBlock, lower_names, role_texts(e)),
    )


def _handler_safe(block: st.SearchStrategy[A.Block]) -> st.SearchStrategy[A.Block]:
    """Handler arm bodies must not start a line with `Name.op(` (§3.2 compatibility rule)."""

    def starts_like_arm(stmt: A.Stmt) -> bool:
        text_head = stmt.expr if isinstance(stmt, A.ExprStmt) else None
        while isinstance(text_head, (A.Binary, A.Call, A.Attr, A.Index, A.TryOp, A.Unwrap, A.PosAccess)):
            if isinstance(text_head, A.Call) and isinstance(text_head.callee, A.Attr) and isinstance(
                text_head.callee.value, A.Name
            ):
                return True
            text_head = getattr(text_head, "left", None) or getattr(text_head, "callee", None) or getattr(
                text_head, "value", None
            )
        return False

    return block.filter(lambda b: not any(starts_like_arm(s) for s in b.stmts))


@cache
def blocks(max_leaves: int = 6) -> st.SearchStrategy[A.Block]:
    """Statement blocks, block constructs nested inside statements."""
    e = expressions(6)
    simple = _simple_statements(e)

    def as_block(stmts: st.SearchStrategy[A.Stmt]) -> st.SearchStrategy[A.Block]:
        return st.lists(stmts, min_size=1, max_size=3).map(lambda ss: A.Block(tuple(ss)))

    def extend(inner_block: st.SearchStrategy[A.Block]) -> st.SearchStrategy[A.Block]:
        big = _block_expressions(e, inner_block)
        return as_block(st.one_of(
            simple,
            st.builds(A.ExprStmt, big),
            st.builds(A.Let, st.builds(A.BindPat, lower_names), big),
            st.builds(A.Return, big),
            st.builds(A.Defer, inner_block),
            st.builds(A.ProtocolStmt, st.sampled_from(["approve", "checkpoint", "escalate", "observe"]),
                      st.sampled_from(['"deploy" by admin', "step 3", "risk high"])),
            st.builds(A.ProtocolStmt, st.just("with"), st.sampled_from(["budget 3", "timeout 10"]),
                      inner_block),
        ))

    return st.recursive(as_block(simple), extend, max_leaves=max_leaves)


# ============================================================================ declarations


def _generics() -> st.SearchStrategy[tuple[A.Generic, ...]]:
    generic = st.builds(lambda n, bs: A.Generic(n, tuple(bs)), upper_names,
                        st.lists(upper_names, max_size=2))
    return st.lists(generic, max_size=2, unique_by=lambda g: g.name).map(tuple)


def _attributes() -> st.SearchStrategy[tuple[A.Attribute, ...]]:
    attribute = st.one_of(
        st.builds(A.Attribute, st.sampled_from(["must_use", "test", "inline"])),
        st.builds(A.Attribute, st.just("deprecated"), st.just('"old"')),
    )
    return st.lists(attribute, max_size=2).map(tuple)


def cells(
    body_block: st.SearchStrategy[A.Block] | None = None, attributes: bool = True
) -> st.SearchStrategy[A.CellDecl]:
    e = expressions(6)
    body = st.one_of(
        st.tuples(body_block if body_block is not None else blocks(3), st.just(False)),
        st.tuples(e, st.just(True)),
    )
    ret = st.none() | types(3) | st.builds(A.YieldType, st.builds(A.NamedType, upper_names))

    def build(name, params, parts, ret, effects, generics, is_pub, is_async, attrs):  # noqa: ANN001, ANN202
        body_value, expr_body = parts
        # A function return type would swallow the cell's own effect row.
        if isinstance(ret, A.FnType) and effects is not None:
            effects = None
        return A.CellDecl(name, params, body_value, ret, effects, None, generics,
                          is_pub, is_async, False, expr_body, attrs)

    return st.builds(build, lower_names, _params(e), body, ret, st.none() | effect_rows(),
                     _generics(), st.booleans(), st.booleans(),
                     _attributes() if attributes else st.just(()))


def declarations() -> st.SearchStrategy[A.Decl]:
    e = expressions(6)
    field = st.builds(A.FieldDecl, lower_names, types(3), st.none() | e, st.none() | e)
    variant = st.builds(
        A.VariantDecl, upper_names,
        st.none() | st.lists(st.builds(A.VariantField, simple_types(), st.none() | lower_names),
                             max_size=3).map(tuple),
    )
    return st.one_of(
        cells(),
        st.builds(lambda n, fs, g, p, a: A.RecordDecl(n, tuple(fs), g, p, a), upper_names,
                  st.lists(field, max_size=3), _generics(), st.booleans(), _attributes()),
        st.builds(lambda n, vs, ms, g, p: A.EnumDecl(n, tuple(vs), tuple(ms), g, p), upper_names,
                  st.lists(variant, min_size=1, max_size=3), st.lists(cells(), max_size=1),
                  _generics(), st.booleans()),
        st.builds(A.ConstDecl, upper_names, e, st.none() | simple_types()),
        st.builds(A.TypeAlias, upper_names, types(6), _generics(), st.none(), st.booleans()),
    )


def _signatures() -> st.SearchStrategy[A.CellDecl]:
    return st.builds(
        lambda n, ps, r: A.CellDecl(n, ps, None, r),
        lower_names, _params(expressions(2), allow_defaults=False), st.none() | simple_types(),
    )


def _grants() -> st.SearchStrategy[A.GrantDecl]:
    value = st.one_of(
        st.builds(A.StringLit, text_values), st.builds(A.IntLit, st.integers(-(10**6), 10**6)),
        st.builds(A.BoolLit, st.booleans()),
        st.builds(lambda n: A.StringLit(n, form="bare"), lower_names),
        st.builds(lambda xs: A.ListLit(tuple(A.StringLit(x) for x in xs)),
                  st.lists(lower_names, max_size=2)),
    )
    constraint = st.builds(A.GrantConstraint, lower_names, value)
    return st.builds(lambda a, cs: A.GrantDecl(a, tuple(cs)), upper_names,
                     st.lists(constraint, max_size=3))


def module_declarations() -> st.SearchStrategy[A.Decl]:
    """Traits, impls, effects, handlers, agents, processes, imports, tools and macros."""
    e = expressions(4)
    block = blocks(3)
    handler_op = st.builds(
        lambda eff, op, ps, body, r: A.HandlerOp(eff, op, ps, body, r),
        upper_names, lower_names, _params(e, allow_defaults=False), block,
        st.none() | simple_types(),
    )
    state = st.builds(
        lambda n, ps, term, guard, tr, args: A.StateDecl(
            n, ps, term, guard, tr, tuple(args) if tr else ()),
        upper_names, _params(e, allow_defaults=False), st.none() | st.booleans(),
        st.none() | e, st.none() | upper_names, st.lists(e, max_size=2),
    )
    plain_cells = cells(blocks(2), attributes=False)
    return st.one_of(
        st.builds(lambda n, ms, ps, p: A.TraitDecl(n, tuple(ms), tuple(ps), p), upper_names,
                  st.lists(_signatures(), max_size=2), st.lists(upper_names, max_size=2),
                  st.booleans()),
        st.builds(lambda t, tg, ms, args, g: A.ImplDecl(t, tg, tuple(ms), tuple(args), g),
                  upper_names, upper_names | dotted_upper, st.lists(plain_cells, max_size=2),
                  st.lists(simple_types(), max_size=2), _generics()),
        st.builds(lambda n, ops: A.EffectDecl(n, tuple(ops)), upper_names,
                  st.lists(_signatures(), max_size=2)),
        st.builds(lambda n, ops: A.HandlerDecl(n, tuple(ops)), upper_names,
                  st.lists(handler_op, max_size=2)),
        st.builds(lambda n, cs, gs: A.AgentDecl(n, tuple(cs), tuple(gs)), upper_names,
                  st.lists(plain_cells, max_size=2), st.lists(_grants(), max_size=2)),
        st.builds(
            lambda kind, n, cs, config, init, states: A.ProcessDecl(
                kind, n, tuple(cs), (), None, init, tuple(states), tuple(config)),
            st.sampled_from(["memory", "machine", "guardrail", "eval", "pattern"]), upper_names,
            st.lists(plain_cells, max_size=1),
            st.lists(st.builds(A.ConfigEntry, lower_names, e), max_size=2),
            st.none() | upper_names, st.lists(state, max_size=2)),
        st.builds(lambda kind, n, stages: A.ProcessDecl(kind, n, stages=tuple(stages)),
                  st.sampled_from(["pipeline", "orchestration"]), upper_names,
                  st.lists(lower_names | dotted_upper, max_size=3)),
        st.builds(
            lambda mod, names, pub: A.ImportDecl(tuple(mod), names, pub), st.lists(lower_names, min_size=1, max_size=3),
            st.none() | st.lists(st.builds(A.ImportName, lower_names | upper_names, st.none() | lower_names),
                                 min_size=1, max_size=3).map(tuple),
            st.booleans()),
        st.builds(lambda alias, ident, version: A.UseTool(alias, ident, version), upper_names,
                  st.lists(lower_names, min_size=1, max_size=3).map(".".join),
                  st.none() | st.sampled_from(["1", "2.1", "1.0.3"])),
        st.builds(lambda alias, uri: A.UseTool(alias, mcp_uri=uri), upper_names,
                  st.sampled_from(["https://mcp.example.org/sse", "stdio:tool"])),
        _grants(),
        st.builds(A.BindEffect, upper_names | dotted_upper, upper_names),
        st.builds(lambda n, ps: A.MacroDecl(n, tuple(ps), "  swap(a, b)\n  a + 1"), lower_names,
                  st.lists(lower_names, max_size=2)),
    )


# ============================================================================ program families


def _program(items: st.SearchStrategy[list[A.Item]]) -> st.SearchStrategy[A.Program]:
    return items.map(lambda xs: A.Program(tuple(xs)))


def expression_programs() -> st.SearchStrategy[A.Program]:
    """Each expression as a top-level `let` value and as an expression statement."""
    e = expressions(12)
    return _program(st.lists(
        st.one_of(st.builds(A.Let, st.builds(A.BindPat, lower_names), e), st.builds(A.ExprStmt, e)),
        min_size=1, max_size=3,
    ))


def statement_programs() -> st.SearchStrategy[A.Program]:
    return _program(blocks(8).map(lambda b: [
        A.CellDecl("main", (), b, A.NamedType("Int"))
    ]))


def pattern_programs() -> st.SearchStrategy[A.Program]:
    arm = st.builds(
        lambda ps, body: A.MatchArm(tuple(ps), A.Block((A.ExprStmt(body),))),
        st.lists(arm_patterns(), min_size=1, max_size=3), leaf_exprs(),
    )
    match = st.builds(lambda arms: A.ExprStmt(A.Match(A.Name("subject"), tuple(arms))),
                      st.lists(arm, min_size=1, max_size=4))
    let = st.builds(A.Let, let_patterns(), st.builds(A.Name, lower_names))
    return _program(st.lists(match | let, min_size=1, max_size=3))


def type_programs() -> st.SearchStrategy[A.Program]:
    annotated_let = st.builds(A.Let, st.builds(A.BindPat, lower_names), st.just(A.NullLit()), types(8))
    alias = st.builds(A.TypeAlias, upper_names, types(8))
    return _program(st.lists(annotated_let | alias, min_size=1, max_size=3))


def declaration_programs() -> st.SearchStrategy[A.Program]:
    e = expressions(4)
    item = st.one_of(declarations(), module_declarations(), st.builds(A.ExprStmt, e))
    return _program(st.lists(item, min_size=1, max_size=3))
