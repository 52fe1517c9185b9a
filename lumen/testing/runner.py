"""Running the tests of one file (§16.9).

A program file is compiled once (through the compile cache); each test cell then runs with
no arguments in a VM of its own, so no state is shared between tests, with its output
captured (shown only when it fails). A test fails when it returns `false`, raises a runtime
error, calls `exit` with a non-zero status, or (under `--replay`) diverges from its
recording. A file that does not compile is one failure carrying its diagnostics.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lumen.testing import doctests
from lumen.testing.discovery import TestCell, TestFile, find_test_cells
from lumen.testing.recordings import RecordingSettings, TestSession, open_test_session
from lumen.testing.results import CELL, COMPILE, DOCS, Failure, TestResult

# Assertion builtins (§10.13) whose message carries both operands: prefix, separator and
# the labels shown in the report (`assert_eq(actual, expected)`, the usual order).
_ASSERTION_SHAPES = (
    ("assert_eq failed: ", " != ", ("actual", "expected")),
    ("assert_ne failed: ", " == ", ("left", "right")),
    ("assert_contains failed: ", " not in ", ("item", "container")),
)


@dataclass(frozen=True, slots=True)
class RunnerSettings:
    name_filter: str | None = None  # only tests whose name contains this text
    recording: RecordingSettings = field(default_factory=RecordingSettings)
    jit: bool = True
    max_steps: int | None = None
    config_dir: Path = field(default_factory=Path.cwd)  # where lumen.toml is searched from


@dataclass(frozen=True, slots=True)
class Execution:
    """One run of an entry cell: its value, or why it failed."""

    value: Any = None
    failure: Failure | None = None
    output: str = ""


class TestRunner:
    """Runs the tests of files, one `TestResult` at a time."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, settings: RunnerSettings | None = None) -> None:
        self.settings = settings or RunnerSettings()
        self._config: Any = None  # lumen.toml, read on the first test that has tools

    def wanted(self, name: str) -> bool:
        wanted = self.settings.name_filter
        return not wanted or wanted in name

    def run_file(self, test_file: TestFile) -> Iterator[TestResult]:
        if test_file.program:
            yield from self._program_tests(test_file.path)
        if test_file.docs:
            yield from self._docs_tests(test_file)

    # ------------------------------------------------------------------ test cells

    def _program_tests(self, path: str) -> Iterator[TestResult]:
        from lumen.driver import compile_file

        started = time.perf_counter()
        compilation = compile_file(path)
        if not compilation.ok or compilation.module is None:  # None: a build without LIR
            failure = Failure(f"{path} does not compile", path, diagnostics=compilation.errors,
                              unit=compilation.unit)
            if compilation.module is None and compilation.ok:
                missing = ", ".join(compilation.unavailable) or "the lowering"
                failure = Failure(f"cannot run tests: this build of lumen lacks {missing}", path)
            yield TestResult(COMPILE, path, "(compile)", 0, failure,
                             duration_ms=_since(started))
            return
        for cell in find_test_cells(_syntax_tree(compilation), compilation.module.entry_points):
            if self.wanted(cell.name):
                yield self._cell_test(compilation, cell)

    def _cell_test(self, compilation: Any, cell: TestCell) -> TestResult:
        path = compilation.path
        started = time.perf_counter()
        if cell.needs_arguments:
            failure = Failure(f"test cell '{cell.name}' has parameters; tests are called with "
                              "no arguments", path, cell.line, cell.column, unit=compilation.unit)
            return TestResult(CELL, path, cell.name, cell.line, failure)
        run = self.run_entry(compilation, cell.name, cell.name)
        failure = run.failure
        if failure is None and run.value is False:
            failure = Failure(f"test '{cell.name}' returned false", path, cell.line, cell.column,
                              unit=compilation.unit)
        return TestResult(CELL, path, cell.name, cell.line, failure, run.output, _since(started))

    # ------------------------------------------------------------------ docs blocks

    def _docs_tests(self, test_file: TestFile) -> Iterator[TestResult]:
        from lumen.source import SourceError

        path = test_file.path
        try:  # a `.lm.md`: its bare blocks are the program, only blocks with a mode count
            blocks = doctests.find_blocks(path, literate=test_file.program)
        except SourceError as exc:
            if not test_file.program:  # else the compile failure was reported already
                failure = Failure(exc.diagnostic.message, path, diagnostics=(exc.diagnostic,))
                yield TestResult(COMPILE, path, "(read)", 0, failure)
            return
        for block in blocks:
            if block.counted and self.wanted(block.name):
                started = time.perf_counter()
                failure, output = doctests.check_block(block, self.run_entry)
                yield TestResult(DOCS, path, block.name, block.line, failure, output,
                                 _since(started))

    # ------------------------------------------------------------------ one run

    def run_entry(self, compilation: Any, entry: str, run_id: str) -> Execution:
        """Run `entry` of a compiled program in a fresh VM, with a tool session when the
        program declares tools (recorded or replayed as the settings say)."""
        path = compilation.path
        session: TestSession | None = None
        if getattr(compilation.module, "tools", None):
            session_or_failure = self._session(compilation, run_id)
            if isinstance(session_or_failure, Failure):
                return Execution(failure=session_or_failure)
            session = session_or_failure
        captured = io.StringIO()
        value, error, exit_status = self._run_vm(compilation, entry, session, captured)
        problem = session.finish(error, exit_status) if session is not None else None
        failure = None
        if error is not None:
            failure = Failure(error.message, error.file or path, error.line or 0,
                              error.column or 0, runtime=error, values=_assertion_values(error),
                              unit=compilation.unit)
        elif exit_status:
            failure = Failure(f"the test called exit({exit_status})", path, unit=compilation.unit)
        if failure is None and problem is not None:  # e.g. the program caught the divergence
            failure = Failure(problem, path, unit=compilation.unit)
        return Execution(value, failure, captured.getvalue())

    def _session(self, compilation: Any, run_id: str) -> TestSession | Failure:
        from lumen.runtime.config import ConfigError
        from lumen.runtime.trace import TraceError

        path = compilation.path
        try:
            if self._config is None:
                from lumen.runtime.config import load_config

                self._config = load_config(self.settings.config_dir)
            return open_test_session(self.settings.recording, self._config, path, run_id)
        except ConfigError as exc:
            diagnostic = exc.diagnostic()
            return Failure(diagnostic.message, diagnostic.file, diagnostics=(diagnostic,))
        except TraceError as exc:
            return Failure(str(exc), path, unit=compilation.unit)

    def _run_vm(self, compilation: Any, entry: str, session: TestSession | None,
                captured: io.StringIO) -> tuple[Any, Any, int | None]:
        """(value, RuntimeFailure or None, exit status or None), with stdout and stderr
        captured while the program runs."""
        from lumen.driver import internal_runtime_failure
        from lumen.vm.errors import LumenRuntimeError, ProgramExit
        from lumen.vm.interpreter import VM
        from lumen.vm.options import VMOptions

        options = VMOptions(max_steps=self.settings.max_steps, jit=self.settings.jit)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = captured
        try:
            vm = VM(compilation.module, options, tools=session.session if session else None)
            return vm.run(entry), None, None
        except LumenRuntimeError as exc:
            return None, _runtime_failure(exc), None
        except ProgramExit as exc:
            return None, None, exc.status
        except Exception as exc:  # a bug of ours: reported like `lumen run` does
            return None, internal_runtime_failure(exc, compilation.path), None
        finally:
            sys.stdout, sys.stderr = saved


