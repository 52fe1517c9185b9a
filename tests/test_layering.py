"""The pipeline flows one way: a stage may import only itself and earlier stages.

Checked statically over the source (module-level and function-level imports alike), so a
backward import fails here before it becomes a cycle somewhere else.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lumen"

# Earlier stages first. `driver` glues the stages; the everyday tools (`format`, `docgen`,
# `testing`, `repl`), `lsp` and `cli` sit on top of it.
STAGES = [
    "diagnostics",
    "cache",
    "project",
    "source",
    "syntax",
    "modules",
    "sema",
    "lir",
    "vm",
    "jit",
    "runtime",
    "verify",
    "compile_cache",
    "driver",
    "format",
    "docgen",
    "testing",
    "repl",
    "lsp",
    "cli",
]
RANK = {name: index for index, name in enumerate(STAGES)}
# Stages that may be reached from an earlier one because they plug in at run time:
# the VM hands hot cells to the JIT and tool calls to the runtime through imports made
# inside functions, so the interpreter stays independent of llvmlite and providers.
ALLOWED_FORWARD = {("vm", "jit"), ("vm", "runtime")}


def _stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "lumen" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in RANK else None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_stage_imports_only_earlier_stages(path: Path) -> None:
    own = _stage_of("lumen." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
    if own is None:
        return
    for line, module in _imports(path):
        target = _stage_of(module)
        if target is None or (own, target) in ALLOWED_FORWARD:
            continue
        assert RANK[target] <= RANK[own], (
            f"{path.relative_to(PACKAGE)}:{line}: stage '{own}' imports later stage '{target}' "
            f"({module})"
        )
