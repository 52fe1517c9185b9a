"""The fast path of `lumen run` (lumen/cli/fast_run.py) and the `lumen` launcher (bin/lumen):
a program whose whole entry cell ran as cached native code runs again from its library with
the same output, and anything that changed sends it down the ordinary path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lumen.cli import fast_run

pytest.importorskip("llvmlite")
pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C linker")

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "bin" / "lumen"

# Hot enough to be compiled on the first run; prints every scalar kind; returns an Int.
PROGRAM = """\
cell mix(n: Int) -> Int
  let mut acc = 0
  let mut i = 0
  while i < n
    acc = (acc * 31 + i % 7) % 1000003
    i += 1
  end
  return acc
end

cell main() -> Int
  let total = mix(200000)
  print(total)
  print(to_float(total) / 8.0)
  print(total > 10)
  return total % 1000
end
"""


def clean_env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUMEN_")}
    env["LUMEN_CACHE_DIR"] = str(cache)
    env.update(extra)
    return env


def lumen(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lumen", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=240)


@pytest.fixture()
def recorded(tmp_path: Path) -> tuple[Path, Path, str]:
    """(program, cache folder, expected stdout) after the runs that leave a record: the
    first compiles the entry cell into the native cache, the second runs it from there."""
    cache = tmp_path / "cache"
    program = tmp_path / "prog.lm"
    program.write_text(PROGRAM)
    env = clean_env(cache)
    first = lumen(["run", "prog.lm"], env, tmp_path)
    second = lumen(["run", "prog.lm"], env, tmp_path)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout
    assert list((cache / fast_run.FOLDER).iterdir()), "the second run left no record"
    return program, cache, first.stdout


def test_record_is_found_and_runs_like_the_vm(recorded: tuple[Path, Path, str],
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    program, cache, expected = recorded
    assert expected.splitlines()[1:] == ["%s" % (int(expected.split()[0]) / 8.0), "true",
                                         str(int(expected.split()[0]) % 1000)]
    monkeypatch.chdir(program.parent)
    for name in [n for n in os.environ if n.startswith("LUMEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(cache))
    record = fast_run.lookup("prog.lm")
    assert record is not None and record["returns"] == "Int"
    assert fast_run.attempt(["run", "prog.lm"]) == 0
    assert capsys.readouterr().out == expected
    # a third run through the CLI takes the same path and prints the same
    third = lumen(["run", "prog.lm"], clean_env(cache), program.parent)
    assert (third.returncode, third.stdout) == (0, expected)


def test_any_change_is_a_miss(recorded: tuple[Path, Path, str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    program, cache, _ = recorded
    for name in [n for n in os.environ if n.startswith("LUMEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(cache))
    path = str(program)
    assert fast_run.lookup(path) is not None
    # another toolchain
    from lumen.cache import location

    monkeypatch.setattr(location, "_fingerprint", "another toolchain")
    assert fast_run.lookup(path) is None
    monkeypatch.undo()
    for name in [n for n in os.environ if n.startswith("LUMEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(cache))
    # a setting that changes how programs run, an option, program arguments
    monkeypatch.setenv("LUMEN_TIER", "interp")
    assert fast_run.plain_file(["run", path]) is None
    monkeypatch.delenv("LUMEN_TIER")
    assert fast_run.plain_file(["run", path, "x"]) is None
    assert fast_run.plain_file(["run", "--no-jit", path]) is None
    assert fast_run.plain_file(["run", path]) == path
    # a damaged library
    record = fast_run.lookup(path)
    assert record is not None
    library = Path(record["library"])
    data = library.read_bytes()
    library.unlink()
    library.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert fast_run.lookup(path) is None
    library.unlink()
    library.write_bytes(data)
    # a damaged record
    for entry in (cache / fast_run.FOLDER).iterdir():
        entry.write_bytes(b"\x00garbage")
    assert fast_run.lookup(path) is None
    # the program's bytes: one more space is another program
    for entry in (cache / fast_run.FOLDER).iterdir():
        entry.unlink()
    rerun = lumen(["run", path], clean_env(cache), program.parent)
    assert rerun.returncode == 0 and fast_run.lookup(path) is not None
    program.write_text(PROGRAM + " ")
    assert fast_run.lookup(path) is None


def test_no_record_for_runs_the_fast_path_cannot_repeat(
        recorded: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from lumen.diagnostics import Diagnostic
    from lumen.diagnostics.diagnostic import NO_SPAN, Severity
    from lumen.driver import run_file

    program, cache, expected = recorded
    for name in [n for n in os.environ if n.startswith("LUMEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(cache))
    path = str(program)
    shutil.rmtree(cache / fast_run.FOLDER)
    outcome = run_file(path)
    assert capsys.readouterr().out == "".join(expected.splitlines(keepends=True)[:-1])
    assert outcome.native_entry is not None and outcome.ok
    warning = Diagnostic(code="E0700", message="a warning", file=path, span=NO_SPAN,
                         severity=Severity.WARNING)
    compilation = outcome.compilation
    for unrepeatable in (
            outcome._replace(compilation=compilation._replace(diagnostics=(warning,))),
            outcome._replace(compilation=compilation._replace(imported=("lib.lm",))),
            outcome._replace(exit_status=3),
            outcome._replace(value="text"),
            outcome._replace(trace_path="trace.jsonl"),
            outcome._replace(native_entry=None)):
        fast_run.remember(path, unrepeatable)
        assert fast_run.lookup(path) is None
    monkeypatch.setenv("LUMEN_JIT_THRESHOLD", "5")
    fast_run.remember(path, outcome)
    monkeypatch.delenv("LUMEN_JIT_THRESHOLD")
    assert fast_run.lookup(path) is None
    fast_run.remember(path, outcome)
    assert fast_run.lookup(path) is not None


def test_a_failing_program_leaves_no_record(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    failing = tmp_path / "failing.lm"  # a runtime error in native code, after the loop
    failing.write_text(PROGRAM.replace("return total % 1000", "return total % (total - total)"))
    runs = [lumen(["run", failing.name], clean_env(cache), tmp_path) for _ in range(3)]
    assert [r.returncode for r in runs] == [2, 2, 2]
    assert runs[0].stderr == runs[2].stderr and "failing.lm:" in runs[0].stderr
    for name in [n for n in os.environ if n.startswith("LUMEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(cache))
    assert list(cache.glob("native/*.so")), "the entry cell was never cached natively"
    assert fast_run.lookup(str(failing)) is None


def test_native_failure_is_reported_as_the_vm_reports_it(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    """The state record of a native division by zero, handed over, renders the VM's
    diagnostic (the fast path never records a failing program; this is its safety net)."""
    from lumen.cli.run_program import report_native_failure
    from lumen.driver import compile_file
    from lumen.jit.native import layout as L
    from lumen.lir.opcodes import Op

    program = tmp_path / "div.lm"
    program.write_text("cell main() -> Int\n  let z = 0\n  return 10 // z\nend\n")
    expected = lumen(["run", str(program)], {**os.environ, "LUMEN_TIER": "interp"}, tmp_path)
    assert expected.returncode == 2
    module = compile_file(str(program)).module
    main = module.entry_points["main"]
    pc = next(k for k, instr in enumerate(module.functions[main].code)
              if instr.op == Op.FLOORDIV)
    state = [0] * L.STATE_SIZE
    state[L.ERR_CODE], state[L.ERR_FUNC], state[L.ERR_PC] = L.ERR_ARITH, main, pc
    state[L.ERR_A], state[L.ERR_B] = 10, 0
    assert report_native_failure(str(program), state, []) == 2
    assert capsys.readouterr().err == expected.stderr


def launcher(args: list[str], env: dict[str, str], cwd: Path,
             python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(LAUNCHER), *args], env={**env, "LUMEN_PYTHON": python},
                          cwd=cwd, capture_output=True, text=True, timeout=240)


def test_launcher_runs_every_command(recorded: tuple[Path, Path, str]) -> None:
    program, cache, expected = recorded
    env = clean_env(cache)
    ran = launcher(["run", "prog.lm"], env, program.parent)
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, expected, "")
    version = launcher(["--version"], env, program.parent)
    assert version.returncode == 0 and "lumen" in version.stdout
    (program.parent / "bad.lm").write_text("cell main() -> Int\n  return 1 +\nend\n")
    bad = launcher(["run", "bad.lm"], env, program.parent)
    assert bad.returncode == 1 and "bad.lm:" in bad.stderr
    (program.parent / "crash.lm").write_text("cell main() -> Int\n  return 1 // 0\nend\n")
    crash = launcher(["run", "crash.lm", "--json"], env, program.parent)
    assert crash.returncode == 2 and '"ok": false' in crash.stdout


def test_launcher_holds_pth_code_back_only_on_the_fast_path(
        recorded: tuple[Path, Path, str], tmp_path: Path) -> None:
    """A `.pth` import line runs for every command except a fast-path run, whose program
    never needs it."""
    program, cache, expected = recorded
    venv = tmp_path / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--without-pip",
                           "--system-site-packages", str(venv)], capture_output=True, timeout=120)
    if made.returncode != 0:
        pytest.skip(f"cannot make a virtual environment here: {made.stderr[-200:]!r}")
    python = venv / "bin" / "python3"
    site_packages = subprocess.run(
        [str(python), "-c", "import site; print(site.getsitepackages()[0])"],
        capture_output=True, text=True, check=True).stdout.strip()
    marker = tmp_path / "pth-ran"
    # this checkout's lumen first (the base environment may hold another), and the
    # packages this test runs with (the base environment may lack them), then the probe
    import site

    here = [str(REPO), *site.getsitepackages()]
    Path(site_packages, "000_this_lumen.pth").write_text("".join(f"{p}\n" for p in here))
    Path(site_packages, "zz_probe.pth").write_text(
        f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')\n")
    # and a sitecustomize module, held back the same way
    custom = tmp_path / "custom"
    custom.mkdir()
    custom_marker = tmp_path / "customize-ran"
    (custom / "sitecustomize.py").write_text(
        f"import pathlib\npathlib.Path({str(custom_marker)!r}).write_text('ran')\n")
    env = {**clean_env(cache), "PYTHONPATH": str(custom)}
    fast = launcher(["run", "prog.lm"], env, program.parent, python=str(python))
    assert (fast.returncode, fast.stdout) == (0, expected), fast.stderr
    assert not marker.exists() and not custom_marker.exists()
    other = launcher(["check", "prog.lm"], env, program.parent, python=str(python))
    assert other.returncode == 0, other.stderr
    assert marker.read_text() == "ran" and custom_marker.read_text() == "ran"


def test_launcher_finds_the_interpreter_of_its_console_script(tmp_path: Path) -> None:
    """Without LUMEN_PYTHON the launcher runs the interpreter named by `lumen-py` beside it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shutil.copy(LAUNCHER, bin_dir / "lumen")
    (bin_dir / "lumen-py").write_text(f"#!{sys.executable}\n# console script\n")
    env = {k: v for k, v in os.environ.items() if k != "LUMEN_PYTHON"}
    env["PATH"] = "/nonexistent"  # no python3 to fall back on
    done = subprocess.run(["/bin/sh", str(bin_dir / "lumen"), "--version"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "lumen" in done.stdout, done.stderr


def test_fast_path_imports_only_what_it_needs(recorded: tuple[Path, Path, str]) -> None:
    """Start-up is the point of the fast path: no typing, pathlib, re or threading, and of
    Lumen only the lean modules named in ARCHITECTURE.md."""
    program, cache, expected = recorded
    probe = (
        "import sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from lumen.cli.fast_run import attempt\n"
        "status = attempt(['run', 'prog.lm'])\n"
        "print('MODULES', status, ' '.join(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-S", "-c", probe], env=clean_env(cache),
                          cwd=program.parent, capture_output=True, text=True, timeout=120)
    output, _, modules_line = done.stdout.rpartition("MODULES ")
    assert output == expected, done.stderr
    status, *modules = modules_line.split()
    assert status == "0"
    for heavy in ("typing", "pathlib", "re", "enum", "threading", "dataclasses", "hashlib"):
        assert heavy not in modules
    lumen_modules = {m for m in modules if m.startswith("lumen")}
    assert lumen_modules <= {
        "lumen", "lumen.cli", "lumen.cli.fast_run", "lumen.cache", "lumen.cache.location",
        "lumen.jit", "lumen.jit.native", "lumen.jit.native.abi", "lumen.jit.native.layout",
        "lumen.vm", "lumen.vm.deep_stack", "lumen.vm.scalars"}, lumen_modules


def test_an_evicted_entry_cell_is_compiled_again(recorded: tuple[Path, Path, str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Its cells still cached, a program whose entry cell's library was pruned gets it
    back on its next run (else it would never reach the fast path again)."""
    program, cache, expected = recorded
    for name in [n for n in os.environ if n.startswith("LUMEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(cache))
    record = fast_run.lookup(str(program))
    assert record is not None
    library = Path(record["library"])
    library.unlink()
    library.with_suffix(".sha256").unlink()
    shutil.rmtree(cache / fast_run.FOLDER)
    assert list(cache.glob("native/*.so")), "the cells' libraries are still there"
    rerun = lumen(["run", "prog.lm"], clean_env(cache), program.parent)
    assert (rerun.returncode, rerun.stdout) == (0, expected)
    assert library.exists()
    again = lumen(["run", "prog.lm"], clean_env(cache), program.parent)
    assert again.stdout == expected and fast_run.lookup(str(program)) is not None