def run_files(files: list[TestFile], runner: TestRunner,
              on_result: Callable[[TestResult], None] | None = None) -> list[TestResult]:
    """Every result of every file, in order; `on_result` sees each as it is produced."""
    results: list[TestResult] = []
    for test_file in files:
        for result in runner.run_file(test_file):
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results


def _syntax_tree(compilation: Any) -> Any:
    """The program's syntax tree; a compile-cache hit has none, so the file is parsed again
    (parsing alone is cheap next to analysis and lowering)."""
    if compilation.program is not None:
        return compilation.program
    from lumen.syntax import parse

    unit = compilation.unit
    return parse(unit.code, unit.path, unit.docblocks).program


def _runtime_failure(exc: Any) -> Any:
    from lumen.diagnostics.render import RuntimeFrame
    from lumen.driver import RuntimeFailure

    stack = tuple(RuntimeFrame(*entry) if isinstance(entry, tuple) else RuntimeFrame(str(entry))
                  for entry in exc.lumen_stack or ())
    return RuntimeFailure(kind=exc.kind, message=exc.message, file=exc.file, line=exc.line,
                          column=exc.column, stack=stack, hint=exc.hint)


def _assertion_values(error: Any) -> tuple[tuple[str, str], ...]:
    """Both operands of a failed `assert_eq`/`assert_ne`/`assert_contains`, read back from
    its message; nothing when the split is ambiguous (an operand shows the separator)."""
    if error.kind != "assertions":
        return ()
    for prefix, separator, labels in _ASSERTION_SHAPES:
        if error.message.startswith(prefix):
            operands = error.message[len(prefix):].split(separator)
            if len(operands) == 2:
                return tuple(zip(labels, operands, strict=True))
    return ()


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
