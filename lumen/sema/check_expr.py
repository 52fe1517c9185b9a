"""Expression typing (§4.6 "Expression types", §7): literals, names, operators, access,
lambdas, collections and the null-safety/result forms.  Calls live in `check_call.py`,
block-valued constructs in `check_stmt.py`."""

from __future__ import annotations

import re
from collections.abc import Callable

from lumen.diagnostics import ErrorCode
from lumen.sema import messages
from lumen.sema.builtin_types import BUILTIN_CONSTANTS, BUILTIN_FUNCTIONS
from lumen.sema.context import CheckerBase, FunctionContext
from lumen.sema.resolve import Scope, is_global_value, suggest
from lumen.sema.types import (
    ANY,
    BOOL,
    BYTES,
    FLOAT,
    INT,
    NEVER,
    NULL,
    STRING,
    FnT,
    ListT,
    MapT,
    NamedT,
    ResultT,
    SetT,
    TupleT,
    Type,
    UnionT,
    compatible,
    element_type,
    is_dynamic,
    join,
    optional,
    render,
    strip_null,
    substitute,
)
from lumen.syntax import ast

_FORMAT_SPEC = re.compile(r"^(?:.?[<>^])?[+-]?#?0?\d*(?:\.\d+)?([dxXobfeEs])?$")
_ARITHMETIC = frozenset({"+", "-", "*", "/", "//", "%"})
_BOOLEAN_RESULT = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in", "and", "or"})
_NUMERIC = (INT, FLOAT)


