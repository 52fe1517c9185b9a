"""The canonical Lumen printer: AST -> source text (the basis of `lumen fmt`).

Guarantee: for every tree the parser produces, `parse(print_program(tree)).program == tree`
(spans and the `compare=False` spelling hints aside), and printing is idempotent.

Canonical style: two-space indentation inside blocks, blocks closed by `end`, one space
around binary operators (ranges `a..b` are written tight when both operands are simple),
`, ` after commas, one blank line between top-level declarations, no trailing whitespace,
and a single final newline.

Parentheses are inserted exactly where the precedence table (§2.7) or the lexical rules
need them.  A few constructs are *open-ended* (their last part is a full expression:
`fn(x) => e`, inline `if`, `try e`, `await e`, role lines, `...e`); they are written bare
only where nothing follows them on the line or before a delimiter, and parenthesised
everywhere else.  Block constructs (`match ... end` and friends) are parenthesised when
they are operands.

Docstrings (`doc=`) are printed as a ``` block before the declaration; that form is only
valid in plain `.lm` source (in `.lm.md` files the fence would end the code block).
Modules: this one holds types, patterns, expressions and statements; `printer_text.py`
spells literals (escapes, the `{` rule, triple-quoted layout); `printer_decls.py` prints
declarations and whole programs.

Trees the parser never produces have no exact spelling: a negative `FloatLit` in an
expression (the lexer folds `-` only into Int literals, so it prints as `-1.5`, which
reads back as `Unary("-", FloatLit(1.5))`), `Optional`/`Union` around a function type,
nested unions, and a `RecordPat` with neither fields nor `..`.
Float values with no literal form: infinity is written `1e999` (which the lexer reads back
as infinity); NaN is written as the builtin name `NAN`, which re-parses as a `Name` — the
parser never produces a NaN literal, so this only matters for synthesised trees.
"""

from __future__ import annotations

import re

from lumen.syntax import ast as A
from lumen.syntax.printer_text import (
    print_bytes,
    print_float,
    print_int,
    print_interp_string,
    print_string_value,
)

INDENT = "  "

BINARY_PRECEDENCE: dict[str, int] = {
    "??": 2, "or": 3, "and": 4,
    "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5, ">=": 5, "<=>": 5, "in": 5, "|": 5,
    "^": 6, "&": 7, "|>": 7, "~>": 7, "++": 8,
    "..": 9, "..=": 9, "<<": 9, ">>": 9,
    "+": 10, "-": 10, "*": 11, "/": 11, "//": 11, "%": 11, "**": 12,
}
ORDERING_OPS = frozenset({"<", "<=", ">", ">="})
PREFIX_PRECEDENCE = 13
POSTFIX_PRECEDENCE = 14
ATOM_PRECEDENCE = 15

_POSTFIX_NODES = (A.Call, A.Attr, A.PosAccess, A.Index, A.Unwrap)
_BLOCK_NODES = (
    A.Match, A.When, A.For, A.While, A.WhileLet, A.Loop, A.Handle, A.Orchestrate,
)
_SIMPLE_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _ind(level: int) -> str:
    return INDENT * level


# ============================================================================ types


def print_type(t: A.TypeExpr) -> str:
    if isinstance(t, A.NamedType):
        if not t.args:
            return t.name
        return f"{t.name}[{', '.join(print_type(a) for a in t.args)}]"
    if isinstance(t, A.TupleType):
        inner = ", ".join(print_type(i) for i in t.items)
        return f"tuple[{inner}]" if t.spelled_tuple else f"({inner})"
    if isinstance(t, A.FnType):
        text = f"fn({', '.join(print_type(p) for p in t.params)}) -> {print_type(t.ret)}"
        return text + _effect_suffix(t.effects)
    if isinstance(t, A.OptionalType):
        return print_type(t.inner) + "?"
    if isinstance(t, A.UnionType):
        sep = " & " if t.ampersand else " | "
        return sep.join(print_type(m) for m in t.members)
    if isinstance(t, A.YieldType):
        return "yield " + print_type(t.inner)
    raise TypeError(f"not a type node: {t!r}")


