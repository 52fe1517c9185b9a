"""Static verification of `where` constraints and proof hints with Z3 (§16.1, §16.2).

`verify(program, analysis, file=..., code=...)` runs after a clean type check (`lumen check`,
never `lumen run`) and returns diagnostics: calls that can never satisfy a cell's
precondition (E0800), record constructions that can never satisfy a field constraint
(E0801), `@assert`s that are false (E0802) or not provable (E0803, a warning), indexes out of
bounds on every path (E0804) and, with `verbose`, notes on what was not verified (E0805).
z3 is imported only here, on the first verification, so other commands never pay for it.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lumen.diagnostics import Diagnostic, ErrorCode, Severity
from lumen.diagnostics.diagnostic import NO_SPAN
from lumen.syntax import ast
from lumen.verify import messages

__all__ = ["VerificationResult", "has_obligations", "imported_contracts", "verify"]

_HINT_TEXT = re.compile(r"^\s*@(assert|assume|invariant)\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class VerificationResult:
    diagnostics: tuple[Diagnostic, ...]
    queries: int = 0  # solver calls made
    seconds: float = 0.0


def has_obligations(program: ast.Program, code: str) -> bool:
    """Is there anything to verify: a `where` on a cell, field or alias, or a proof hint?
    (Cheap: programs without any skip the solver import entirely.)"""
    if _HINT_TEXT.search(code):
        return True
    if any(_has_where(item) for item in program.items):
        return True
    if "where" not in code:
        return False
    # Methods and cells declared inside bodies: a walk of the whole tree.
    from lumen.verify.syntax_facts import children

    stack: list[object] = list(program.items)
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        elif isinstance(node, ast.Node):
            if _has_where(node):
                return True
            stack.extend(children(node))
    return False


def imported_contracts(unit: object, program: ast.Program) -> dict[str, ast.CellDecl]:
    """The cells this program imports that carry a `where`, by their local names."""
    from lumen.modules import load_program

    if not any(isinstance(item, ast.ImportDecl) for item in program.items):
        return {}
    loaded = load_program(unit, program)  # type: ignore[arg-type]
    return {binding.local_name: binding.decl for binding in loaded.entry.bindings
            if isinstance(binding.decl, ast.CellDecl) and binding.decl.where is not None}


def _has_where(item: object) -> bool:
    if isinstance(item, (ast.CellDecl, ast.TypeAlias)):
        return item.where is not None
    if isinstance(item, ast.RecordDecl):
        return any(field.where is not None for field in item.fields)
    return False


def verify(program: ast.Program, analysis: object, *, file: str, code: str,
           verbose: bool = False, timeout_ms: int | None = None,
           imported_cells: Mapping[str, ast.CellDecl] | None = None) -> VerificationResult:
    """Verify one analysed program: its own cells' bodies, and its calls of its own cells
    and of `imported_cells` (local name -> the declaration in its module)."""
    started = time.perf_counter()
    try:
        from lumen.verify.walker import Walker
        from lumen.verify.z3_backend import DEFAULT_TIMEOUT_MS, Z3Backend
    except ImportError:  # z3-solver missing from this installation
        note = Diagnostic(ErrorCode.UNVERIFIABLE.value,
                          "verification skipped: the z3-solver package is not installed",
                          file, NO_SPAN, severity=Severity.WARNING)
        return VerificationResult((note,))
    backend = Z3Backend(timeout_ms or DEFAULT_TIMEOUT_MS)
    walker = Walker(program, analysis, file, code, backend, verbose,  # type: ignore[arg-type]
                    imported_cells)
    try:
        _on_deep_stack(lambda: _walk_program(walker, program))
        walker.check_field_defaults()
        walker.record_notes()
    except RecursionError:  # nested deeper than even the large stack allows: stop quietly
        if verbose:
            walker.prover.note(messages.too_deep(), NO_SPAN)
    diagnostics = _unique([*walker.hints.diagnostics, *walker.prover.diagnostics])
    return VerificationResult(diagnostics, backend.queries, time.perf_counter() - started)


def _walk_program(walker: object, program: ast.Program) -> None:
    from lumen.verify.walker import Walker

    assert isinstance(walker, Walker)
    script: list[ast.Stmt] = []
    for item in program.items:
        if isinstance(item, ast.CellDecl):
            walker.pending_cells.append(item)
        elif isinstance(item, ast.EnumDecl | ast.TraitDecl | ast.ImplDecl):
            walker.pending_cells.extend(item.methods)
        elif isinstance(item, ast.AgentDecl | ast.ProcessDecl):
            walker.pending_cells.extend(item.cells)
        elif not ast.is_decl(item) and not isinstance(item, ast.Directive):
            script.append(item)  # type: ignore[arg-type]
    if script:
        walker.walk_script(script)
    walked = 0
    while walked < len(walker.pending_cells):  # nested cells are appended as they are found
        walker.walk_cell(walker.pending_cells[walked])
        walked += 1


def _unique(diagnostics: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    seen: set[tuple[str, int, int, str]] = set()
    kept = []
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.line, diagnostic.column, diagnostic.message)
        if key not in seen:
            seen.add(key)
            kept.append(diagnostic)
    kept.sort(key=lambda d: (d.line, d.column, d.code))
    return tuple(kept)


# The walk and the lowering recurse once per nesting level, like the compile stages: a long
# `1 + 1 + ... + 1` needs far more than Python's default limit (see lumen/driver.py).
_RECURSION_LIMIT = 60_000
_STACK_BYTES = 512 * 1024 * 1024


def _on_deep_stack(work: Callable[[], None]) -> None:
    """Run `work` on a thread with a large stack; re-raise what it raised."""
    raised: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:  # handed back to the caller
            raised.append(exc)

    previous_limit, previous_size = sys.getrecursionlimit(), threading.stack_size()
    try:
        threading.stack_size(_STACK_BYTES)
    except (ValueError, RuntimeError):  # no settable stacks here: run on this thread
        work()
        return
    sys.setrecursionlimit(max(previous_limit, _RECURSION_LIMIT))
    try:
        thread = threading.Thread(target=target, name="lumen-verify", daemon=True)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous_size)
        sys.setrecursionlimit(previous_limit)
    if raised:
        raise raised[0]