class ExprChecker(CheckerBase):
    _dispatch: dict[type, Callable[[ExprChecker, ast.Node], Type]] = {}

    # ------------------------------------------------------------------ entry points

    def expr(self, node: ast.Node) -> Type:
        """The static type of `node`, reporting problems on the way (never raises)."""
        method = self._dispatch.get(type(node))
        if method is None:
            return ANY
        return method(self, node)

    def expect_bool(self, node: ast.Node) -> None:
        """Conditions of if/while/filters/guards MUST be Bool (§4.6)."""
        found = self.expr(node)
        if not compatible(BOOL, found):
            self.error(ErrorCode.MISMATCH, messages.mismatch("Bool", render(found)), node)

    def expect_type(self, expected: Type, node: ast.Node, found: Type | None = None) -> Type:
        found = self.expr(node) if found is None else found
        if not compatible(expected, found):
            self.error(
                ErrorCode.MISMATCH, messages.mismatch(render(expected), render(found)), node
            )
        return found

    # ------------------------------------------------------------------ literals

    def _int(self, node: ast.IntLit) -> Type:
        return INT

    def _float(self, node: ast.FloatLit) -> Type:
        return FLOAT

    def _string(self, node: ast.StringLit) -> Type:
        return STRING

    def _bytes(self, node: ast.BytesLit) -> Type:
        return BYTES

    def _bool(self, node: ast.BoolLit) -> Type:
        return BOOL

    def _null(self, node: ast.NullLit) -> Type:
        return NULL

    def _interp(self, node: ast.InterpString) -> Type:
        for part in node.parts:
            if isinstance(part, ast.Interpolation):
                found = self.expr(part.expr)
                if part.spec is not None:
                    self.check_format_spec(part, found)
        return STRING

    def check_format_spec(self, part: ast.Interpolation, found: Type) -> None:
        match = _FORMAT_SPEC.match(part.spec or "")
        kind = match.group(1) if match else None
        if kind is None:
            return
        if kind in "dxXob" and not compatible(INT, found):
            self.error(
                ErrorCode.MISMATCH, messages.format_spec_type(part.spec or "", "Int", render(found)),
                part,
            )
        elif kind in "feE" and not compatible(FLOAT, found):
            self.error(
                ErrorCode.MISMATCH,
                messages.format_spec_type(part.spec or "", "Int or Float", render(found)), part,
            )

    def _role(self, node: ast.RoleBlock) -> Type:
        self.expr(node.text)
        return STRING

    # ------------------------------------------------------------------ names

    def _name(self, node: ast.Name) -> Type:
        found = self.name_type(node.id)
        if found is not None:
            return found
        if self.strict:
            hints = suggest(node.id, self.visible_names())
            self.error(
                ErrorCode.UNDEFINED_VAR, messages.undefined_var(node.id), node,
                hint=messages.did_you_mean(hints) if hints else None, suggestions=hints,
            )
        return ANY

    def name_type(self, name: str) -> Type | None:
        """The type of a name in expression position, or None when it is bound nowhere."""
        local = self.scope.lookup(name)
        if local is not None:
            return local
        s = self.symbols
        if name in s.constants:
            return s.constant_types.get(name, ANY)
        if name in BUILTIN_CONSTANTS:
            return BUILTIN_CONSTANTS[name]
        cell = s.cells.get(name) or s.imported_cells.get(name)
        if cell is not None:
            params = tuple(p.type for p in cell.params)
            return FnT(params, cell.ret if cell.ret is not None else ANY)
        variant = s.variants.get(name)
        if variant is not None and name not in s.records:
            return self.variant_type(variant.enum) if variant.fields is None else ANY
        if is_global_value(s, name) or s.star_import or name == "self":
            return ANY
        if name[:1].isupper() and s.imports_types:
            return ANY  # perhaps a variant of an imported enum (§15.3)
        return None

    def variant_type(self, enum: str) -> Type:
        return NamedT(enum, (), "enum")

    def local_names(self, body: ast.Node | None) -> frozenset[str]:
        """Names bound anywhere in a function body, minus enum variant names (which a bare
        pattern matches instead of binding, §8.1)."""
        return self.symbols.scan_of(body).binders - self.symbols.variants.keys()

    def visible_names(self) -> set[str]:
        names: set[str] = set(BUILTIN_FUNCTIONS) | set(BUILTIN_CONSTANTS)
        names |= self.symbols.global_names()
        scope: Scope | None = self.scope
        while scope is not None:
            names.update(scope.vars)
            scope = scope.parent
        return names

    # ------------------------------------------------------------------ collections

    def _items_type(self, items: tuple[ast.Node, ...]) -> Type:
        types = []
        for item in items:
            if isinstance(item, ast.Spread):
                spread = self.expr(item.value)
                elem = element_type(spread)
                types.append(elem if elem is not None else ANY)
            else:
                types.append(self.expr(item))
        return join(types) if types else ANY

    def _list(self, node: ast.ListLit) -> Type:
        return ListT(self._items_type(node.items))

    def _set(self, node: ast.SetLit) -> Type:
        return SetT(self._items_type(node.items))

    def _tuple(self, node: ast.TupleLit) -> Type:
        return TupleT(tuple(self.expr(i) for i in node.items))

    def _map(self, node: ast.MapLit) -> Type:
        keys: list[Type] = []
        values: list[Type] = []
        for entry in node.entries:
            if isinstance(entry, ast.Spread):
                spread = self.expr(entry.value)
                keys.append(spread.key if isinstance(spread, MapT) else ANY)
                values.append(spread.value if isinstance(spread, MapT) else ANY)
            else:
                keys.append(self.expr(entry.key))
                values.append(self.expr(entry.value))
        if not keys:
            return MapT(STRING, ANY)
        return MapT(join(keys), join(values))

    def _comprehension(self, node: ast.Comprehension) -> Type:
        outer = self.scope
        self.scope = Scope(outer)
        try:
            for clause in node.clauses:
                elem = self.iterable_element(clause.iterable)
                self.bind_irrefutable(clause.target, elem)
            if node.condition is not None:
                self.expect_bool(node.condition)
            element = self.expr(node.element)
        finally:
            self.scope = outer
        if node.kind == "set":
            return SetT(element)
        if node.kind == "map":
            value = element.items[1] if isinstance(element, TupleT) and len(element.items) == 2 else ANY
            return MapT(STRING, value)
        return ListT(element)

    def iterable_element(self, node: ast.Node) -> Type:
        """Check a `for` iterable (§4.6: list, set, map or Any) and return its element type."""
        found = self.expr(node)
        if found == NEVER:
            return ANY
        elem = element_type(found)
        if elem is None:
            self.error(ErrorCode.MISMATCH, messages.not_iterable(render(found)), node)
            return ANY
        return elem

    def _spread(self, node: ast.Spread) -> Type:
        return self.expr(node.value)

    # ------------------------------------------------------------------ operators

    def _unary(self, node: ast.Unary) -> Type:
        operand = self.expr(node.operand)
        if node.op == "not":
            return BOOL
        if node.op == "~":
            return INT
        return operand if operand in _NUMERIC else ANY

    def _binary(self, node: ast.Binary) -> Type:
        op = node.op
        if op == "|>":
            return self.pipe(node)
        left = self.expr(node.left)
        right = self.expr(node.right)
        if op in _ARITHMETIC:
            return self.arithmetic_type(op, left, right)
        if op in _BOOLEAN_RESULT:
            return BOOL
        if op == "**":
            if left == FLOAT or right == FLOAT:
                return FLOAT if left in _NUMERIC and right in _NUMERIC else ANY
            return INT if left == INT and right == INT else ANY
        if op == "++":
            return left
        if op in ("<<", ">>"):
            self.expect_type(INT, node.left, left)
            self.expect_type(INT, node.right, right)
            return INT
        if op in ("&", "|", "^"):
            return INT
        if op == "<=>":
            if not (compatible(left, right) and compatible(right, left)):
                self.error(
                    ErrorCode.MISMATCH, messages.same_type_operands(render(left), render(right)),
                    node.right,
                )
            return INT
        if op == "??":
            stripped = strip_null(left)
            return right if stripped in (NULL, NEVER) else stripped
        if op in ("..", "..="):
            return ListT(INT)
        return ANY

    @staticmethod
    def arithmetic_type(op: str, left: Type, right: Type) -> Type:
        if is_dynamic(left) or is_dynamic(right):
            return ANY
        if op == "+" and (left == STRING or right == STRING):
            return STRING
        if left in _NUMERIC and right in _NUMERIC:
            return FLOAT if FLOAT in (left, right) else INT
        return ANY

    def _chain(self, node: ast.ChainCompare) -> Type:
        self.expr(node.left)
        self.expr(node.middle)
        self.expr(node.right)
        return BOOL

    def _is(self, node: ast.IsExpr) -> Type:
        self.expr(node.value)
        self.check_type_test(node.type)
        return BOOL

    def check_type_test(self, texpr: ast.Node) -> Type:
        """The target of `is` (§4.7): a single type name; unknown names are E0205."""
        if isinstance(texpr, ast.NamedType) and texpr.name in self.symbols.variants:
            return self.variant_type(self.symbols.variants[texpr.name].enum)
        return self.resolve_type(texpr, ErrorCode.UNDEFINED_TYPE_IN_CHECK)

    def _as(self, node: ast.AsExpr) -> Type:
        self.expr(node.value)
        return self.check_type_test(node.type)

    def _expect_schema(self, node: ast.ExpectSchema) -> Type:
        self.expr(node.value)
        if node.type_name in self.symbols.records:
            return NamedT(node.type_name)
        return ANY

    # ------------------------------------------------------------------ access

    def _attr(self, node: ast.Attr) -> Type:
        qualified = self.qualified_member(node)
        if qualified is not None:
            return qualified
        owner = self.expr(node.value)
        found = self.field_type(owner, node.name)
        return optional(found) if node.safe else found

    def qualified_member(self, node: ast.Attr) -> Type | None:
        """`Enum.Variant`, `Type.method` or `Effect.op` written on a type name."""
        if not isinstance(node.value, ast.Name):
            return None
        owner = node.value.id
        if self.scope.lookup(owner) is not None:
            return None
        s = self.symbols
        enum = s.enums.get(owner)
        if enum is not None and node.name in enum.variants:
            variant = enum.variants[node.name]
            return self.variant_type(owner) if variant.fields is None else ANY
        method = s.cells.get(f"{owner}.{node.name}")
        if method is not None:
            return FnT(tuple(p.type for p in method.params), method.ret or ANY)
        if owner in s.enums or owner in s.effects or owner in s.agents or owner in s.processes:
            return ANY
        if owner in s.records or owner in s.tools or owner in s.imported:
            return ANY
        return None

    def field_type(self, owner: Type, name: str) -> Type:
        if isinstance(owner, NamedT) and owner.kind == "record":
            record = self.symbols.records.get(owner.name)
            if record is not None and name in record.fields:
                declared = record.fields[name].type
                bindings = dict(zip(record.generics, owner.args))
                return substitute(declared, bindings)
            return ANY
        if isinstance(owner, MapT):
            return owner.value
        return ANY

    def _pos_access(self, node: ast.PosAccess) -> Type:
        owner = self.expr(node.value)
        if isinstance(owner, TupleT) and 0 <= node.index < len(owner.items):
            return owner.items[node.index]
        if isinstance(owner, ListT):
            return owner.elem
        return ANY

    def _index(self, node: ast.Index) -> Type:
        owner = self.expr(node.value)
        self.expr(node.index)
        found: Type = ANY
        if isinstance(owner, ListT):
            found = owner.elem
        elif isinstance(owner, MapT):
            found = owner.value
        elif owner == STRING:
            found = STRING
        elif isinstance(owner, TupleT) and isinstance(node.index, ast.IntLit):
            if 0 <= node.index.value < len(owner.items):
                found = owner.items[node.index.value]
        return optional(found) if node.safe else found

    # ------------------------------------------------------------------ results and nulls

    @staticmethod
    def unwrap_result(found: Type) -> Type:
        if isinstance(found, ResultT):
            return found.ok
        if isinstance(found, UnionT) and any(isinstance(m, ResultT) for m in found.members):
            return strip_null(found)
        return ANY

    def _try(self, node: ast.TryOp) -> Type:
        return self.unwrap_result(self.expr(node.value))

    def _try_else(self, node: ast.TryElse) -> Type:
        found = self.expr(node.value)
        error_type = found.err if isinstance(found, ResultT) else ANY
        self.scope.define(node.name or "_err", error_type)
        handler = self.expr(node.handler)
        return join([self.unwrap_result(found), handler])

    def _unwrap(self, node: ast.Unwrap) -> Type:
        return strip_null(self.expr(node.value))

    # ------------------------------------------------------------------ functions

    def _lambda(self, node: ast.Lambda) -> Type:
        outer_scope, outer_function = self.scope, self.function
        ret = self.resolve_type(node.ret) if node.ret is not None else None
        # The enclosing cell's scan already knows the names bound inside this lambda.
        self.scope = Scope(outer_scope)
        self.function = FunctionContext("<lambda>", ret, outer_function.generics)
        try:
            params = []
            for param in node.params:
                declared = self.resolve_type(param.type)
                if param.default is not None:
                    self.expr(param.default)
                self.scope.define(param.name, ListT(declared) if param.variadic else declared)
                params.append(declared)
            if isinstance(node.body, ast.Block):
                body = self.block(node.body)
                result = ret if ret is not None else ANY
            else:
                body = self.expr(node.body)
                result = ret if ret is not None else body
        finally:
            self.scope, self.function = outer_scope, outer_function
        del body
        return FnT(tuple(params), result)

    # ------------------------------------------------------------------ async and effects

    def _await(self, node: ast.Await) -> Type:
        return self.expr(node.value)

    def _orchestrate(self, node: ast.Orchestrate) -> Type:
        for arg in node.args:
            self.expr(arg.value)
        outer = self.scope
        if node.for_iterable is not None:
            elem = self.iterable_element(node.for_iterable)
            self.scope = Scope(outer)
            if node.for_target:
                self.scope.define(node.for_target, elem)
        try:
            for item in node.body:
                self.expr(item)
        finally:
            self.scope = outer
        return ListT(ANY) if node.kind == "parallel" else ANY

    def _perform(self, node: ast.Perform) -> Type:
        for arg in node.args:
            self.expr(arg)
        return self.effect_operation_type(node.effect, node.op)

    def effect_operation_type(self, effect: str, op: str) -> Type:
        decl = self.symbols.effects.get(effect)
        if decl is None:
            return ANY
        for operation in decl.operations:
            if operation.name == op and operation.ret is not None:
                return self.resolver.resolve(operation.ret)
        return ANY

    def _resume(self, node: ast.Resume) -> Type:
        self.expr(node.value)
        return ANY

    def _comptime(self, node: ast.Comptime) -> Type:
        return self.block(node.body)