def print_effect_row(row: A.EffectRow) -> str:
    if not row.braced and len(row.effects) == 1:
        return "/ " + row.effects[0]
    return "/ {" + ", ".join(row.effects) + "}"


def _effect_suffix(row: A.EffectRow | None) -> str:
    return "" if row is None else " " + print_effect_row(row)


def _generics(generics: tuple[A.Generic, ...]) -> str:
    if not generics:
        return ""
    parts = [g.name + (": " + " + ".join(g.bounds) if g.bounds else "") for g in generics]
    return "[" + ", ".join(parts) + "]"


# ============================================================================ patterns


def print_pattern(p: A.Pattern) -> str:
    if isinstance(p, A.WildcardPat):
        return "_"
    if isinstance(p, A.BindPat):
        return p.name
    if isinstance(p, A.LiteralPat):
        return print_expr(p.value)
    if isinstance(p, A.RangePat):
        op = "..=" if p.inclusive else ".."
        return f"{print_expr(p.low)}{op}{print_expr(p.high)}"
    if isinstance(p, A.TypedPat):
        return f"{p.name}: {print_type(p.type)}"
    if isinstance(p, A.VariantPat):
        if p.args is None:
            return p.name
        return f"{p.name}({', '.join(print_pattern(a) for a in p.args)})"
    if isinstance(p, A.RecordPat):
        return _record_pattern(p)
    if isinstance(p, A.TuplePat):
        if len(p.items) == 1:
            return f"({print_pattern(p.items[0])},)"
        return f"({', '.join(print_pattern(i) for i in p.items)})"
    if isinstance(p, A.ListPat):
        parts = [print_pattern(i) for i in p.items]
        if p.rest is not None:
            parts.append("..." + p.rest)
        return f"[{', '.join(parts)}]"
    raise TypeError(f"not a pattern node: {p!r}")


def _record_pattern(p: A.RecordPat) -> str:
    if p.type_name is None:  # anonymous `{ a, b }` destructuring: names only
        return "{ " + ", ".join(f.name for f in p.fields) + " }"
    parts = []
    for f in p.fields:
        # `Rec(f)` without any colon would read as a variant pattern, so a field without
        # a sub-pattern is always written `f:`.
        parts.append(f"{f.name}: {print_pattern(f.pattern)}" if f.pattern else f"{f.name}:")
    if p.rest:
        parts.append("..")
    return f"{p.type_name}({', '.join(parts)})"


# ============================================================================ expressions


def precedence(e: A.Expr) -> int:
    """The binding level of `e` as written without parentheses (§2.7)."""
    if isinstance(e, A.ExpectSchema):
        return 1
    if isinstance(e, A.Binary):
        return BINARY_PRECEDENCE[e.op]
    if isinstance(e, (A.ChainCompare, A.IsExpr, A.AsExpr)):
        return 5
    if isinstance(e, A.Unary) or _is_negative_number(e):
        return PREFIX_PRECEDENCE
    if isinstance(e, _POSTFIX_NODES) or (isinstance(e, A.TryOp) and not e.prefix):
        return POSTFIX_PRECEDENCE
    return ATOM_PRECEDENCE


def _is_negative_number(e: A.Expr) -> bool:
    if isinstance(e, A.IntLit):
        return e.value < 0
    if isinstance(e, A.FloatLit):
        return str(print_float(e.value, e.text)).startswith("-")
    return False


def is_open_ended(e: A.Expr) -> bool:
    """True when the construct ends with a full expression that would swallow whatever
    follows it on the line."""
    if isinstance(e, A.Lambda):
        return not isinstance(e.body, A.Block)
    if isinstance(e, (A.If, A.IfLet)):
        return _prints_inline_if(e)
    if isinstance(e, A.TryOp):
        return e.prefix
    if isinstance(e, A.RoleBlock):
        return not e.block
    return isinstance(e, (A.TryElse, A.Await, A.Spread))


