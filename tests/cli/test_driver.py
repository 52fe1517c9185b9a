"""The driver's own logic, with stand-in stages: stopping rules, missing stages, crashes,
directive merging. (The real stages are exercised end to end in test_cli_contract.py.)"""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lumen import driver
from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.source import source_from_text
from lumen.syntax import ast


@dataclass
class FakeParse:
    program: Any
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class FakeAnalysis:
    diagnostics: list[Diagnostic] = field(default_factory=list)


class Recorder:
    """A stand-in for the stage modules; records what each stage received."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.parse_diagnostics: list[Diagnostic] = []
        self.analysis_diagnostics: list[Diagnostic] = []
        self.directives: dict[str, str | None] | None = None
        self.program = ast.Program(items=())
        self.crash_in: str | None = None

    def parse(self, code: str, file: str, docblocks: tuple) -> FakeParse:
        self.calls.append("parse")
        if self.crash_in == "parse":
            raise KeyError("boom")
        return FakeParse(self.program, list(self.parse_diagnostics))

    def analyze(self, program: Any, *, file: str, directives: dict[str, str | None]) -> FakeAnalysis:
        self.calls.append("analyze")
        self.directives = directives
        return FakeAnalysis(list(self.analysis_diagnostics))

    def lower_program(self, program: Any, analysis: Any, *, file: str) -> object:
        self.calls.append("lower")
        return object()


@pytest.fixture
def stages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Recorder:
    recorder = Recorder()
    module = types.ModuleType("fake_lumen_stages")
    module.parse = recorder.parse  # type: ignore[attr-defined]
    module.analyze = recorder.analyze  # type: ignore[attr-defined]
    module.lower_program = recorder.lower_program  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_lumen_stages", module)
    monkeypatch.setattr(driver, "_PARSE", ("fake_lumen_stages", "parse"))
    monkeypatch.setattr(driver, "_ANALYZE", ("fake_lumen_stages", "analyze"))
    monkeypatch.setattr(driver, "_LOWER", ("fake_lumen_stages", "lower_program"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("LUMEN_DEBUG", raising=False)
    return recorder


def _error(line: int, column: int, code: ErrorCode = ErrorCode.UNEXPECTED) -> Diagnostic:
    return Diagnostic(code.value, "problem", "p.lm", Span(line, column, line, column + 1))


UNIT = source_from_text("let x = 1\n", "p.lm")


def test_all_stages_run_on_a_clean_program(stages: Recorder) -> None:
    compilation = driver.compile_source(UNIT)
    assert stages.calls == ["parse", "analyze", "lower"]
    assert compilation.ok and compilation.module is not None


def test_check_stops_after_analysis(stages: Recorder) -> None:
    driver.compile_source(UNIT, driver.CompileOptions(lower=False))
    assert stages.calls == ["parse", "analyze"]


def test_parse_errors_skip_analysis(stages: Recorder) -> None:
    stages.parse_diagnostics = [_error(1, 5)]
    compilation = driver.compile_source(UNIT)
    assert stages.calls == ["parse"]
    assert [d.line for d in compilation.errors] == [1]


def test_analysis_errors_skip_lowering_and_diagnostics_are_sorted(stages: Recorder) -> None:
    stages.analysis_diagnostics = [_error(9, 1), _error(2, 7), _error(2, 3)]
    compilation = driver.compile_source(UNIT)
    assert stages.calls == ["parse", "analyze"]
    assert [(d.line, d.column) for d in compilation.diagnostics] == [(2, 3), (2, 7), (9, 1)]


def test_a_missing_later_stage_is_listed_not_fatal(stages: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(driver, "_ANALYZE", ("lumen.no_such_stage", "analyze"))
    compilation = driver.compile_source(UNIT)
    assert stages.calls == ["parse"]
    assert compilation.ok
    assert compilation.unavailable == ("lumen.no_such_stage",)


def test_running_without_a_module_is_a_clear_compile_error(stages: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(driver, "_LOWER", ("fake_lumen_stages", "no_lowering_here"))
    compilation = driver.compile_source(UNIT)
    outcome = driver.run_compilation(compilation, driver.RunOptions())
    assert not outcome.ran
    (error,) = outcome.compilation.errors
    assert error.code == ErrorCode.INTERNAL.value
    assert "fake_lumen_stages.no_lowering_here" in error.message


def test_a_crash_in_a_stage_becomes_an_internal_error_with_a_crash_file(
    stages: Recorder, tmp_path: Path
) -> None:
    stages.crash_in = "parse"
    compilation = driver.compile_source(UNIT)
    (error,) = compilation.errors
    assert error.code == ErrorCode.INTERNAL.value
    assert error.message.startswith("internal compiler error while parsing (KeyError: 'boom')")
    crash_files = list((tmp_path / "cache" / "lumen").glob("crash-*.txt"))
    assert len(crash_files) == 1
    assert str(crash_files[0]) in error.message
    report = crash_files[0].read_text(encoding="utf-8")
    assert "Traceback" in report and "KeyError: 'boom'" in report


def test_lumen_debug_prints_the_traceback_instead(
    stages: Recorder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("LUMEN_DEBUG", "1")
    stages.crash_in = "parse"
    (error,) = driver.compile_source(UNIT).errors
    assert "Traceback" in capsys.readouterr().err
    assert "LUMEN_DEBUG" in error.message
    assert not (tmp_path / "cache" / "lumen").exists()


def test_crash_while_running_is_a_runtime_error_of_kind_internal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    failure = driver.internal_runtime_failure(ZeroDivisionError("oops"), "p.lm")
    assert failure.kind == "internal"
    assert failure.crash_report is not None and Path(failure.crash_report).is_file()
    assert "ZeroDivisionError: oops" in failure.message


def test_directives_merge_prose_code_and_attributes(stages: Recorder) -> None:
    unit = source_from_text(
        "@strict false\n@package \"acme\"\n```lumen\n@deterministic off\n```\n", "d.lm.md"
    )
    attribute = ast.Attribute(name="strict", args=None, span=Span(7, 1, 7, 8))
    cell = ast.CellDecl(name="main", params=(), body=None, attributes=(attribute,), span=Span(8, 1, 8, 5))
    stages.program = ast.Program(
        items=(ast.Directive(name="deterministic", value=' "off" ', span=Span(4, 1, 4, 19)), cell)
    )
    driver.compile_source(unit)
    # Prose on lines 1-2, the code directive on line 4, then `@strict` (bare: true) on line 7.
    assert stages.directives == {"strict": None, "package": "acme", "deterministic": "off"}


def test_stack_entries_in_any_reasonable_shape_become_frames() -> None:
    class Entry:
        cell = "inner"
        file = "a.lm"
        line = 3

    frames = [driver._frame(e) for e in (("main", "a.lm", 9), Entry(), "bare")]
    assert [(f.cell, f.file, f.line) for f in frames] == [
        ("main", "a.lm", 9), ("inner", "a.lm", 3), ("bare", None, None),
    ]


# ----------------------------------------------------------------------------- CLI boundary


def test_cli_reports_a_stage_crash_without_traceback(
    stages: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lumen.cli.main import run_cli

    program = tmp_path / "p.lm"
    program.write_text("let x = 1\n", encoding="utf-8")
    stages.crash_in = "parse"
    status = run_cli(["run", str(program), "--json"])
    captured = capsys.readouterr()
    assert status == 1
    assert "Traceback" not in captured.err
    assert "internal compiler error while parsing" in captured.err
    result = json.loads(captured.out.strip().split("\n")[-1])
    assert result["error"]["kind"] == "compile" and result["error"]["code"] == "E0903"


class CrashingVM:
    def __init__(self, module: object, options: object) -> None:
        self.options = options

    def run(self, entry: str) -> object:
        raise IndexError("list index out of range")


def test_a_vm_crash_is_a_runtime_error_of_kind_internal(
    stages: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lumen.cli.main import run_cli

    fake = sys.modules["fake_lumen_stages"]
    fake.VM = CrashingVM  # type: ignore[attr-defined]
    monkeypatch.setattr(driver, "_VM", ("fake_lumen_stages", "VM"))
    program = tmp_path / "p.lm"
    program.write_text("let x = 1\n", encoding="utf-8")
    status = run_cli(["run", str(program), "--json"])
    captured = capsys.readouterr()
    assert status == 2
    assert "Traceback" not in captured.err
    assert "runtime error[internal]: internal error in the VM (IndexError" in captured.err
    error = json.loads(captured.out.strip().split("\n")[-1])["error"]
    assert (error["kind"], error["code"]) == ("runtime", "internal")
    assert list((tmp_path / "cache" / "lumen").glob("crash-*.txt"))


class RecordingVM:
    seen: list[tuple[object, str]] = []

    def __init__(self, module: object, options: object) -> None:
        self.options = options

    def run(self, entry: str) -> object:
        RecordingVM.seen.append((self.options, entry))
        return None


def test_run_options_reach_the_vm(
    stages: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lumen.cli.main import run_cli

    sys.modules["fake_lumen_stages"].VM = RecordingVM  # type: ignore[attr-defined]
    monkeypatch.setattr(driver, "_VM", ("fake_lumen_stages", "VM"))
    program = tmp_path / "p.lm"
    program.write_text("let x = 1\n", encoding="utf-8")
    RecordingVM.seen.clear()
    status = run_cli(["run", str(program), "--cell", "start", "--no-jit", "--max-steps", "10",
                      "--max-depth", "5000", "--jit-threshold", "3", "--", "a", "-b"])
    assert status == 0 and capsys.readouterr().out == ""
    ((options, entry),) = RecordingVM.seen
    assert entry == "start"
    assert (options.max_steps, options.max_depth, options.jit, options.jit_threshold) == (10, 5000, False, 3)
    assert options.program_args == ["a", "-b"]


class PartialLineVM(RecordingVM):
    def run(self, entry: str) -> object:
        sys.stdout.write("no newline here")
        return 7


def test_the_result_line_starts_on_a_new_line(
    stages: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lumen.cli.main import run_cli

    sys.modules["fake_lumen_stages"].VM = PartialLineVM  # type: ignore[attr-defined]
    monkeypatch.setattr(driver, "_VM", ("fake_lumen_stages", "VM"))
    program = tmp_path / "p.lm"
    program.write_text("let x = 1\n", encoding="utf-8")
    assert run_cli(["run", str(program), "--json"]) == 0
    assert capsys.readouterr().out == 'no newline here\n{"ok": true, "type": "Int", "value": 7}\n'