ExprChecker._dispatch = {
    ast.IntLit: ExprChecker._int,
    ast.FloatLit: ExprChecker._float,
    ast.StringLit: ExprChecker._string,
    ast.InterpString: ExprChecker._interp,
    ast.BytesLit: ExprChecker._bytes,
    ast.BoolLit: ExprChecker._bool,
    ast.NullLit: ExprChecker._null,
    ast.Name: ExprChecker._name,
    ast.ListLit: ExprChecker._list,
    ast.SetLit: ExprChecker._set,
    ast.TupleLit: ExprChecker._tuple,
    ast.MapLit: ExprChecker._map,
    ast.Comprehension: ExprChecker._comprehension,
    ast.Spread: ExprChecker._spread,
    ast.Unary: ExprChecker._unary,
    ast.Binary: ExprChecker._binary,
    ast.ChainCompare: ExprChecker._chain,
    ast.IsExpr: ExprChecker._is,
    ast.AsExpr: ExprChecker._as,
    ast.ExpectSchema: ExprChecker._expect_schema,
    ast.Attr: ExprChecker._attr,
    ast.PosAccess: ExprChecker._pos_access,
    ast.Index: ExprChecker._index,
    ast.TryOp: ExprChecker._try,
    ast.TryElse: ExprChecker._try_else,
    ast.Unwrap: ExprChecker._unwrap,
    ast.Lambda: ExprChecker._lambda,
    ast.Await: ExprChecker._await,
    ast.Orchestrate: ExprChecker._orchestrate,
    ast.Perform: ExprChecker._perform,
    ast.Resume: ExprChecker._resume,
    ast.Comptime: ExprChecker._comptime,
    ast.RoleBlock: ExprChecker._role,
}  # type: ignore[dict-item]