def _is_block_construct(e: A.Expr) -> bool:
    if isinstance(e, _BLOCK_NODES):
        return True
    if isinstance(e, (A.If, A.IfLet)):
        return not _prints_inline_if(e)
    if isinstance(e, A.Lambda):
        return isinstance(e.body, A.Block)
    if isinstance(e, A.Comptime):
        return not _comptime_braced(e)
    if isinstance(e, A.RoleBlock):
        return e.block
    return False


def print_expr(e: A.Expr, indent: int = 0) -> str:
    """`e` as source text; multi-line constructs are laid out for a line at `indent`."""
    return _ExprPrinter(indent).top(e)


class _ExprPrinter:
    """Prints one expression; `indent` is the level of the line the expression starts on."""

    def __init__(self, indent: int) -> None:
        self.indent = indent

    def top(self, e: A.Expr) -> str:
        return self.sub(e, 0, True)

    def sub(self, e: A.Expr, min_prec: int, tail: bool) -> str:
        """`e` in a context that needs binding level `min_prec`; `tail` says nothing follows
        it before the end of the line or a closing delimiter/comma."""
        if _needs_parens(e, min_prec, tail):
            return "(" + self.raw(e, True) + ")"
        return self.raw(e, tail)

    def raw(self, e: A.Expr, tail: bool) -> str:
        method = getattr(self, "_" + type(e).__name__, None)
        if method is None:
            raise TypeError(f"not an expression node: {e!r}")
        return method(e, tail)

    # ---------------------------------------------------------------- literals

    def _IntLit(self, e: A.IntLit, tail: bool) -> str:
        return print_int(e.value, e.text)

    def _FloatLit(self, e: A.FloatLit, tail: bool) -> str:
        return print_float(e.value, e.text)

    def _StringLit(self, e: A.StringLit, tail: bool) -> str:
        return print_string_value(e.value, e.form, self.indent)

    def _InterpString(self, e: A.InterpString, tail: bool) -> str:
        return print_interp_string(e.parts, e.form, self._interpolation, self.indent)

    def _interpolation(self, part: A.Interpolation) -> str:
        inner = _ExprPrinter(0).sub(part.expr, 0, part.spec is None)
        if not inner or not (inner[0].isalnum() or inner[0] in "_([-"):
            inner = f"({inner})"  # `{` only starts an interpolation before these
        return "{" + inner + ("" if part.spec is None else ":" + part.spec) + "}"

    def _BytesLit(self, e: A.BytesLit, tail: bool) -> str:
        return print_bytes(e.value)

    def _BoolLit(self, e: A.BoolLit, tail: bool) -> str:
        return "true" if e.value else "false"

    def _NullLit(self, e: A.NullLit, tail: bool) -> str:
        return "null"

    def _Name(self, e: A.Name, tail: bool) -> str:
        return e.id

    # ---------------------------------------------------------------- collections

    def _item(self, item: A.Expr) -> str:
        return self.sub(item, 0, True)

    def _Spread(self, e: A.Spread, tail: bool) -> str:
        return "..." + self.sub(e.value, 0, tail)

    def _ListLit(self, e: A.ListLit, tail: bool) -> str:
        return "[" + ", ".join(self._item(i) for i in e.items) + "]"

    def _TupleLit(self, e: A.TupleLit, tail: bool) -> str:
        if len(e.items) == 1:
            return "(" + self._item(e.items[0]) + ",)"
        return "(" + ", ".join(self._item(i) for i in e.items) + ")"

    def _SetLit(self, e: A.SetLit, tail: bool) -> str:
        if not e.items:
            return "set[]"
        return "{" + ", ".join(self._item(i) for i in e.items) + "}"

    def _MapLit(self, e: A.MapLit, tail: bool) -> str:
        parts = []
        for position, entry in enumerate(e.entries):
            if isinstance(entry, A.Spread):
                parts.append(self._item(entry))
                continue
            key = self.sub(entry.key, 0, False)
            # A bare identifier key after the first entry is read as a string (§3.3).
            if position > 0 and isinstance(entry.key, A.Name):
                key = f"({key})"
            parts.append(f"{key}: {self._item(entry.value)}")
        return "{" + ", ".join(parts) + "}"

    def _Comprehension(self, e: A.Comprehension, tail: bool) -> str:
        text = self.sub(e.element, 0, False)
        for clause in e.clauses:
            target = print_pattern(clause.target)
            text += f" for {target} in {self.sub(clause.iterable, 0, False)}"
        if e.condition is not None:
            text += " if " + self.sub(e.condition, 0, True)
        return f"[{text}]" if e.kind == "list" else "{" + text + "}"

    # ---------------------------------------------------------------- operators

    def _Unary(self, e: A.Unary, tail: bool) -> str:
        operand = self.sub(e.operand, PREFIX_PRECEDENCE, tail)
        if e.op == "-" and (operand.startswith("-") or isinstance(e.operand, A.IntLit)):
            operand = f"({operand})"  # `-5` folds into an Int literal; `--` is not a token
        if e.op == "not":
            return "not " + operand
        return e.op + operand

    def _Binary(self, e: A.Binary, tail: bool) -> str:
        prec = BINARY_PRECEDENCE[e.op]
        right_assoc = e.op == "**"
        left = self.sub(e.left, prec + 1 if right_assoc else prec, False)
        needs_left_parens = (
            (e.op in ORDERING_OPS and isinstance(e.left, A.Binary) and e.left.op in ORDERING_OPS)
            or (right_assoc and precedence(e.left) == PREFIX_PRECEDENCE)
        )
        if needs_left_parens and not left.startswith("("):
            left = f"({left})"
        right = self.sub(e.right, prec if right_assoc else prec + 1, tail)
        if e.op in ("..", "..=") and _is_simple(e.left) and _is_simple(e.right):
            return f"{left}{e.op}{right}"
        return f"{left} {e.op} {right}"

    def _ChainCompare(self, e: A.ChainCompare, tail: bool) -> str:
        left = self.sub(e.left, 6, False)
        middle = self.sub(e.middle, 6, False)
        right = self.sub(e.right, 6, tail)
        return f"{left} {e.op1} {middle} {e.op2} {right}"

    def _IsExpr(self, e: A.IsExpr, tail: bool) -> str:
        return f"{self.sub(e.value, 5, False)} is {print_type(e.type)}"

    def _AsExpr(self, e: A.AsExpr, tail: bool) -> str:
        return f"{self.sub(e.value, 5, False)} as {print_type(e.type)}"

    def _ExpectSchema(self, e: A.ExpectSchema, tail: bool) -> str:
        return f"{self.sub(e.value, 2, False)} expect schema {e.type_name}"

    # ---------------------------------------------------------------- postfix

    def _target(self, e: A.Expr, glues_to_question: bool = False) -> str:
        """The operand of a postfix operator; `glues_to_question` says the operator starts
        with `.`, `[` or `?`, which would merge with a postfix `?` into `?.`, `?[`, `??`."""
        if _needs_parens(e, POSTFIX_PRECEDENCE, False):
            return "(" + self.raw(e, True) + ")"
        text = self.raw(e, False)
        if isinstance(e, (A.IntLit, A.FloatLit, A.PosAccess)):
            return f"({text})"  # `5.x`, `1.5.x` and `t.0.1` would lex as floats
        if glues_to_question and isinstance(e, A.TryOp):
            return f"({text})"
        return text

    def _arg(self, arg: A.Arg) -> str:
        if arg.spread:
            return "..." + self.sub(arg.value, 0, True)
        if isinstance(arg.value, A.RoleBlock) and arg.name == arg.value.role:
            return self.sub(arg.value, 0, True)
        value = self.sub(arg.value, 0, True)
        return value if arg.name is None else f"{arg.name}: {value}"

    def _Call(self, e: A.Call, tail: bool) -> str:
        callee = self._target(e.callee)
        args = e.args
        trailing = _trailing_block(args)
        if trailing is not None:
            args = args[:-1]
        text = f"{callee}({', '.join(self._arg(a) for a in args)})"
        if trailing is not None:
            params = ", ".join(
                p.name + ("" if p.type is None else ": " + print_type(p.type))
                for p in trailing.params
            )
            text += " do" + (f" |{params}|" if params else "")
            text += self._block_body(trailing.body) + "\n" + _ind(self.indent) + "end"
        return text

    def _Attr(self, e: A.Attr, tail: bool) -> str:
        return self._target(e.value, True) + ("?." if e.safe else ".") + e.name

    def _PosAccess(self, e: A.PosAccess, tail: bool) -> str:
        return f"{self._target(e.value, True)}.{e.index}"

    def _Index(self, e: A.Index, tail: bool) -> str:
        target = self._target(e.value, True)
        return target + ("?[" if e.safe else "[") + self._item(e.index) + "]"

    def _TryOp(self, e: A.TryOp, tail: bool) -> str:
        if e.prefix:
            return "try " + self.sub(e.value, POSTFIX_PRECEDENCE, False)
        return self._target(e.value, True) + "?"

    def _TryElse(self, e: A.TryElse, tail: bool) -> str:
        value = self.sub(e.value, POSTFIX_PRECEDENCE, False)
        name = "" if e.name is None else f"|{e.name}| "
        return f"try {value} else {name}{self.sub(e.handler, 0, tail)}"

    def _Unwrap(self, e: A.Unwrap, tail: bool) -> str:
        return self._target(e.value) + "!"

    # ---------------------------------------------------------------- functions

    def _Lambda(self, e: A.Lambda, tail: bool) -> str:
        head = f"fn({print_params(e.params, self.indent)})"
        if e.ret is not None:
            head += " -> " + print_type(e.ret)
        head += _effect_suffix(e.effects)
        if isinstance(e.body, A.Block):
            return head + self._block_body(e.body) + "\n" + _ind(self.indent) + "end"
        return f"{head} => {self.sub(e.body, 0, tail)}"

    # ---------------------------------------------------------------- blocks

    def _block_body(self, block: A.Block, extra: int = 1) -> str:
        """The statements of `block`, each on its own line (with a leading newline)."""
        lines = [print_stmt(s, self.indent + extra) for s in block.stmts]
        return "".join("\n" + line for line in lines)

    def _If(self, e: A.If | A.IfLet, tail: bool) -> str:
        if _prints_inline_if(e):
            return self._inline_if(e, tail)
        text = self._if_head(e, True) + self._block_body(e.then)
        branch = e.else_
        while branch is not None:
            if isinstance(branch, A.Block):
                text += "\n" + _ind(self.indent) + "else" + self._block_body(branch)
                break
            text += "\n" + _ind(self.indent) + "else " + self._if_head(branch, True)
            text += self._block_body(branch.then)
            branch = branch.else_
        return text + "\n" + _ind(self.indent) + "end"

    _IfLet = _If

    def _if_head(self, e: A.If | A.IfLet, at_line_end: bool = False) -> str:
        """`at_line_end`: a block follows, so the condition ends its line (an `is T` there
        needs no parentheses)."""
        if isinstance(e, A.IfLet):
            return f"if let {print_pattern(e.pattern)} = {self._head_expr(e.value, at_line_end)}"
        return "if " + self._head_expr(e.condition, at_line_end)

    def _head_expr(self, e: A.Expr, at_line_end: bool) -> str:
        """The last expression of a block header: nothing follows it on the line, but an
        open-ended one would still read the block's first line as its continuation."""
        return self.sub(e, 0, at_line_end and not is_open_ended(e))

    def _inline_if(self, e: A.If | A.IfLet, tail: bool) -> str:
        then = _inline_branch(e.then.stmts[0], self.indent, tail and e.else_ is None)
        text = f"{self._if_head(e)} then {then}"
        if isinstance(e.else_, A.Block):
            text += " else " + _inline_branch(e.else_.stmts[0], self.indent, tail)
        elif e.else_ is not None:
            text += " else " + self._inline_if(e.else_, tail)
        return text

    def _Match(self, e: A.Match, tail: bool) -> str:
        text = "match " + self._head_expr(e.subject, True)
        for arm in e.arms:
            text += "\n" + _ind(self.indent + 1) + self._match_arm(arm)
        return text + "\n" + _ind(self.indent) + "end"

    def _match_arm(self, arm: A.MatchArm) -> str:
        alternatives = [print_pattern(p) for p in arm.patterns]
        for n, p in enumerate(arm.patterns[:-1]):
            if isinstance(p, A.TypedPat):
                alternatives[n] = f"({alternatives[n]})"  # its type would swallow the `|`
        head = " | ".join(alternatives)
        if arm.guard is not None:
            head += " if " + self.sub(arm.guard, 0, False)
        # A protocol line (`approve …`, §6.13) is one only at the start of a line.
        if len(arm.body.stmts) == 1 and not isinstance(arm.body.stmts[0], A.ProtocolStmt):
            line = print_stmt(arm.body.stmts[0], self.indent + 1)
            if "\n" not in line:
                return f"{head} -> {line.lstrip()}"
        return head + " ->" + self._block_body(arm.body, 2)

    def _When(self, e: A.When, tail: bool) -> str:
        text = "when"
        inner = _ExprPrinter(self.indent + 1)
        for arm in e.arms:
            cond = "_" if arm.condition is None else _line_start(inner.sub(arm.condition, 0, False))
            text += f"\n{_ind(self.indent + 1)}{cond} -> {inner.sub(arm.value, 0, True)}"
        return text + "\n" + _ind(self.indent) + "end"

    def _label(self, label: str | None) -> str:
        return "" if label is None else f" @{label}"

    def _For(self, e: A.For, tail: bool) -> str:
        text = f"for{self._label(e.label)} {print_pattern(e.target)} in "
        text += self.sub(e.iterable, 0, False)
        if e.filter is not None:
            text += " if " + self.sub(e.filter, 0, False)
        return text + self._block_body(e.body) + "\n" + _ind(self.indent) + "end"

    def _While(self, e: A.While, tail: bool) -> str:
        text = f"while{self._label(e.label)} {self._head_expr(e.condition, True)}"
        return text + self._block_body(e.body) + "\n" + _ind(self.indent) + "end"

    def _WhileLet(self, e: A.WhileLet, tail: bool) -> str:
        text = f"while{self._label(e.label)} let {print_pattern(e.pattern)} = "
        text += self.sub(e.value, 0, False)
        return text + self._block_body(e.body) + "\n" + _ind(self.indent) + "end"

    def _Loop(self, e: A.Loop, tail: bool) -> str:
        text = "loop" + self._label(e.label)
        return text + self._block_body(e.body) + "\n" + _ind(self.indent) + "end"

    def _Handle(self, e: A.Handle, tail: bool) -> str:
        text = "handle" + self._block_body(e.body) + "\n" + _ind(self.indent) + "with"
        for arm in e.arms:
            text += f"\n{_ind(self.indent + 1)}{arm.effect}.{arm.op}({print_params(arm.params, self.indent + 1)}) =>"
            text += self._block_body(arm.body, 2)
        return text + "\n" + _ind(self.indent) + "end"

    def _Perform(self, e: A.Perform, tail: bool) -> str:
        args = ", ".join(self._item(a) for a in e.args)
        return f"perform {e.effect}.{e.op}({args})"

    def _Resume(self, e: A.Resume, tail: bool) -> str:
        return f"resume({self._item(e.value)})"

    def _Await(self, e: A.Await, tail: bool) -> str:
        return "await " + self.sub(e.value, POSTFIX_PRECEDENCE, False)

    def _Orchestrate(self, e: A.Orchestrate, tail: bool) -> str:
        text = "await " + e.kind
        if e.args:
            text += "(" + ", ".join(self._arg(a) for a in e.args) + ")"
        if e.for_target is not None and e.for_iterable is not None:
            text += f" for {e.for_target} in {self.sub(e.for_iterable, 0, False)}"
        inner = _ExprPrinter(self.indent + 1)
        for item in e.body:
            text += "\n" + _ind(self.indent + 1) + _line_start(inner.top(item))
        return text + "\n" + _ind(self.indent) + "end"

    def _Comptime(self, e: A.Comptime, tail: bool) -> str:
        if _comptime_braced(e):
            return "comptime { " + print_stmt(e.body.stmts[0], 0) + " }"
        return "comptime" + self._block_body(e.body) + "\n" + _ind(self.indent) + "end"

    def _RoleBlock(self, e: A.RoleBlock, tail: bool) -> str:
        text = _role_text(e.text, self._interpolation)
        if not e.block:
            return f"role {e.role}: {text}"
        body = "".join(
            "\n" + (_ind(self.indent + 1) + line if line else "") for line in text.split("\n")
        )
        return f"role {e.role}:{body}\n{_ind(self.indent)}end"


