"""The standard library (`std/`): every module compiles, is documented, can be imported
next to the others, shadows no builtin, and passes its `test_` cells in `std/tests/`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from lumen.driver import (
    Compilation,
    CompileOptions,
    RunOptions,
    check_file,
    compile_source,
    run_compilation,
)
from lumen.modules.resolve import std_directory
from lumen.source import load_source, source_from_text
from lumen.syntax import ast
from lumen.vm.builtins import all_builtins

STD = std_directory()
assert STD is not None, "the std/ folder is not found next to the lumen package"
MODULES = sorted(p for p in STD.glob("*.lm"))
TEST_FILES = sorted((STD / "tests").glob("test_*.lm"))


def _module_name(path: Path) -> str:
    return "std." + path.name.removesuffix(".lm")


def _top_level_cells(path: Path) -> list[ast.CellDecl]:
    compilation = compile_source(load_source(path), CompileOptions(analyze=False, lower=False))
    assert compilation.program is not None, [d.message for d in compilation.diagnostics]
    return [item for item in compilation.program.items if isinstance(item, ast.CellDecl)]


def test_the_expected_modules_exist() -> None:
    names = {_module_name(p) for p in MODULES}
    assert {"std.collections", "std.strings", "std.json", "std.testing"} <= names


@pytest.mark.parametrize("path", MODULES, ids=_module_name)
def test_module_compiles_without_any_diagnostic(path: Path) -> None:
    compilation = check_file(path)
    assert compilation.diagnostics == (), [f"{d.line}: {d.message}" for d in compilation.diagnostics]


@pytest.mark.parametrize("path", MODULES, ids=_module_name)
def test_every_cell_is_public_and_documented(path: Path) -> None:
    cells = _top_level_cells(path)
    assert cells
    for cell in cells:
        assert cell.is_pub, f"{path.name}: {cell.name} is not pub"
        assert cell.doc and cell.doc.strip(), f"{path.name}: {cell.name} has no doc comment"


@pytest.mark.parametrize("path", MODULES, ids=_module_name)
def test_module_has_a_test_file(path: Path) -> None:
    assert (STD / "tests" / f"test_{path.name}").is_file()


def test_no_std_name_shadows_a_builtin_or_another_module() -> None:
    # A top-level cell named like a builtin would shadow it in every program importing the
    # module (§10.0), and modules of one program share one namespace (see lumen.modules).
    builtins = set(all_builtins())
    owners: dict[str, str] = {}
    for path in MODULES:
        for cell in _top_level_cells(path):
            assert cell.name not in builtins, f"{path.name}: {cell.name} shadows a builtin"
            assert owners.setdefault(cell.name, path.name) == path.name, cell.name


def test_all_modules_import_together(tmp_path: Path) -> None:
    imports = "".join(f"import {_module_name(p)}: *\n" for p in MODULES)
    program = tmp_path / "main.lm"
    program.write_text(imports + "cell main() -> Any = [gcd(12, 18), words(\" a  b \"), "
                       "json_at({\"a\": [1, 2]}, \"a.1\"), take_while([1, 5], fn(x) => x < 3)]\n")
    from lumen.driver import run_file

    outcome = run_file(program, RunOptions(jit=False))
    assert outcome.compilation.ok, [d.message for d in outcome.compilation.diagnostics]
    assert outcome.value == [6, ["a", "b"], 2, [1]]


def _test_cells(path: Path) -> list[str]:
    return [cell.name for cell in _top_level_cells(path) if cell.name.startswith("test_")]


TEST_CASES = [(path, name) for path in TEST_FILES for name in _test_cells(path)]


@cache
def _compiled(path: Path) -> Compilation:
    return compile_source(load_source(path))


@pytest.mark.parametrize("path,cell", TEST_CASES, ids=[f"{p.stem}::{c}" for p, c in TEST_CASES])
def test_std_test_cell_passes(path: Path, cell: str) -> None:
    compilation = _compiled(path)
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    outcome = run_compilation(compilation, RunOptions(entry=cell, jit=False))
    assert outcome.error is None, f"{outcome.error.file}:{outcome.error.line}: {outcome.error.message}"


def test_every_module_has_tests() -> None:
    tested = {path.name.removeprefix("test_") for path, _ in TEST_CASES}
    assert tested == {p.name for p in MODULES}


FAILURES = [
    ("assert_close(1.0, 1.5)", "assert_close failed: 1.0 is not within 0.000000001 of 1.5"),
    ("assert_ok(err(\"boom\"))", "assert_ok failed: got err(boom)"),
    ("assert_err(ok(1))", "assert_err failed: got ok(1)"),
    ("assert_len([1, 2], 3)", "assert_len failed: length 2 != 3 for [1, 2]"),
    ("assert_empty([0])", "assert_empty failed: [0] is not empty"),
    ("assert_starts_with(\"lumen\", \"x\")", "assert_starts_with failed: \"lumen\" does not start with \"x\""),
    ("assert_sorted([1, 3, 2])", "assert_sorted failed: 3 before 2 at index 2"),
    ("assert_same_elements([1], [2])", "assert_same_elements failed: [1] and [2] differ"),
    ("fail(\"unreachable\")", "unreachable"),
    ("assert_true(false)", "expected true"),
]


@pytest.mark.parametrize("call,message", FAILURES, ids=[c for c, _ in FAILURES])
def test_std_testing_failures_name_the_values(call: str, message: str, tmp_path: Path) -> None:
    unit = source_from_text(f"import std.testing: *\ncell main() -> Any\n  {call}\n  return 1\nend\n",
                            str(tmp_path / "main.lm"))
    compilation = compile_source(unit)
    assert compilation.ok, [d.message for d in compilation.diagnostics]
    outcome = run_compilation(compilation, RunOptions(jit=False))
    assert outcome.error is not None and outcome.error.kind == "assertions"
    assert outcome.error.message == message


def test_expect_ok_failure_names_the_error(tmp_path: Path) -> None:
    unit = source_from_text("import std.result: expect_ok\ncell main() -> Any = "
                            "expect_ok(err(\"disk full\"), \"saving\")\n", str(tmp_path / "main.lm"))
    outcome = run_compilation(compile_source(unit), RunOptions(jit=False))
    assert outcome.error is not None and outcome.error.message == "saving: disk full"


def test_lumen_test_runs_the_std_tests() -> None:
    import os
    import subprocess
    import sys

    repo = STD.parent
    env = {**os.environ, "PYTHONPATH": str(repo), "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "lumen", "test", str(STD / "tests")],
                            capture_output=True, text=True, cwd=repo, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == f"{len(TEST_CASES)} passed, 0 failed"
