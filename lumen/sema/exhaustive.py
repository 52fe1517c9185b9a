"""Match exhaustiveness (§8.3, E0208): enum subjects and Int subjects only."""

from __future__ import annotations

from lumen.sema import messages
from lumen.sema.symbols import SymbolTable
from lumen.sema.types import INT, NamedT, Type
from lumen.sema.walk import walk
from lumen.syntax import ast

# Beyond this many integers an Int match needs a wildcard (§8.3).
MAX_INT_SPAN = 256


def _alternatives(arms: tuple[ast.MatchArm, ...], guarded: bool) -> list[ast.Node]:
    return [p for arm in arms if (arm.guard is not None) == guarded for p in arm.patterns]


def _binds_plainly(pattern: ast.Node, symbols: SymbolTable) -> bool:
    """Compatibility rule: a pattern containing a plain binding anywhere is a catch-all."""
    for node in walk(pattern):
        if isinstance(node, ast.BindPat) and node.name not in symbols.variants:
            return True
        if isinstance(node, ast.TypedPat):
            return True
        if isinstance(node, ast.FieldPat) and node.pattern is None:
            return True
        if isinstance(node, ast.ListPat) and node.rest:
            return True
    return False


def _variant_names(pattern: ast.Node, symbols: SymbolTable) -> set[str]:
    names: set[str] = set()
    for node in walk(pattern):
        if isinstance(node, ast.VariantPat):
            names.add(node.name.rsplit(".", 1)[-1])
        elif isinstance(node, ast.BindPat) and node.name in symbols.variants:
            names.add(node.name)
        elif isinstance(node, ast.TypedPat) and isinstance(node.type, ast.NamedType):
            names.add(node.type.name)
    return names


def _int_value(expr: ast.Node) -> int | None:
    if isinstance(expr, ast.IntLit):
        return expr.value
    if isinstance(expr, ast.Unary) and expr.op == "-" and isinstance(expr.operand, ast.IntLit):
        return -expr.operand.value
    return None


def missing_cases(subject: Type, arms: tuple[ast.MatchArm, ...], symbols: SymbolTable) -> list[str]:
    """The cases a match does not cover (empty when complete or not checked)."""
    unguarded = _alternatives(arms, guarded=False)
    if any(_binds_plainly(p, symbols) or isinstance(p, ast.WildcardPat) for p in unguarded):
        return []
    if isinstance(subject, NamedT) and subject.kind == "enum":
        enum = symbols.enums.get(subject.name)
        if enum is None:
            return []
        covered: set[str] = set()
        for pattern in unguarded:
            covered |= _variant_names(pattern, symbols)
        return [name for name in enum.variants if name not in covered]
    if subject == INT:
        return _missing_integers(arms)
    return []


def _missing_integers(arms: tuple[ast.MatchArm, ...]) -> list[str]:
    covered: list[tuple[int, int]] = []  # inclusive intervals
    for arm in arms:
        for pattern in arm.patterns:
            if isinstance(pattern, ast.LiteralPat):
                value = _int_value(pattern.value)
                if value is None:
                    return []
                if arm.guard is None:
                    covered.append((value, value))
            elif isinstance(pattern, ast.RangePat):
                low, high = _int_value(pattern.low), _int_value(pattern.high)
                if low is None or high is None:
                    return []
                if arm.guard is None:
                    covered.append((low, high if pattern.inclusive else high - 1))
            else:
                return []
    if not covered:
        return []
    smallest = min(low for low, _ in covered)
    largest = max(high for _, high in covered)
    if largest - smallest + 1 > MAX_INT_SPAN:
        return [messages.WIDE_INT_RANGE]
    return [
        str(n) for n in range(smallest, largest + 1)
        if not any(low <= n <= high for low, high in covered)
    ]