def _needs_parens(e: A.Expr, min_prec: int, tail: bool) -> bool:
    """Whether `e` must be parenthesised where binding level `min_prec` is needed (`tail`:
    nothing follows it before the end of the line, a comma or a closing bracket)."""
    if is_open_ended(e):
        return min_prec > 0 or not tail
    if _is_block_construct(e):
        return min_prec > 0
    if isinstance(e, (A.IsExpr, A.AsExpr)):
        # A type swallows a following `|`, `&` or `?`: close it off unless at the end.
        return min_prec > 5 or not tail
    if isinstance(e, A.ChainCompare):
        return min_prec >= 5
    return precedence(e) < min_prec


def _line_start(text: str) -> str:
    """Text that begins a line: a leading operator would continue the previous line (§2.1)."""
    return f"({text})" if text.startswith(("-", "+", ".")) else text


def _is_simple(e: A.Expr) -> bool:
    return precedence(e) >= POSTFIX_PRECEDENCE and not (
        is_open_ended(e) or _is_block_construct(e)
    )


def _comptime_braced(e: A.Comptime) -> bool:
    """`comptime { e }` holds one expression on one line."""
    if not e.braced or len(e.body.stmts) != 1 or not isinstance(e.body.stmts[0], A.ExprStmt):
        return False
    return "\n" not in print_stmt(e.body.stmts[0], 0)


