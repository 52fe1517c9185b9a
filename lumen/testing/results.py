"""What one test produced: passed, or a `Failure` that the report can render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lumen.diagnostics import Diagnostic
    from lumen.driver import RuntimeFailure
    from lumen.source import SourceUnit


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a test failed. Exactly one of `diagnostics` (compile errors), `runtime` (a
    runtime error) or neither (a plain `message` at `line`:`column`) carries the detail.
    `values` are labelled operands of a failed assertion builtin (`actual`, `expected`)."""

    message: str
    file: str
    line: int = 0
    column: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()
    runtime: RuntimeFailure | None = None
    values: tuple[tuple[str, str], ...] = ()
    unit: SourceUnit | None = None  # for the source lines of the rendering

    @property
    def kind(self) -> str:
        if self.diagnostics:
            return "compile"
        if self.runtime is not None:
            return "runtime"
        return "test"


# What a TestResult stands for.
CELL = "cell"  # a test cell; `name` is the cell's name
DOCS = "docs"  # a fenced docs block; `name` is its mode (`run-ok`, ...)
COMPILE = "compile"  # a file that did not compile (or could not be set up to run)


@dataclass(frozen=True, slots=True)
class TestResult:
    """One test, or the failure of a whole file to compile."""

    kind: str
    file: str
    name: str
    line: int
    failure: Failure | None = None
    output: str = ""  # what the test printed (stdout and stderr, interleaved)
    duration_ms: float = 0.0

    __test__ = False  # not a pytest test class, despite the name

    @property
    def passed(self) -> bool:
        return self.failure is None

    @property
    def test_id(self) -> str:
        """`FILE::CELL` for a test cell, `FILE:LINE (MODE)` for a docs block, FILE otherwise."""
        if self.kind == CELL:
            return f"{self.file}::{self.name}"
        if self.kind == DOCS:
            return f"{self.file}:{self.line} ({self.name})"
        return self.file
