"""The compile cache (lumen/compile_cache.py through `lumen.driver.compile_file`): hits skip
the compile stages and give the same result; any change to what was compiled is a miss."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import lumen.sema
from lumen import cache, compile_cache, driver
from lumen.cli.main import run_cli
from lumen.diagnostics import Diagnostic, Severity, Span

MAIN = 'import util: twice\ncell main() -> Int\n  return twice(21)\nend\n'
UTIL = "cell twice(x: Int) -> Int = x * 2\n"


@pytest.fixture
def compiles(cache_root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths actually compiled (not served from the cache), in order."""
    seen: list[str] = []
    real = driver._compile_unit

    def counting(unit, options):  # noqa: ANN001, ANN202
        seen.append(Path(unit.path).name)
        return real(unit, options)

    monkeypatch.setattr(driver, "_compile_unit", counting)
    return seen


def program(root: Path, main: str = MAIN, util: str = UTIL) -> Path:
    (root / "util.lm").write_text(util, encoding="utf-8")
    path = root / "main.lm"
    path.write_text(main, encoding="utf-8")
    return path


def run(path: Path) -> object:
    outcome = driver.run_file(path, driver.RunOptions(jit=False))
    assert outcome.ok, (outcome.compilation.diagnostics, outcome.error)
    return outcome.value


def test_hit_skips_compiling_and_gives_the_same_module(tmp_path: Path, compiles: list[str]) -> None:
    path = program(tmp_path)
    first = driver.compile_file(path)
    second = driver.compile_file(path)
    assert compiles == ["main.lm"]
    assert second.module == first.module
    assert second.diagnostics == first.diagnostics == ()
    assert second.unit == first.unit
    assert second.program is None  # nothing was parsed
    assert run(path) == 42
    assert compiles == ["main.lm"]


def test_editing_the_main_file_is_a_miss(tmp_path: Path, compiles: list[str]) -> None:
    path = program(tmp_path)
    assert run(path) == 42
    path.write_text(MAIN.replace("21", "5"), encoding="utf-8")
    assert run(path) == 10
    assert compiles == ["main.lm", "main.lm"]


def test_editing_an_imported_file_is_a_miss(tmp_path: Path, compiles: list[str]) -> None:
    path = program(tmp_path)
    assert run(path) == 42
    (tmp_path / "util.lm").write_text(UTIL.replace("* 2", "* 3"), encoding="utf-8")
    assert run(path) == 63
    assert run(path) == 63
    assert compiles == ["main.lm", "main.lm"]


def test_a_file_that_now_shadows_an_import_is_a_miss(tmp_path: Path, compiles: list[str]) -> None:
    (tmp_path / "util").mkdir()
    (tmp_path / "util" / "mod.lm").write_text(UTIL, encoding="utf-8")
    path = tmp_path / "main.lm"
    path.write_text(MAIN, encoding="utf-8")
    assert run(path) == 42
    (tmp_path / "util.lm").write_text(UTIL.replace("* 2", "+ 2"), encoding="utf-8")  # found first
    assert run(path) == 23
    assert compiles == ["main.lm", "main.lm"]


def test_corrupt_entry_is_ignored_and_overwritten(tmp_path: Path, cache_root: Path,
                                                  compiles: list[str]) -> None:
    path = program(tmp_path)
    assert run(path) == 42
    (entry,) = (cache_root / compile_cache.KIND_RUN).iterdir()
    for garbage in (b"", b"not marshal", b"\xff" * 40):  # intact store entries, bad payloads
        cache.put(compile_cache.KIND_RUN, entry.name, garbage)
        assert run(path) == 42
    entry.write_bytes(entry.read_bytes()[:-5])  # a damaged file
    assert run(path) == 42
    assert len(compiles) == 5
    assert run(path) == 42  # the last recompilation overwrote the entry
    assert len(compiles) == 5


def test_read_only_cache_never_fails_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           compiles: list[str]) -> None:
    path = program(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    assert run(path) == 42
    assert run(path) == 42
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(tmp_path / "ro"))

    def read_only(*args: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr("lumen.cache.store.os.replace", read_only)
    assert run(path) == 42
    assert not any((tmp_path / "ro").rglob("*.tmp"))  # the temporary was removed
    assert compiles == ["main.lm"] * 3


def test_no_cache_environment_switch(tmp_path: Path, cache_root: Path,
                                     monkeypatch: pytest.MonkeyPatch, compiles: list[str]) -> None:
    monkeypatch.setenv("LUMEN_NO_CACHE", "1")
    path = program(tmp_path)
    assert run(path) == 42
    assert run(path) == 42
    assert compiles == ["main.lm", "main.lm"]
    assert not (cache_root / compile_cache.KIND_RUN).exists()


def test_changed_toolchain_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     compiles: list[str]) -> None:
    path = program(tmp_path)
    assert run(path) == 42
    from lumen.cache import location

    monkeypatch.setattr(location, "_fingerprint", "another compiler")
    assert run(path) == 42
    assert compiles == ["main.lm", "main.lm"]


def test_check_reproduces_identical_diagnostics(tmp_path: Path, compiles: list[str]) -> None:
    path = program(tmp_path, main=MAIN + 'cell bad() -> Int\n  return "text" + missing\nend\n')
    first = driver.check_file(path)
    second = driver.check_file(path)
    assert first.errors and second.diagnostics == first.diagnostics
    assert compiles == ["main.lm"]
    compiled = driver.compile_file(path)  # a full compile is a different entry
    assert compiled.diagnostics == first.diagnostics and compiled.module is None
    assert compiles == ["main.lm", "main.lm"]


def test_parse_only_is_never_cached(tmp_path: Path, compiles: list[str]) -> None:
    path = program(tmp_path)
    assert driver.parse_file(path).program is not None
    assert driver.parse_file(path).program is not None
    assert compiles == ["main.lm", "main.lm"]


def test_warnings_are_shown_again_on_a_hit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str],
                                           compiles: list[str]) -> None:
    real = lumen.sema.analyze

    def warning_analyze(program, file="<input>", directives=None, **more):  # noqa: ANN001, ANN202, ANN003
        analysis = real(program, file=file, directives=directives, **more)
        warning = Diagnostic("E0209", "a test warning", file, Span(2, 1, 2, 5),
                             Severity.WARNING, hint="a hint", suggestions=("x",))
        return dataclasses.replace(analysis, diagnostics=analysis.diagnostics + (warning,))

    monkeypatch.setattr(lumen.sema, "analyze", warning_analyze)
    path = program(tmp_path)
    outputs = []
    for _ in range(2):
        assert run_cli(["run", str(path)]) == 0
        outputs.append(capsys.readouterr())
    assert compiles == ["main.lm"]
    assert outputs[0] == outputs[1]
    assert "a test warning" in outputs[0].err and outputs[0].out == "42\n"


def test_internal_errors_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        cache_root: Path, compiles: list[str]) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setenv("LUMEN_DEBUG", "1")  # the traceback goes to stderr, not a crash file
    monkeypatch.setattr(lumen.sema, "analyze", broken)
    path = program(tmp_path)
    assert not driver.compile_file(path).ok
    assert not driver.compile_file(path).ok
    assert compiles == ["main.lm", "main.lm"]