def _trailing_block(args: tuple[A.Arg, ...]) -> A.Lambda | None:
    """The last argument when it can be written as a trailing `do` block."""
    if not args:
        return None
    last = args[-1]
    lam = last.value
    if last.name is not None or last.spread or not isinstance(lam, A.Lambda):
        return None
    if not lam.trailing or not isinstance(lam.body, A.Block) or lam.ret or lam.effects:
        return None
    if any(p.default is not None or p.variadic for p in lam.params):
        return None
    return lam


def _role_text(text: A.Expr, interpolation) -> str:  # type: ignore[no-untyped-def]
    """Role text is written without quotes; `{` that is not an interpolation stays as is."""
    if isinstance(text, A.StringLit):
        return text.value
    if isinstance(text, A.InterpString):
        return "".join(
            p if isinstance(p, str) else interpolation(p) for p in text.parts
        )
    return "{" + print_expr(text) + "}"


# ============================================================================ inline if


def _prints_inline_if(e: A.If | A.IfLet) -> bool:
    """Whether an `if` chain marked `inline` can be written on one line."""
    if not e.inline:
        return False
    branch: A.If | A.IfLet | A.Block | None = e
    while isinstance(branch, (A.If, A.IfLet)):
        if not branch.inline or not _one_line_block(branch.then):
            return False
        branch = branch.else_
    return branch is None or _one_line_block(branch)


# Statements the one-line `then`/`else` branches accept (besides expressions).
_INLINE_BRANCH_STMTS = (A.ExprStmt, A.Return, A.Break, A.Continue, A.Emit, A.Halt)


def _one_line_block(block: A.Block) -> bool:
    if len(block.stmts) != 1 or not isinstance(block.stmts[0], _INLINE_BRANCH_STMTS):
        return False
    return "\n" not in print_stmt(block.stmts[0], 0)


def _inline_branch(stmt: A.Stmt, indent: int, tail: bool) -> str:
    if isinstance(stmt, A.ExprStmt):
        return _ExprPrinter(indent).sub(stmt.expr, 0, tail)
    return print_stmt(stmt, 0)


# ============================================================================ statements


def print_params(params: tuple[A.Param, ...], indent: int = 0) -> str:
    """Parameters as written; `indent` is the level of the line they are on (a default
    value may span lines: an inline `if` block, a triple-quoted string)."""
    return ", ".join(_param(p, indent) for p in params)


def _param(p: A.Param, indent: int) -> str:
    text = ("..." if p.variadic else "") + p.name
    if p.type is not None:
        text += ": " + print_type(p.type)
    if p.default is not None:
        text += " = " + print_expr(p.default, indent)
    return text


def print_stmt(s: A.Stmt, indent: int = 0) -> str:
    """One statement (possibly several lines), its first line indented to `indent`."""
    if isinstance(s, A.DECL_TYPES):
        from lumen.syntax.printer_decls import print_decl

        return print_decl(s, indent)
    return _ind(indent) + _stmt_text(s, indent)


def _value(e: A.Expr, indent: int) -> str:
    return _ExprPrinter(indent).top(e)


def _stmt_text(s: A.Stmt, indent: int) -> str:
    if isinstance(s, A.ExprStmt):
        return _line_start(_value(s.expr, indent))
    if isinstance(s, A.Let):
        head = "let mut " if s.mutable else "let "
        head += print_pattern(s.target)
        if s.type is not None:
            head += ": " + print_type(s.type)
        return f"{head} = {_value(s.value, indent)}"
    if isinstance(s, A.Assign):
        return f"{_value(s.target, indent)} = {_value(s.value, indent)}"
    if isinstance(s, A.CompoundAssign):
        return f"{_value(s.target, indent)} {s.op}= {_value(s.value, indent)}"
    if isinstance(s, A.Return):
        return "return" if s.value is None else "return " + _value(s.value, indent)
    if isinstance(s, A.Halt):
        return f"halt({_value(s.message, indent)})"
    if isinstance(s, A.Break):
        if s.label is not None:
            return f"break @{s.label}"
        return "break" if s.value is None else "break " + _value(s.value, indent)
    if isinstance(s, A.Continue):
        return "continue" if s.label is None else f"continue @{s.label}"
    if isinstance(s, A.Emit):
        return "emit " + _value(s.value, indent)
    if isinstance(s, A.Yield):
        return "yield " + _value(s.value, indent)
    if isinstance(s, A.Defer):
        body = "".join("\n" + print_stmt(st, indent + 1) for st in s.body.stmts)
        return f"defer{body}\n{_ind(indent)}end"
    if isinstance(s, A.ProtocolStmt):
        # payload lines (kept stripped) are read back only when indented past the keyword
        text = f"{s.keyword} {s.text}".rstrip().replace("\n", "\n" + _ind(indent + 1))
        if s.body is not None:
            body = "".join("\n" + print_stmt(st, indent + 1) for st in s.body.stmts)
            text += f" in{body}\n{_ind(indent)}end"
        return text
    raise TypeError(f"not a statement node: {s!r}")


def print_block(block: A.Block, indent: int) -> str:
    """The statements of a block, one per line, at `indent` (no trailing newline)."""
    return "\n".join(print_stmt(s, indent) for s in block.stmts)


def print_program(program: A.Program) -> str:
    from lumen.syntax.printer_decls import print_program as _print_program

    return _print_program(program)
